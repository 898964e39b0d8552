"""Reads: a graduate's destination and history, the review queue, the season's statistics.

The statistics' denominators are honest: every rate is over ALL graduates on the roster
(of the college, the major, the school), and every college and major is listed, zero or not.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from codetables import files
from codetables import selectors as codetables
from core.context import Actor
from core.models import AuditLog
from destinations import rules
from destinations.models import Destination, Status
from students.models import College, Graduate, Major


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


# One pass over the roster: each graduate's major, 生源 state, signed / in-review agreement and
# current destination code, grouped. Hash joins over the three tables (no per-graduate probes).
_FIGURES_SQL = """
WITH a AS (
    SELECT graduate_id,
           bool_or(state = 'signed') AS signed,
           bool_or(state IN ('submitted', 'college_review', 'school_review')) AS in_review
    FROM agreements_agreement
    WHERE state IN ('signed', 'submitted', 'college_review', 'school_review')
    GROUP BY graduate_id
)
SELECT g.major_id, g.state = 'approved', coalesce(a.signed, false),
       coalesce(a.in_review, false), d.code, count(*)
FROM students_graduate g
LEFT JOIN a ON a.graduate_id = g.id
LEFT JOIN destinations_destination d ON d.graduate_id = g.id AND d.is_current
WHERE %(all)s OR g.college_id = ANY(%(colleges)s)
GROUP BY 1, 2, 3, 4, 5
"""
_CURVE_SQL = """
SELECT (a.signed_at AT TIME ZONE %(tz)s)::date AS day, count(*)
FROM agreements_agreement a
WHERE a.state = 'signed' AND a.signed_at IS NOT NULL
  AND (%(all)s OR a.graduate_id IN (
        SELECT id FROM students_graduate WHERE college_id = ANY(%(colleges)s)))
GROUP BY 1 ORDER BY 1
"""


def _rows(sql: str, params: dict) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def statistics(actor: Actor) -> dict[str, Any]:
    """By college (each with its majors), the total row, by code and the signing curve."""
    colleges = list(visible_colleges(actor))
    college_ids = [c.pk for c in colleges]
    params = {"all": actor.role == Role.SCHOOL_ADMIN, "colleges": college_ids}
    majors = list(Major.objects.filter(college_id__in=college_ids).order_by("college_id", "name"))
    per_major: dict[int, Figures] = defaultdict(Figures)
    grouped = _rows(_FIGURES_SQL, params)
    categories = _category_of_codes({code for *_rest, code, _n in grouped if code})
    for major_id, approved, signed, in_review, code, n in grouped:
        figures = per_major[major_id]
        figures.graduates += n
        figures.approved += n if approved else 0
        figures.signed += n if signed else 0
        figures.in_review += n if in_review and not signed else 0
        if code:
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
        "curve": signing_curve(params),
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


def signing_curve(params: dict) -> list[tuple[datetime.date, int]]:
    """(day, graduates signed by the end of that day), for agreements signed now."""
    out, running = [], 0
    for day, n in _rows(_CURVE_SQL, {**params, "tz": settings.TIME_ZONE}):
        running += n
        out.append((day, running))
    return out
