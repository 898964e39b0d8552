"""Anonymous traffic is rate-limited per client IP, across all schools (issue 9, finding 8).

One fixed-window counter in Redis per (scope, client IP, window): two Redis calls a request,
atomic under parallel requests (DRF's own throttles read-modify-write a list, which a flood
races past). The counters live in the "platform" cache, which has no per-school key prefix,
so flooding one school's host counts against the same budget as flooding another's.

- API: `AnonymousApiThrottle`, DRF's default throttle (settings.ANON_API_RATE);
- pages: `AnonymousPageLimitMiddleware` (settings.ANON_PAGE_RATE): login, registration,
  the employer search and every other page an anonymous visitor can load.

Signed-in users are not limited here (their accounts are; see accounts.throttle). With Redis
down the limits are off, and the per-process connection pool still bounds the database.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from core.context import client_ip

THROTTLE_CACHE = "platform"
_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
}
EXEMPT_PREFIXES = ("/static/", "/healthz", "/livez", "/api/")  # /api/: the DRF throttle's job


def parse_rate(rate: str) -> tuple[int, int]:
    """`"300/min"` → (300, 60)."""
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


def hit(scope: str, ident: str, rate: str) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window ends)."""
    limit, window = parse_rate(rate)
    now = time.time()
    slot = int(now // window)
    retry_after = max(1, int((slot + 1) * window - now))
    key = f"anon:{scope}:{ident}:{slot}"
    try:
        cache = caches[THROTTLE_CACHE]
    except InvalidCacheBackendError:  # settings without the alias (a test's own CACHES)
        cache = caches["default"]
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # Redis down: don't turn an outage into refusals
        return True, 0
    return count <= limit, retry_after


def _is_anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class AnonymousApiThrottle(BaseThrottle):
    """DRF throttle for anonymous API calls, per client IP, platform-wide."""

    def allow_request(self, request, view) -> bool:
        if not _is_anonymous(request):
            return True
        allowed, self._wait = hit("api", client_ip(request) or "-", settings.ANON_API_RATE)
        return allowed

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class AnonymousPageLimitMiddleware:
    """The same limit for anonymous page loads (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_anonymous(request) and not request.path.startswith(EXEMPT_PREFIXES):
            allowed, retry_after = hit("page", client_ip(request) or "-", settings.ANON_PAGE_RATE)
            if not allowed:
                return too_many_requests(retry_after)
        return self.get_response(request)


def too_many_requests(retry_after: int) -> HttpResponse:
    message = _("访问过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": retry_after}
    response = HttpResponse(
        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{_("请稍后再试")}</title>'
        f"<p>{message}</p></html>",
        status=429,
        content_type="text/html; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response
