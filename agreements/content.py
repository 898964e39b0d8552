"""The sections of an agreement the graduate checks: job, employer, archive and hukou, other terms.

One form validates them for every front door (pages render it, services re-validate with it),
so a field rule is written once. The stored content is plain JSON: versions stay readable
even if a field is added later.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from codetables import selectors as codetables
from codetables.files import INDUSTRY, JOB, NATURE, REGION
from core.forms import EMPTY_CHOICE
from employers.credit_code import normalize_credit_code, validate_credit_code

POSTCODE_RE = re.compile(r"^\d{6}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")

# The national code tables (codetables): 单位性质代码, 单位行业代码, 工作职位类别代码 — the same
# codes the directory stores, so a 云 entry fills the employer section as it is.
CODED_FIELDS = {"nature": NATURE, "industry": INDUSTRY, "job_category": JOB}


def _coded_choices(table: str):
    return lambda: [EMPTY_CHOICE, *codetables.choices(table)]


SECTIONS: list[tuple[str, Any, list[str]]] = [
    (
        "job",
        _l("工作信息"),
        [
            "position",
            "job_category",
            "work_province",
            "work_city",
            "monthly_salary",
            "contract_years",
            "probation_months",
            "start_date",
        ],
    ),
    (
        "employer",
        _l("单位信息"),
        [
            "employer_name",
            "credit_code",
            "nature",
            "industry",
            "employer_address",
            "region_code",
            "contact_name",
            "contact_phone",
        ],
    ),
    (
        "archive",
        _l("档案与户口"),
        [
            "archive_moves",
            "archive_receiver",
            "archive_address",
            "archive_postcode",
            "hukou_moves",
            "hukou_address",
        ],
    ),
    ("other", _l("其他约定"), ["other_terms"]),
]
FIELD_ORDER = [name for _key, _label, names in SECTIONS for name in names]
EMPLOYER_FIELDS = [
    "employer_name",
    "credit_code",
    "nature",
    "industry",
    "employer_address",
    "region_code",
]


def _credit_code_validator(value: str) -> None:
    validate_credit_code(value)


class AgreementContentForm(forms.Form):
    position = forms.CharField(label=_l("岗位名称"), max_length=100)
    job_category = forms.ChoiceField(label=_l("岗位类别"), choices=_coded_choices(JOB))
    work_province = forms.CharField(label=_l("工作省份"), max_length=30)
    work_city = forms.CharField(label=_l("工作城市"), max_length=30)
    monthly_salary = forms.IntegerField(label=_l("月薪（元）"), min_value=0, max_value=1_000_000)
    contract_years = forms.IntegerField(label=_l("合同期限（年）"), min_value=0, max_value=20)
    probation_months = forms.IntegerField(label=_l("试用期（月）"), min_value=0, max_value=6)
    start_date = forms.DateField(
        label=_l("报到日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    employer_name = forms.CharField(label=_l("单位名称"), max_length=200)
    credit_code = forms.CharField(
        label=_l("统一社会信用代码"), max_length=30, validators=[_credit_code_validator]
    )
    nature = forms.ChoiceField(label=_l("单位性质"), choices=_coded_choices(NATURE))
    industry = forms.ChoiceField(label=_l("单位行业"), choices=_coded_choices(INDUSTRY))
    employer_address = forms.CharField(label=_l("单位地址"), max_length=200)
    region_code = forms.CharField(
        label=_l("单位所在地代码"),
        max_length=6,
        required=False,
        help_text=_l("6 位行政区划代码；不填则按工作省份和城市填写"),
    )
    contact_name = forms.CharField(label=_l("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_l("联系电话"), max_length=20)
    archive_moves = forms.BooleanField(label=_l("档案是否转入单位"), required=False)
    archive_receiver = forms.CharField(label=_l("档案接收单位"), max_length=200, required=False)
    archive_address = forms.CharField(label=_l("档案接收地址"), max_length=200, required=False)
    archive_postcode = forms.CharField(label=_l("档案接收邮编"), max_length=6, required=False)
    hukou_moves = forms.BooleanField(label=_l("户口是否迁移"), required=False)
    hukou_address = forms.CharField(label=_l("户口迁往地址"), max_length=200, required=False)
    other_terms = forms.CharField(
        label=_l("其他约定"), max_length=2000, required=False, widget=forms.Textarea
    )

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["credit_code"])

    def clean_region_code(self) -> str:
        code = (self.cleaned_data.get("region_code") or "").strip()
        if code and codetables.table(REGION).get(code) is None:
            raise ValidationError(_("单位所在地代码应为有效的 6 位行政区划代码（GB/T 2260）。"))
        return code

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if not PHONE_RE.match(phone):
            raise ValidationError(_("请填写手机号或带区号的座机号码。"))
        return phone

    def clean(self) -> dict:
        data = super().clean()
        if data.get("archive_moves"):
            for field in ("archive_receiver", "archive_address", "archive_postcode"):
                if not data.get(field):
                    self.add_error(field, _("档案转入单位时，此项必填。"))
        postcode = data.get("archive_postcode")
        if postcode and not POSTCODE_RE.match(postcode):
            self.add_error("archive_postcode", _("邮编应为 6 位数字。"))
        if data.get("hukou_moves") and not data.get("hukou_address"):
            self.add_error("hukou_address", _("户口迁移时，请填写迁往地址。"))
        if not data.get("region_code") and data.get("work_province"):
            data["region_code"] = codetables.region_code_for(
                data.get("work_province"), data.get("work_city")
            )
        return data


def clean_content(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the sections; return JSON-ready content or raise ValidationError by field."""
    form = AgreementContentForm(data=_as_form_data(data))
    if not form.is_valid():
        raise ValidationError(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    cleaned = dict(form.cleaned_data)
    cleaned["start_date"] = cleaned["start_date"].isoformat()
    return {name: cleaned[name] for name in FIELD_ORDER}


def _as_form_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in FIELD_ORDER:
        value = data.get(name)
        if name in CODED_FIELDS and isinstance(value, str):
            # Old vocabulary keys (private, I, engineering …) still arrive from older clients.
            value = codetables.normalize(CODED_FIELDS[name], value)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                out[name] = "on"
            continue
        out[name] = value
    return out


def display_value(name: str, value: Any) -> str:
    field = AgreementContentForm.base_fields[name]
    if isinstance(field, forms.BooleanField):
        return _("是") if value else _("否")
    if name in CODED_FIELDS:
        return codetables.name_of(
            CODED_FIELDS[name], codetables.normalize(CODED_FIELDS[name], value)
        )
    if name == "region_code":
        return f"{value} {codetables.region_label(value)}" if value else ""
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value or ""))
    return "" if value is None else str(value)


