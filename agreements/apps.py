from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """Tripartite agreements (三方协议); built in the agreements issue."""

    name = "agreements"
    verbose_name = "三方协议"
