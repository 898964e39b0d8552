"""What every party hears about an agreement, one function per event, and the audit actions.

The shape of `students/events.py`: services call these inside the business transaction.
A transition's notice is chosen by its workflow rule (`Rule.notice`), and `emit()` calls the
function of that name, so no service branches on an outcome to pick what to say. Graduates
get an in-app message (and WeChat when bound and templated); HR users get the employer inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agreements import links
from agreements.models import Agreement, Origin
from agreements.workflow import ACTION_LABELS, Action, Party, Transition


class AuditAction(StrEnum):
    """Every audit action of an agreement: the workflow's actions and the edits beside them."""

    CREATED = "agreement.created"
    EDITED = "agreement.edited"
    PROOF_ADDED = "agreement.proof_added"
    PROOF_REMOVED = "agreement.proof_removed"
    DELETED = "agreement.deleted"
    PAPER_UPLOAD = "agreement.paper_upload"
    PAPER_RECEIVE = "agreement.paper_receive"
    PAPER_REJECT = "agreement.paper_reject"
    PDF_DOWNLOADED = "agreement.pdf_downloaded"
    EDIT = f"agreement.{Action.EDIT}"
    SEND = f"agreement.{Action.SEND}"
    WITHDRAW = f"agreement.{Action.WITHDRAW}"
    ACCEPT = f"agreement.{Action.ACCEPT}"
    RETURN = f"agreement.{Action.RETURN}"
    SUBMIT = f"agreement.{Action.SUBMIT}"
    APPROVE = f"agreement.{Action.APPROVE}"
    REJECT = f"agreement.{Action.REJECT}"
    EXPIRE = f"agreement.{Action.EXPIRE}"
    CLOSE = f"agreement.{Action.CLOSE}"
    APPLY_TERMINATION = f"agreement.{Action.APPLY_TERMINATION}"
    CONSENT_TERMINATION = f"agreement.{Action.CONSENT_TERMINATION}"
    REFUSE_TERMINATION = f"agreement.{Action.REFUSE_TERMINATION}"
    APPROVE_TERMINATION = f"agreement.{Action.APPROVE_TERMINATION}"
    REJECT_TERMINATION = f"agreement.{Action.REJECT_TERMINATION}"
    WITHDRAW_TERMINATION = f"agreement.{Action.WITHDRAW_TERMINATION}"

    @classmethod
    def of(cls, action: Action) -> AuditAction:
        return cls(f"agreement.{action}")

    @property
    def label(self) -> str:
        name = self.value.removeprefix("agreement.")
        if name in Action._value2member_map_:
            return str(ACTION_LABELS[Action(name)])
        return str(_EDIT_LABELS[self])


_EDIT_LABELS = {
    AuditAction.CREATED: _l("创建"),
    AuditAction.EDITED: _l("修改内容"),
    AuditAction.PROOF_ADDED: _l("上传证明材料"),
    AuditAction.PROOF_REMOVED: _l("删除证明材料"),
    AuditAction.DELETED: _l("删除草稿"),
    AuditAction.PAPER_UPLOAD: _l("上传盖章协议"),
    AuditAction.PAPER_RECEIVE: _l("纸质协议已收回"),
    AuditAction.PAPER_REJECT: _l("退回盖章件"),
    AuditAction.PDF_DOWNLOADED: _l("下载协议书"),
}


def history_label(action: str) -> str:
    try:
        return AuditAction(action).label
    except ValueError:
        return str(_l("其他操作"))  # never a raw action code on a page


# --- where a notice points ------------------------------------------------------------------


def graduate_url(agreement: Agreement) -> str:
    """The agreement's page on the school's site (whichever host is sending the notice)."""
    return reverse(
        "agreements:detail", urlconf="saas_platform.urls_tenant", kwargs={"pk": agreement.pk}
    )


def _to_graduate(agreement: Agreement, event: str, title: str, body: str, **data) -> None:
    links.notify(
        user=agreement.graduate.user,
        event=event,
        title=title,
        body=body,
        url=graduate_url(agreement),
        data=data,
    )


def _to_employer(agreement: Agreement, event: str, title: str, body: str, school=None) -> None:
    links.notify_employer(agreement, event=event, title=title, body=body, school=school)


def emit(transition: Transition, agreement: Agreement) -> None:
    """The notices of a transition, as its rule names them (nothing when it names none)."""
    name = transition.notice
    if name:
        _BY_NAME[name](agreement, transition)


# --- invitations ----------------------------------------------------------------------------


