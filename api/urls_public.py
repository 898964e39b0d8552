from django.urls import path

from agreements.api_urls import public_patterns as agreement_patterns
from api.urls_common import common_patterns
from employers import api_urls as employer_api
from settings_per_school.apis import SchoolPublicFlagsApi
from tenants.apis import SchoolListApi

urlpatterns = common_patterns("saas_platform.urls_public") + [
    path("schools", SchoolListApi.as_view(), name="api-schools"),
    path(
        "schools/<slug:subdomain>/public-settings",
        SchoolPublicFlagsApi.as_view(),
        name="api-school-public-settings-by-subdomain",
    ),
    *employer_api.common,
    *employer_api.platform,
]
urlpatterns += agreement_patterns
