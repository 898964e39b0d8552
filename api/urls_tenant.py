from django.urls import include, path

from accounts.apis import PasswordChangeApi
from agreements.api_urls import tenant_patterns as agreement_patterns
from api.urls_common import common_patterns
from employers import api_urls as employer_api
from settings_per_school.apis import PublicFlagsApi, SchoolSettingsApi

urlpatterns = common_patterns("saas_platform.urls_tenant") + [
    path("school/settings", SchoolSettingsApi.as_view(), name="api-school-settings"),
    path("school/public-settings", PublicFlagsApi.as_view(), name="api-school-public-settings"),
    *employer_api.common,
    path("auth/password", PasswordChangeApi.as_view(), name="api-password-change"),
    path("students/", include("students.api_urls")),
]
urlpatterns += agreement_patterns
