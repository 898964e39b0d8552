"""Writes: notify() for the other apps, and the reader's own actions on the inbox."""

from __future__ import annotations

import logging
import time
from functools import partial

from django.db import transaction
from django.utils import timezone

from notifications.events import require_known, template_data
from notifications.models import Message, WechatDelivery

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *,
    user,
    event: str,
    title: str,
    body: str,
    data: dict | None = None,
    url: str = "",
) -> Message:
    """Tell a user of the current school about an event. Call inside the business transaction.

    Always writes the in-app message. When the user has bound WeChat and the school set a
    template for `event`, the outbox row is written in the same transaction and its delivery
    queued once the transaction commits; if the broker is down, the periodic sweep queues it
    later, so the caller's request never fails because of Redis.
    """
    from settings_per_school.selectors import get_school_settings
    from wechat.models import WechatBinding

    require_known(event)  # a typo'd code would reach no template and no settings row
    data = dict(data or {})
    message = Message.objects.create(
        user=user, event=event, title=title, body=body, data=data, url=url
    )
    binding = WechatBinding.objects.filter(user=user).only("openid", "app_id").first()
    if binding is None:
        return message
    school_settings = get_school_settings()
    template_id = (school_settings.wechat_templates or {}).get(event, "").strip()
    # An openid belongs to one official account: after the school changed accounts, the old
    # bindings can't be reached until the graduate binds again.
    if not template_id or binding.app_id != school_settings.wechat_app_id:
        return message
    delivery = WechatDelivery.objects.create(
        message=message,
        app_id=school_settings.wechat_app_id,
        openid=binding.openid,
        template_id=template_id,
        payload={
            "data": template_data(
                event=event, title=title, body=body, data=data, created_at=message.created_at
            ),
            "url": absolute_url(url),
        },
        next_attempt_at=message.created_at,
    )
    transaction.on_commit(partial(enqueue_delivery, delivery.pk))
    return message


_subdomains: dict[str, str] = {}


def absolute_url(url: str) -> str:
    """Template messages open the school's own site, so links must be absolute."""
    if not url or url.startswith(("http://", "https://")):
        return url
    from django.conf import settings
    from django.db import connection

    from tenants.models import School
    from tenants.naming import domain_for

    schema = connection.schema_name
    if schema not in _subdomains:  # a school's subdomain never changes
        _subdomains[schema] = (
            School.objects.filter(schema_name=schema).values_list("subdomain", flat=True).first()
            or ""
        )
    if not _subdomains[schema]:
        return ""
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{domain_for(_subdomains[schema])}{port}{url}"


# After a failed publish, skip the broker for a few seconds: while Redis is down each
# attempt costs up to ~2 s of reconnecting, which requests must not pay one after another.
BROKER_COOL_DOWN_SECONDS = 5.0
_broker_down_until = 0.0


def enqueue_delivery(delivery_id: int, countdown: float | None = None) -> bool:
    """Hand a delivery to the broker; on failure the row stays pending for the sweep."""
    global _broker_down_until
    from notifications.tasks import deliver

    if time.monotonic() < _broker_down_until:
        return False
    try:
        deliver.apply_async((delivery_id,), countdown=countdown, retry=False)
    except Exception as exc:  # the broker is down: the sweep will find the row
        _broker_down_until = time.monotonic() + BROKER_COOL_DOWN_SECONDS
        logger.warning(
            "delivery %s not queued (%s); left to the sweep", delivery_id, exc.__class__.__name__
        )
        return False
    return True


def mark_read(*, user, message_id: int) -> Message:
    message = Message.objects.get(pk=message_id, user=user)
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
        message.refresh_from_db(fields=["read_at"])
    return message


def mark_all_read(*, user) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
