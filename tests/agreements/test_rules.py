"""The rules that hold whatever happens: one binding agreement, closing on signature, 生源 gate,
versions, expiry, the cross-school index and the notices."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements import selectors, services
from agreements.models import Agreement, AgreementVersion, Origin, State
from core.exceptions import NotAllowed
from employer_inbox.models import Notice
from employers.models import AgreementIndexEntry
from notifications.models import Message
from tests.agreements import flows
from tests.factories import agreements as f


def test_database_refuses_a_second_binding_agreement(cast, employer, other_employer):
    """Even code that skips the services can't give a graduate two agreements in review."""
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        b = flows.invite(cast, other_employer, graduate)
        flows.accept(a, graduate)
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=b.pk).update(state=State.COLLEGE_REVIEW)
        b.refresh_from_db()
        assert b.state == State.INVITED


def test_database_refuses_two_open_invitations_from_one_employer(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        with pytest.raises(ValidationError) as exc:
            flows.invite(cast, employer, graduate)
        assert "已有一份有效邀约" in str(exc.value)
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.create(
                graduate=graduate,
                origin=Origin.EMPLOYER,
                state=State.INVITED,
                employer_id=employer.org.pk,
                employer_name="x",
            )
        # After a withdrawal the employer may invite again.
        services.withdraw_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
        again = flows.invite(cast, employer, graduate)
        assert again.state == State.INVITED


def test_while_one_is_in_review_no_other_can_be_accepted_or_submitted(
    cast, employer, other_employer
):
    from settings_per_school.services import update_school_settings

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})
        a = flows.invite(cast, employer, graduate)
        b = flows.invite(cast, other_employer, graduate)
        own = flows.own_draft(graduate)
        flows.accept(a, graduate)
        with pytest.raises(ValidationError) as exc:
            flows.accept(b, graduate)
        assert "不能再应约" in str(exc.value)
        with pytest.raises(ValidationError):
            flows.submit(own, graduate)
        # A rejection frees the graduate again.
        flows.review(cast, a, level="college", approve=False, reason="岗位类别有误")
        flows.accept(b, graduate)
        b.refresh_from_db()
        assert b.state == State.COLLEGE_REVIEW


