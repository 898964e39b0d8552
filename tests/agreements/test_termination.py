"""Termination (解约) through the real services: every setting changes the flow as documented,
the allowance and the cooldown hold, every party hears of every step."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django_tenants.utils import schema_context

from agreements import termination
from agreements.models import Agreement, AgreementVersion, State, Termination
from agreements.workflow import TransitionRefused
from core import workdays
from core.models import AuditLog
from employer_inbox.models import Notice
from employers.models import AgreementIndexEntry
from notifications.models import Message
from tests.agreements import flows
from tests.factories import agreements as f


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """School alpha's cast and two employers, once for the module (rolled back after it)."""
    from settings_per_school.services import update_school_settings
    from tenants.models import School

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            school = School.objects.get(subdomain="alpha")
            cast = f.build_school(school, graduates=3, prefix="2023")
            employer, other = f.make_employer(), f.make_employer()
            with f.in_school(school):
                update_school_settings(
                    actor=cast.admin_actor(),
                    changes={"allow_student_initiation": True, "allow_termination": True},
                )
            connection.set_schema_to_public()
            yield cast, employer, other
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


@pytest.fixture
def cast(world, db):
    return world[0]


@pytest.fixture
def employer(world):
    return world[1]


@pytest.fixture
def other_employer(world):
    return world[2]


@pytest.fixture
def today(monkeypatch):
    """Move the school's today (the one clock the rules read)."""
    state = {"day": workdays.today()}
    monkeypatch.setattr(workdays, "today", lambda: state["day"])

    def move(day: date) -> None:
        state["day"] = day

    return move


def _settings(cast, **changes):
    from settings_per_school.services import update_school_settings

    update_school_settings(actor=cast.admin_actor(), changes=changes)


def _signed(cast, employer, other, graduate, origin="employer") -> Agreement:
    return flows.in_state(cast, employer, other, graduate, origin, State.SIGNED)


def _state(a: Agreement) -> str:
    return Agreement.objects.get(pk=a.pk).state


# --- the default flow -------------------------------------------------------------------------


