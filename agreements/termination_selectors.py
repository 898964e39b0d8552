"""Reads about terminations: what a detail page shows, the review queue, the apply page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role
from agreements import links
from agreements.models import Agreement, Termination, TerminationState
from agreements.termination import OPEN, cooldown_of
from agreements.workflow import Action, Context, Party, State, termination_unavailable
from core import workdays
from core.context import Actor
from settings_per_school.selectors import get_school_settings

TERMINATION_ACTIONS = {
    Action.APPLY_TERMINATION,
    Action.CONSENT_TERMINATION,
    Action.REFUSE_TERMINATION,
    Action.WITHDRAW_TERMINATION,
    Action.APPROVE_TERMINATION,
    Action.REJECT_TERMINATION,
}


def apply_refusal(agreement: Agreement, party: Party | None, ctx: Context) -> str | None:
    """Why the 申请解约 is not offered (None: it is), said to the user."""
    if party not in (Party.GRADUATE, Party.EMPLOYER):
        return _("您无权申请解约。")
    if agreement.state in (State.TERMINATION_REQUESTED, State.TERMINATION_REVIEW):
        return _("这份协议已有一份在办的解约申请。")
    if agreement.state != State.SIGNED:
        return _("只有签约成功的协议可以申请解约。")
    return termination_unavailable(agreement, ctx, party)


def rules_summary(graduate=None) -> dict[str, Any]:
    """The numbers the guidance text leaves out: they are settings, stated here."""
    s = get_school_settings()
    used = (
        Termination.objects.filter(graduate=graduate, state=TerminationState.APPROVED).count()
        if graduate is not None
        else 0
    )
    return {
        "guidance": s.termination_guidance,
        "allowed": s.terminations_allowed,
        "used": used,
        "cooldown_days": s.termination_cooldown_working_days,
        "window_from": s.termination_window_from,
        "window_to": s.termination_window_to,
        "publicity_days": s.termination_publicity_days,
        "consent_required": s.termination_employer_consent_required,
        "review_levels": s.get_termination_review_levels_display(),
    }


def panel(
    agreement: Agreement, party: Party | None, actions: set[str], ctx: Context
) -> dict[str, Any]:
    """The termination part of an agreement's page (every application, newest first)."""
    rows = list(
        Termination.objects.filter(agreement=agreement).prefetch_related("proofs").order_by("-pk")
    )
    current = next((t for t in rows if t.state in OPEN), None)
    cooldown = cooldown_of(agreement.graduate)
    if cooldown is not None and agreement.state != State.TERMINATED:
        # On another agreement (an invitation to accept) only a running cooldown matters.
        cooldown = cooldown if cooldown.active and party == Party.GRADUATE else None
    return {
        "terminations": rows,
        "termination": current,
        "termination_actions": {a for a in actions if a in TERMINATION_ACTIONS},
        "show_termination_proofs": party in (Party.GRADUATE, Party.COLLEGE, Party.SCHOOL),
        "cooldown": cooldown,
        "today": workdays.today(),
        # Why 申请解约 is not offered on a signed agreement (said, not hidden).
        "apply_refusal": apply_refusal(agreement, party, ctx)
        if agreement.state == State.SIGNED and party in (Party.GRADUATE, Party.EMPLOYER)
        else None,
    }


def review_queue(actor: Actor) -> QuerySet[Termination]:
    """Applications waiting for this reviewer's level (a college admin: their colleges')."""
    qs = Termination.objects.select_related("agreement", "graduate", "graduate__college").filter(
        state=TerminationState.REVIEW
    )
    if actor.role == Role.COLLEGE_ADMIN:
        qs = qs.filter(level="college", graduate__college_id__in=links.college_ids_for(actor.user))
    elif actor.role == Role.SCHOOL_ADMIN:
        qs = qs.filter(level="school")
    else:
        return Termination.objects.none()
    return qs.order_by("review_started_on", "pk")


def counts(actor: Actor) -> dict[str, int]:
    """For the dashboard: applications waiting for consent, in review, approved."""
    qs = Termination.objects.all()
    if actor.role == Role.COLLEGE_ADMIN:
        qs = qs.filter(graduate__college_id__in=links.college_ids_for(actor.user))
    return {
        "requested": qs.filter(state=TerminationState.REQUESTED).count(),
        "review": qs.filter(state=TerminationState.REVIEW).count(),
        "approved": qs.filter(state=TerminationState.APPROVED).count(),
        "waiting_for_me": review_queue(actor).count(),
    }


def graduate_cooldown(actor: Actor):
    """The graduate's running cooldown after a termination (None when there is none)."""
    graduate = links.graduate_for_user(actor.user)
    cooldown = cooldown_of(graduate) if graduate is not None else None
    return cooldown if cooldown is not None and cooldown.active else None
