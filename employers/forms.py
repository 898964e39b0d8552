"""Form shapes only; the rules live in employers.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from codetables.selectors import normalize as normalize_code
from core.forms import EMPTY_CHOICE
from employers.models import Industry, Nature
from employers.services import EDITABLE_FIELDS
from employers.widgets import EmployerAutocompleteInput

ORG_FIELDS = EDITABLE_FIELDS


class CodeChoiceField(forms.ChoiceField):
    """A national code; the old vocabulary (private, I …) from older clients is read as its code."""

    def __init__(self, *args, table: str, **kwargs) -> None:
        self.table = table
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_code(self.table, super().to_python(value))


def _org_fields() -> dict[str, forms.Field]:
    return {
        "name": forms.CharField(label=_("单位名称"), max_length=200),
        "credit_code": forms.CharField(
            label=_("统一社会信用代码"),
            max_length=30,
            help_text=_("18 位，见营业执照"),
            widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        ),
        "nature": CodeChoiceField(
            label=_("单位性质"), choices=[EMPTY_CHOICE, *Nature.choices], table="unit_nature"
        ),
        "industry": CodeChoiceField(
            label=_("所属行业"),
            table="unit_industry",
            choices=[EMPTY_CHOICE]
            + [(value, f"{value} {label}") for value, label in Industry.choices],
        ),
        "province": forms.CharField(label=_("所在省份"), max_length=20),
        "city": forms.CharField(label=_("所在城市"), max_length=40, required=False),
        "address": forms.CharField(label=_("详细地址"), max_length=200, required=False),
        "contact_name": forms.CharField(label=_("联系人"), max_length=50, required=False),
        "contact_phone": forms.CharField(
            label=_("联系电话"),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "tel"}),
        ),
        # Checked by the service, so one submission reports every problem at once.
        "contact_email": forms.CharField(
            label=_("联系邮箱"),
            max_length=254,
            required=False,
            widget=forms.EmailInput(attrs={"inputmode": "email"}),
        ),
    }


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label=_("登录账号"), max_length=150, help_text=_("字母、数字或 _ . @ + -")
    )
    display_name = forms.CharField(label=_("您的姓名"), max_length=100)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("再次输入密码"), strip=False, widget=forms.PasswordInput)
    licence = forms.FileField(
        label=_("营业执照照片"),
        help_text=_("JPG 或 PNG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org = _org_fields()
        for name in ORG_FIELDS:
            self.fields[name] = org[name]
        licence = self.fields.pop("licence")
        self.fields["licence"] = licence

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def employer_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ORG_FIELDS}


class MemberForm(forms.Form):
    username = forms.CharField(label=_("同事的登录账号"), max_length=150)
    display_name = forms.CharField(label=_("同事姓名"), max_length=100)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("请通过安全渠道告知同事；账号会标记为需要修改初始密码"),
    )
    is_admin = forms.BooleanField(label=_("设为单位管理员（可添加同事）"), required=False)


class EmployerEditForm(forms.Form):
    """Built with the fields the user may change (HR: contacts; operators: everything)."""

    licence = forms.FileField(
        label=_("重新上传营业执照"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, fields: tuple[str, ...], allow_licence: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        org = _org_fields()
        licence = self.fields.pop("licence")
        for name in fields:
            self.fields[name] = org[name]
        if allow_licence:
            self.fields["licence"] = licence

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "licence"}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("未通过原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class MergeForm(forms.Form):
    target = forms.CharField(label=_("合并到（保留的单位编号或统一社会信用代码）"), max_length=30)
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class EmployerLookupForm(forms.Form):
    """The employer part of a graduate's form: pick a 云 entry or type the details."""

    employer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    employer_name = forms.CharField(
        label=_("单位名称"),
        max_length=200,
        widget=EmployerAutocompleteInput(
            fill={
                "employer_id": "#id_employer_id",
                "credit_code": "#id_credit_code",
                "nature": "#id_nature",
                "industry": "#id_industry",
                "region": "#id_region",
            },
            attrs={"placeholder": _("如：腾讯、txjsj、914403")},
        ),
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    nature = CodeChoiceField(
        label=_("单位性质"),
        choices=[EMPTY_CHOICE, *Nature.choices],
        required=False,
        table="unit_nature",
    )
    industry = CodeChoiceField(
        label=_("所属行业"),
        table="unit_industry",
        choices=[EMPTY_CHOICE] + [(v, f"{v} {label}") for v, label in Industry.choices],
        required=False,
    )
    region = forms.CharField(label=_("所在地区"), max_length=60, required=False)
