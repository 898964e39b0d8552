"""Chinese working days: the published calendar, the estimate for years not entered, imports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django_tenants.utils import schema_context

from core import workdays
from core.models import AuditLog
from tests.utils import OPERATOR_PASSWORD, logged_in_client
from workcalendar.models import CalendarYear, SpecialDay
from workcalendar.services import enter_year


def test_the_seed_matches_chinesecalendar_for_every_published_year(db):
    import chinese_calendar

    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(range(2004, 2027))
    for start in (date(2019, 9, 20), date(2024, 1, 25), date(2026, 2, 10), date(2026, 9, 15)):
        for n in (1, 5, 10, 30):
            expected = [
                d
                for d in chinese_calendar.get_workdays(start + timedelta(1), start + timedelta(90))
            ][n - 1]
            got = workdays.add_working_days(start, n)
            assert got.date == expected and not got.estimated, (start, n)


def test_spring_festival_2026_with_its_make_up_saturdays(db):
    assert workdays.working(date(2026, 2, 14))  # 调休 Saturday
    assert not workdays.working(date(2026, 2, 16))  # 春节
    assert not workdays.working(date(2026, 2, 23))  # 春节 (a Monday)
    assert workdays.working(date(2026, 2, 28))  # 调休 Saturday
    assert workdays.add_working_days(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 14), 1).date == date(2026, 2, 24)


def test_a_year_not_entered_is_estimated_on_weekends_and_statutory_holidays(db):
    r = workdays.add_working_days(date(2027, 2, 1), 5)
    # 2/2-2/4 working (3), 2/5 除夕 and 2/6-2/8 春节 off, 2/9 (4) and 2/10 (5) working: the
    # package's guessed "observed" days are not used, and no 调休 is invented
    assert r.estimated and r.date == date(2027, 2, 10)
    assert "预估" in r.label()


def test_an_entered_year_replaces_the_estimate_and_is_audited(db):
    with schema_context("public"):
        operator_actor = _operator_actor()
        enter_year(
            actor=operator_actor,
            year=2027,
            text="2027-02-05~2027-02-11,休,春节\n2027-02-13,班,春节调休\n2027-02-14,班,春节调休",
            notice="国办发明电〔2026〕测试号",
        )
        r = workdays.add_working_days(date(2027, 2, 4), 3)
        assert not r.estimated and r.date == date(2027, 2, 14)  # 2/12, 2/13, 2/14
        log = AuditLog.objects.get(action="workcalendar.year_entered")
        assert log.actor_username == "operator" and log.data["holidays"] == 5
        # entering it again replaces (an operator's correction)
        enter_year(actor=operator_actor, year=2027, text="2027-02-11,休,春节")
        assert SpecialDay.objects.filter(date__year=2027).count() == 1


def test_bad_lines_are_refused_naming_the_line_and_change_nothing(db):
    with schema_context("public"):
        with pytest.raises(ValidationError) as exc:
            enter_year(
                actor=_operator_actor(), year=2027, text="2027-02-05,休,春节\n2027-13-01,休\nfoo"
            )
        text = " ".join(exc.value.messages)
        assert "第 2 行" in text and "第 3 行" in text
        assert not CalendarYear.objects.filter(year=2027).exists()
        with pytest.raises(PermissionDenied):
            from core.context import Actor

            enter_year(actor=Actor(user=None, via="web"), year=2027, text="2027-02-05,休")


def test_the_command_and_the_operator_page(db, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-10-01~2027-10-07,休,国庆节\n2027-10-09,班,国庆调休\n", encoding="utf-8")
    call_command("import_holidays", "2027", str(path), "--notice", "国办发明电〔2026〕1号")
    with schema_context("public"):
        assert CalendarYear.objects.get(year=2027).source == "notice"
        assert not workdays.working(date(2027, 10, 4)) and workdays.working(date(2027, 10, 9))
    client = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    page = client.get("/operator/calendar/?year=2027")
    assert page.status_code == 200 and "2027-10-09,班,国庆调休" in page.content.decode()
    r = client.post(
        "/operator/calendar/", {"year": "2028", "text": "2028-01-03,休,元旦", "notice": ""}
    )
    assert r.status_code == 302
    with schema_context("public"):
        assert CalendarYear.objects.filter(year=2028).exists()
    bad = client.post("/operator/calendar/", {"year": "2028", "text": "nonsense"})
    assert "第 1 行格式不对" in bad.content.decode()


def _operator_actor():
    from accounts.models import User
    from tests.factories.agreements import web

    return web(User.objects.get(username="operator"))
