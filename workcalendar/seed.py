"""The years `chinesecalendar` knows, as exceptions to Monday-to-Friday (used by the seed
migration; an operator's import of the same year replaces them)."""

from __future__ import annotations

from datetime import date, timedelta

FIRST_YEAR, LAST_YEAR = 2004, 2026

_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def special_days(year: int) -> list[tuple[date, bool, str]]:
    import chinese_calendar

    out = []
    day = date(year, 1, 1)
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        weekend = day.weekday() >= 5
        if workday == weekend:  # a weekday off, or a weekend day on
            _on, name = chinese_calendar.get_holiday_detail(day)
            name = _NAMES.get(name or "", name or "")
            out.append((day, workday, ("调休上班" if workday else name) or ""))
        day += timedelta(days=1)
    return out
