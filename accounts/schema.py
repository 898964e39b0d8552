"""OpenAPI: our authentication classes are DRF's with one more check; describe them the same."""

from drf_spectacular.authentication import SessionScheme


class PasswordCheckedSessionScheme(SessionScheme):
    target_class = "accounts.authentication.SessionAuthentication"
