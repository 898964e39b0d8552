"""A school's site (<subdomain>.PLATFORM_DOMAIN)."""

from django.urls import include, path

from core.views import healthz, signed_file
from settings_per_school import views as settings_views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.school_home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("settings/", settings_views.settings_page, name="school-settings"),
    path("school/logo", settings_views.logo, name="school-logo"),
    path("students/", include("students.urls")),
    path("api/v1/", include("api.urls_tenant")),
    path("agreements/", include("agreements.urls")),
    path("destinations/", include("destinations.urls")),
    path("wechat/", include("wechat.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("employers.urls_tenant")),
    path("files/<str:token>", signed_file, name="signed-file"),
    path("wechat/", include("wechat.urls")),
    path("notifications/", include("notifications.urls")),
]

handler404 = "core.views.page_not_found"
