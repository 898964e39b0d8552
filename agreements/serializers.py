"""Output serializers of the agreements API: they produce the answers and document them.

The agreement ``content`` is documented field by field from agreements/content.py's form (the
one rule for its fields, their vocabularies and which are required), so the OpenAPI follows the
form when a field or a vocabulary changes. Input content is still validated by the services
(through that same form); the serializer here only describes it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.content import CODED_FIELDS, FIELD_ORDER, AgreementContentForm
from agreements.models import Agreement, Origin, State
from codetables import files as code_files

CONDITIONAL_HELP = {
    "archive_receiver": _("档案转入单位（archive_moves 为 true）时必填。"),
    "archive_address": _("档案转入单位（archive_moves 为 true）时必填。"),
    "archive_postcode": _("6 位数字；档案转入单位（archive_moves 为 true）时必填。"),
    "hukou_address": _("户口迁移（hukou_moves 为 true）时必填。"),
    "credit_code": _("18 位统一社会信用代码（校验位会被检查）。"),
    "contact_phone": _("手机号或带区号的座机号码。"),
}


def _serializer_field(name: str, field: forms.Field) -> serializers.Field:
    common: dict[str, Any] = {"label": field.label, "help_text": CONDITIONAL_HELP.get(name)}
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, **common)
    if name in CODED_FIELDS:
        # A national code table: documented from the repo's files (no database at import).
        return serializers.ChoiceField(
            choices=code_files.choices(CODED_FIELDS[name]), required=field.required, **common
        )
    if isinstance(field, forms.ChoiceField):
        choices = [(value, label) for value, label in field.choices if value != ""]
        return serializers.ChoiceField(choices=choices, required=field.required, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, required=field.required, **common
        )
    if isinstance(field, forms.DateField):
        return serializers.DateField(required=field.required, **common)
    return serializers.CharField(
        max_length=field.max_length,
        required=field.required,
        allow_blank=not field.required,
        **common,
    )


def _content_serializer() -> type[serializers.Serializer]:
    form_fields = AgreementContentForm.base_fields
    attrs = {name: _serializer_field(name, form_fields[name]) for name in FIELD_ORDER}
    attrs["__doc__"] = "协议内容（工作信息、单位信息、档案与户口、其他约定）。"
    return type("AgreementContent", (serializers.Serializer,), attrs)


AgreementContent = _content_serializer()


@extend_schema_field(AgreementContent)
class ContentField(serializers.DictField):
    """The agreement sections as one object (documented by AgreementContent; services validate)."""


@extend_schema_field(AgreementContent(allow_null=True))
class NullableContentField(serializers.DictField):
    pass


class GraduateOut(serializers.Serializer):
    name = serializers.CharField()
    student_number = serializers.CharField()
    college = serializers.CharField(source="college.name", default="")


class EmployerGraduateOut(serializers.Serializer):
    """An employer sees the graduate's name and 学号 it typed, nothing more."""

    name = serializers.CharField()
    student_number = serializers.CharField()


class AgreementOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    origin = serializers.ChoiceField(choices=Origin.choices)
    state = serializers.ChoiceField(choices=State.choices)
    state_display = serializers.CharField(source="get_state_display")
    number = serializers.CharField(allow_null=True, help_text=_("协议编号（签约成功时分配）"))
    employer_id = serializers.IntegerField(allow_null=True)
    employer_name = serializers.CharField()
    graduate = GraduateOut()
    version = serializers.IntegerField(
        source="current_version.number", allow_null=True, default=None
    )
    position = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    last_reason = serializers.CharField()
    updated_at = serializers.DateTimeField()

    def get_position(self, agreement: Agreement) -> str:
        content = agreement.current_version.content if agreement.current_version_id else {}
        return content.get("position", agreement.draft_content.get("position", ""))


