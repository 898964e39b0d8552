from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "wechat"
    verbose_name = "微信公众号"

    def ready(self) -> None:
        from accounts.signals import access_ended
        from wechat.services import _on_access_ended

        access_ended.connect(_on_access_ended, dispatch_uid="wechat-end-binding")
