"""Tripartite agreements (三方协议), in each school's schema.

The rules about which state may follow which live in `agreements.workflow`; these
models only hold data. Employers and their HR users live in the public schema, so
they are referenced by id (no cross-schema foreign key).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The states and their groups are the state machine's: defined once, in agreements.workflow.
from agreements.workflow import (
    BINDING_STATES,
    OPEN_STATES,
    Origin,
    State,
)
from core.storage import upload_to

__all__ = ["BINDING_STATES", "OPEN_STATES", "Origin", "State"]


class Agreement(models.Model):
    graduate = models.ForeignKey(
        "students.Graduate", on_delete=models.PROTECT, related_name="agreements"
    )
    origin = models.CharField(_("发起方"), max_length=16, choices=Origin.choices)
    state = models.CharField(_("状态"), max_length=24, choices=State.choices, default=State.DRAFT)
    # public-schema employers.Employer id; null when the graduate typed the employer in.
    employer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    employer_name = models.CharField(_("用人单位"), max_length=200, blank=True)
    # public-schema HR user who created the invitation.
    invited_by_user_id = models.BigIntegerField(null=True, blank=True)
    invited_by_name = models.CharField(max_length=150, blank=True)

    # Editable working copy (draft / returned); every send or submit freezes it into a version.
    draft_content = models.JSONField(default=dict, blank=True)
    current_version = models.ForeignKey(
        "AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_version = models.ForeignKey(
        "AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    # 协议编号, assigned once at signing (agreements.numbering); never changes.
    number = models.CharField(_("协议编号"), max_length=24, unique=True, null=True, blank=True)
    # The reason of the last return / rejection / closing, shown to the party who must act.
    last_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("三方协议")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="agr_state_expiry"),
            models.Index(fields=["graduate", "state"], name="agr_graduate_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate"],
                condition=Q(state__in=[s.value for s in BINDING_STATES]),
                name="agr_one_binding_per_graduate",
                violation_error_message=_("该毕业生已有在审或已签约的协议。"),
            ),
            models.UniqueConstraint(
                fields=["graduate", "employer_id"],
                condition=Q(origin="employer", state__in=[s.value for s in OPEN_STATES]),
                name="agr_one_open_invitation_per_employer",
                violation_error_message=_("该单位对此毕业生已有一份有效邀约。"),
            ),
            models.CheckConstraint(
                condition=Q(origin="graduate") | Q(employer_id__isnull=False),
                name="agr_invitation_has_employer",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.employer_name} ({self.get_state_display()})"


class AgreementVersion(models.Model):
    """An immutable snapshot of what was sent (or submitted): the graduate accepts one of these."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_role = models.CharField(max_length=32)
    created_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agr_version_number")
        ]

    def __str__(self) -> str:
        return f"#{self.agreement_id} v{self.number}"


def proof_upload_to(instance, filename: str) -> str:
    return upload_to("agreement-proofs")(instance, filename)


class ProofImage(models.Model):
    """Proof of employment for a graduate-initiated agreement, private to the school."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="proofs")
    image = models.ImageField(upload_to=proof_upload_to)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A removed proof keeps its row (marked, file deleted): the audit says it existed.
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"#{self.agreement_id} {self.original_name}"


class TerminationState(models.TextChoices):
    REQUESTED = "requested", _("待对方确认")
    REVIEW = "review", _("审核中")
    APPROVED = "approved", _("解约成功")
    REFUSED = "refused", _("对方不同意")
    REJECTED = "rejected", _("审核不通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class Termination(models.Model):
    """One application to end a signed agreement (解约). Nothing is deleted: a refused or
    withdrawn application stays, and the agreement keeps its number and history.

    The database holds the allowance: an approved termination takes the graduate's next
    `approved_number`, unique per graduate and at most the allowance in force when approved.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terminations")
    graduate = models.ForeignKey(
        "students.Graduate", on_delete=models.PROTECT, related_name="terminations"
    )
    applicant = models.CharField(_("申请方"), max_length=16)  # workflow.Party value
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=TerminationState.choices,
        default=TerminationState.REQUESTED,
    )
    level = models.CharField(_("审核级别"), max_length=16, blank=True)  # college / school
    explanation = models.TextField(_("解约说明"))
    # None: not yet; True: the other party consented on the platform; False: the employer is
    # not on the platform and its consent is the uploaded 解约函 (the school sees this).
    consent_online = models.BooleanField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    consented_by_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(_("原因"), blank=True)  # of a refusal or rejection
    review_started_on = models.DateField(null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    cooldown_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_number = models.PositiveSmallIntegerField(null=True, blank=True)
    allowance = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("解约申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(state__in=["requested", "review"]),
                name="term_one_open_per_agreement",
                violation_error_message=_("这份协议已有一份在办的解约申请。"),
            ),
            models.UniqueConstraint(
                fields=["graduate", "approved_number"],
                condition=Q(approved_number__isnull=False),
                name="term_approved_number_per_graduate",
                violation_error_message=_("该毕业生的解约次数已用完。"),
            ),
            models.CheckConstraint(
                condition=Q(approved_number__isnull=True)
                | (Q(approved_number__gte=1) & Q(approved_number__lte=models.F("allowance"))),
                name="term_within_allowance",
                violation_error_message=_("该毕业生的解约次数已用完。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="approved")
                | (Q(approved_number__isnull=False) & Q(approved_on__isnull=False)),
                name="term_approved_is_counted",
            ),
        ]
        indexes = [models.Index(fields=["state", "level"], name="term_state_level")]

    def __str__(self) -> str:
        return f"#{self.agreement_id} {self.get_state_display()}"


class TerminationProof(models.Model):
    """A proof image of a termination (the employer's 解约函 and the like), private to the school."""

    termination = models.ForeignKey(Termination, on_delete=models.PROTECT, related_name="proofs")
    image = models.ImageField(upload_to=proof_upload_to)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"#{self.termination_id} {self.original_name}"


from agreements.models_print import AgreementPaper, NumberCounter, PaperState  # noqa: E402, F401