class ChangeOut(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class VersionOut(serializers.Serializer):
    number = serializers.IntegerField(source="version.number")
    created_at = serializers.DateTimeField(source="version.created_at")
    created_by_role = serializers.CharField(source="version.created_by_role")
    changes = ChangeOut(many=True)


class HistoryOut(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    role = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    to = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class ProofOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()

    def get_url(self, proof) -> str:
        return f"/agreements/{proof.agreement_id}/proofs/{proof.pk}"


class NotOfferedOut(serializers.Serializer):
    """An action the state allows but that would be refused now: why, and where to go instead."""

    reason = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class AgreementDetailOut(AgreementOut):
    """One agreement for one party: ``context["detail"]`` is selectors.detail() for that party."""

    actions = serializers.SerializerMethodField()
    not_offered = serializers.SerializerMethodField(
        help_text=_("状态允许、但现在不会成功的操作：原因与去处。")
    )
    content = serializers.SerializerMethodField(
        help_text=_("当前版本的内容；尚无版本（学生草稿）时为 null。")
    )
    draft_content = serializers.SerializerMethodField(
        help_text=_("草稿或被打回时正在修改的内容；其他状态为 null。")
    )
    accepted_version = serializers.IntegerField(
        source="accepted_version.number", allow_null=True, default=None
    )
    versions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    proofs = serializers.SerializerMethodField()

    def _detail(self) -> dict:
        return self.context["detail"]

    def get_actions(self, agreement) -> list[str]:
        return sorted(self._detail()["actions"])

    @extend_schema_field(NotOfferedOut(many=True))
    def get_not_offered(self, agreement) -> list:
        return NotOfferedOut(self._detail()["not_offered"], many=True).data

    # What a party may see of the content is decided by selectors.detail(), not here.
    @extend_schema_field(AgreementContent(allow_null=True))
    def get_content(self, agreement) -> dict | None:
        return self._detail()["content"]

    @extend_schema_field(AgreementContent(allow_null=True))
    def get_draft_content(self, agreement) -> dict | None:
        return self._detail()["draft_content"]

    @extend_schema_field(VersionOut(many=True))
    def get_versions(self, agreement) -> list:
        return VersionOut(self._detail()["versions"], many=True).data

    @extend_schema_field(HistoryOut(many=True))
    def get_history(self, agreement) -> list:
        rows = [
            {k: (str(v) if k in ("action", "role", "to") else v) for k, v in h.items()}
            for h in self._detail()["history"]
        ]
        return HistoryOut(rows, many=True).data

    @extend_schema_field(ProofOut(many=True))
    def get_proofs(self, agreement) -> list:
        return ProofOut(self._detail()["proofs"], many=True).data


class EmployerAgreementDetailOut(AgreementDetailOut):
    """What the employer's HR sees on the platform host (no college, no proofs' images)."""

    graduate = serializers.SerializerMethodField()
    school = serializers.SerializerMethodField(help_text=_("学校子域名"))

    @extend_schema_field(EmployerGraduateOut)
    def get_graduate(self, agreement) -> dict:
        # On a graduate's own agreement the employer typed no 学号: the name only.
        graduate = agreement.graduate
        shown = "" if self._detail()["part_only"] else graduate.student_number
        return EmployerGraduateOut({"name": graduate.name, "student_number": shown}).data

    def get_school(self, agreement) -> str:
        return self.context["school"].subdomain

    @extend_schema_field(ProofOut(many=True))
    def get_proofs(self, agreement) -> list:
        return []


# --- the school dashboard ------------------------------------------------------------------


class StateCountOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, row):
        label, state, count = row
        return {"state": state, "label": str(label), "count": count}


class RateField(serializers.FloatField):
    """签约率 = signed graduates / graduates whose 生源 is approved, rounded to 4 places."""

    def to_representation(self, value) -> float:
        return round(float(value), 4)


class TotalsOut(serializers.Serializer):
    approved = serializers.IntegerField()
    in_review = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = RateField()


class CollegeTotalsOut(TotalsOut):
    college_id = serializers.IntegerField(source="college.pk")
    college = serializers.CharField(source="college.name")


class DashboardOut(serializers.Serializer):
    by_state = StateCountOut(many=True)
    by_college = CollegeTotalsOut(many=True)
    total = TotalsOut()
