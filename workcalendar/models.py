"""The platform-wide calendar of Chinese working days (public schema, shared by every school).

Only the exceptions to "Monday to Friday" are stored: statutory holidays on weekdays and
make-up working days (调休) on weekends. A year is known once it is in `CalendarYear`
(seeded from `chinesecalendar` for 2004–2026, then entered by operators from the State
Council's notice each year); dates in other years are estimated (see core/workdays.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=32)  # chinesecalendar / notice
    notice = models.CharField(_("国务院办公厅通知"), max_length=200, blank=True)
    entered_at = models.DateTimeField(auto_now=True)
    entered_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("已公布年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    date = models.DateField(_("日期"), primary_key=True)
    # False: a holiday on a weekday; True: a make-up working day on a weekend.
    is_workday = models.BooleanField(_("上班"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"
