"""The operators' page for the working-day calendar (platform host)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.models import Role
from core.context import actor_from_request
from workcalendar import selectors
from workcalendar.services import FORMAT_HELP, enter_year


@role_required(Role.OPERATOR)
def calendar_page(request):
    errors: list[str] = []
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or date.today().year + 1)
    except ValueError:
        year = date.today().year + 1
    text = request.POST.get("text", "") if request.method == "POST" else selectors.year_text(year)
    notice = request.POST.get("notice", "")
    if request.method == "POST":
        try:
            enter_year(actor=actor_from_request(request), year=year, text=text, notice=notice)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(year)d 年工作日历已保存。") % {"year": year})
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "workcalendar/calendar.html",
        {
            "years": selectors.known_years(),
            "year": year,
            "known": selectors.known_years().filter(year=year).first(),
            "text": text,
            "notice": notice,
            "errors": errors,
            "help": FORMAT_HELP,
        },
    )
