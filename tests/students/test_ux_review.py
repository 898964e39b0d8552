"""Teachers: what waits on the home page, the in-app notice, the review queue (next / previous,
filters, one review pattern), the school admin where no college admin is bound, and who sees
a graduate's phone (students/visibility.py)."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts.models import User
from core.models import AuditLog
from notifications.models import Message
from students import visibility
from tests.factories.students import (
    STAFF_PASSWORD,
    college_admin,
    graduate,
    import_rows,
    roster_row,
)
from tests.students.test_pages_and_api import submit_as
from tests.utils import ADMIN_PASSWORD, logged_in_client


@pytest.fixture
def school(school_a):
    # 计算机学院 has a college admin; 外国语学院 has none (the school admin reviews it).
    import_rows(
        school_a,
        [
            roster_row(1),
            roster_row(2),
            roster_row(3),
            roster_row(4, college="外国语学院", major="英语"),
        ],
    )
    college_admin(school_a, "cs_teacher", ["计算机学院"])
    return school_a


def teacher(school, username="cs_teacher", password=STAFF_PASSWORD):
    return logged_in_client(school, username, password)


def test_home_shows_what_waits_and_a_notice_arrives(school):
    submit_as(school, "2022000001")
    submit_as(school, "2022000002")
    with schema_context(school.schema_name):
        cs = User.objects.get(username="cs_teacher")
        # Two submissions, one unread notice: the second is not piled on top.
        assert Message.objects.filter(user=cs, event="source_review_waiting").count() == 1
    home = teacher(school).get("/").content.decode()
    pending = home[home.index('id="pending-sources"') :]
    assert "<b>2</b>待审核生源" in pending[:200]
    assert 'id="pending-agreements"' in home
    assert "您好，" in home and "（院系管理员）" in home


def test_greeting_does_not_double_the_role(school):
    home = teacher(school, "admin", ADMIN_PASSWORD).get("/").content.decode()
    assert "校级管理员（校级管理员）" not in home and "您好，校级管理员" in home


def test_queue_next_previous_and_filters(school):
    for number in ("2022000001", "2022000002", "2022000003"):
        submit_as(school, number)
    ids = [graduate(school, n).pk for n in ("2022000001", "2022000002", "2022000003")]
    client = teacher(school)
    page = client.get(f"/students/{ids[1]}/").content.decode()
    assert "第 2 / 3 份" in page
    assert f'href="/students/{ids[0]}/"' in page and f'href="/students/{ids[2]}/"' in page
    # Filtered to one graduate: the queue is that one.
    page = client.get(f"/students/{ids[1]}/?q=2022000002").content.decode()
    assert "第 1 / 1 份" in page
    listing = client.get("/students/review/?q=2022000003").content.decode()
    assert "2022000003" in listing and "2022000001" not in listing
    # Approve with a comment: on to the next one.
    g = graduate(school, "2022000001")
    response = client.post(
        f"/students/{ids[0]}/",
        {"decision": "approve", "reason": "已电话核实", "revision": g.revision},
    )
    assert response.status_code == 302 and response["Location"] == f"/students/{ids[1]}/"
    assert graduate(school, "2022000001").decision_reason == "已电话核实"
    # A rejection still needs its reason.
    g2 = graduate(school, "2022000002")
    page = client.post(
        f"/students/{ids[1]}/", {"decision": "reject", "reason": "", "revision": g2.revision}
    ).content.decode()
    assert "退回时必须填写原因" in page and graduate(school, "2022000002").state == "submitted"
    # The same two-button pattern as the agreements page.
    assert 'id="approve-btn"' in page and 'id="reject-btn"' in page


def test_school_admin_reviews_where_no_college_admin_is_bound(school):
    submit_as(school, "2022000004")  # 外国语学院: nobody bound
    submit_as(school, "2022000001")  # 计算机学院: cs_teacher
    admin = teacher(school, "admin", ADMIN_PASSWORD)
    queue = admin.get("/students/review/")
    assert queue.status_code == 200
    text = queue.content.decode()
    assert "2022000004" in text and "2022000001" not in text
    with schema_context(school.schema_name):
        assert Message.objects.filter(
            user__username="admin", event="source_review_waiting"
        ).exists()
    foreign = graduate(school, "2022000004")
    done = admin.post(
        f"/students/{foreign.pk}/",
        {"decision": "approve", "reason": "", "revision": foreign.revision},
    )
    assert done.status_code == 302 and graduate(school, "2022000004").state == "approved"
    # The API follows the same rule.
    assert [
        r["student_number"] for r in admin.get("/api/v1/students/review-queue").json()["results"]
    ] == []
    # Where a college admin is bound, the school admin is told who decides.
    bound = graduate(school, "2022000001")
    page = admin.get(f"/students/{bound.pk}/").content.decode()
    assert 'id="review-form"' not in page and "cs_teacher" in page and "由其审核" in page
    refused = admin.post(
        f"/students/{bound.pk}/", {"decision": "approve", "reason": "", "revision": bound.revision}
    )
    assert refused.status_code == 403 and graduate(school, "2022000001").state == "submitted"
    api_refused = admin.post(
        f"/api/v1/students/graduates/{bound.pk}/approve", {}, content_type="application/json"
    )
    assert api_refused.status_code == 403
    assert graduate(school, "2022000001").state == "submitted"


def test_contact_visibility_per_role(school):
    college_admin(school, "fl_teacher", ["外国语学院"])
    cs_graduate = graduate(school, "2022000001")
    phone = cs_graduate.mobile
    masked = phone[:3] + "****" + phone[-4:]
    with schema_context(school.schema_name):
        cs = User.objects.get(username="cs_teacher")
        fl = User.objects.get(username="fl_teacher")
        admin = User.objects.get(username="admin")
        assert visibility.phone_for(cs, cs_graduate, phone) == phone  # the reviewer
        assert visibility.phone_for(fl, cs_graduate, phone) == masked  # another college
        assert visibility.phone_for(admin, cs_graduate, phone) == masked  # has its reviewer
        assert visibility.phone_for(cs_graduate.user, cs_graduate, phone) == phone  # self
        assert visibility.phone_for(None, cs_graduate, phone) == masked
        id_masked = visibility.id_number_for(cs, cs_graduate)
        assert id_masked != cs_graduate.id_number and cs_graduate.id_number[-6:] not in id_masked
    cs_client = teacher(school)
    page = cs_client.get(f"/students/{cs_graduate.pk}/").content.decode()
    assert phone in page and cs_graduate.id_number not in page
    detail = cs_client.get(f"/api/v1/students/graduates/{cs_graduate.pk}").json()
    assert detail["mobile"] == phone and detail["id_number"] != cs_graduate.id_number
    listing = cs_client.get("/api/v1/students/graduates").json()["results"]
    assert phone not in {row["mobile"] for row in listing}  # lists stay masked
    page = teacher(school, "admin", ADMIN_PASSWORD).get(f"/students/{cs_graduate.pk}/")
    assert phone not in page.content.decode() and masked in page.content.decode()


def test_exports_are_masked_unless_asked_with_a_reason(school):
    phone = graduate(school, "2022000001").mobile
    client = teacher(school)
    masked = load_workbook(io.BytesIO(client.get("/students/export.xlsx").content))
    values = {c.value for row in masked.active.iter_rows() for c in row}
    assert phone not in values
    no_reason = client.post("/students/export.xlsx", {"reason": ""})
    assert no_reason.status_code == 302
    clear = client.post("/students/export.xlsx", {"reason": "电话通知未提交的同学"})
    values = {
        c.value for row in load_workbook(io.BytesIO(clear.content)).active.iter_rows() for c in row
    }
    assert phone in values
    with schema_context(school.schema_name):
        row = AuditLog.objects.get(action="graduate.export_in_clear")
        assert row.reason == "电话通知未提交的同学" and row.actor_username == "cs_teacher"


def test_onboarding_makes_the_first_admin_change_the_password(db):
    from core.context import cli_actor
    from tenants.services import onboard_school

    school = onboard_school(
        actor=cli_actor("tests"),
        name="首登改密大学",
        code="19999",
        subdomain="firstlogin",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
    )
    with schema_context(school.schema_name):
        assert User.objects.get(username="admin").must_change_password is True


def test_decisions_are_audited_with_the_comment(school):
    submit_as(school, "2022000001")
    g = graduate(school, "2022000001")
    teacher(school).post(
        f"/students/{g.pk}/", {"decision": "approve", "reason": "无误", "revision": g.revision}
    )
    with schema_context(school.schema_name):
        row = AuditLog.objects.filter(action="graduate.verification.approve").get()
        assert row.reason == "无误"


def test_study_length_reads_4_not_4_0_and_selects_share_one_empty_label(school):
    from decimal import Decimal

    from students.forms import CorrectionForm
    from students.selectors import display_value

    g = graduate(school, "2022000001")
    assert display_value(g, "study_length", Decimal("4.0")) == "4"
    assert display_value(g, "study_length", Decimal("2.5")) == "2.5"
    with schema_context(school.schema_name):
        g.study_length = Decimal("4.0")
        form = CorrectionForm(instance=g)
        assert form.initial["study_length"] == 4
        html = str(form)
    assert "---------" not in html
