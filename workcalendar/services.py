"""Entering a year's holidays and make-up working days from the State Council's notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from workcalendar.models import CalendarYear, SpecialDay

FORMAT_HELP = _(
    "每行一项：日期或日期范围、“休”或“班”、名称，用逗号分隔。例如："
    "“2027-02-06~2027-02-13,休,春节”“2027-02-14,班,春节调休”。未列出的周一至周五上班、周六周日休息。"
)
_LINE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:[~～至]\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*[,，]\s*(休|班)\s*"
    r"(?:[,，]\s*(.*?))?\s*$"
)


@dataclass(frozen=True)
class Entry:
    day: date
    is_workday: bool
    name: str


def parse_year(year: int, text: str) -> list[Entry]:
    """The exceptions of `year`, or a ValidationError naming every bad line."""
    errors, entries = [], {}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(_("第 %(n)d 行格式不对：%(line)s") % {"n": number, "line": line.strip()})
            continue
        try:
            first = date.fromisoformat(_pad(match.group(1)))
            last = date.fromisoformat(_pad(match.group(2))) if match.group(2) else first
        except ValueError:
            errors.append(_("第 %(n)d 行的日期不存在。") % {"n": number})
            continue
        if first.year != year or last.year != year or last < first:
            errors.append(
                _("第 %(n)d 行的日期不在 %(year)d 年内或范围颠倒。") % {"n": number, "year": year}
            )
            continue
        workday = match.group(3) == "班"
        name = (match.group(4) or "").strip()[:50]
        day = first
        while day <= last:
            if day in entries and entries[day].is_workday != workday:
                errors.append(_("第 %(n)d 行与前面的行冲突：%(day)s") % {"n": number, "day": day})
            # Only exceptions are stored: a weekend "休" or a weekday "班" changes nothing.
            if workday == (day.weekday() >= 5):
                entries[day] = Entry(day, workday, name)
            day += timedelta(days=1)
    if errors:
        raise ValidationError({"text": errors})
    if not entries:
        raise ValidationError({"text": _("没有读到任何节假日或调休，请检查内容。")})
    return sorted(entries.values(), key=lambda e: e.day)


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


@transaction.atomic
def enter_year(*, actor: Actor, year: int, text: str, notice: str = "") -> CalendarYear:
    """Replace `year`'s holidays and 调休 with the notice's (operators only; audited).

    Dates computed through this year stop being estimates at once: nothing stores them.
    """
    if actor.via != "cli" and actor.role != Role.OPERATOR:
        raise NotAllowed(_("只有平台运营人员可以维护工作日历。"))
    if not 2004 <= year <= 2100:
        raise ValidationError({"year": _("年份应在 2004 至 2100 之间。")})
    entries = parse_year(year, text)
    before = SpecialDay.objects.filter(date__year=year).count()
    SpecialDay.objects.filter(date__year=year).delete()
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=e.day, is_workday=e.is_workday, name=e.name) for e in entries]
    )
    row, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "source": "notice",
            "notice": notice.strip()[:200],
            "entered_by": actor.username,
        },
    )
    audit.record(
        actor,
        "workcalendar.year_entered",
        target=row,
        data={
            "year": year,
            "notice": row.notice,
            "holidays": sum(1 for e in entries if not e.is_workday),
            "workdays": sum(1 for e in entries if e.is_workday),
            "replaced": before,
        },
    )
    return row
