"""The outbox state machine: pending → sending → sent | failed, and nothing else.

A worker claims a due row (pending → sending, attempts + 1, a lease) in its own short
transaction with SKIP LOCKED, so two workers never send the same row at once. A row whose
worker died mid-send goes back to pending when its lease runs out; its retry carries the
same client_msg_id, which WeChat de-duplicates, so it is still delivered once.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed, NotFound
from notifications.models import DeliveryStatus, WechatDelivery


def claim(delivery_id: int) -> WechatDelivery | None:
    """Take a due pending row for sending; None if it is not due, done or someone else's."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            WechatDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if row is None:
            return None
        row.status = DeliveryStatus.SENDING
        row.attempts += 1
        row.lease_until = now + timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS)
        row.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
    return row


def _finish(row: WechatDelivery, **changes) -> bool:
    changes["updated_at"] = timezone.now()
    updated = WechatDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
        **changes
    )
    for key, value in changes.items():
        setattr(row, key, value)
    return bool(updated)


def mark_sent(row: WechatDelivery, msgid: int | None) -> bool:
    return _finish(
        row,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        wechat_msgid=msgid,
        lease_until=None,
        last_error_code=None,
        last_error="",
    )


def mark_failed(row: WechatDelivery, code: int | None, reason: str) -> bool:
    return _finish(
        row,
        status=DeliveryStatus.FAILED,
        lease_until=None,
        last_error_code=code,
        last_error=reason,
    )


def backoff_seconds(attempts: int) -> float:
    """Exponential with full jitter on the upper half: base·2^(n−1), capped."""
    delay = min(
        settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.NOTIFY_RETRY_MAX_SECONDS,
    )
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


def mark_retry(row: WechatDelivery, code: int | None, reason: str) -> datetime | None:
    """Back to pending after a transient error; None when out of attempts (failed)."""
    if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        mark_failed(row, code, _("多次重试仍失败：%(reason)s") % {"reason": reason})
        return None
    when = timezone.now() + timedelta(seconds=backoff_seconds(row.attempts))
    _finish(
        row,
        status=DeliveryStatus.PENDING,
        next_attempt_at=when,
        lease_until=None,
        last_error_code=code,
        last_error=reason,
    )
    return when


def release_stale_leases() -> list[int]:
    """Rows whose worker vanished while sending go back to the queue."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WechatDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, lease_until__lt=now)
            .values_list("pk", flat=True)[:1000]
        )
        WechatDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, lease_until=None, updated_at=now
        )
    return ids


def take_forgotten(limit: int = 5000) -> list[int]:
    """Pending rows due for longer than the grace period: their task never reached a worker.

    Their due time moves to now, so the next sweep leaves them alone for another grace
    period while the re-queued task is on its way.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFY_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        ids = list(
            WechatDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WechatDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now, updated_at=now)
    return ids


@transaction.atomic
def retry_failed(*, actor: Actor, delivery_id: int) -> WechatDelivery:
    """A school admin sends a failed message again (after fixing the template, say)."""
    if actor.via != "cli" and actor.role != Role.SCHOOL_ADMIN:
        raise NotAllowed(_("只有校级管理员可以重新发送。"))
    row = WechatDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if row is None:
        raise NotFound(_("该条发送记录不存在。"))
    if row.status != DeliveryStatus.FAILED:
        raise ValidationError(_("只有发送失败的消息可以重新发送。"), code="state")
    now = timezone.now()
    previous = {"code": row.last_error_code, "reason": row.last_error}
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit.record(actor, "notification.delivery_retried", target=row, data={"previous": previous})
    return row
