"""Chinese working days: the one place that counts days (nothing else adds dates).

Working days are Monday to Friday, minus statutory holidays, plus make-up working days
(调休). Years the State Council's notice is entered for (`workcalendar`, public schema) are
exact. Any other year is estimated: weekends and the fixed statutory holidays (from the
`holidays` package, its guessed "observed" days left out), with no 调休; a result that passed
through such a year says so (`estimated`), and is recomputed from the table as soon as an
operator enters the year, because results are never stored, only their inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Result:
    date: date
    estimated: bool  # the count passed through a year whose notice is not entered yet

    def label(self) -> str:
        text = format_date(self.date)
        return _("%(date)s（预估）") % {"date": text} if self.estimated else text


def today() -> date:
    """The school's today (Asia/Shanghai); tests move it by replacing this function."""
    return timezone.localdate()


def format_date(value: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def add_days(start: date, days: int) -> date:
    """Calendar days (a publicity period): here too, so that every date sum lives in one place."""
    return start + timedelta(days=days)


@lru_cache(maxsize=64)
def _estimated_holidays(year: int) -> frozenset[date]:
    import holidays

    named = holidays.China(years=year, language="en_US")
    return frozenset(d for d, name in named.items() if "observed" not in name.lower())


def _calendar(start: date, end: date) -> tuple[set[int], dict[date, bool]]:
    from workcalendar.models import CalendarYear, SpecialDay

    known = set(
        CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year).values_list(
            "year", flat=True
        )
    )
    special = dict(
        SpecialDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    )
    return known, special


def _is_workday(day: date, known: set[int], special: dict[date, bool]) -> bool:
    if day.year in known:
        if day in special:
            return special[day]
        return day.weekday() < 5
    return day.weekday() < 5 and day not in _estimated_holidays(day.year)


def working(day: date) -> bool:
    """Whether `day` is a working day (estimated for a year not entered yet)."""
    known, special = _calendar(day, day)
    return _is_workday(day, known, special)


def add_working_days(start: date, count: int) -> Result:
    """The `count`-th working day after `start` (start itself not counted)."""
    # Sixty working days never span more than ~100 calendar days; widen the window if needed.
    span = count * 2 + 40
    while True:
        end = start + timedelta(days=span)
        known, special = _calendar(start, end)
        day, n, estimated = start, 0, False
        while n < count and day < end:
            day += timedelta(days=1)
            if day.year not in known:
                estimated = True
            if _is_workday(day, known, special):
                n += 1
        if n == count:
            return Result(date=day, estimated=estimated)
        span *= 2


def cooldown_end(approved_on: date, working_days: int) -> tuple[Result, date]:
    """After `working_days` full working days from the approval: (the last day, the day after).

    The graduate may accept or submit again from the day after the last working day.
    """
    last = (
        add_working_days(approved_on, working_days) if working_days else Result(approved_on, False)
    )
    return last, last.date + timedelta(days=1)
