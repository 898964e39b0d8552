"""Binding a graduate's WeChat to their account, unbinding, and checking a school's credentials."""

from __future__ import annotations

import requests
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from wechat.client import SchoolWeChatClient, WeChatClientException
from wechat.errors import describe
from wechat.models import WechatBinding


@transaction.atomic
def bind_openid(*, actor: Actor, user: User, openid: str, app_id: str) -> WechatBinding:
    """Bind `openid` (of the school's official account) to a graduate: one to one."""
    from notifications.services import notify

    if user.role != Role.GRADUATE:
        raise ValidationError(_("只有毕业生账号可以绑定微信。"), code="role")
    if not openid:
        raise ValidationError(_("没有取得微信身份，请从公众号菜单重新进入。"), code="openid")
    # Serialise on the user row: two phones binding the same account at once.
    User.objects.select_for_update().filter(pk=user.pk).first()
    other = WechatBinding.objects.filter(openid=openid).exclude(user=user).exists()
    if other:
        raise ValidationError(
            _("该微信已绑定本校另一名毕业生。一个微信只能绑定一个账号，请先在原账号中解绑。"),
            code="openid_taken",
        )
    existing = WechatBinding.objects.filter(user=user).first()
    if existing is not None:
        if existing.openid == openid:
            return existing
        raise ValidationError(
            _("该账号已绑定另一个微信。请先在原微信中解绑，或请学校管理员解绑。"),
            code="user_bound",
        )
    try:
        with transaction.atomic():
            binding = WechatBinding.objects.create(user=user, openid=openid, app_id=app_id)
    except IntegrityError as exc:  # a concurrent bind of the same openid won
        raise ValidationError(
            _("该微信已绑定本校另一名毕业生。一个微信只能绑定一个账号，请先在原账号中解绑。"),
            code="openid_taken",
        ) from exc
    audit.record(actor, "wechat.bound", target=user, data={"app_id": app_id})
    notify(
        user=user,
        event="wechat_bound",
        title=_("微信绑定成功"),
        body=_("您的账号已与本微信绑定，之后从公众号进入将自动登录，各项进展会通过微信通知您。"),
        url="/notifications/",
    )
    return binding


@transaction.atomic
def unbind(*, actor: Actor, user: User, reason: str = "") -> bool:
    """The graduate themselves, or a school admin (lost phone, new WeChat account)."""
    by_admin = actor.role == Role.SCHOOL_ADMIN and actor.user_id != user.pk
    if actor.via != "cli" and not by_admin and actor.user_id != user.pk:
        raise NotAllowed(_("只能解绑自己的微信。"))
    if by_admin and not reason.strip():
        raise ValidationError({"reason": _("请填写解绑原因。")}, code="required")
    binding = WechatBinding.objects.select_for_update().filter(user=user).first()
    if binding is None:
        return False
    binding.delete()
    audit.record(
        actor,
        "wechat.unbound",
        target=user,
        reason=reason.strip(),
        data={"by": "school_admin" if by_admin else "self", "app_id": binding.app_id},
    )
    return True


def check_credentials(*, app_id: str, secret: str) -> tuple[bool, str]:
    """Fetch an access token with the school's AppID and AppSecret; the answer in Chinese."""
    if not app_id or not secret:
        return False, _("请先填写并保存公众号 AppID 和 AppSecret。")
    client = SchoolWeChatClient(app_id, secret)
    try:
        client.fresh_token()
    except WeChatClientException as exc:
        if exc.errcode is None:
            status = getattr(exc.response, "status_code", "?")
            return False, _("微信服务器错误（HTTP %(s)s），请稍后再试。") % {"s": status}
        return False, describe(exc.errcode, exc.errmsg)
    except requests.RequestException as exc:
        return False, describe(None, exc.__class__.__name__)
    return True, _("连接成功：已用 AppID %(app)s 取得 access_token。") % {"app": app_id}
