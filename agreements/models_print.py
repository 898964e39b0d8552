"""The printed agreement: its number, its verification codes and the stamped paper copy.

Imported by `agreements.models` so Django sees these models as part of the app; kept in
their own module because they only exist once an agreement is signed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import upload_to


class NumberCounter(models.Model):
    """The last serial handed out in one year, in this school's schema (so: per school and year).

    Locked FOR UPDATE by the signing transaction: concurrent signings queue on it, and a
    rolled-back signing gives its serial back, so serials have no gaps.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_serial = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_serial}"


class PaperState(models.TextChoices):
    AWAITING = "awaiting", _("待上传盖章件")
    UPLOADED = "uploaded", _("盖章件待核对")
    REJECTED = "rejected", _("盖章件被退回")
    RECEIVED = "received", _("纸质协议已收回")


def scan_upload_to(instance, filename: str) -> str:
    return upload_to("agreement-scans")(instance, filename)


class AgreementPaper(models.Model):
    """Created at signing, with the number: what the printed copy shows and where it is now."""

    agreement = models.OneToOneField(
        "agreements.Agreement", on_delete=models.PROTECT, related_name="paper"
    )
    # The accepted, immutable version the PDF is rendered from.
    version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    # In the QR code's URL: unguessable.
    verify_token = models.CharField(max_length=40, unique=True)
    # Printed under the QR code, typed at /verify/.
    short_code = models.CharField(max_length=10, unique=True)
    lookups = models.PositiveIntegerField(default=0)
    last_lookup_at = models.DateTimeField(null=True, blank=True)

    paper_state = models.CharField(
        _("纸质协议"), max_length=16, choices=PaperState.choices, default=PaperState.AWAITING
    )
    scan = models.FileField(upload_to=scan_upload_to, blank=True)
    scan_kind = models.CharField(max_length=8, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)
    scan_uploaded_role = models.CharField(max_length=32, blank=True)
    paper_reason = models.TextField(blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("纸质协议书")
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="agr_paper_serial_per_year")
        ]
        indexes = [models.Index(fields=["paper_state"], name="agr_paper_state")]

    def __str__(self) -> str:
        return f"#{self.agreement_id} {self.year}/{self.serial}"
