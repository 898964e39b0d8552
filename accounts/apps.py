from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts import schema, throttle  # noqa: F401 - schema registers an OpenAPI extension

        # Infrastructure, not a business rule: count failures per IP wherever a login fails.
        def _count_failure(sender, credentials, request=None, **kwargs):
            throttle.note_failure(request)

        user_login_failed.connect(_count_failure, dispatch_uid="accounts-ip-throttle")
