"""The few calls this app makes into its neighbours (students, employers, notifications).

Kept in one place so the rest of the app reads as agreements code; each function is a thin
pass-through to the owning app's public services or selectors.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection


@lru_cache(maxsize=1024)
def _school_id_for_schema(schema_name: str) -> int:
    from tenants.models import School

    return School.objects.only("id").get(schema_name=schema_name).pk


def current_school():
    """The school whose schema the connection is in (tenant context only)."""
    from tenants.models import School

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, School):
        return tenant
    return School.objects.get(pk=_school_id_for_schema(connection.schema_name))


# --- students -----------------------------------------------------------------------------


def graduate_model():
    from students.models import Graduate

    return Graduate


def graduate_for_user(user) -> Any | None:
    Graduate = graduate_model()
    if user is None or getattr(user, "pk", None) is None:
        return None
    return Graduate.objects.filter(user_id=user.pk).select_related("college").first()


def find_graduate(student_number: str, name: str) -> Any | None:
    """Both 学号 and 姓名 must match: an employer can never look a graduate up by one alone."""
    Graduate = graduate_model()
    student_number, name = (student_number or "").strip(), (name or "").strip()
    if not student_number or not name:
        return None
    return Graduate.objects.filter(student_number=student_number, name=name).first()


def can_sign(graduate) -> bool:
    from students.selectors import can_sign as students_can_sign

    return students_can_sign(graduate)


def notify_reviewers(graduate, level: str) -> None:
    """Tell the teachers of `level` ("college" / "school") that an agreement waits for them."""
    from students.reviewers import notify_agreement_waiting

    notify_agreement_waiting(graduate, level)


def college_ids_for(user) -> set[int]:
    """The colleges a college admin is bound to."""
    return set(user.admin_colleges.values_list("pk", flat=True))


# --- employers (public schema) ------------------------------------------------------------


def employer_for_user(user) -> Any | None:
    from employers.services import membership_of

    membership = membership_of(user)
    return membership.employer if membership is not None else None


def verified_employer_for_user(user) -> Any | None:
    """The HR user's organisation if it may invite graduates (the one check, on every send)."""
    from employers.selectors import verified_employer_of

    return verified_employer_of(user)


def employer_by_id(employer_id: int) -> Any | None:
    """The employer a stored id stands for now (a merged-away id gives the survivor)."""
    from employers.models import Employer

    return Employer.objects.filter(pk=surviving_employer_id(employer_id)).first()


def surviving_employer_id(employer_id: int | None) -> int | None:
    from employers.selectors import surviving_employer_id as resolve

    return resolve(employer_id)


def employer_id_family(employer_id: int) -> list[int]:
    """The ids a school may have stored for this employer (its own and merged-away ones)."""
    from employers.selectors import employer_id_family as family

    return family(employer_id)


def sync_index(agreement, *, school=None) -> None:
    """Mirror the agreement into the public cross-school index (same transaction)."""
    if not agreement.employer_id:
        return
    if agreement.origin == "graduate" and agreement.current_version_id is None:
        return  # a graduate's unsubmitted draft is not the employer's to see
    from employers.services import upsert_agreement_index

    school = school or current_school()
    upsert_agreement_index(
        school=school,
        agreement_id=agreement.pk,
        employer_id=agreement.employer_id,
        graduate_name=agreement.graduate.name,
        state=agreement.state,
        position=(agreement.draft_content or {}).get("position", ""),
        updated_at=agreement.updated_at,
        # The HR typed this graduate's 学号 and 姓名 to invite them: show what they know.
        student_number=agreement.graduate.student_number,
        known_to_employer=agreement.origin == "employer",
    )


def sync_index_states(agreements: list, *, school) -> None:
    """A state-only change of many agreements (the expiry sweep): one UPDATE of the index.

    Rows the index does not know yet go through the full upsert.
    """
    from employers.services import update_agreement_index_states

    mine = [a for a in agreements if a.employer_id]
    if not mine:
        return
    known = update_agreement_index_states(
        school=school,
        states={a.pk: a.state for a in mine},
        updated_at=mine[0].updated_at,
    )
    for agreement in mine:
        if agreement.pk not in known:
            sync_index(agreement, school=school)


# --- notifications ------------------------------------------------------------------------


def notify(*, user, event: str, title: str, body: str, url: str = "", data=None) -> None:
    from notifications.services import notify as _notify

    _notify(user=user, event=event, title=title, body=body, data=data or {}, url=url)


def notify_employer(
    agreement, *, event: str, title: str, body: str, url: str = "", school=None
) -> None:
    """In-app notice to the employer's HR users (they live in the public schema)."""
    if not agreement.employer_id:
        return
    from employer_inbox.services import post_notice
    from notifications.events import require_known

    require_known(event)
    post_notice(
        employer_id=surviving_employer_id(agreement.employer_id),
        school=school or current_school(),
        event=event,
        title=title,
        body=body,
        agreement_id=agreement.pk,
    )


def notify_employers(agreements: list, *, event: str, title: str, body, school) -> None:
    """The same notice about many agreements (the sweep), written in one INSERT."""
    from employer_inbox.services import post_notices

    post_notices(
        [
            {
                "employer_id": surviving_employer_id(a.employer_id),
                "agreement_id": a.pk,
                "event": event,
                "title": title,
                "body": body(a),
            }
            for a in agreements
            if a.employer_id
        ],
        school=school,
    )


def colleges_for_dashboard(actor) -> list:
    """The colleges an admin's dashboard covers: all of them, or a college admin's own."""
    from students.models import College

    qs = College.objects.order_by("pk")
    if actor.role == "college_admin":
        qs = qs.filter(pk__in=college_ids_for(actor.user))
    return list(qs)


def approved_graduate_counts_by_college(college_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    from students.models import VerificationState

    return dict(
        graduate_model()
        .objects.filter(state=VerificationState.APPROVED, college_id__in=college_ids)
        .values_list("college_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def employer_dashboard(employer, *, school=None, state=None):
    """The employer's invitations and agreements in every school, from the public index."""
    from employers.selectors import employer_dashboard as _employer_dashboard

    return _employer_dashboard(employer, school=school, state=state)["entries"]
