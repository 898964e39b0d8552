"""The platform site (PLATFORM_DOMAIN and www.): operators, later employers."""

from django.urls import include, path

from core.views import healthz
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
    path("dev/wechat/", wechat_views.fake_received, name="dev-wechat-fake"),
]

handler404 = "core.views.page_not_found"
