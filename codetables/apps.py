from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodetablesConfig(AppConfig):
    name = "codetables"
    verbose_name = _("国家代码表")