def test_signing_closes_the_other_open_invitations_with_a_reason_their_employers_see(
    cast, employer, other_employer
):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        b = flows.invite(cast, other_employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school")
        a.refresh_from_db()
        b.refresh_from_db()
        assert a.state == State.SIGNED and a.signed_at is not None
        assert b.state == State.CLOSED
        assert "已与其他单位签约" in b.last_reason
        notice = Notice.objects.get(employer=other_employer.org, event="invitation_closed")
        assert "已与其他单位签约" in notice.body
        entry = AgreementIndexEntry.objects.get(school=cast.tenant, agreement_id=b.pk)
        assert entry.state == State.CLOSED
        # …and the signed graduate can't be invited again (a new employer isn't told why).
        third = f.make_employer()
        with pytest.raises(ValidationError) as exc:
            flows.invite(cast, third, graduate)
        assert "不能接收新的邀约" in str(exc.value) and "签约" not in str(exc.value)


def test_only_an_approved_graduate_may_accept(school_a, employer):
    cast = f.build_school(school_a, graduates=1, approve=False, prefix="2023")
    graduate = cast.graduates[0]
    with f.in_school(school_a):
        a = flows.invite(cast, employer, graduate)
        with pytest.raises(ValidationError) as exc:
            flows.accept(a, graduate)
        assert "生源信息尚未审核通过" in str(exc.value)
        a.refresh_from_db()
        assert a.state == State.INVITED


def test_accept_needs_the_graduates_own_password(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        with pytest.raises(ValidationError) as exc:
            services.accept_invitation(
                actor=f.web(graduate.user), agreement_id=a.pk, version=1, password="wrong"
            )
        assert "password" in exc.value.message_dict
        a.refresh_from_db()
        assert a.state == State.INVITED


def test_returned_invitation_is_edited_and_resent_as_a_new_version_with_a_diff(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate, monthly_salary=8000)
        services.return_invitation(
            actor=f.web(graduate.user), agreement_id=a.pk, reason="月薪应为 9000 元"
        )
        notice = Notice.objects.get(employer=employer.org, event="invitation_returned")
        assert "月薪应为 9000 元" in notice.body
        services.edit_agreement(
            actor=employer.actor,
            agreement_id=a.pk,
            content=f.offer(monthly_salary=9000),
            school=cast.tenant,
        )
        services.send_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
        a.refresh_from_db()
        assert a.state == State.INVITED and a.current_version.number == 2
        v1 = AgreementVersion.objects.get(agreement=a, number=1)
        assert v1.content["monthly_salary"] == 8000, "versions are immutable"
        # The graduate can't accept the old version.
        with pytest.raises(ValidationError):
            services.accept_invitation(
                actor=f.web(graduate.user),
                agreement_id=a.pk,
                version=1,
                password=f.GRADUATE_PASSWORD,
            )
        agreement, party = selectors.get_agreement(f.web(graduate.user), a.pk)
        versions = selectors.versions_with_diffs(agreement)
        assert versions[0]["changes"] == [
            {"field": "monthly_salary", "label": "月薪（元）", "old": "8000", "new": "9000"}
        ]
        flows.accept(a, graduate)
        a.refresh_from_db()
        assert a.accepted_version.number == 2
        history = selectors.history(a)
        assert [h["reason"] for h in history if h["reason"]] == ["月薪应为 9000 元"]
        assert all(h["at"] for h in history)


def test_employer_rejection_goes_back_to_the_employer_and_graduate_accepts_again(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school", approve=False, reason="单位地址不完整")
        a.refresh_from_db()
        assert a.state == State.RETURNED and a.accepted_version is None
        assert a.last_reason == "单位地址不完整"
        assert Notice.objects.filter(employer=employer.org, event="review_rejected").exists()
        assert Message.objects.filter(user=graduate.user, event="review_rejected").exists()
        services.send_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
        flows.accept(a, graduate)
        a.refresh_from_db()
        assert a.state == State.COLLEGE_REVIEW and a.accepted_version.number == 2


def test_expiry_sweep_reminds_three_days_before_then_expires(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        assert services.remind_expiring_invitations(now=f.later(10)) == 0
        assert services.remind_expiring_invitations(now=f.later(12)) == 1
        assert services.remind_expiring_invitations(now=f.later(12)) == 0, "one reminder"
        assert Message.objects.filter(user=graduate.user, event="invitation_expiring").count() == 1
        assert services.expire_due_invitations(actor=f.task_actor(), now=f.later(13)) == 0
        assert services.expire_due_invitations(actor=f.task_actor(), now=f.later(14)) == 1
        a.refresh_from_db()
        assert a.state == State.EXPIRED
        assert Message.objects.filter(user=graduate.user, event="invitation_expired").exists()
        assert Notice.objects.filter(employer=employer.org, event="invitation_expired").exists()
        with pytest.raises(ValidationError):
            flows.accept(a, graduate)


def test_validity_follows_the_school_setting(cast, employer):
    from settings_per_school.services import update_school_settings

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"invitation_validity_days": 7})
        a = flows.invite(cast, employer, graduate)
        assert (a.expires_at - a.sent_at).days == 7


def test_every_change_updates_the_employers_cross_school_index(cast, employer, school_b):
    graduate = cast.graduates[0]
    cast_b = f.build_school(school_b, graduates=1, prefix="2024")
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
    with f.in_school(school_b):
        b = flows.invite(cast_b, employer, cast_b.graduates[0])
    entries = AgreementIndexEntry.objects.filter(employer=employer.org)
    assert {(e.school_id, e.agreement_id, e.state) for e in entries} == {
        (cast.tenant.pk, a.pk, "invited"),
        (school_b.pk, b.pk, "invited"),
    }
    with f.in_school(cast.tenant):
        flows.accept(a, graduate)
    assert entries.get(agreement_id=a.pk, school=cast.tenant).state == "college_review"
    # An invitation's HR typed 学号 and 姓名: the index shows what they already know
    entry = entries.get(agreement_id=a.pk, school=cast.tenant)
    assert (entry.graduate_name, entry.student_number) == (graduate.name, graduate.student_number)


def test_notices_for_the_graduate(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        message = Message.objects.get(user=graduate.user, event="invitation_received")
        assert employer.org.name in message.body
        assert message.url == f"/agreements/{a.pk}/"
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        assert Message.objects.filter(user=graduate.user, event="review_approved").exists()
        flows.review(cast, a, level="school")
        assert Message.objects.filter(user=graduate.user, event="agreement_signed").exists()
        assert Notice.objects.filter(employer=employer.org, event="agreement_signed").exists()


def test_prefill_reuses_the_employers_last_offer(cast, employer):
    with f.in_school(cast.tenant):
        flows.invite(cast, employer, cast.graduates[0], position="算法工程师", monthly_salary=15000)
    prefill = selectors.prefill_for_employer(employer.actor, cast.tenant)
    assert prefill["position"] == "算法工程师"
    assert prefill["monthly_salary"] == 15000
    assert prefill["employer_name"] == employer.org.name


def test_unverified_employer_cannot_invite(cast):
    pending = f.make_employer(verified=False)
    with f.in_school(cast.tenant), pytest.raises(NotAllowed):
        flows.invite(cast, pending, cast.graduates[0])
