"""Who the actor is to one agreement (a read: services and selectors both ask it)."""

from __future__ import annotations

from accounts.models import Role
from agreements import links
from agreements.models import Agreement, Origin
from agreements.workflow import Party
from core.context import Actor


def party_of(actor: Actor, agreement: Agreement) -> Party | None:
    """The actor's relation to this agreement; None: they may not even see it."""
    if actor.user is None:
        return Party.SYSTEM if actor.via in ("task", "cli") else None
    role = actor.role
    if role == Role.EMPLOYER:
        employer = links.employer_for_user(actor.user)
        # Compared through the merge resolution: a school keeps the id it was given.
        if employer is None or links.surviving_employer_id(agreement.employer_id) != employer.pk:
            return None
        if agreement.origin == Origin.GRADUATE and agreement.current_version_id is None:
            # A graduate's own draft that names this employer is the graduate's business
            # until it is submitted (then the employer sees only its part: selectors).
            return None
        return Party.EMPLOYER
    if role == Role.GRADUATE:
        return Party.GRADUATE if agreement.graduate.user_id == actor.user_id else None
    if role == Role.COLLEGE_ADMIN:
        if agreement.graduate.college_id in links.college_ids_for(actor.user):
            return Party.COLLEGE
        return None
    if role == Role.SCHOOL_ADMIN:
        return Party.SCHOOL
    return None
