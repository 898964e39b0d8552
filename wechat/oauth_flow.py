"""The web OAuth round trip's state, kept in the server-side session.

`state` is random, bound to this browser's session, expires, and is used once: a forged,
stale or replayed callback finds nothing to match. The openid WeChat vouched for waits in
the session (briefly) until the graduate proves who they are with 学号 and password.
"""

from __future__ import annotations

import secrets
import time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STATE_KEY = "wechat_oauth_state"
PENDING_KEY = "wechat_pending_openid"
STATE_TTL_SECONDS = 600
PENDING_TTL_SECONDS = 900


def begin(session, next_url: str) -> str:
    state = secrets.token_urlsafe(24)
    session[STATE_KEY] = {"state": state, "next": next_url, "at": time.time()}
    return state


def finish(session, state: str) -> str:
    """Check the callback's state; returns where to go next. Single use."""
    expected = session.pop(STATE_KEY, None)
    if (
        not expected
        or not state
        or not secrets.compare_digest(str(expected.get("state", "")), str(state))
    ):
        raise ValidationError(_("登录请求无效或已使用，请从公众号菜单重新进入。"), code="state")
    if time.time() - float(expected.get("at", 0)) > STATE_TTL_SECONDS:
        raise ValidationError(_("登录请求已过期，请从公众号菜单重新进入。"), code="expired")
    return expected.get("next") or "/"


def remember_openid(session, *, openid: str, app_id: str, next_url: str) -> None:
    session[PENDING_KEY] = {
        "openid": openid,
        "app_id": app_id,
        "next": next_url,
        "at": time.time(),
    }


def pending_openid(session) -> dict | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_TTL_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return pending


def forget_openid(session) -> None:
    session.pop(PENDING_KEY, None)
