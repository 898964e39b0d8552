"""Tripartite agreements (三方协议), in each school's schema.

The rules about which state may follow which live in `agreements.workflow`; these
models only hold data. Employers and their HR users live in the public schema, so
they are referenced by id (no cross-schema foreign key).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.storage import upload_to


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    INVITED = "invited", _("待应约")
    RETURNED = "returned", _("已打回")
    EXPIRED = "expired", _("已过期")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUBMITTED = "submitted", _("已提交待院系审核")
    COLLEGE_REVIEW = "college_review", _("院系审核中")
    SCHOOL_REVIEW = "school_review", _("学校审核中")
    SIGNED = "signed", _("签约成功")
    CLOSED = "closed", _("已关闭")
    # Reserved for the termination issue.
    TERMINATION_REVIEW = "termination_review", _("解约审核中")
    TERMINATED = "terminated", _("已解约")


# A graduate has at most one agreement in these states (enforced by a partial unique index).
BINDING_STATES = (
    State.SUBMITTED,
    State.COLLEGE_REVIEW,
    State.SCHOOL_REVIEW,
    State.SIGNED,
    State.TERMINATION_REVIEW,
)
# Still alive: an employer may hold only one of these per graduate.
OPEN_STATES = (State.DRAFT, State.INVITED, State.RETURNED, *BINDING_STATES)


class Origin(models.TextChoices):
    EMPLOYER = "employer", _("单位邀约")
    GRADUATE = "graduate", _("学生发起")


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
    # Nothing is deleted: a proof removed from a draft is only marked.
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"#{self.agreement_id} {self.original_name}"


from agreements.models_print import AgreementPaper, NumberCounter, PaperState  # noqa: E402, F401
