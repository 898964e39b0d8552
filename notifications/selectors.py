from __future__ import annotations

from django.db.models import Count, QuerySet

from notifications.models import DeliveryStatus, Message, WechatDelivery


def inbox(user) -> QuerySet[Message]:
    return Message.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def deliveries(status: str | None = None) -> QuerySet[WechatDelivery]:
    rows = WechatDelivery.objects.select_related("message", "message__user")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-updated_at", "-id")


def delivery_counts() -> dict[str, int]:
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in WechatDelivery.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
