from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import throttle, tokens


class LoginLocked(APIException):
    status_code = 429
    default_code = "locked"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("账号"))
    password = serializers.CharField(label=_("密码"), trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange a username and password for a token valid on this host only."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request):
        return "Token"  # a failed login is 401, with the scheme to use

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer(
            "TokenResponse",
            {
                "token": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
                "role": serializers.CharField(),
                "must_change_password": serializers.BooleanField(),
            },
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,  # django-axes and the IP throttle mark the HttpRequest
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            refusal = throttle.login_refusal(request)
            if refusal:
                raise LoginLocked(refusal)
            raise AuthenticationFailed(_("账号或密码不正确。"))
        # A new token per login: each device can be listed and revoked on its own, and
        # each expires (accounts.tokens).
        token, key = tokens.issue(user, name=request.META.get("HTTP_USER_AGENT", ""))
        return Response(
            {
                "token": key,
                "expires_at": tokens.expires_at(token),
                "role": user.role,
                "must_change_password": user.must_change_password,
            }
        )


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "display_name": serializers.CharField(),
                "role": serializers.CharField(),
                "school": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request):
        school = getattr(request, "school", None)
        return Response(
            {
                "username": request.user.username,
                "display_name": request.user.display_name,
                "role": request.user.role,
                "school": school.subdomain if school else None,
            }
        )
