"""Reads: a graduate's destination and history, the review queue, the season's statistics.

The statistics' denominators are honest: every rate is over ALL graduates on the roster
(of the college, the major, the school), and every college and major is listed, zero or not.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from codetables import files
from codetables import selectors as codetables
from core.context import Actor
from core.models import AuditLog
from destinations import rules
from destinations.models import Destination, Status
from students.models import College, Graduate, Major, VerificationState

REVIEW_STATES = ("submitted", "college_review", "school_review")


def visible_colleges(actor: Actor) -> QuerySet[College]:
    qs = College.objects.order_by("pk")
    if actor.role == Role.SCHOOL_ADMIN:
        return qs
    if actor.role == Role.COLLEGE_ADMIN:
        return qs.filter(pk__in=actor.user.admin_colleges.values("pk"))
    return qs.none()


def visible_graduates(actor: Actor) -> QuerySet[Graduate]:
    return Graduate.objects.filter(college__in=visible_colleges(actor))


# --- one graduate --------------------------------------------------------------------------


def graduate_for(actor: Actor) -> Graduate | None:
    if actor.role != Role.GRADUATE:
        return None
    return Graduate.objects.select_related("college", "major").filter(user=actor.user).first()


def current_of(graduate: Graduate) -> Destination | None:
    return Destination.objects.filter(graduate=graduate, is_current=True).first()


def pending_of(graduate: Graduate) -> Destination | None:
    return Destination.objects.filter(graduate=graduate, status=Status.PENDING).first()


def history_of(graduate: Graduate) -> list[Destination]:
    return list(Destination.objects.filter(graduate=graduate).order_by("-created_at", "-id"))


def get_destination(actor: Actor, pk: int) -> Destination:
    """The record if the actor may see it (own, or of a college they review); else 404."""
    record = (
        Destination.objects.select_related("graduate", "graduate__college", "graduate__major")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404(_("登记记录不存在。"))
    if actor.role == Role.GRADUATE and record.graduate.user_id == actor.user_id:
        return record
    if visible_colleges(actor).filter(pk=record.graduate.college_id).exists():
        return record
    raise Http404(_("登记记录不存在。"))


def review_queue(actor: Actor) -> QuerySet[Destination]:
    return (
        Destination.objects.select_related("graduate", "graduate__college", "graduate__major")
        .filter(status=Status.PENDING, graduate__college__in=visible_colleges(actor))
        .order_by("created_at", "pk")
    )


def describe(record: Destination) -> dict[str, Any]:
    """The record for a page: names of every code, in the versions it was registered with."""
    versions = record.code_versions or {}
    req = rules.requirement(record.code)
    rows = []
    for name in rules.FIELDS:
        value = getattr(record, name)
        if not value:
            continue
        if name in rules.CODED:
            table = rules.CODED[name]
            shown = f"{value} {codetables.name_of(table, value, versions.get(table))}"
        elif name == "region_code":
            shown = f"{value} {codetables.region_label(value, versions.get(files.REGION))}"
        else:
            shown = value
        rows.append((req.label(name) if req else str(rules.FIELD_LABELS[name]), shown))
    return {
        "record": record,
        "code_name": codetables.name_of(
            files.DESTINATION, record.code, versions.get(files.DESTINATION)
        ),
        "rows": rows,
        "proofs": list(record.proofs.all()),
    }


def history(record: Destination) -> list[dict[str, Any]]:
    """Who did what to the record, when and why, with Chinese labels."""
    from destinations.workflow import ACTION_LABELS

    rows = AuditLog.objects.filter(
        target_type=record._meta.label_lower, target_id=str(record.pk)
    ).order_by("created_at", "id")
    roles = dict(Role.choices)
    return [
        {
            "at": row.created_at,
            "who": str(roles.get(row.actor_role, _("系统"))),
            "action": str(ACTION_LABELS.get(row.action.removeprefix("destination."), "")),
            "reason": row.reason,
        }
        for row in rows
    ]


# --- the season's statistics ---------------------------------------------------------------


@dataclass
class Figures:
    graduates: int = 0
    approved: int = 0  # 生源 approved
    in_review: int = 0  # an agreement in review
    signed: int = 0
    employed: int = 0
    further_study: int = 0
    unplaced: int = 0  # registered 70 / 71 / 72
    by_code: dict[str, int] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return self.employed + self.further_study

    @property
    def unregistered(self) -> int:
        return self.graduates - self.employed - self.further_study - self.unplaced

    @property
    def signed_rate(self) -> float | None:
        return self.signed / self.graduates if self.graduates else None

    @property
    def placed_rate(self) -> float | None:
        """去向落实率: employed or further study / all graduates."""
        return self.placed / self.graduates if self.graduates else None

    def add(self, other: Figures) -> None:
        for name in (
            "graduates",
            "approved",
            "in_review",
            "signed",
            "employed",
            "further_study",
            "unplaced",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.by_code.items():
            self.by_code[code] = self.by_code.get(code, 0) + n


@dataclass
class Row:
    label: str
    figures: Figures
    college_id: int | None = None
    majors: list[Row] = field(default_factory=list)


def _category_of_codes(codes) -> dict[str, str]:
    return {code: codetables.category_of(code) for code in codes}


def statistics(actor: Actor) -> dict[str, Any]:
    """By college (each with its majors), the total row, by code and the signing curve."""
    from agreements.models import Agreement

    colleges = list(visible_colleges(actor))
    college_ids = [c.pk for c in colleges]
    majors = list(Major.objects.filter(college_id__in=college_ids).order_by("college_id", "name"))
    per_major: dict[int, Figures] = defaultdict(Figures)
    graduates = Graduate.objects.filter(college_id__in=college_ids)
    for major_id, n, approved in (
        graduates.values_list("major_id")
        .annotate(n=Count("id"), approved=Count("id", filter=Q(state=VerificationState.APPROVED)))
        .order_by()
    ):
        per_major[major_id].graduates = n
        per_major[major_id].approved = approved
    agreements = Agreement.objects.filter(graduate__college_id__in=college_ids)
    for major_id, state, n in (
        agreements.filter(state__in=("signed", *REVIEW_STATES))
        .values_list("graduate__major_id", "state")
        .annotate(n=Count("graduate_id", distinct=True))
        .order_by()
    ):
        if state == "signed":
            per_major[major_id].signed += n
        else:
            per_major[major_id].in_review += n
    current = list(
        Destination.objects.filter(is_current=True, graduate__college_id__in=college_ids)
        .values_list("graduate__major_id", "code")
        .annotate(n=Count("id"))
        .order_by()
    )
    categories = _category_of_codes({code for _m, code, _n in current})
    for major_id, code, n in current:
        figures = per_major[major_id]
        figures.by_code[code] = figures.by_code.get(code, 0) + n
        category = categories.get(code)
        if category == rules.EMPLOYED:
            figures.employed += n
        elif category == rules.FURTHER_STUDY:
            figures.further_study += n
        else:
            figures.unplaced += n

    rows = []
    total = Figures()
    majors_of: dict[int, list[Major]] = defaultdict(list)
    for major in majors:
        majors_of[major.college_id].append(major)
    for college in colleges:
        college_figures = Figures()
        major_rows = []
        for major in majors_of[college.pk]:
            figures = per_major.get(major.pk, Figures())
            college_figures.add(figures)
            major_rows.append(Row(label=major.name, figures=figures))
        total.add(college_figures)
        rows.append(
            Row(
                label=college.name,
                figures=college_figures,
                college_id=college.pk,
                majors=major_rows,
            )
        )
    return {
        "rows": rows,
        "total": Row(label=_("合计"), figures=total),
        "by_code": by_code(total),
        "curve": signing_curve(agreements),
    }


def by_code(total: Figures) -> list[dict[str, Any]]:
    """Every code of the current table (zero rows kept), then 未登记."""
    out = []
    for code, name in codetables.choices(files.DESTINATION):
        out.append({"code": code, "name": name, "count": total.by_code.get(code, 0)})
    known = {row["code"] for row in out}
    for code, n in sorted(total.by_code.items()):
        if code not in known:  # a code of an older table version
            out.append(
                {"code": code, "name": codetables.name_of(files.DESTINATION, code), "count": n}
            )
    out.append({"code": "", "name": _("未登记"), "count": total.unregistered})
    return out


def signing_curve(agreements) -> list[tuple[datetime.date, int]]:
    """(day, graduates signed by the end of that day), for agreements signed now."""
    tz = ZoneInfo(settings.TIME_ZONE)
    daily = (
        agreements.filter(state="signed", signed_at__isnull=False)
        .annotate(day=TruncDate("signed_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    out, running = [], 0
    for day, n in daily:
        running += n
        out.append((day, running))
    return out
