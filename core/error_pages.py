"""Styled Chinese error pages for both hosts (400, 403, CSRF failure, 404, 500).

Django's defaults are bare English pages ("403 Forbidden"); every error a person can meet
on a page gets one of these instead. The API's JSON errors are the API's own contract.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None):
    return HttpResponse(
        loader.render_to_string(template, context or {}, request=request), status=status
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # A service's refusal carries its own Chinese reason; Django's bare PermissionDenied none.
    message = str(exception or "").strip()
    return _page(request, "errors/403.html", 403, {"message": message})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        "errors/403.html",
        403,
        {"message": _("页面已过期或在别处打开过。请返回上一页，刷新后重新提交。"), "csrf": True},
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from the database or a context processor.
    return HttpResponse(loader.render_to_string("errors/500.html"), status=500)
