from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.content import AgreementContentForm
from core.forms import EMPTY_CHOICE
from employers.widgets import EmployerAutocompleteInput


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label=_("请输入登录密码确认应约"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因（必填）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("说明（选填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("通过")), ("reject", _("不通过"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审核意见（不通过时必填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(AgreementContentForm):
    """Who to invite (学号 and 姓名 must both match) plus the agreement sections."""

    school = forms.ChoiceField(label=_("学校"))
    student_number = forms.CharField(label=_("毕业生学号"), max_length=32)
    graduate_name = forms.CharField(label=_("毕业生姓名"), max_length=50)

    field_order = ["school", "student_number", "graduate_name"]

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [EMPTY_CHOICE] + [(s.subdomain, s.name) for s in schools]


class OwnAgreementForm(AgreementContentForm):
    """学生发起: an employer from the directory (云) or typed in (one widget for both)."""

    employer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["employer_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_name"].widget = EmployerAutocompleteInput(
            fill={
                "employer_id": "#id_employer_id",
                "credit_code": "#id_credit_code",
                "nature": "#id_nature",
                "industry": "#id_industry",
                # The directory knows the region, not the street: a start the graduate completes.
                "region": "#id_employer_address",
            },
            attrs={"placeholder": _("输入单位名称、拼音首字母或信用代码")},
        )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ProofForm(forms.Form):
    """Several images in one pick (the services check each by content, nine at most)."""

    image = forms.FileField(
        label=_("就业证明材料（JPG/PNG，可一次选择多张，最多 9 张）"),
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )


class DeleteDraftForm(forms.Form):
    reason = forms.CharField(
        label=_("删除原因（选填）"),
        max_length=500,
        required=False,
        widget=forms.TextInput,
    )
