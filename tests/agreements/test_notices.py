"""What each party hears (agreements/notices.py), and the one "verified employers invite" check."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agreements import services
from core.exceptions import NotAllowed
from employer_inbox.models import Notice
from notifications.events import UnknownEvent
from notifications.models import Message
from notifications.services import notify
from tests.agreements import flows
from tests.factories import agreements as f


def test_hr_hears_of_the_accept_and_of_each_passed_review(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        accepted = Notice.objects.get(agreement_id=a.pk, event="invitation_accepted")
        assert graduate.name in accepted.body and "已应约" in accepted.title
        flows.review(cast, a, level="college")
        passed = Notice.objects.get(agreement_id=a.pk, event="review_approved")
        assert "通过院系审核" in passed.title
        assert Message.objects.filter(user=graduate.user, event="review_approved").count() == 1
        flows.review(cast, a, level="school")
        assert Notice.objects.filter(agreement_id=a.pk, event="agreement_signed").count() == 1
        assert Message.objects.get(user=graduate.user, event="agreement_signed").url == (
            f"/agreements/{a.pk}/"
        )


def test_a_resent_invitation_tells_the_graduate_it_changed(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        first = Message.objects.get(user=graduate.user, event="invitation_received")
        assert first.title == "您收到一份就业协议邀约"
        services.return_invitation(actor=f.web(graduate.user), agreement_id=a.pk, reason="薪资写错")
        services.send_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
        latest = Message.objects.filter(user=graduate.user, event="invitation_received").latest(
            "id"
        )
        assert latest.title == "邀约已修改" and "第 2 版" in latest.body


def test_a_resend_by_an_employer_no_longer_verified_is_refused(cast, employer):
    from employers.models import Employer, Status

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        services.return_invitation(actor=f.web(graduate.user), agreement_id=a.pk, reason="改")
    with schema_context("public"):
        Employer.objects.filter(pk=employer.org.pk).update(status=Status.PENDING)
    with pytest.raises(NotAllowed, match="尚未通过平台认证"):
        services.send_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
    with f.in_school(cast.tenant):
        a.refresh_from_db()
        assert a.state == "returned"


def test_notify_refuses_an_event_it_does_not_define(cast):
    with f.in_school(cast.tenant), pytest.raises(UnknownEvent):
        notify(user=cast.graduates[0].user, event="invitaton_received", title="x", body="y")
