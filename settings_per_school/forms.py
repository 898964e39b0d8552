from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from settings_per_school.models import SchoolSettings


class SchoolSettingsForm(forms.ModelForm):
    wechat_app_secret = forms.CharField(
        label=_("公众号 AppSecret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("留空表示不修改。已保存的密钥不会再显示。"),
    )
    print_copy_labels = forms.CharField(
        label=_("分联名称"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "每行一联，如“第一联 学校留存”。填写后协议书按联各打一份并标注联名，"
            "打印份数预设为 1；留空则按“打印份数”打印同一份。"
        ),
    )
    wechat_templates = forms.CharField(
        label=_("模板消息 ID"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个：事件代码=模板 ID"),
    )

    class Meta:
        model = SchoolSettings
        fields = [
            "school_name",
            "logo",
            "seal",
            "allow_student_initiation",
            "allow_termination",
            "termination_guidance",
            "student_initiated_needs_school_review",
            "invitation_validity_days",
            "termination_cooldown_working_days",
            "termination_starter",
            "termination_employer_consent_required",
            "termination_review_levels",
            "terminations_allowed",
            "termination_window_from",
            "termination_window_to",
            "termination_publicity_days",
            "print_copies",
            "print_copy_labels",
            "wechat_app_id",
        ]
        widgets = {
            "termination_window_from": forms.DateInput(attrs={"type": "date"}),
            "termination_window_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.wechat_templates:
            self.initial["wechat_templates"] = "\n".join(
                f"{event}={template}" for event, template in self.instance.wechat_templates.items()
            )
        if self.instance and self.instance.print_copy_labels:
            self.initial["print_copy_labels"] = "\n".join(self.instance.print_copy_labels)

    def clean_print_copy_labels(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["print_copy_labels"].splitlines()
            if line.strip()
        ]

    def clean_wechat_templates(self) -> dict:
        templates = {}
        for number, line in enumerate(self.cleaned_data["wechat_templates"].splitlines(), 1):
            if not line.strip():
                continue
            event, sep, template = line.partition("=")
            if not sep or not event.strip() or not template.strip():
                raise ValidationError(
                    _("第 %(n)d 行格式应为“事件代码=模板 ID”。"), params={"n": number}
                )
            templates[event.strip()] = template.strip()
        return templates

    def changes(self) -> dict:
        data = {field: self.cleaned_data[field] for field in self.Meta.fields}
        for field in ("logo", "seal"):
            if field not in self.files:
                data.pop(field)
        data["wechat_app_secret"] = self.cleaned_data["wechat_app_secret"]
        data["wechat_templates"] = self.cleaned_data["wechat_templates"]
        return data
