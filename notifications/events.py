"""Every event a user is notified about, and how it fills a WeChat template: one place.

Schools pick templates in their official account's template library and enter the
template id per event code on the settings page. Templates use the classic fields
first / keyword1..3 / remark: keyword1 is what the message is about, keyword2 its result,
keyword3 the time, remark the details (e.g. the reason of a rejection).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# WeChat truncates or refuses long values; keep each within its limits.
MAX_VALUE = 180


@dataclass(frozen=True)
class Event:
    code: str
    label: str
    result: str  # keyword2


EVENTS: dict[str, Event] = {
    e.code: e
    for e in (
        Event("source_approved", _("生源信息审核"), _("审核通过")),
        Event("source_rejected", _("生源信息审核"), _("审核未通过")),
        Event("invitation_received", _("签约邀约"), _("收到新的邀约")),
        Event("invitation_expiring", _("签约邀约"), _("邀约即将过期")),
        Event("invitation_expired", _("签约邀约"), _("邀约已过期")),
        Event("invitation_returned", _("签约邀约"), _("邀约已退回")),
        Event("invitation_closed", _("签约邀约"), _("邀约已关闭")),
        Event("review_approved", _("协议审核"), _("审核通过")),
        Event("review_rejected", _("协议审核"), _("审核未通过")),
        Event("agreement_signed", _("三方协议"), _("签约成功")),
        Event("invitation_accepted", _("签约邀约"), _("毕业生已应约")),
        Event("paper_received", _("纸质协议"), _("已收回")),
        Event("paper_rejected", _("纸质协议"), _("盖章件被退回")),
        Event("termination_decided", _("解约申请"), _("已处理")),
        Event("termination_requested", _("解约申请"), _("收到解约申请")),
        Event("termination_consented", _("解约申请"), _("对方已同意")),
        Event("termination_refused", _("解约申请"), _("对方不同意")),
        Event("termination_withdrawn", _("解约申请"), _("已撤回")),
        Event("termination_review_passed", _("解约申请"), _("院系审核通过")),
        Event("termination_approved", _("解约申请"), _("解约成功")),
        Event("termination_rejected", _("解约申请"), _("审核未通过")),
        Event("wechat_bound", _("微信绑定"), _("绑定成功")),
        Event("wechat_unbound", _("微信绑定"), _("绑定已解除")),
        # Teachers: something waits in their review queue (students/reviewers.py).
        Event("source_review_waiting", _("生源信息审核"), _("有待审核的生源信息")),
        Event("agreement_review_waiting", _("协议审核"), _("有待审核的协议")),
        Event("destination_approved", _("毕业去向登记"), _("审核通过")),
        Event("destination_rejected", _("毕业去向登记"), _("审核未通过")),
        Event("destination_recorded", _("毕业去向登记"), _("已登记")),
        Event("destination_voided", _("毕业去向登记"), _("已作废")),
    )
}


class UnknownEvent(ValueError):
    """A notification with an event code this module does not define (a programming error)."""


def require_known(code: str) -> None:
    if code not in EVENTS:
        raise UnknownEvent(f"unknown notification event {code!r}")


def label_for(code: str) -> str:
    event = EVENTS.get(code)
    return str(event.label) if event else code


def _clip(value: str) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def template_data(*, event: str, title: str, body: str, data: dict, created_at=None) -> dict:
    """The `data` of a template message for this event."""
    spec = EVENTS.get(event)
    subject = data.get("subject") or (str(spec.label) if spec else title)
    result = data.get("result") or (str(spec.result) if spec else title)
    when = timezone.localtime(created_at or timezone.now()).strftime("%Y-%m-%d %H:%M")
    remark = data.get("reason") or body
    return {
        "first": {"value": _clip(title)},
        "keyword1": {"value": _clip(subject)},
        "keyword2": {"value": _clip(result)},
        "keyword3": {"value": when},
        "remark": {"value": _clip(remark)},
    }