def invitation_received(agreement: Agreement, transition: Transition | None = None) -> None:
    """A new invitation, or a re-sent one: the graduate must see that it changed."""
    date = timezone.localtime(agreement.expires_at).strftime("%Y-%m-%d %H:%M")
    number = agreement.current_version.number if agreement.current_version_id else 1
    names = {"employer": agreement.employer_name, "date": date, "version": number}
    if number > 1:
        title = _("邀约已修改")
        body = (
            _(
                "%(employer)s 修改并重新发送了三方协议邀约（第 %(version)d 版），"
                "请查看改动并在 %(date)s 前应约或打回。"
            )
            % names
        )
    else:
        title = _("您收到一份就业协议邀约")
        body = _("%(employer)s 向您发出了三方协议邀约，请在 %(date)s 前查看并应约或打回。") % names
    _to_graduate(agreement, "invitation_received", title, body, result=title)


def invitation_withdrawn(agreement: Agreement, transition: Transition | None = None) -> None:
    # A draft the graduate never saw is withdrawn silently.
    if transition is not None and transition.source != "invited":
        return
    _to_graduate(
        agreement,
        "invitation_closed",
        _("邀约已被单位撤回"),
        _("%(employer)s 撤回了对您的邀约。") % {"employer": agreement.employer_name},
    )


def invitation_returned(agreement: Agreement, transition: Transition | None = None) -> None:
    _to_employer(
        agreement,
        "invitation_returned",
        _("邀约被毕业生打回"),
        _("%(name)s 打回了邀约：%(reason)s")
        % {"name": agreement.graduate.name, "reason": agreement.last_reason},
    )


def invitation_accepted(agreement: Agreement, transition: Transition | None = None) -> None:
    _to_employer(
        agreement,
        "invitation_accepted",
        _("毕业生已应约"),
        _("%(name)s 已应约（第 %(version)d 版），协议进入学校审核。")
        % {
            "name": agreement.graduate.name,
            "version": agreement.accepted_version.number if agreement.accepted_version_id else 1,
        },
    )


def invitation_closed(agreement: Agreement, transition: Transition | None = None) -> None:
    _to_employer(
        agreement,
        "invitation_closed",
        _("邀约已关闭"),
        _("对 %(name)s 的邀约已关闭：%(reason)s")
        % {"name": agreement.graduate.name, "reason": agreement.last_reason},
    )


def invitation_expiring(agreement: Agreement) -> None:
    date = timezone.localtime(agreement.expires_at).strftime("%Y-%m-%d %H:%M")
    _to_graduate(
        agreement,
        "invitation_expiring",
        _("邀约即将过期"),
        _("%(employer)s 的邀约将于 %(date)s 过期，请及时应约或打回。")
        % {"employer": agreement.employer_name, "date": date},
    )


def invitations_expired(agreements: list[Agreement], *, school) -> None:
    """The sweep's notices: one message per graduate, the HR notices in one INSERT."""
    for agreement in agreements:
        _to_graduate(
            agreement,
            "invitation_expired",
            _("邀约已过期"),
            _("%(employer)s 的邀约已过期。") % {"employer": agreement.employer_name},
        )
    links.notify_employers(
        agreements,
        event="invitation_expired",
        title=_("邀约已过期"),
        body=lambda a: _("对 %(name)s 的邀约已过期，毕业生未作处理。") % {"name": a.graduate.name},
        school=school,
    )


# --- reviews --------------------------------------------------------------------------------


def review_passed(agreement: Agreement, transition: Transition | None = None) -> None:
    """A college passed it; the school reviews next."""
    _to_graduate(
        agreement,
        "review_approved",
        _("协议已通过院系审核"),
        _("您与 %(employer)s 的协议已通过院系审核，等待学校审核。")
        % {"employer": agreement.employer_name},
    )
    _to_employer(
        agreement,
        "review_approved",
        _("协议已通过院系审核"),
        _("与 %(name)s 的协议已通过院系审核，等待学校审核。") % {"name": agreement.graduate.name},
    )


def review_rejected(agreement: Agreement, transition: Transition | None = None) -> None:
    names = {
        "employer": agreement.employer_name,
        "name": agreement.graduate.name,
        "reason": agreement.last_reason,
    }
    _to_graduate(
        agreement,
        "review_rejected",
        _("协议审核未通过"),
        _("您与 %(employer)s 的协议审核未通过：%(reason)s") % names,
        reason=agreement.last_reason,
    )
    if agreement.origin == Origin.EMPLOYER:  # the employer is the one who fixes it
        _to_employer(
            agreement,
            "review_rejected",
            _("协议审核未通过，请修改后重新发送"),
            _("%(name)s 的协议审核未通过：%(reason)s") % names,
        )


