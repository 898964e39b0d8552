"""WeChat error codes: what they mean in Chinese, and which ones a retry can fix."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DESCRIPTIONS = {
    -1: gettext_lazy("微信系统繁忙，请稍后再试"),
    40001: gettext_lazy("AppSecret 错误，或 access_token 无效"),
    40002: gettext_lazy("grant_type 不合法"),
    40003: gettext_lazy("openid 无效（该用户不是本公众号的用户）"),
    40013: gettext_lazy("AppID 无效，请核对公众号后台的开发者 ID"),
    40014: gettext_lazy("access_token 不合法"),
    40029: gettext_lazy("授权 code 无效"),
    40037: gettext_lazy("模板 ID 无效，请核对公众号后台的模板消息"),
    40125: gettext_lazy("AppSecret 无效，请核对公众号后台的开发者密码"),
    40163: gettext_lazy("授权 code 已被使用"),
    40164: gettext_lazy("调用接口的 IP 地址不在公众号的 IP 白名单中"),
    41001: gettext_lazy("缺少 access_token"),
    42001: gettext_lazy("access_token 已过期"),
    43004: gettext_lazy("该用户已取消关注公众号"),
    43101: gettext_lazy("用户拒绝接受消息"),
    45009: gettext_lazy("接口调用超过每日上限"),
    47001: gettext_lazy("消息数据格式错误"),
    48001: gettext_lazy("公众号没有该接口的权限"),
    89503: gettext_lazy("此次调用需要管理员确认"),
}

# Retrying later can succeed: WeChat busy, token trouble, rate limits.
TRANSIENT_CODES = {-1, 40001, 40014, 42001, 45009, 45047}


def describe(code: int | None, errmsg: str = "") -> str:
    if code is None:
        return _("无法连接微信服务器") + (f"（{errmsg}）" if errmsg else "")
    text = DESCRIPTIONS.get(code)
    if text is None:
        return _("微信返回错误 %(code)s：%(msg)s") % {"code": code, "msg": errmsg or "-"}
    return _("微信返回错误 %(code)s：%(text)s") % {"code": code, "text": text}
