from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import LoginForm


class BindForm(LoginForm):
    username = forms.CharField(label=_("学号"), max_length=150)


class UnbindForm(forms.Form):
    reason = forms.CharField(
        label=_("解绑原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：手机丢失、更换微信号")}),
    )
