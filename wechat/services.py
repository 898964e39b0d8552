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
        body=_(
            "您的账号已与一个微信绑定，之后从公众号进入将自动登录，各项进展会通过微信通知您。"
            "如果不是您本人操作，请立即修改密码（修改后该微信的绑定会自动解除）。"
        ),
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
    if by_admin:
        _farewell(
            user,
            _(
                "学校管理员已解除您账号与微信的绑定（原因：%(reason)s）。如需继续使用微信，请重新绑定。"
            )
            % {"reason": reason.strip()},
        )
    binding.delete()
    audit.record(
        actor,
        "wechat.unbound",
        target=user,
        reason=reason.strip(),
        data={"by": "school_admin" if by_admin else "self", "app_id": binding.app_id},
    )
    return True


UNBOUND_EVENT = "wechat_unbound"


def _farewell(user: User, body: str) -> None:
    """Tell the graduate, in-app and on the WeChat being unbound (call before deleting it).

    The outbox row is written while the binding still exists, so it carries that openid;
    notifications.delivery lets this one event through to an openid no longer bound.
    """
    from notifications.services import notify

    notify(
        user=user,
        event=UNBOUND_EVENT,
        title=_("微信绑定已解除"),
        body=body,
        url="/wechat/",
    )


def end_binding_on_access_end(*, user: User, actor: Actor, reason: str) -> bool:
    """A password change or reset ends the WeChat binding too (accounts.signals.access_ended).

    Someone who once knew the password may have bound their own WeChat with it; after the
    graduate changes the password (or an admin resets it) that WeChat must not log in.
    """
    if user.role != Role.GRADUATE:
        return False
    binding = WechatBinding.objects.select_for_update().filter(user=user).first()
    if binding is None:
        return False
    _farewell(
        user,
        _(
            "因账号密码已修改或重置，您的账号与微信的绑定已解除。如需继续用微信登录和接收"
            "通知，请从公众号菜单重新进入并绑定；如果不是您本人操作，请立即联系学院老师。"
        ),
    )
    binding.delete()
    audit.record(
        actor,
        "wechat.unbound",
        target=user,
        reason=reason,
        data={"by": "password", "app_id": binding.app_id},
    )
    return True


def _on_access_ended(sender, *, user, actor, reason, **kwargs) -> None:
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    if connection.schema_name == get_public_schema_name():
        return  # bindings live in school schemas only
    end_binding_on_access_end(user=user, actor=actor, reason=reason)


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
