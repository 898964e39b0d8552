"""The platform site (PLATFORM_DOMAIN and www.): operators, later employers."""

from django.urls import include, path

from core.views import healthz, signed_file
from employer_inbox import views as employer_inbox_views
from tenants import views as tenant_views
from wechat import views as wechat_views

urlpatterns = [
    path("", tenant_views.platform_home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("operator/schools/", tenant_views.operator_schools, name="operator-schools"),
    path("operator/schools/new/", tenant_views.operator_onboard, name="operator-onboard"),
    path("api/v1/", include("api.urls_public")),
    path("employer/agreements/", include("agreements.urls_platform")),
    path("employer/notices/", employer_inbox_views.inbox, name="employer-notices"),
    path("dev/wechat/", wechat_views.fake_received, name="dev-wechat-fake"),
    path("", include("employers.urls_public")),
    path("files/<str:token>", signed_file, name="signed-file"),
]

handler404 = "core.views.page_not_found"
