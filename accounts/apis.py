from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import change_password
from core.context import actor_from_request


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class PasswordChangeApi(APIView):
    """Change one's own password. The only endpoint open before the initial password is changed."""

    allowed_before_password_change = True

    @extend_schema(
        request=PasswordChangeInput,
        responses=inline_serializer(
            "PasswordChanged",
            {"token": serializers.CharField(), "must_change_password": serializers.BooleanField()},
        ),
    )
    def post(self, request):
        serializer = PasswordChangeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = change_password(
            actor=actor_from_request(request),
            user=request.user,
            old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password"],
        )
        if request.auth is None:  # a session: keep this browser logged in
            update_session_auth_hash(request._request, user)
        # Every earlier token was revoked; this one is for the client that changed it.
        token = Token.objects.create(user=user)
        return Response({"token": token.key, "must_change_password": user.must_change_password})
