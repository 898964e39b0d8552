"""A school's site (<subdomain>.PLATFORM_DOMAIN)."""

from django.urls import include, path, re_path

from core.exceptions import api_not_found
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
    re_path(r"^api(/|$)", api_not_found),  # JSON 404 for unknown API routes
    path("agreements/", include("agreements.urls")),
    path("verify/", include("agreements.verify_urls")),
    path("destinations/", include("destinations.urls")),
    path("wechat/", include("wechat.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("employers.urls_tenant")),
    path("files/<str:token>", signed_file, name="signed-file"),
]

# Styled Chinese error pages on this host (core/error_pages.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
