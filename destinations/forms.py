"""Form shapes only; the rules live in destinations.rules and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from codetables import files
from codetables import selectors as codetables
from destinations import rules


def _coded(table: str):
    return lambda: [("", "——请选择——"), *codetables.choices(table)]


class RegistrationForm(forms.Form):
    code = forms.ChoiceField(
        label=_("毕业去向"),
        choices=lambda: (
            [("", "——请选择——")]
            + [(r.code, f"{r.code} {r.name}") for r in rules.registrable_codes()]
        ),
    )
    employer_name = forms.CharField(label=_("单位（院校）名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    nature = forms.ChoiceField(label=_("单位性质"), choices=_coded(files.NATURE), required=False)
    industry = forms.ChoiceField(
        label=_("单位行业"), choices=_coded(files.INDUSTRY), required=False
    )
    region_code = forms.ChoiceField(
        label=_("单位所在地"),
        choices=lambda: [("", "——请选择——"), *rules.region_choices()],
        required=False,
    )
    job_category = forms.ChoiceField(
        label=_("工作职位类别"), choices=_coded(files.JOB), required=False
    )
    remark = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdminRegistrationForm(RegistrationForm):
    """A school admin may also record 10 (e.g. a paper agreement signed outside the platform)."""

    code = forms.ChoiceField(
        label=_("毕业去向"),
        choices=lambda: (
            [("", "——请选择——")]
            + [(c, f"{c} {n}") for c, n in codetables.choices(files.DESTINATION)]
        ),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("approve", _("通过")), ("reject", _("退回"))]
    )
    reason = forms.CharField(
        label=_("原因（退回时必填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeadlineForm(forms.Form):
    deadline = forms.DateField(
        label=_("毕业去向登记截止日期"),
        required=False,
        help_text=_("不填则为毕业当年的 8 月 31 日。截止后只有校级管理员可以变更毕业去向。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ExportForm(forms.Form):
    full_id_numbers = forms.BooleanField(label=_("导出完整身份证号"), required=False)
    password = forms.CharField(
        label=_("登录密码（导出完整身份证号时必填）"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
