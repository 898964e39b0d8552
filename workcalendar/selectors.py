from __future__ import annotations

from django.db.models import QuerySet

from workcalendar.models import CalendarYear, SpecialDay


def known_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.order_by("-year")


def year_text(year: int) -> str:
    """A year's entries in the import format (for the operator page's editor)."""
    return "\n".join(
        f"{d.date.isoformat()},{'班' if d.is_workday else '休'},{d.name}"
        for d in SpecialDay.objects.filter(date__year=year).order_by("date")
    )
