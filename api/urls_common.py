from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.apis import LogoutApi, PasswordChangeApi, TokenListApi, TokenRevokeApi
from api.auth import MeView, ObtainTokenView


def common_patterns(urlconf: str) -> list:
    return [
        path("auth/token", ObtainTokenView.as_view(), name="api-token"),
        path("auth/password", PasswordChangeApi.as_view(), name="api-password-change"),
        path("auth/logout", LogoutApi.as_view(), name="api-logout"),
        path("auth/tokens", TokenListApi.as_view(), name="api-tokens"),
        path("auth/tokens/<int:pk>", TokenRevokeApi.as_view(), name="api-token-revoke"),
        path("me", MeView.as_view(), name="api-me"),
        path("schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="api-schema"),
        path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    ]