def test_graduate_applies_employer_consents_school_approves(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        versions = AgreementVersion.objects.filter(agreement=a).count()
        t = flows.apply_termination(cast, a, f.web(graduate.user), images=2)
        assert _state(a) == State.TERMINATION_REQUESTED
        assert t.proofs.count() == 2 and t.applicant == "graduate"
        # still bound: no other accept while the termination is pending
        b = flows.invite(cast, other_employer, cast.graduates[1])  # another graduate's invite
        assert b.state == State.INVITED
        hr_notices = Notice.objects.filter(agreement_id=a.pk, event="termination_requested")
        assert hr_notices.count() == 1 and "同意或不同意" in hr_notices.get().body

        flows.consent_termination(cast, a, employer.actor)
        assert _state(a) == State.TERMINATION_REVIEW
        t.refresh_from_db()
        assert t.consent_online is True and t.level == "school"

        flows.review_termination(cast, a)
        a.refresh_from_db()
        t.refresh_from_db()
        assert a.state == State.TERMINATED and t.state == "approved" and t.approved_number == 1
        # the agreement keeps its versions and history; nothing deleted
        assert AgreementVersion.objects.filter(agreement=a).count() == versions
        actions = list(
            AuditLog.objects.filter(target_id=str(a.pk), target_type="agreements.agreement")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions[-3:] == [
            "agreement.apply_termination",
            "agreement.consent_termination",
            "agreement.approve_termination",
        ]
        # every party heard of every step
        events = set(Message.objects.filter(user=graduate.user).values_list("event", flat=True))
        assert {"termination_requested", "termination_consented", "termination_approved"} <= events
        approved = Message.objects.filter(user=graduate.user, event="termination_approved").get()
        assert "个工作日" in approved.body and "起可重新应约" in approved.body
        hr_events = set(Notice.objects.filter(agreement_id=a.pk).values_list("event", flat=True))
        assert {"termination_requested", "termination_consented", "termination_approved"} <= (
            hr_events
        )
        # mirrored to the cross-school index the HR reads
        entry = AgreementIndexEntry.objects.get(school=cast.tenant, agreement_id=a.pk)
        assert entry.state == State.TERMINATED


def test_applying_needs_an_explanation_and_one_to_nine_images(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        me = f.web(graduate.user)

        def apply(explanation, images):
            return termination.apply_termination(
                actor=me, agreement_id=a.pk, explanation=explanation, images=images
            )

        with pytest.raises(ValidationError) as exc:
            apply("协商一致", [])
        assert "images" in exc.value.message_dict
        with pytest.raises(ValidationError):
            apply("协商一致", [f.png_upload() for _ in range(10)])
        with pytest.raises(ValidationError) as exc:
            apply("协商一致", [SimpleUploadedFile("letter.png", b"not an image")])
        assert "第 1 张图片" in " ".join(exc.value.message_dict["images"])
        with pytest.raises(ValidationError) as exc:
            apply("  ", [f.png_upload()])
        assert "reason" in exc.value.message_dict
        assert _state(a) == State.SIGNED and not Termination.objects.filter(agreement=a).exists()


def test_a_typed_in_employers_letter_is_its_consent_and_the_school_sees_it(
    cast, employer, other_employer
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate, origin="graduate")
        t = flows.apply_termination(cast, a, f.web(graduate.user))
        assert _state(a) == State.TERMINATION_REVIEW and t.consent_online is False
        from tests.utils import logged_in_client

        page = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD).get(
            "/agreements/terminations/"
        )
        assert "未在线确认" in page.content.decode()


def test_refusal_rejection_and_withdrawal_go_back_to_signed_with_the_reason(
    cast, employer, other_employer
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor, consent=False)
        a.refresh_from_db()
        assert a.state == State.SIGNED and a.last_reason == "单位不同意解约"
        assert Message.objects.filter(user=graduate.user, event="termination_refused").exists()

        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        flows.review_termination(cast, a, approve=False)
        a.refresh_from_db()
        assert a.state == State.SIGNED and a.last_reason == "材料不全"

        flows.apply_termination(cast, a, f.web(graduate.user))
        termination.withdraw_termination(actor=f.web(graduate.user), agreement_id=a.pk)
        assert _state(a) == State.SIGNED
        states = list(Termination.objects.filter(agreement=a).order_by("pk").values_list("state"))
        assert states == [("refused",), ("rejected",), ("withdrawn",)]  # nothing deleted
        # none of these used the allowance
        assert termination.cooldown_of(graduate) is None


# --- each setting changes the flow --------------------------------------------------------------


def test_closed_termination_is_refused_with_the_reason(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(cast, allow_termination=False)
        with pytest.raises(TransitionRefused, match="学校未开放解约申请"):
            flows.apply_termination(cast, a, f.web(graduate.user))


def test_who_may_start(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        with pytest.raises(TransitionRefused, match="须由毕业生发起"):
            flows.apply_termination(cast, a, employer.actor)
        _settings(cast, termination_starter="graduate_or_employer")
        flows.apply_termination(cast, a, employer.actor)
        assert _state(a) == State.TERMINATION_REQUESTED
        # the employer applied: the graduate consents, not the employer
        with pytest.raises(TransitionRefused):
            flows.consent_termination(cast, a, employer.actor)
        flows.consent_termination(cast, a, f.web(graduate.user))
        assert _state(a) == State.TERMINATION_REVIEW


def test_without_required_consent_the_application_goes_straight_to_review(
    cast, employer, other_employer
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(cast, termination_employer_consent_required=False)
        t = flows.apply_termination(cast, a, f.web(graduate.user))
        assert _state(a) == State.TERMINATION_REVIEW and t.consent_online is None


def test_college_then_school_review(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(cast, termination_review_levels="college_then_school")
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        with pytest.raises(TransitionRefused, match="不在学校审核阶段"):
            flows.review_termination(cast, a, level="school")
        with pytest.raises(Http404):  # another college's admin does not see it
            termination.review_termination(
                actor=f.web(cast.college_admins[1]), agreement_id=a.pk, approve=True
            )
        flows.review_termination(cast, a, level="college")
        assert _state(a) == State.TERMINATION_REVIEW
        assert Termination.objects.get(agreement=a, state="review").level == "school"
        with pytest.raises(TransitionRefused, match="不在院系审核阶段"):
            flows.review_termination(cast, a, level="college")
        flows.review_termination(cast, a, level="school")
        assert _state(a) == State.TERMINATED


def test_the_allowance_counts_approved_terminations_ever(cast, employer, other_employer, today):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        _settings(cast, termination_cooldown_working_days=0)
        a = _signed(cast, employer, other_employer, graduate)
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        flows.review_termination(cast, a)
        today(workdays.add_days(workdays.today(), 1))
        b = flows.in_state(cast, other_employer, employer, graduate, "employer", State.SIGNED)
        with pytest.raises(TransitionRefused, match="解约次数（1 次）已用完"):
            flows.apply_termination(cast, b, f.web(graduate.user))
        _settings(cast, terminations_allowed=2)
        flows.apply_termination(cast, b, f.web(graduate.user))
        flows.consent_termination(cast, b, other_employer.actor)
        flows.review_termination(cast, b)
        assert _state(b) == State.TERMINATED
        numbers = Termination.objects.filter(graduate=graduate, state="approved")
        assert sorted(numbers.values_list("approved_number", flat=True)) == [1, 2]


def test_the_database_holds_the_allowance(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        flows.review_termination(cast, a)
        t = Termination.objects.get(agreement=a, state="approved")
        with pytest.raises(IntegrityError), transaction.atomic():
            Termination.objects.filter(pk=t.pk).update(approved_number=2)  # over allowance 1
        clone = Termination(
            agreement=a,
            graduate=graduate,
            applicant="graduate",
            explanation="x",
            state="approved",
            approved_on=t.approved_on,
            approved_number=1,
            allowance=5,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            clone.save()  # the same number twice for one graduate


def test_the_application_window(cast, employer, other_employer, today):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(
            cast, termination_window_from=date(2027, 3, 1), termination_window_to=date(2027, 5, 31)
        )
        today(date(2027, 2, 28))
        with pytest.raises(TransitionRefused, match="2027年3月1日 至 2027年5月31日"):
            flows.apply_termination(cast, a, f.web(graduate.user))
        today(date(2027, 3, 1))
        flows.apply_termination(cast, a, f.web(graduate.user))
        assert _state(a) == State.TERMINATION_REQUESTED


def test_the_publicity_period_holds_the_schools_decision(cast, employer, other_employer, today):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(cast, termination_publicity_days=5)
        today(date(2026, 12, 7))
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        t = Termination.objects.get(agreement=a, state="review")
        assert t.publicity_ends_on == date(2026, 12, 12)
        today(date(2026, 12, 12))
        with pytest.raises(TransitionRefused, match="公示期至 2026年12月12日"):
            flows.review_termination(cast, a)
        today(date(2026, 12, 13))
        flows.review_termination(cast, a)
        assert _state(a) == State.TERMINATED


# --- the cooldown ---------------------------------------------------------------------------------


def test_accept_and_submit_are_refused_during_the_cooldown_and_allowed_the_day_after(
    cast, employer, other_employer, today
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        _settings(cast, termination_cooldown_working_days=10)
        today(date(2026, 2, 10))  # 10 working days across 春节 2026 and its 调休 Saturday
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        flows.review_termination(cast, a)
        # 2/11-13 (3), 2/14 调休 Sat (4), 2/15-23 off, 2/24-27 (8), 2/28 调休 Sat (9), 3/2 (10)
        cooldown = termination.cooldown_of(graduate)
        assert cooldown.last_day.date == date(2026, 3, 2) and not cooldown.estimated
        assert cooldown.available_from == date(2026, 3, 3)
        b = flows.invite(cast, other_employer, graduate)
        own = flows.own_draft(graduate)
        today(date(2026, 3, 2))
        with pytest.raises(TransitionRefused) as exc:
            flows.accept(b, graduate)
        assert "解约后须满 10 个工作日，2026年3月3日 起可重新应约" in str(exc.value)
        with pytest.raises(TransitionRefused, match="2026年3月3日 起可重新应约"):
            flows.submit(own, graduate)
        today(date(2026, 3, 3))
        flows.accept(b, graduate)
        assert _state(b) == State.COLLEGE_REVIEW


def test_a_cooldown_through_a_year_without_data_is_estimated_then_exact(
    cast, employer, other_employer, today
):
    from workcalendar.services import enter_year

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, other_employer, graduate)
        today(date(2026, 12, 1))  # 30 working days end in 2027, whose notice is not entered
        flows.apply_termination(cast, a, f.web(graduate.user))
        flows.consent_termination(cast, a, employer.actor)
        flows.review_termination(cast, a)
        estimated = termination.cooldown_of(graduate)
        assert estimated.estimated
        # 12/2..12/31: 22 working days; 1/1 holiday; 1/4..1/13: 8 more (weekends off, no 调休)
        assert estimated.last_day.date == date(2027, 1, 13)
        assert "2027年1月14日（预估） 起可重新应约" in estimated.message
        # The operator enters 2027 from the notice: say Saturday 1/2 is a 调休 working day.
        with schema_context("public"):
            enter_year(
                actor=f.web(_operator()),
                year=2027,
                text="2027-01-01,休,元旦\n2027-01-02,班,元旦调休",
                notice="国办发明电〔2026〕测试号",
            )
        exact = termination.cooldown_of(graduate)
        assert not exact.estimated and exact.last_day.date == date(2027, 1, 12)
        assert exact.message == "解约后须满 30 个工作日，2027年1月13日 起可重新应约。"


def _operator():
    from accounts.models import User

    return User.objects.get(username="operator")
