"""Re-entered passwords (password change, 应约) count like failed logins, per account.

Whoever holds a session (a borrowed phone, a stolen cookie) must not be able to guess the
password there: a wrong one is a failed login for django-axes (and the per-IP counter),
and a locked account is refused before the password is even compared.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from core.context import Actor


def _request_for(actor: Actor) -> HttpRequest:
    # axes reads the client from a request; services get the actor, which carries it.
    request = HttpRequest()
    request.method = "POST"
    request.META["REMOTE_ADDR"] = actor.ip or ""
    request.META["HTTP_USER_AGENT"] = actor.user_agent or ""
    return request


def _credentials(user: User) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked(actor: Actor, user: User) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(_request_for(actor), _credentials(user))


def verify(actor: Actor, user: User, raw_password: str) -> bool:
    """True if `raw_password` is the user's; a wrong one is recorded as a failed login."""
    from accounts.services import check_current_password

    if is_locked(actor, user):
        return False
    if check_current_password(user, raw_password or ""):
        return True
    user_login_failed.send(
        sender=__name__, credentials=_credentials(user), request=_request_for(actor)
    )
    return False


def refusal(actor: Actor, user: User, wrong: str) -> str:
    """The Chinese reason for a refused password: locked, or `wrong`."""
    if is_locked(actor, user):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return _("密码错误次数过多，账号已被临时锁定，请 %(minutes)d 分钟后再试。") % {
            "minutes": minutes
        }
    return wrong
