from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WechatBinding(models.Model):
    """A graduate's WeChat (openid of the school's official account), in the school's schema.

    One openid binds one graduate and one graduate has one openid: both are unique.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wechat_binding",
        verbose_name=_("毕业生"),
    )
    openid = models.CharField(_("openid"), max_length=64, unique=True)
    app_id = models.CharField(_("公众号 AppID"), max_length=32)
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("微信绑定")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.openid[:6]}…"
