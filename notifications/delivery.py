"""Sending outbox rows to WeChat (run by Celery workers, in the school's schema)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import requests
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import quote_schema_name

from notifications import outbox
from notifications.models import DeliveryStatus, WechatDelivery
from wechat.client import SchoolWeChatClient, WeChatClientException
from wechat.errors import TRANSIENT_CODES, describe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # skipped | sent | retry | failed
    retry_at: datetime | None = None


class _Clients(threading.local):
    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], SchoolWeChatClient] = {}


_clients = _Clients()


def _client(appid: str, secret: str) -> SchoolWeChatClient:
    """One client per worker thread and account: its HTTP session reuses connections (the
    token itself is shared through Redis); threads don't share sessions or retry state."""
    key = (appid, secret)
    client = _clients.by_key.get(key)
    if client is None:
        if len(_clients.by_key) > 256:
            _clients.by_key.clear()
        client = _clients.by_key[key] = SchoolWeChatClient(appid, secret)
    return client


def clear_clients() -> None:
    _clients.by_key.clear()
    _credentials.clear()


SETTINGS_TTL_SECONDS = 10.0
_credentials: dict[str, tuple[float, str, str]] = {}


def _school_credentials() -> tuple[str, str]:
    """The current school's AppID and AppSecret, cached briefly (a busy worker sends a lot)."""
    from settings_per_school.selectors import get_school_settings

    schema = connection.schema_name
    cached = _credentials.get(schema)
    if cached and cached[0] > time.monotonic():
        return cached[1], cached[2]
    school = get_school_settings()
    _credentials[schema] = (
        time.monotonic() + SETTINGS_TTL_SECONDS,
        school.wechat_app_id,
        school.wechat_app_secret,
    )
    return school.wechat_app_id, school.wechat_app_secret


FAREWELL_EVENT = "wechat_unbound"


def deliver(delivery_id: int) -> Outcome:
    """Send one outbox row if it is due and nobody else is sending it."""
    from notifications.models import Message
    from wechat.models import WechatBinding

    row = outbox.claim(delivery_id)
    if row is None:
        return Outcome("skipped")
    app_id, secret = _school_credentials()
    if not app_id or not secret:
        outbox.mark_failed(row, None, _("学校尚未配置公众号 AppID / AppSecret"))
        return Outcome("failed")
    if app_id != row.app_id:
        outbox.mark_failed(row, None, _("学校已更换公众号，该消息属于原公众号"))
        return Outcome("failed")
    owner = Message.objects.filter(pk=row.message_id).values("user_id")
    # "Your binding was removed" goes to the WeChat that was just unbound (wechat.services).
    farewell = Message.objects.filter(pk=row.message_id, event=FAREWELL_EVENT).exists()
    if (
        not farewell
        and not WechatBinding.objects.filter(user_id__in=owner, openid=row.openid).exists()
    ):
        outbox.mark_failed(row, None, _("毕业生已解绑微信"))
        return Outcome("failed")
    client = _client(app_id, secret)
    try:
        result = client.send_template(
            openid=row.openid,
            template_id=row.template_id,
            data=row.payload.get("data", {}),
            url=row.payload.get("url", ""),
            client_msg_id=row.idempotency_key,
        )
    except WeChatClientException as exc:
        code = exc.errcode
        if code is None:  # HTTP error (5xx from WeChat's gateway)
            status = getattr(exc.response, "status_code", "?")
            return _retry(row, None, _("微信服务器错误（HTTP %(s)s）") % {"s": status})
        if code in TRANSIENT_CODES:
            return _retry(row, code, describe(code, exc.errmsg))
        outbox.mark_failed(row, code, describe(code, exc.errmsg))
        return Outcome("failed")
    except requests.RequestException as exc:  # network: refused, reset, timeout
        return _retry(row, None, describe(None, exc.__class__.__name__))
    outbox.mark_sent(row, result.get("msgid"))
    return Outcome("sent")


def _retry(row: WechatDelivery, code: int | None, reason: str) -> Outcome:
    when = outbox.mark_retry(row, code, reason)
    if when is None:
        return Outcome("failed")
    return Outcome("retry", when)


def sweep_school() -> list[int]:
    """Rows of the current school to queue again: vanished workers and lost tasks."""
    return list(dict.fromkeys(outbox.release_stale_leases() + outbox.take_forgotten()))


def schemas_with_work(schema_names: list[str]) -> list[str]:
    """The schools whose outbox needs the sweep, in one query for up to 200 schools at once.

    The sweep runs every minute over every school; one round-trip per batch keeps it cheap.
    """
    from django.conf import settings
    from django.utils import timezone

    table = WechatDelivery._meta.db_table
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.NOTIFY_SWEEP_GRACE_SECONDS)
    now = timezone.now()
    found: list[str] = []
    for start in range(0, len(schema_names), 200):
        batch = schema_names[start : start + 200]
        parts, params = [], []
        for schema in batch:
            # Identifiers can't be parameters: schema names come from School rows, quoted.
            parts.append(
                "SELECT %s WHERE EXISTS (SELECT 1 FROM "  # noqa: S608
                f"{quote_schema_name(schema)}.{table} WHERE "
                "(status = %s AND next_attempt_at <= %s) OR (status = %s AND lease_until < %s))"
            )
            params += [schema, DeliveryStatus.PENDING, cutoff, DeliveryStatus.SENDING, now]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            found += [row[0] for row in cursor.fetchall()]
    return found


def school_schema_names() -> list[str]:
    from tenants.selectors import active_schema_names

    return active_schema_names()
