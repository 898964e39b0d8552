from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
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
            # A session (not a token): this browser stays logged in.
            request=request._request if request.auth is None else None,
        )
        # Every earlier token was revoked; this one is for the client that changed it.
        _token, key = tokens.issue(user, name=request.META.get("HTTP_USER_AGENT", ""))
        return Response({"token": key, "must_change_password": user.must_change_password})


class TokenOut(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text="令牌的前 8 位")
    name = serializers.CharField(help_text="登录时的设备（User-Agent）")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="是否为本次请求使用的令牌")


def _token_out(token, current) -> dict:
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "name": token.name,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": tokens.expires_at(token),
        "current": current is not None and token.pk == getattr(current, "pk", None),
    }


class LogoutApi(APIView):
    """Log out: the token of this request is revoked (a session is ended)."""

    allowed_before_password_change = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        from django.contrib.auth import logout

        if request.auth is not None and hasattr(request.auth, "pk"):
            tokens.revoke(request.user, request.auth.pk)
        else:
            logout(request._request)
        return Response(status=204)


class TokenListApi(APIView):
    """One's own live API tokens (one per login), most recently used first."""

    @extend_schema(responses=TokenOut(many=True))
    def get(self, request):
        return Response([_token_out(t, request.auth) for t in tokens.tokens_of(request.user)])


class TokenRevokeApi(APIView):
    """Revoke one of one's own tokens (a lost phone); another user's id is a 404."""

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        from django.http import Http404
        from django.utils.translation import gettext as _

        if not tokens.revoke(request.user, pk):
            raise Http404(_("令牌不存在。"))
        return Response(status=204)
