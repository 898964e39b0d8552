from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DestinationsConfig(AppConfig):
    name = "destinations"
    verbose_name = _("毕业去向")
