"""What a graduate is offered on the agreement pages, and why the rest is not offered.

The pages offer only what can succeed: the workflow's `allowed_actions()` says what the state
allows, and the checks below (the same ones the services make before a binding step) say
whether this graduate may take it now. Each refusal carries a Chinese reason and, where there
is one, a link to what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import BINDING_STATES, Agreement, Origin, State
from agreements.workflow import bind_refusal


@dataclass(frozen=True)
class NotOffered:
    reason: str
    url: str = ""
    link_label: str = ""


def _binding_other(graduate, exclude_id: int | None = None) -> Agreement | None:
    qs = Agreement.objects.filter(graduate=graduate, state__in=BINDING_STATES)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-updated_at").first()


def _detail_url(agreement: Agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


def start_blocker(graduate, settings) -> NotOffered | None:
    """Why 学生发起签约 is not offered now (None: offer it)."""
    if not settings.allow_student_initiation:
        return NotOffered(_("学校尚未开放学生发起签约，请等待用人单位邀约。"))
    if graduate is None:
        return NotOffered(_("未找到您的毕业生信息，请联系学院。"))
    other = _binding_other(graduate)
    if other is not None:
        if other.state == State.SIGNED:
            return NotOffered(
                _("您已与 %(employer)s 签约，不能再发起签约。") % {"employer": other.employer_name},
                _detail_url(other),
                _("查看已签协议"),
            )
        return NotOffered(
            _("您与 %(employer)s 的协议正在审核（%(state)s），审核结束前不能再发起签约。")
            % {"employer": other.employer_name, "state": other.get_state_display()},
            _detail_url(other),
            _("查看该协议"),
        )
    draft = (
        Agreement.objects.filter(graduate=graduate, origin=Origin.GRADUATE, state=State.DRAFT)
        .order_by("-updated_at")
        .first()
    )
    if draft is not None:
        return NotOffered(
            _("您已有一份未提交的签约草稿（%(employer)s），请继续编辑或删除它。")
            % {"employer": draft.employer_name},
            _detail_url(draft),
            _("打开草稿"),
        )
    return None


def binding_blocker(agreement: Agreement) -> NotOffered | None:
    """Why 应约 / 提交审核 would be refused now although the state allows it (None: it can succeed).

    The decision is the workflow's one bind guard; this only adds where to go instead.
    """
    refusal = bind_refusal(agreement.graduate, agreement)
    if refusal is None:
        return None
    reason = " ".join(refusal.messages)
    if refusal.code == "cannot_sign":
        return NotOffered(reason, reverse("students:my_record"), _("去核查生源信息"))
    if refusal.code == "binding_exists":
        other = _binding_other(agreement.graduate, exclude_id=agreement.pk)
        if other is not None:
            return NotOffered(reason, _detail_url(other), _("查看该协议"))
    return NotOffered(reason)


def graduate_detail_offers(agreement: Agreement, actions: set[str]) -> tuple[set[str], list]:
    """The actions the detail page offers the graduate, and the reasons for those held back."""
    offered = set(actions)
    held: list[NotOffered] = []
    binding = {"accept", "submit"} & offered
    if binding:
        blocker = binding_blocker(agreement)
        if blocker is not None:
            offered -= binding
            held.append(blocker)
    if "accept" in offered and agreement.expires_at is not None:
        from django.utils import timezone

        if agreement.expires_at <= timezone.now():
            offered.discard("accept")
            held.append(NotOffered(_("邀约已过期，不能应约。")))
    if agreement.origin == Origin.GRADUATE and "edit" in offered:
        offered.add("delete")
    return offered, held
