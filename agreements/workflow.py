"""The agreement state machine: every transition, who may take it, and from which states.

Services ask `plan()` before changing anything; a refusal raises before a row is touched.
The table below is the whole machine (PRODUCT.md, "States"):

  employer-initiated: draft ─send─▶ invited ─accept─▶ college_review ─▶ school_review ─▶ signed
                      invited ─return─▶ returned ─send─▶ invited;  invited ─expire─▶ expired
                      draft / invited / returned ─withdraw─▶ withdrawn
                      a review rejection goes back to returned (the employer edits and re-sends)
  graduate-initiated: draft ─submit─▶ submitted ─▶ school_review (if the school wants it) ─▶ signed
                      a review rejection goes back to draft (the graduate fixes and re-submits)
  any open one (draft / invited / returned) ─close─▶ closed when another agreement is signed
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agreements.models import Agreement, Origin, State


class Action(StrEnum):
    EDIT = "edit"
    SEND = "send"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    RETURN = "return"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    CLOSE = "close"


ACTION_LABELS = {
    Action.EDIT: _l("修改"),
    Action.SEND: _l("发送邀约"),
    Action.WITHDRAW: _l("撤回邀约"),
    Action.ACCEPT: _l("应约"),
    Action.RETURN: _l("打回"),
    Action.SUBMIT: _l("提交审核"),
    Action.APPROVE: _l("审核通过"),
    Action.REJECT: _l("审核不通过"),
    Action.EXPIRE: _l("邀约过期"),
    Action.CLOSE: _l("关闭"),
}


class Party(StrEnum):
    """The actor's relation to one agreement (not only their role)."""

    EMPLOYER = "employer"  # HR of the agreement's employer
    GRADUATE = "graduate"  # the agreement's graduate
    COLLEGE = "college"  # a college admin of the graduate's college
    SCHOOL = "school"  # a school admin
    SYSTEM = "system"  # the expiry sweep, the closing of other invitations


class TransitionRefused(ValidationError):
    """The action is not allowed in the agreement's current state: nothing was changed."""


def _review_target_after_college(agreement: Agreement, needs_school_review: bool) -> State:
    if agreement.origin == Origin.GRADUATE and not needs_school_review:
        return State.SIGNED
    return State.SCHOOL_REVIEW


def _back_to_fixer(agreement: Agreement, _needs_school_review: bool) -> State:
    # A rejection goes back to whoever must fix it.
    return State.RETURNED if agreement.origin == Origin.EMPLOYER else State.DRAFT


Target = State | None | Callable[[Agreement, bool], State]


@dataclass(frozen=True)
class Rule:
    action: Action
    party: Party
    origins: frozenset[str]
    sources: frozenset[str]
    target: Target  # None: content changes, state stays
    needs_reason: bool = False

    def target_for(self, agreement: Agreement, needs_school_review: bool = True) -> State:
        if self.target is None:
            return State(agreement.state)
        if callable(self.target):
            return self.target(agreement, needs_school_review)
        return self.target


_EMP = frozenset({Origin.EMPLOYER})
_GRAD = frozenset({Origin.GRADUATE})
_ANY = frozenset({Origin.EMPLOYER, Origin.GRADUATE})
_IN_COLLEGE_REVIEW = frozenset({State.SUBMITTED, State.COLLEGE_REVIEW})

RULES: tuple[Rule, ...] = (
    Rule(Action.EDIT, Party.EMPLOYER, _EMP, frozenset({State.DRAFT, State.RETURNED}), None),
    Rule(
        Action.SEND, Party.EMPLOYER, _EMP, frozenset({State.DRAFT, State.RETURNED}), State.INVITED
    ),
    Rule(
        Action.WITHDRAW,
        Party.EMPLOYER,
        _EMP,
        frozenset({State.DRAFT, State.INVITED, State.RETURNED}),
        State.WITHDRAWN,
    ),
    Rule(Action.ACCEPT, Party.GRADUATE, _EMP, frozenset({State.INVITED}), State.COLLEGE_REVIEW),
    Rule(
        Action.RETURN,
        Party.GRADUATE,
        _EMP,
        frozenset({State.INVITED}),
        State.RETURNED,
        needs_reason=True,
    ),
    Rule(Action.EDIT, Party.GRADUATE, _GRAD, frozenset({State.DRAFT}), None),
    Rule(Action.SUBMIT, Party.GRADUATE, _GRAD, frozenset({State.DRAFT}), State.SUBMITTED),
    Rule(Action.APPROVE, Party.COLLEGE, _ANY, _IN_COLLEGE_REVIEW, _review_target_after_college),
    Rule(Action.REJECT, Party.COLLEGE, _ANY, _IN_COLLEGE_REVIEW, _back_to_fixer, needs_reason=True),
    Rule(Action.APPROVE, Party.SCHOOL, _ANY, frozenset({State.SCHOOL_REVIEW}), State.SIGNED),
    Rule(
        Action.REJECT,
        Party.SCHOOL,
        _ANY,
        frozenset({State.SCHOOL_REVIEW}),
        _back_to_fixer,
        needs_reason=True,
    ),
    Rule(Action.EXPIRE, Party.SYSTEM, _EMP, frozenset({State.INVITED}), State.EXPIRED),
    Rule(
        Action.CLOSE,
        Party.SYSTEM,
        _ANY,
        frozenset({State.DRAFT, State.INVITED, State.RETURNED}),
        State.CLOSED,
        needs_reason=True,
    ),
)


def plan(agreement: Agreement, action: Action, party: Party | None, *, reason: str = "") -> Rule:
    """The rule that lets `party` take `action` on `agreement` now, or a clear refusal.

    PermissionError: this party may never take this action on this kind of agreement.
    TransitionRefused: it may, but not in the current state (or the reason is missing).
    """
    label = ACTION_LABELS[action]
    candidates = [
        r
        for r in RULES
        if r.action == action and r.party == party and agreement.origin in r.origins
    ]
    if not candidates:
        raise PermissionError(_("您无权对这份协议执行“%(action)s”。") % {"action": label})
    for rule in candidates:
        if agreement.state in rule.sources:
            if rule.needs_reason and not (reason or "").strip():
                raise TransitionRefused({"reason": _("请填写原因。")}, code="reason_required")
            return rule
    raise TransitionRefused(
        _("协议当前状态为“%(state)s”，不能%(action)s。")
        % {"state": State(agreement.state).label, "action": label},
        code="bad_state",
    )


def allowed_actions(agreement: Agreement, party: Party | None) -> set[Action]:
    """What the pages offer this party now (the same table the services obey)."""
    return {
        r.action
        for r in RULES
        if r.party == party and agreement.origin in r.origins and agreement.state in r.sources
    }
