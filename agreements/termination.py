"""Termination (解约) of a signed agreement: one atomic, audited service per step.

signed ─apply─▶ termination_requested ─consent─▶ termination_review ─approve─▶ terminated
(the rules, who may take each step and when, are in agreements/workflow.py). Each step locks
the graduate's row, then the agreement's (the established order), then the termination's.
The database holds the allowance (`Termination.approved_number`, unique per graduate and
within the allowance); the cooldown after approval is computed from its inputs by
core/workdays.py whenever it is read, so a year's notice entered later corrects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Termination, TerminationProof, TerminationState
from agreements.services import MAX_PROOFS, _apply, _in_school, _lock
from agreements.workflow import Action, Party, State, TransitionRefused, plan
from core import workdays
from core.context import Actor
from core.exceptions import constraint_name
from core.uploads import IMAGES, validate_upload
from destinations import services as destinations
from settings_per_school.models import ReviewLevels
from settings_per_school.selectors import get_school_settings

OPEN = (TerminationState.REQUESTED, TerminationState.REVIEW)


# --- the cooldown ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cooldown:
    working_days: int
    last_day: workdays.Result  # the last working day of the cooldown
    available_from: date  # the first day the graduate may accept or submit again

    @property
    def active(self) -> bool:
        return workdays.today() < self.available_from

    @property
    def estimated(self) -> bool:
        return self.last_day.estimated

    def _from_label(self) -> str:
        text = workdays.format_date(self.available_from)
        return _("%(date)s（预估）") % {"date": text} if self.estimated else text

    @property
    def message(self) -> str:
        return _("解约后须满 %(n)d 个工作日，%(date)s 起可重新应约。") % {
            "n": self.working_days,
            "date": self._from_label(),
        }

    @property
    def message_after(self) -> str:
        return _("您须满 %(n)d 个工作日后方可重新应约，%(date)s 起可重新应约。") % {
            "n": self.working_days,
            "date": self._from_label(),
        }


def cooldown_of(graduate) -> Cooldown | None:
    """The cooldown after the graduate's latest approved termination (None: never terminated)."""
    last = (
        Termination.objects.filter(graduate_id=graduate.pk, state=TerminationState.APPROVED)
        .order_by("-approved_on", "-pk")
        .values_list("approved_on", "cooldown_working_days")
        .first()
    )
    if last is None:
        return None
    approved_on, n = last
    last_day, available_from = workdays.cooldown_end(approved_on, n or 0)
    return Cooldown(working_days=n or 0, last_day=last_day, available_from=available_from)


# --- helpers --------------------------------------------------------------------------------


def _open_termination(agreement: Agreement) -> Termination | None:
    return (
        Termination.objects.select_for_update()
        .filter(agreement=agreement, state__in=OPEN)
        .order_by("-pk")
        .first()
    )


def _clean_images(uploads) -> list:
    uploads = [u for u in (uploads or []) if u]
    if not 1 <= len(uploads) <= MAX_PROOFS:
        raise ValidationError(
            {"images": _("请上传 1 至 9 张证明材料图片（如用人单位盖章的解约函）。")}
        )
    cleaned = []
    for number, upload in enumerate(uploads, 1):
        try:
            cleaned.append((upload, validate_upload(upload, kinds=IMAGES)))
        except ValidationError as exc:
            raise ValidationError(
                {"images": [_("第 %(n)d 张图片：") % {"n": number} + m for m in exc.messages]}
            ) from exc
    return cleaned


def _enter_review(termination: Termination) -> None:
    """The application reaches the reviewers: its first level, and the publicity period."""
    s = get_school_settings()
    today = workdays.today()
    termination.state = TerminationState.REVIEW
    termination.level = (
        "college" if s.termination_review_levels == ReviewLevels.COLLEGE_THEN_SCHOOL else "school"
    )
    termination.review_started_on = today
    days = s.termination_publicity_days
    termination.publicity_ends_on = workdays.add_days(today, days) if days else None


def _actor_name(actor: Actor) -> str:
    return getattr(actor.user, "display_name", "") or actor.username


# --- the steps ------------------------------------------------------------------------------