def agreement_signed(agreement: Agreement, transition: Transition | None = None) -> None:
    _to_graduate(
        agreement,
        "agreement_signed",
        _("签约成功"),
        _("您与 %(employer)s 的三方协议已签约成功。") % {"employer": agreement.employer_name},
    )
    _to_employer(
        agreement,
        "agreement_signed",
        _("签约成功"),
        _("与 %(name)s 的三方协议已签约成功。") % {"name": agreement.graduate.name},
    )


# --- termination ----------------------------------------------------------------------------


def _termination_to_all(agreement: Agreement, event: str, title: str, body: str, **data) -> None:
    _to_graduate(agreement, event, title, body, **data)
    _to_employer(agreement, event, title, body)


def _names(agreement: Agreement) -> dict:
    return {
        "employer": agreement.employer_name,
        "name": agreement.graduate.name,
        "reason": agreement.last_reason,
    }


def termination_requested(agreement: Agreement, transition: Transition | None = None) -> None:
    names = _names(agreement)
    if transition is not None and transition.party == Party.EMPLOYER:
        _to_graduate(
            agreement,
            "termination_requested",
            _("用人单位申请解约"),
            _("%(employer)s 申请与您解除三方协议，请查看并表示同意或不同意。") % names,
        )
        return
    waiting = transition is not None and transition.target == "termination_requested"
    _to_employer(
        agreement,
        "termination_requested",
        _("毕业生申请解约"),
        (
            _("%(name)s 申请解除与贵单位的三方协议，请在平台上表示同意或不同意。")
            if waiting
            else _("%(name)s 申请解除与贵单位的三方协议，已提交学校审核。")
        )
        % names,
    )
    _to_graduate(
        agreement,
        "termination_requested",
        _("解约申请已提交"),
        (
            _("您的解约申请已提交，等待 %(employer)s 确认。")
            if waiting
            else _("您的解约申请已提交，等待学校审核。")
        )
        % names,
    )


def termination_consented(agreement: Agreement, transition: Transition | None = None) -> None:
    _termination_to_all(
        agreement,
        "termination_consented",
        _("对方已同意解约"),
        _("%(name)s 与 %(employer)s 的解约申请已获对方同意，等待学校审核。") % _names(agreement),
    )


def termination_refused(agreement: Agreement, transition: Transition | None = None) -> None:
    _termination_to_all(
        agreement,
        "termination_refused",
        _("对方不同意解约"),
        _("%(name)s 与 %(employer)s 的解约申请未获对方同意：%(reason)s。协议仍然有效。")
        % _names(agreement),
        reason=agreement.last_reason,
    )


def termination_withdrawn(agreement: Agreement, transition: Transition | None = None) -> None:
    _termination_to_all(
        agreement,
        "termination_withdrawn",
        _("解约申请已撤回"),
        _("%(name)s 与 %(employer)s 的解约申请已撤回，协议仍然有效。") % _names(agreement),
    )


def termination_review_passed(agreement: Agreement, transition: Transition | None = None) -> None:
    _termination_to_all(
        agreement,
        "termination_review_passed",
        _("解约申请已通过院系审核"),
        _("%(name)s 与 %(employer)s 的解约申请已通过院系审核，等待学校审核。") % _names(agreement),
    )


def termination_approved(agreement: Agreement, transition: Transition | None = None) -> None:
    from agreements.termination import cooldown_of

    cooldown = cooldown_of(agreement.graduate)
    after = cooldown.message_after if cooldown is not None else ""
    names = _names(agreement)
    _to_graduate(
        agreement,
        "termination_approved",
        _("解约成功"),
        _("您与 %(employer)s 的三方协议已解约。%(after)s") % {**names, "after": after},
    )
    _to_employer(
        agreement,
        "termination_approved",
        _("解约成功"),
        _("与 %(name)s 的三方协议已解约。") % names,
    )


def termination_rejected(agreement: Agreement, transition: Transition | None = None) -> None:
    _termination_to_all(
        agreement,
        "termination_rejected",
        _("解约申请审核未通过"),
        _("%(name)s 与 %(employer)s 的解约申请审核未通过：%(reason)s。协议仍然有效。")
        % _names(agreement),
        reason=agreement.last_reason,
    )


_BY_NAME = {
    fn.__name__: fn
    for fn in (
        invitation_received,
        invitation_withdrawn,
        invitation_returned,
        invitation_accepted,
        invitation_closed,
        review_passed,
        review_rejected,
        agreement_signed,
        termination_requested,
        termination_consented,
        termination_refused,
        termination_withdrawn,
        termination_review_passed,
        termination_approved,
        termination_rejected,
    )
}


def check_rules_name_notices(rules: Iterable) -> None:
    """Every notice a rule names exists (called by the tests)."""
    missing = {r.notice for r in rules if r.notice and r.notice not in _BY_NAME}
    assert not missing, missing
