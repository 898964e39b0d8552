"""The agreement state machine: every state, every group of states, every transition, who may
take it and when, and the one guard on "may this graduate bind now". Services orchestrate only.

Services call `plan()` once before changing anything and apply the `Transition` it returns;
a refusal raises before a row is touched. The table below is the whole machine (PRODUCT.md,
"States"):

  employer-initiated: draft ─send─▶ invited ─accept─▶ college_review ─▶ school_review ─▶ signed
                      invited ─return─▶ returned ─send─▶ invited;  invited ─expire─▶ expired
                      draft / invited / returned ─withdraw─▶ withdrawn
                      a review rejection goes back to returned (the employer edits and re-sends)
  graduate-initiated: draft ─submit─▶ submitted ─▶ school_review (if the school wants it) ─▶ signed
                      a review rejection goes back to draft (the graduate fixes and re-submits)
  any open one (draft / invited / returned) ─close─▶ closed when another agreement is signed
  termination (解约): signed ─apply─▶ termination_requested ─consent─▶ termination_review
                      ─approve (per review level)─▶ terminated; a refusal of consent, a reviewer's
                      rejection and the applicant's withdrawal go back to signed. Without a
                      required online consent, apply goes straight to termination_review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.exceptions import NotAllowed
from settings_per_school.models import ReviewLevels, Starter

if TYPE_CHECKING:
    from agreements.models import Agreement


class State(models.TextChoices):
    DRAFT = "draft", _l("草稿")
    INVITED = "invited", _l("待应约")
    RETURNED = "returned", _l("已打回")
    EXPIRED = "expired", _l("已过期")
    WITHDRAWN = "withdrawn", _l("已撤回")
    SUBMITTED = "submitted", _l("已提交待院系审核")
    COLLEGE_REVIEW = "college_review", _l("院系审核中")
    SCHOOL_REVIEW = "school_review", _l("学校审核中")
    SIGNED = "signed", _l("签约成功")
    CLOSED = "closed", _l("已关闭")
    TERMINATION_REQUESTED = "termination_requested", _l("解约待对方确认")
    TERMINATION_REVIEW = "termination_review", _l("解约审核中")
    TERMINATED = "terminated", _l("已解约")


class Origin(models.TextChoices):
    EMPLOYER = "employer", _l("单位邀约")
    GRADUATE = "graduate", _l("学生发起")


# --- the state groups (the only definitions; models, services and selectors import these) ---

# A graduate has at most one agreement in these states (a partial unique index holds it).
# A graduate in termination is still bound: no other accept or submit until it is decided.
BINDING_STATES: tuple[State, ...] = (
    State.SUBMITTED,
    State.COLLEGE_REVIEW,
    State.SCHOOL_REVIEW,
    State.SIGNED,
    State.TERMINATION_REQUESTED,
    State.TERMINATION_REVIEW,
)
# Not yet binding: what signing elsewhere closes.
PRE_BINDING_STATES: tuple[State, ...] = (State.DRAFT, State.INVITED, State.RETURNED)
# Still alive: an employer may hold only one of these per graduate.
OPEN_STATES: tuple[State, ...] = (*PRE_BINDING_STATES, *BINDING_STATES)
# An agreement being reviewed (not a termination), and by whom.
IN_COLLEGE_REVIEW: tuple[State, ...] = (State.SUBMITTED, State.COLLEGE_REVIEW)
IN_SCHOOL_REVIEW: tuple[State, ...] = (State.SCHOOL_REVIEW,)
IN_REVIEW_STATES: tuple[State, ...] = (*IN_COLLEGE_REVIEW, *IN_SCHOOL_REVIEW)
IN_TERMINATION_STATES: tuple[State, ...] = (State.TERMINATION_REQUESTED, State.TERMINATION_REVIEW)
# Signed, for counting: a graduate in termination has not left the employer yet.
SIGNED_STATES: tuple[State, ...] = (State.SIGNED, *IN_TERMINATION_STATES)
# An employer's unsent draft is the employer's business only.
EDITABLE_STATES: tuple[State, ...] = (State.DRAFT, State.RETURNED)


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
    # Termination has actions of its own (not a reuse of the review ones).
    APPLY_TERMINATION = "apply_termination"
    CONSENT_TERMINATION = "consent_termination"
    REFUSE_TERMINATION = "refuse_termination"
    APPROVE_TERMINATION = "approve_termination"
    REJECT_TERMINATION = "reject_termination"
    WITHDRAW_TERMINATION = "withdraw_termination"


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
    Action.APPLY_TERMINATION: _l("申请解约"),
    Action.CONSENT_TERMINATION: _l("同意解约"),
    Action.REFUSE_TERMINATION: _l("不同意解约"),
    Action.APPROVE_TERMINATION: _l("解约审核通过"),
    Action.REJECT_TERMINATION: _l("解约审核不通过"),
    Action.WITHDRAW_TERMINATION: _l("撤回解约申请"),
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


# --- the context the rules read (the school's settings, the open termination, today) --------


@dataclass(frozen=True)
class Context:
    """What the rules may depend on besides the agreement itself.

    Built once per request by `context_for`; a new condition is a new field here, never a
    new argument of every rule.
    """

    needs_school_review: bool = True
    allow_termination: bool = False
    termination_starter: str = Starter.GRADUATE
    termination_consent_required: bool = True
    termination_review_levels: str = ReviewLevels.SCHOOL
    terminations_allowed: int = 1
    termination_window: tuple[date | None, date | None] = (None, None)
    today: date | None = None
    # The agreement's open termination (None when there is none).
    termination: Any = None
    # How many terminations of this graduate were approved.
    terminations_used: int = 0

    @property
    def termination_applicant(self) -> str | None:
        return self.termination.applicant if self.termination is not None else None

    @property
    def termination_level(self) -> str | None:
        return self.termination.level if self.termination is not None else None


def context_for(agreement: Agreement | None = None, *, today: date | None = None) -> Context:
    """The context of the current school (and of this agreement's open termination)."""
    from agreements.models import Termination, TerminationState
    from core import workdays
    from settings_per_school.selectors import get_school_settings

    s = get_school_settings()
    termination = None
    used = 0
    if agreement is not None and agreement.pk:
        if agreement.state in IN_TERMINATION_STATES:
            termination = (
                Termination.objects.filter(agreement_id=agreement.pk, state__in=OPEN_TERMINATION)
                .order_by("-pk")
                .first()
            )
        used = Termination.objects.filter(
            graduate_id=agreement.graduate_id, state=TerminationState.APPROVED
        ).count()
    return Context(
        needs_school_review=s.student_initiated_needs_school_review,
        allow_termination=s.allow_termination,
        termination_starter=s.termination_starter,
        termination_consent_required=s.termination_employer_consent_required,
        termination_review_levels=s.termination_review_levels,
        terminations_allowed=s.terminations_allowed,
        termination_window=(s.termination_window_from, s.termination_window_to),
        today=today or workdays.today(),
        termination=termination,
        terminations_used=used,
    )


OPEN_TERMINATION = ("requested", "review")


# --- targets and checks (each a function of the agreement and the context) -----------------


def _review_target_after_college(agreement: Agreement, ctx: Context, party=None) -> State:
    if agreement.origin == Origin.GRADUATE and not ctx.needs_school_review:
        return State.SIGNED
    return State.SCHOOL_REVIEW


def _back_to_fixer(agreement: Agreement, ctx: Context, party=None) -> State:
    # A rejection goes back to whoever must fix it.
    return State.RETURNED if agreement.origin == Origin.EMPLOYER else State.DRAFT


def _employer_consent_online(agreement: Agreement, ctx: Context) -> bool:
    """Whether the employer must consent on the platform (a typed-in employer cannot)."""
    return bool(agreement.employer_id) and ctx.termination_consent_required


def _after_apply(agreement: Agreement, ctx: Context, party: Party | None = None) -> State:
    if party == Party.EMPLOYER:
        return State.TERMINATION_REQUESTED  # the graduate always consents to their own
    if _employer_consent_online(agreement, ctx):
        return State.TERMINATION_REQUESTED
    return State.TERMINATION_REVIEW


def _after_college_termination(agreement: Agreement, ctx: Context, party=None) -> State:
    return State.TERMINATION_REVIEW  # the school decides next


def termination_unavailable(agreement: Agreement, ctx: Context, party: Party) -> str | None:
    """Why this party may not apply for termination now (None: it may)."""
    if not ctx.allow_termination:
        return _("学校未开放解约申请。")
    if party == Party.EMPLOYER:
        if ctx.termination_starter != Starter.GRADUATE_OR_EMPLOYER:
            return _("学校规定解约须由毕业生发起。")
    start, end = ctx.termination_window
    today = ctx.today
    if today is not None and ((start and today < start) or (end and today > end)):
        return _("解约申请时间为 %(start)s 至 %(end)s，当前不在申请时间内。") % {
            "start": _date(start) if start else _("不限"),
            "end": _date(end) if end else _("不限"),
        }
    if ctx.terminations_used >= ctx.terminations_allowed:
        return _("您的解约次数（%(n)d 次）已用完，不能再申请解约。") % {
            "n": ctx.terminations_allowed
        }
    return None


def _check_apply(agreement: Agreement, ctx: Context, party: Party) -> str | None:
    return termination_unavailable(agreement, ctx, party)


def _check_consent(agreement: Agreement, ctx: Context, party: Party) -> str | None:
    if ctx.termination is None or ctx.termination_applicant == party:
        return _("只有解约申请的另一方可以表示同意或不同意。")
    return None


def _check_withdraw(agreement: Agreement, ctx: Context, party: Party) -> str | None:
    if ctx.termination is None or ctx.termination_applicant != party:
        return _("只有解约申请人可以撤回解约申请。")
    return None


def _check_level(level: str) -> Callable[[Agreement, Context, Party], str | None]:
    def check(agreement: Agreement, ctx: Context, party: Party) -> str | None:
        if ctx.termination is None or ctx.termination_level != level:
            return _("解约申请当前不在%(level)s审核阶段。") % {
                "level": _("院系") if level == "college" else _("学校")
            }
        ends = getattr(ctx.termination, "publicity_ends_on", None)
        if level == "school" and ends and ctx.today and ctx.today <= ends:
            return _("解约公示期至 %(date)s 结束，公示期满后方可审核。") % {"date": _date(ends)}
        return None

    return check


def _date(value: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


Target = State | None | Callable[..., State]


@dataclass(frozen=True)
class Rule:
    action: Action
    party: Party
    origins: frozenset[str]
    sources: frozenset[str]
    target: Target  # None: content changes, state stays
    needs_reason: bool = False
    # Binding actions go through `require_may_bind` (生源, other binding agreement, cooldown).
    binds: bool = False
    # A further condition on the context; returns why not (None: allowed).
    check: Callable[[Agreement, Context, Party], str | None] | None = None
    # The notice of this transition (a function name in agreements/notices.py).
    notice: str = ""

    def target_for(self, agreement: Agreement, ctx: Context, party: Party | None = None) -> State:
        if self.target is None:
            return State(agreement.state)
        if callable(self.target):
            return self.target(agreement, ctx, party)
        return self.target


@dataclass(frozen=True)
class Transition:
    """A planned move: apply exactly this (it is never planned a second time)."""

    rule: Rule
    party: Party
    source: State
    target: State
    ctx: Context

    @property
    def action(self) -> Action:
        return self.rule.action

    @property
    def notice(self) -> str:
        # Signing is the signing notice, whichever review got there (not a failed termination).
        if self.target == State.SIGNED and self.source in IN_REVIEW_STATES:
            return "agreement_signed"
        return self.rule.notice


_EMP = frozenset({Origin.EMPLOYER})
_GRAD = frozenset({Origin.GRADUATE})
_ANY = frozenset({Origin.EMPLOYER, Origin.GRADUATE})
_SIGNED = frozenset({State.SIGNED})
_REQUESTED = frozenset({State.TERMINATION_REQUESTED})
_T_REVIEW = frozenset({State.TERMINATION_REVIEW})
_IN_TERMINATION = frozenset(IN_TERMINATION_STATES)

RULES: tuple[Rule, ...] = (
    Rule(Action.EDIT, Party.EMPLOYER, _EMP, frozenset(EDITABLE_STATES), None),
    Rule(
        Action.SEND,
        Party.EMPLOYER,
        _EMP,
        frozenset(EDITABLE_STATES),
        State.INVITED,
        notice="invitation_received",
    ),
    Rule(
        Action.WITHDRAW,
        Party.EMPLOYER,
        _EMP,
        frozenset(PRE_BINDING_STATES),
        State.WITHDRAWN,
        notice="invitation_withdrawn",
    ),
    Rule(
        Action.ACCEPT,
        Party.GRADUATE,
        _EMP,
        frozenset({State.INVITED}),
        State.COLLEGE_REVIEW,
        binds=True,
        notice="invitation_accepted",
    ),
    Rule(
        Action.RETURN,
        Party.GRADUATE,
        _EMP,
        frozenset({State.INVITED}),
        State.RETURNED,
        needs_reason=True,
        notice="invitation_returned",
    ),
    Rule(Action.EDIT, Party.GRADUATE, _GRAD, frozenset({State.DRAFT}), None),
    Rule(
        Action.SUBMIT,
        Party.GRADUATE,
        _GRAD,
        frozenset({State.DRAFT}),
        State.SUBMITTED,
        binds=True,
    ),
    Rule(
        Action.APPROVE,
        Party.COLLEGE,
        _ANY,
        frozenset(IN_COLLEGE_REVIEW),
        _review_target_after_college,
        notice="review_passed",
    ),
    Rule(
        Action.REJECT,
        Party.COLLEGE,
        _ANY,
        frozenset(IN_COLLEGE_REVIEW),
        _back_to_fixer,
        needs_reason=True,
        notice="review_rejected",
    ),
    Rule(
        Action.APPROVE,
        Party.SCHOOL,
        _ANY,
        frozenset(IN_SCHOOL_REVIEW),
        State.SIGNED,
        notice="agreement_signed",
    ),
    Rule(
        Action.REJECT,
        Party.SCHOOL,
        _ANY,
        frozenset(IN_SCHOOL_REVIEW),
        _back_to_fixer,
        needs_reason=True,
        notice="review_rejected",
    ),
    Rule(Action.EXPIRE, Party.SYSTEM, _EMP, frozenset({State.INVITED}), State.EXPIRED),
    Rule(
        Action.CLOSE,
        Party.SYSTEM,
        _ANY,
        frozenset(PRE_BINDING_STATES),
        State.CLOSED,
        needs_reason=True,
        notice="invitation_closed",
    ),
    # --- termination ---
    Rule(
        Action.APPLY_TERMINATION,
        Party.GRADUATE,
        _ANY,
        _SIGNED,
        _after_apply,
        needs_reason=True,
        check=_check_apply,
        notice="termination_requested",
    ),
    Rule(
        Action.APPLY_TERMINATION,
        Party.EMPLOYER,
        _ANY,
        _SIGNED,
        _after_apply,
        needs_reason=True,
        check=_check_apply,
        notice="termination_requested",
    ),
    *(
        Rule(
            Action.CONSENT_TERMINATION,
            party,
            _ANY,
            _REQUESTED,
            State.TERMINATION_REVIEW,
            check=_check_consent,
            notice="termination_consented",
        )
        for party in (Party.GRADUATE, Party.EMPLOYER)
    ),
    *(
        Rule(
            Action.REFUSE_TERMINATION,
            party,
            _ANY,
            _REQUESTED,
            State.SIGNED,
            needs_reason=True,
            check=_check_consent,
            notice="termination_refused",
        )
        for party in (Party.GRADUATE, Party.EMPLOYER)
    ),
    *(
        Rule(
            Action.WITHDRAW_TERMINATION,
            party,
            _ANY,
            _IN_TERMINATION,
            State.SIGNED,
            check=_check_withdraw,
            notice="termination_withdrawn",
        )
        for party in (Party.GRADUATE, Party.EMPLOYER)
    ),
    Rule(
        Action.APPROVE_TERMINATION,
        Party.COLLEGE,
        _ANY,
        _T_REVIEW,
        _after_college_termination,
        check=_check_level("college"),
        notice="termination_review_passed",
    ),
    Rule(
        Action.REJECT_TERMINATION,
        Party.COLLEGE,
        _ANY,
        _T_REVIEW,
        State.SIGNED,
        needs_reason=True,
        check=_check_level("college"),
        notice="termination_rejected",
    ),
    Rule(
        Action.APPROVE_TERMINATION,
        Party.SCHOOL,
        _ANY,
        _T_REVIEW,
        State.TERMINATED,
        check=_check_level("school"),
        notice="termination_approved",
    ),
    Rule(
        Action.REJECT_TERMINATION,
        Party.SCHOOL,
        _ANY,
        _T_REVIEW,
        State.SIGNED,
        needs_reason=True,
        check=_check_level("school"),
        notice="termination_rejected",
    ),
)


def plan(
    agreement: Agreement,
    action: Action,
    party: Party | None,
    *,
    reason: str = "",
    ctx: Context | None = None,
) -> Transition:
    """The transition that lets `party` take `action` on `agreement` now, or a clear refusal.

    PermissionError: this party may never take this action on this kind of agreement.
    TransitionRefused: it may, but not in the current state or context (or the reason is
    missing, or the graduate may not bind now).
    """
    label = ACTION_LABELS[action]
    candidates = [
        r
        for r in RULES
        if r.action == action and r.party == party and agreement.origin in r.origins
    ]
    if not candidates:
        raise NotAllowed(_("您无权对这份协议执行“%(action)s”。") % {"action": label})
    rule = next((r for r in candidates if agreement.state in r.sources), None)
    if rule is None:
        raise TransitionRefused(
            _("协议当前状态为“%(state)s”，不能%(action)s。")
            % {"state": State(agreement.state).label, "action": label},
            code="bad_state",
        )
    if ctx is None:
        # Only the rules that read it pay for building it (settings and termination rows).
        needs = rule.check is not None or callable(rule.target)
        ctx = context_for(agreement) if needs else Context()
    if rule.check is not None:
        why = rule.check(agreement, ctx, party)
        if why:
            raise TransitionRefused(why, code="not_now")
    if rule.needs_reason and not (reason or "").strip():
        raise TransitionRefused({"reason": _("请填写原因。")}, code="reason_required")
    if rule.binds:
        require_may_bind(agreement.graduate, agreement, ctx)
    return Transition(
        rule=rule,
        party=party,
        source=State(agreement.state),
        target=rule.target_for(agreement, ctx, party),
        ctx=ctx,
    )


def allowed_actions(
    agreement: Agreement, party: Party | None, ctx: Context | None = None
) -> set[Action]:
    """What the pages offer this party now (the same table and checks the services obey)."""
    out = set()
    for r in RULES:
        if r.party != party or agreement.origin not in r.origins:
            continue
        if agreement.state not in r.sources:
            continue
        if r.check is not None:
            ctx = ctx if ctx is not None else context_for(agreement)
            if r.check(agreement, ctx, party):
                continue
        out.add(r.action)
    return out


# --- the one guard on binding (accept, submit) ---------------------------------------------


def bind_refusal(graduate, agreement: Agreement | None = None) -> TransitionRefused | None:
    """Why this graduate may not accept or submit now, or None.

    生源 approved; no other binding agreement; not within the cooldown after a termination.
    """
    from agreements.models import Agreement as AgreementModel
    from agreements.termination import cooldown_of
    from students.selectors import can_sign

    if not can_sign(graduate):
        return TransitionRefused(
            _("您的生源信息尚未审核通过，暂不能签约。请先完成生源核查。"), code="cannot_sign"
        )
    others = AgreementModel.objects.filter(graduate=graduate, state__in=BINDING_STATES)
    if agreement is not None and agreement.pk:
        others = others.exclude(pk=agreement.pk)
    other = others.first()
    if other is not None:
        return TransitionRefused(
            _("您已有一份%(state)s的协议（%(employer)s），不能再应约或提交。")
            % {"state": other.get_state_display(), "employer": other.employer_name},
            code="binding_exists",
        )
    cooldown = cooldown_of(graduate)
    if cooldown is not None and cooldown.active:
        return TransitionRefused(cooldown.message, code="cooldown")
    return None


def require_may_bind(
    graduate, agreement: Agreement | None = None, ctx: Context | None = None
) -> None:
    refusal = bind_refusal(graduate, agreement)
    if refusal is not None:
        raise refusal
