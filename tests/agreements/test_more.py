"""Smaller promises: proof limits, the sweep task, the HR edit-and-resend page, the HR inbox."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agreements import services
from agreements.models import Agreement, State
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client


@pytest.fixture
def open_initiation(cast):
    from settings_per_school.services import update_school_settings

    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})


def test_at_most_nine_proof_images(cast, open_initiation):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.own_draft(graduate, proof=False)
        for _ in range(9):
            services.add_proof(actor=f.web(graduate.user), agreement_id=a.pk, upload=f.png_upload())
        with pytest.raises(ValidationError) as exc:
            services.add_proof(actor=f.web(graduate.user), agreement_id=a.pk, upload=f.png_upload())
        assert "最多 9 张" in str(exc.value)
        proof = a.proofs.first()
        services.remove_proof(actor=f.web(graduate.user), agreement_id=a.pk, proof_id=proof.pk)
        services.add_proof(actor=f.web(graduate.user), agreement_id=a.pk, upload=f.png_upload())
        assert a.proofs.filter(removed=False).count() == 9
        assert a.proofs.count() == 10, "a removed proof is kept, only marked"


def test_sweep_task_reminds_and_expires_in_its_school(cast, employer, monkeypatch):
    from agreements import tasks

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        Agreement.objects.filter(pk=a.pk).update(expires_at=f.later(-1))
        result = tasks.sweep_school.run()
        a.refresh_from_db()
    assert result == {"reminded": 0, "expired": 1}
    assert a.state == State.EXPIRED


def test_hr_edits_a_returned_invitation_and_sends_it_again_from_the_page(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate, monthly_salary=7000)
        services.return_invitation(
            actor=f.web(graduate.user), agreement_id=a.pk, reason="月薪与面谈不符"
        )
    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    inbox = hr.get("/employer/notices/").content.decode()
    assert "月薪与面谈不符" in inbox
    page = hr.get(f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/").content.decode()
    assert "月薪与面谈不符" in page and "修改并重新发送" in page
    data = {k: v for k, v in f.offer(monthly_salary=9500).items() if not isinstance(v, bool)}
    data["archive_moves"] = "on"
    r = hr.post(
        f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/edit/",
        {**data, "monthly_salary": "abc", "send": "1"},
    )
    assert "请输入整数" in r.content.decode() or "整数" in r.content.decode()
    r = hr.post(
        f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/edit/",
        {**data, "send": "1"},
        follow=True,
    )
    body = r.content.decode()
    assert "已重新发送邀约" in body and "第 2 版" in body
    assert "7000" in body and "9500" in body  # the diff between the versions
    with f.in_school(cast.tenant):
        a.refresh_from_db()
        assert a.state == State.INVITED and a.current_version.number == 2


def test_hr_may_save_a_draft_and_send_it_later(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate, send=False)
        assert a.state == State.DRAFT and a.current_version is None
    grad = logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)
    assert grad.get(f"/agreements/{a.pk}/").status_code == 404, "unsent drafts stay private"
    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    r = hr.post(f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/send", follow=True)
    assert "邀约已发出" in r.content.decode()
    assert grad.get(f"/agreements/{a.pk}/").status_code == 200


def test_hr_notices_through_the_api(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        services.return_invitation(actor=f.web(graduate.user), agreement_id=a.pk, reason="地点有误")
    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    rows = hr.get("/api/v1/employer/notices").json()["results"]
    # Newest first; the platform's "认证已通过" notice (no school) came at registration.
    assert [(r["event"], r["agreement_id"], r["school"]) for r in rows] == [
        ("invitation_returned", a.pk, cast.tenant.subdomain),
        ("employer_verified", None, None),
    ]
    assert "地点有误" in rows[0]["body"] and rows[0]["read_at"] is None
    assert hr.post("/api/v1/employer/notices").json() == {"marked": 2}
    other = logged_in_client(None, other_employer.hr.username, f.HR_PASSWORD)
    other_rows = other.get("/api/v1/employer/notices").json()["results"]
    assert [r["event"] for r in other_rows] == ["employer_verified"]
