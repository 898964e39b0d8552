"""Form shapes only; the rules live in students.services and students.verification."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.forms import unify_empty_choices
from students.models import College, Graduate
from students.verification import EDITABLE_FIELDS


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Graduate
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "enrolment_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "study_length": forms.NumberInput(attrs={"step": "0.5", "min": "1", "max": "9"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unify_empty_choices(self)
        # 学制 4, not "4.0": a whole number of years reads as one.
        value = self.initial.get("study_length")
        if value is not None and value == int(value):
            self.initial["study_length"] = int(value)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
    reason = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填：告诉学生哪里需要修改。"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class CollegeForm(forms.Form):
    name = forms.CharField(label=_("学院名称"), max_length=100)
    code = forms.CharField(label=_("学院代码"), max_length=32, required=False)


def _college_choices():
    return [(c.pk, c.name) for c in College.objects.order_by("name")]


class StaffForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(Role.COLLEGE_ADMIN, _("院系管理员")), (Role.SCHOOL_ADMIN, _("校级管理员"))],
    )
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("首次登录时必须修改。"),
    )
    colleges = forms.TypedMultipleChoiceField(
        label=_("负责的学院"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleges"].choices = _college_choices()


class StaffCollegesForm(forms.Form):
    colleges = forms.TypedMultipleChoiceField(
        label=_("负责的学院"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleges"].choices = _college_choices()
