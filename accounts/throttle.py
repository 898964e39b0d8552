"""Failed logins per client IP, counted in Redis.

django-axes locks an account after a few failures; a campus NAT puts thousands of
graduates behind one address, so the per-IP limit is separate and much higher.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches

from core.context import client_ip


def _key(request) -> str:
    # The "platform" cache doesn't prefix keys by schema: an address that fails on one
    # school's host is counted on every host (and on the platform site).
    return f"login-failures:{client_ip(request) or '-'}"


def _cache():
    return caches["platform"]


def ip_blocked(request) -> bool:
    if request is None:
        return False
    try:
        return (_cache().get(_key(request)) or 0) >= settings.LOGIN_IP_FAILURE_LIMIT
    except Exception:  # Redis down: axes (in PostgreSQL) still protects each account
        return False


def note_failure(request) -> None:
    if request is None:
        return
    key = _key(request)
    try:
        cache = _cache()
        cache.add(key, 0, timeout=settings.LOGIN_IP_WINDOW_SECONDS)
        cache.incr(key)
    except Exception:
        pass


def login_refusal(request) -> str | None:
    """The Chinese message for a login refused before the password was even checked."""
    from django.utils.translation import gettext as _

    if request is None:
        return None
    inner = getattr(request, "_request", request)  # DRF wraps the HttpRequest
    if getattr(inner, "login_ip_throttled", False):
        return _("该网络的登录失败次数过多，请稍后再试。")
    if getattr(inner, "axes_locked_out", False):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return _("登录失败次数过多，账号已被临时锁定，请 %(minutes)d 分钟后再试。") % {
            "minutes": minutes
        }
    return None
