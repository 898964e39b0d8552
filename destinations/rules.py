"""What each 毕业去向代码 asks for: its fields and its proof (columns of the code table).

One validator for every front door; the messages say which field is wrong and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from codetables import files
from codetables import selectors as codetables
from employers.credit_code import validate_credit_code

FIELDS = ("employer_name", "credit_code", "nature", "industry", "region_code", "job_category")
FIELD_LABELS = {
    "employer_name": gettext_lazy("单位名称"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "nature": gettext_lazy("单位性质"),
    "industry": gettext_lazy("单位行业"),
    "region_code": gettext_lazy("单位所在地"),
    "job_category": gettext_lazy("工作职位类别"),
}
STUDY_NAME_LABEL = gettext_lazy("录取院校名称")
CODED = {"nature": files.NATURE, "industry": files.INDUSTRY, "job_category": files.JOB}
EMPLOYED = "employed"
FURTHER_STUDY = "further_study"
UNPLACED = "unplaced"
PLACED = (EMPLOYED, FURTHER_STUDY)
SIGNED_CODE = "10"  # 签就业协议形式就业: written by signing, never typed in
WAITING_CODE = "70"  # 待就业: where a voided destination goes back to


@dataclass(frozen=True)
class Requirement:
    code: str
    name: str
    category: str
    fields: tuple[str, ...]
    proof: str  # what to upload; empty: nothing

    def label(self, field: str) -> str:
        if field == "employer_name" and self.category == FURTHER_STUDY:
            return str(STUDY_NAME_LABEL)
        return str(FIELD_LABELS[field])


def requirement(code: str) -> Requirement | None:
    entry = codetables.table(files.DESTINATION).get(code)
    if entry is None:
        return None
    fields = tuple(f for f in (entry.attrs.get("fields") or "").split("|") if f)
    return Requirement(
        code=entry.code,
        name=entry.name,
        category=entry.attrs.get("category", ""),
        fields=fields,
        proof=entry.attrs.get("proof", ""),
    )


def registrable_codes() -> list[Requirement]:
    """What a graduate may register by themselves (10 comes from signing an agreement)."""
    out = []
    for code, _name in codetables.choices(files.DESTINATION):
        req = requirement(code)
        if req and code != SIGNED_CODE:
            out.append(req)
    return out


def region_choices() -> list[tuple[str, str]]:
    """Provinces and prefecture-level cities: short enough for a phone's picker."""
    regions = codetables.table(files.REGION)
    out = []
    for entry in regions.entries.values():
        if not entry.parent:
            out.append((entry.code, entry.name))
        elif regions.get(entry.parent) and not regions.get(entry.parent).parent:
            out.append((entry.code, f"{regions.get(entry.parent).name} {entry.name}"))
    return out


def clean(code: str, data: dict[str, Any]) -> tuple[Requirement, dict[str, str]]:
    """The requirement and the cleaned fields (only those the code asks for)."""
    code = (code or "").strip()
    req = requirement(code)
    if req is None:
        raise ValidationError({"code": [_("请选择毕业去向。")]})
    errors: dict[str, list[str]] = {}
    cleaned = {field: "" for field in FIELDS}
    for field in req.fields:
        value = " ".join(str(data.get(field) or "").split())
        if not value:
            errors[field] = [
                _("“%(code)s %(name)s”需要填写%(field)s。")
                % {"code": req.code, "name": req.name, "field": req.label(field)}
            ]
            continue
        if field == "credit_code":
            try:
                value = validate_credit_code(value)
            except ValidationError as exc:
                errors[field] = exc.messages
                continue
        elif field in CODED:
            value = codetables.normalize(CODED[field], value)
            if codetables.table(CODED[field]).get(value) is None:
                errors[field] = [_("请选择%(field)s。") % {"field": req.label(field)}]
                continue
        elif field == "region_code":
            if codetables.table(files.REGION).get(value) is None:
                errors[field] = [_("单位所在地应为有效的行政区划（GB/T 2260 六位代码）。")]
                continue
        elif field == "employer_name" and len(value) > 200:
            errors[field] = [_("不能超过 200 个字符。")]
            continue
        cleaned[field] = value
    if errors:
        raise ValidationError(errors)
    return req, cleaned


def code_versions() -> dict[str, str]:
    """The versions in force now, stored on every record."""
    return {table: codetables.current_version(table) for table in files.TABLES}
