from django.apps import AppConfig


class EmployerInboxConfig(AppConfig):
    """In-app notices for employer HR, in the public schema (their users live there)."""

    name = "employer_inbox"
    verbose_name = "单位消息"