def apply_termination(
    *, actor: Actor, agreement_id: int, explanation: str, images, school=None
) -> Termination:
    """申请解约: an explanation and 1–9 proof images (the employer's 解约函 and the like).

    When the employer must consent but is not on the platform (a typed-in employer), the
    uploaded letter is its consent and the application goes straight to review, marked so.
    """
    with _in_school(school), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        transition = plan(agreement, Action.APPLY_TERMINATION, party, reason=explanation)
        cleaned = _clean_images(images)
        s = get_school_settings()
        termination = Termination(
            agreement=agreement,
            graduate=agreement.graduate,
            applicant=party,
            explanation=explanation.strip(),
        )
        if transition.target == State.TERMINATION_REVIEW:
            offline = (
                party == Party.GRADUATE
                and s.termination_employer_consent_required
                and not agreement.employer_id
            )
            termination.consent_online = False if offline else None
            _enter_review(termination)
        termination.save()
        for upload, clean in cleaned:
            proof = TerminationProof(
                termination=termination, original_name=(upload.name or "")[:200]
            )
            proof.image.save(clean.content.name, clean.content, save=False)
            proof.save()
        _apply(
            actor,
            agreement,
            transition,
            reason=explanation,
            data={
                "termination": termination.pk,
                "proofs": len(cleaned),
                "consent_online": termination.consent_online,
            },
        )
        return termination


def decide_consent(
    *, actor: Actor, agreement_id: int, consent: bool, reason: str = "", school=None
) -> Termination:
    """The other party agrees (to review) or refuses with a reason (back to signed)."""
    with _in_school(school), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        action = Action.CONSENT_TERMINATION if consent else Action.REFUSE_TERMINATION
        transition = plan(agreement, action, party, reason=reason)
        termination = _open_termination(agreement)
        if consent:
            termination.consent_online = True
            termination.consented_at = timezone.now()
            termination.consented_by_name = _actor_name(actor)
            _enter_review(termination)
        else:
            termination.state = TerminationState.REFUSED
            termination.reason = reason.strip()
            termination.decided_at = timezone.now()
        termination.save()
        _apply(actor, agreement, transition, reason=reason, data={"termination": termination.pk})
        return termination


def withdraw_termination(*, actor: Actor, agreement_id: int, school=None) -> Termination:
    """The applicant takes the application back before the school decides."""
    with _in_school(school), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        transition = plan(agreement, Action.WITHDRAW_TERMINATION, party)
        termination = _open_termination(agreement)
        termination.state = TerminationState.WITHDRAWN
        termination.decided_at = timezone.now()
        termination.save()
        _apply(actor, agreement, transition, data={"termination": termination.pk})
        return termination


def review_termination(
    *, actor: Actor, agreement_id: int, approve: bool, reason: str = ""
) -> Termination:
    """A reviewer's decision at the termination's current level.

    Approval by the school ends the agreement: it keeps its number and history, the
    graduate's allowance is used (held by the database) and the cooldown starts today.
    """
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        action = Action.APPROVE_TERMINATION if approve else Action.REJECT_TERMINATION
        transition = plan(agreement, action, party, reason=reason)
        termination = _open_termination(agreement)
        now = timezone.now()
        if not approve:
            termination.state = TerminationState.REJECTED
            termination.reason = reason.strip()
            termination.decided_at = now
        elif transition.target == State.TERMINATION_REVIEW:
            termination.level = "school"  # the college passed it on
        else:
            s = get_school_settings()
            used = Termination.objects.filter(
                graduate_id=agreement.graduate_id, state=TerminationState.APPROVED
            ).count()
            termination.state = TerminationState.APPROVED
            termination.decided_at = now
            termination.approved_on = workdays.today()
            termination.cooldown_working_days = s.termination_cooldown_working_days
            termination.approved_number = used + 1
            termination.allowance = s.terminations_allowed
        try:
            with transaction.atomic():
                termination.save()
        except IntegrityError as exc:
            if constraint_name(exc) in (
                "term_within_allowance",
                "term_approved_number_per_graduate",
            ):
                raise TransitionRefused(
                    _("该毕业生的解约次数已用完，不能再批准解约。"), code="allowance_used"
                ) from exc
            raise
        _apply(actor, agreement, transition, reason=reason, data={"termination": termination.pk})
        if transition.target == State.TERMINATED:
            # The 毕业去向 of this agreement is void: back to 70 待就业 until the next one.
            destinations.void_for_termination(actor=actor, agreement=agreement, reason=reason)
        return termination
