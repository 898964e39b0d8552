from django import forms
from django.utils.translation import gettext_lazy as _


class OnboardSchoolForm(forms.Form):
    name = forms.CharField(label=_("学校名称"), max_length=100)
    code = forms.CharField(label=_("院校代码"), max_length=5, help_text=_("5 位数字，如 10547"))
    subdomain = forms.CharField(label=_("子域名"), max_length=40, help_text=_("如 syxy"))
    admin_username = forms.CharField(label=_("首个校级管理员账号"), max_length=150)
    admin_password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), strip=False
    )
