from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """An in-app message (站内信) for one user of the school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    event = models.CharField(_("事件"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notif_msg_user_time"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notif_msg_unread"
            ),
        ]
        verbose_name = _("站内信")

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")


class WechatDelivery(models.Model):
    """The outbox: one WeChat template message to send, written with its Message.

    State machine in notifications/outbox.py: pending → sending → sent | failed
    (transient errors go back to pending with a later next_attempt_at).
    """

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="wechat_delivery"
    )
    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    template_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error_code = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    wechat_msgid = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="notif_outbox_due",
            ),
            models.Index(fields=["status", "-updated_at"], name="notif_outbox_status"),
        ]
        verbose_name = _("微信消息发送记录")

    def __str__(self) -> str:
        return f"{self.message_id} {self.status}"

    @property
    def idempotency_key(self) -> str:
        """WeChat's client_msg_id: a retry of this row is never delivered twice."""
        return f"wq-{self.pk}"