def sections_for_display(content: dict[str, Any]) -> list[dict]:
    """[{title, rows: [(label, value)]}] for the detail pages."""
    fields = AgreementContentForm.base_fields
    return [
        {
            "key": key,
            "title": str(title),
            "rows": [(str(fields[n].label), display_value(n, content.get(n))) for n in names],
        }
        for key, title, names in SECTIONS
    ]


def diff_content(old: dict[str, Any], new: dict[str, Any]) -> list[dict]:
    """What changed between two versions, field by field, in form order (then the proofs)."""
    fields = AgreementContentForm.base_fields
    rows = [
        {
            "field": name,
            "label": str(fields[name].label),
            "old": display_value(name, old.get(name)),
            "new": display_value(name, new.get(name)),
        }
        for name in FIELD_ORDER
        if old.get(name) != new.get(name)
    ]
    old_proofs, new_proofs = old.get("proofs"), new.get("proofs")
    if (old_proofs or new_proofs) and _proof_ids(old_proofs) != _proof_ids(new_proofs):
        rows.append(
            {
                "field": "proofs",
                "label": _("就业证明材料"),
                "old": _proofs_text(old_proofs),
                "new": _proofs_text(new_proofs),
            }
        )
    return rows


def _proof_ids(proofs) -> list:
    return [p.get("id") for p in proofs or []]


def _proofs_text(proofs) -> str:
    if not proofs:
        return _("无")
    names = "、".join(p.get("name") or _("图片") for p in proofs)
    return _("%(n)d 张：%(names)s") % {"n": len(proofs), "names": names}
