"""API authentication that also refuses everything but the password change until it is done."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

PASSWORD_CHANGE_REQUIRED = _(
    "请先修改初始密码（POST /api/v1/auth/password），之后才能使用其他接口。"
)


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_detail = PASSWORD_CHANGE_REQUIRED
    default_code = "password_change_required"


class _RequirePasswordChanged:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[0].must_change_password:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if not getattr(view, "allowed_before_password_change", False):
                raise PasswordChangeRequired()
        return result


class _ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against accounts.ApiToken (sliding expiry, revocable)."""

    def authenticate_credentials(self, key):
        from accounts import tokens

        token = tokens.authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("登录凭证无效或已过期，请重新登录。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该账号已停用。"))
        return token.user, token


class TokenAuthentication(_RequirePasswordChanged, _ExpiringTokenAuthentication):
    pass


class SessionAuthentication(_RequirePasswordChanged, authentication.SessionAuthentication):
    pass
