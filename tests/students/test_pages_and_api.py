"""Pages and API: who sees what, masking of ID numbers, the import page and the export."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.masking import mask_id_number
from students import verification
from tests.factories.students import (
    STAFF_PASSWORD,
    actor_for,
    college_admin,
    csv_bytes,
    graduate,
    import_rows,
    make_id_number,
    roster_row,
)
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def alpha(school_a):
    import_rows(
        school_a,
        [roster_row(1), roster_row(2), roster_row(3, college="外国语学院", major="英语")],
    )
    college_admin(school_a, "cs_teacher", ["计算机学院"])
    college_admin(school_a, "fl_teacher", ["外国语学院"])
    return school_a


def graduate_client(school, number: str):
    """A graduate who has already changed the initial password, logged in on pages."""
    from accounts.services import change_password

    g = graduate(school, number)
    with schema_context(school.schema_name):
        change_password(
            actor=actor_for(g.user),
            user=g.user,
            old_password=g.id_number[-6:],
            new_password="Graduate#New-2026",
        )
    return logged_in_client(school, number, "Graduate#New-2026")


def submit_as(school, number: str, **corrections):
    g = graduate(school, number)
    with schema_context(school.schema_name):
        me = actor_for(g.user)
        verification.start(actor=me, graduate=g)
        if corrections:
            verification.save_corrections(actor=me, graduate=g, changes=corrections)
        return verification.submit(actor=me, graduate=g)


def test_graduate_walks_through_verification_on_pages(alpha):
    client = graduate_client(alpha, "2022000001")
    page = client.get("/students/me/").content.decode()
    assert "待核验" in page and "开始核验" in page
    full = make_id_number(1)
    assert mask_id_number(full) in page and full not in page  # masked, even here
    response = client.post("/students/me/", {"action": "start"})
    assert response["Location"] == "/students/me/edit/"
    edit = client.post("/students/me/edit/", {"mobile": "13912345678", "ethnicity": "汉族",
                                              "archive_moves": "false", "training_mode": "non_directed"})  # fmt: skip
    assert edit.status_code == 302, edit.content.decode()[-3000:]
    page = client.get("/students/me/").content.decode()
    assert "我修改的内容" in page and "13912345678" in page
    client.post("/students/me/", {"action": "submit"})
    assert "待学院审核" in client.get("/students/me/").content.decode()
    client.post("/students/me/", {"action": "withdraw"})
    assert graduate(alpha, "2022000001").state == "verifying"


def test_graduate_sees_page_errors_in_chinese(alpha):
    client = graduate_client(alpha, "2022000001")
    client.post("/students/me/", {"action": "submit"})
    follow = client.get("/students/me/").content.decode()
    assert "当前状态为“待核验”，不能提交审核。" in follow
    client.post("/students/me/", {"action": "start"})
    bad = client.post("/students/me/edit/", {"mobile": "12"})
    assert "手机号应为 11 位中国大陆手机号。" in bad.content.decode()


def test_college_admin_reviews_only_their_colleges(alpha):
    submit_as(alpha, "2022000001", mobile="13912345678")
    foreign = submit_as(alpha, "2022000003")
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    queue = cs.get("/students/review/").content.decode()
    assert "2022000001" in queue and "2022000003" not in queue
    listing = cs.get("/api/v1/students/graduates").json()
    assert {g["student_number"] for g in listing["results"]} == {"2022000001", "2022000002"}
    assert cs.get(f"/students/{foreign.pk}/").status_code == 404
    assert cs.get(f"/api/v1/students/graduates/{foreign.pk}").status_code == 404
    refused = cs.post(
        f"/api/v1/students/graduates/{foreign.pk}/approve", {}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert graduate(alpha, "2022000003").state == "submitted"


def test_review_page_shows_changes_and_decides(alpha):
    g = submit_as(alpha, "2022000001", mobile="13912345678")
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    page = cs.get(f"/students/{g.pk}/").content.decode()
    # The reviewing teacher calls graduates: phones in clear (students/visibility.py).
    assert "学生修改的内容" in page and "13800000001" in page and "13912345678" in page
    empty = cs.post(
        f"/students/{g.pk}/", {"decision": "reject", "reason": "", "revision": g.revision}
    )
    assert "退回时必须填写原因" in empty.content.decode()
    done = cs.post(
        f"/students/{g.pk}/", {"decision": "reject", "reason": "手机号有误", "revision": g.revision}
    )
    assert done.status_code == 302
    assert graduate(alpha, "2022000001").state == "rejected"
    me = graduate_client(alpha, "2022000001")
    assert "手机号有误" in me.get("/students/me/").content.decode()


def test_review_through_the_api(alpha):
    g = submit_as(alpha, "2022000002")
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    queue = cs.get("/api/v1/students/review-queue").json()
    assert [r["student_number"] for r in queue["results"]] == ["2022000002"]
    no_reason = cs.post(
        f"/api/v1/students/graduates/{g.pk}/reject", {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    ok = cs.post(
        f"/api/v1/students/graduates/{g.pk}/approve",
        {"revision": g.revision},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    again = cs.post(
        f"/api/v1/students/graduates/{g.pk}/reject",
        {"reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "state"  # a state conflict
    assert again.json()["errors"]["non_field_errors"] == ["当前状态为“审核通过”，不能退回。"]


def test_graduate_api_flow_and_locked_fields(alpha):
    client = graduate_client(alpha, "2022000002")
    assert client.post("/api/v1/students/me/start").json()["state"] == "verifying"
    locked = client.patch("/api/v1/students/me", {"name": "王五"}, content_type="application/json")
    assert locked.status_code == 400
    assert locked.json()["errors"] == {"name": ["该项由学校导入，不能由学生修改。"]}
    ok = client.patch(
        "/api/v1/students/me", {"email": "me@example.com"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["changes"][0]["field"] == "email"
    assert client.post("/api/v1/students/me/submit").json()["state"] == "submitted"
    assert client.post("/api/v1/students/me/withdraw").json()["state"] == "verifying"


def test_a_graduate_sees_only_themselves(alpha):
    client = graduate_client(alpha, "2022000001")
    other = graduate(alpha, "2022000002")
    assert client.get("/api/v1/students/graduates").status_code == 403
    assert client.get(f"/api/v1/students/graduates/{other.pk}").status_code == 403
    assert client.get(f"/students/{other.pk}/").status_code == 403
    assert client.get("/students/").status_code == 403
    me = client.get("/api/v1/students/me").json()
    assert me["student_number"] == "2022000001" and "2022000002" not in str(me)
    assert me["id_number"] == mask_id_number(make_id_number(1))  # core.masking's format


def test_one_school_never_sees_another(alpha, school_b):
    admin_b = logged_in_client(school_b, "admin", ADMIN_PASSWORD)
    assert admin_b.get("/api/v1/students/graduates").json()["count"] == 0
    g = graduate(alpha, "2022000001")
    assert admin_b.get(f"/api/v1/students/graduates/{g.pk}").status_code == 404
    assert "2022000001" not in admin_b.get("/students/").content.decode()
    # A graduate of alpha can't log in on beta's host.
    response = client_for(school_b).post(
        "/api/v1/auth/token",
        {"username": "2022000001", "password": make_id_number(1)[-6:]},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_id_numbers_are_masked_in_every_staff_view(alpha):
    g = submit_as(alpha, "2022000001")
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    full = make_id_number(1)
    masked = mask_id_number(full)
    for client in (admin, cs):
        for path in (
            "/students/",
            f"/students/{g.pk}/",
            "/api/v1/students/graduates",
            f"/api/v1/students/graduates/{g.pk}",
        ):
            body = client.get(path).content.decode()
            assert masked in body, path
            assert not FULL_ID.search(body), path
    queue = cs.get("/api/v1/students/review-queue").content.decode()
    assert masked in queue and not FULL_ID.search(queue)
    for client, path in ((admin, "/students/export.xlsx"), (cs, "/api/v1/students/export.xlsx")):
        sheet = load_workbook(io.BytesIO(client.get(path).content)).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert masked in cells and not any(FULL_ID.search(c) for c in cells)


def test_export_lists_states_and_is_scoped(alpha):
    submit_as(alpha, "2022000001")
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    rows = list(
        load_workbook(io.BytesIO(cs.get("/students/export.xlsx").content)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "学号" and rows[0][12] == "核验状态"
    assert [(r[0], r[12]) for r in rows[1:]] == [
        ("2022000001", "待学院审核"),
        ("2022000002", "待核验"),
    ]


@pytest.fixture
def eager_celery():
    from saas_platform.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_import_page_previews_then_imports(alpha, eager_celery, django_capture_on_commit_callbacks):
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    template = admin.get("/students/template.xlsx")
    headers = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert headers[:12] == ("学号", "姓名", "性别", "身份证号", "学院", "专业", "班级", "学历层次", "毕业年份", "生源地", "手机号", "邮箱")  # fmt: skip

    upload = SimpleUploadedFile(
        "new.csv", csv_bytes([roster_row(10, college="数学学院", major="统计学")])
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/students/imports/", {"file": upload})
    assert response.status_code == 302
    status_url = response["Location"] + "status"
    status = admin.get(status_url).json()
    assert status["status"] == "ready" and status["summary"]["created"] == 1
    assert status["summary"]["new_colleges"] == ["数学学院"]
    with schema_context(alpha.schema_name):
        from students.models import Graduate

        assert not Graduate.objects.filter(student_number="2022000010").exists()

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(response["Location"])
    status = admin.get(status_url).json()
    assert status["status"] == "done" and status["progress"] == {
        "phase": "import",
        "done": 1,
        "total": 1,
    }
    assert graduate(alpha, "2022000010").college.name == "数学学院"


def test_import_api_reports_errors_and_refuses_confirmation(
    alpha, eager_celery, django_capture_on_commit_callbacks
):
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    upload = SimpleUploadedFile("bad.csv", csv_bytes([roster_row(11, 学历层次="中专")]))
    with django_capture_on_commit_callbacks(execute=True):
        created = admin.post("/api/v1/students/imports", {"file": upload})
    assert created.status_code == 202
    status = admin.get(f"/api/v1/students/imports/{created.json()['id']}").json()
    assert status["status"] == "invalid"
    assert status["errors"] == [{"row": 2, "column": "学历层次", "message": "学历层次“中专”无法识别，可填：专科、本科、硕士研究生、博士研究生。"}]  # fmt: skip
    refused = admin.post(f"/api/v1/students/imports/{created.json()['id']}/confirm")
    assert refused.status_code == 400
    wrong_type = admin.post(
        "/api/v1/students/imports", {"file": SimpleUploadedFile("x.pdf", b"%PDF")}
    )
    assert wrong_type.status_code == 400 and wrong_type.json()["errors"]["file"] == [
        "只支持 .xlsx 或 .csv 文件。"
    ]


def test_only_school_admins_import_and_manage_staff(alpha):
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    assert cs.get("/students/imports/").status_code == 403
    assert (
        cs.post("/api/v1/students/imports", {"file": SimpleUploadedFile("a.csv", b"x")}).status_code
        == 403
    )
    assert (
        cs.post(
            "/api/v1/students/colleges", {"name": "新学院"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert cs.get("/api/v1/students/staff").status_code == 403


def test_school_admin_manages_colleges_and_staff(alpha):
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    college = admin.post(
        "/api/v1/students/colleges",
        {"name": "数学学院", "code": "07"},
        content_type="application/json",
    )
    assert college.status_code == 201
    dup = admin.post(
        "/api/v1/students/colleges", {"name": "数学学院"}, content_type="application/json"
    )
    assert dup.status_code == 400 and dup.json()["errors"]["name"] == ["学院“数学学院”已存在。"]
    no_college = admin.post(
        "/api/v1/students/staff",
        {"username": "math_teacher", "password": STAFF_PASSWORD, "role": "college_admin"},
        content_type="application/json",
    )
    assert no_college.status_code == 400 and "colleges" in no_college.json()["errors"]
    staff = admin.post(
        "/api/v1/students/staff",
        {
            "username": "math_teacher",
            "password": STAFF_PASSWORD,
            "role": "college_admin",
            "colleges": [college.json()["id"]],
        },
        content_type="application/json",
    )
    assert staff.status_code == 201 and staff.json()["colleges"] == [college.json()["id"]]
    # The new teacher must change the password before anything else.
    teacher = client_for(alpha)
    teacher.post("/accounts/login/", {"username": "math_teacher", "password": STAFF_PASSWORD})
    assert teacher.get("/students/review/")["Location"].startswith("/accounts/password/")
    page = admin.get("/students/colleges/").content.decode()
    assert "数学学院" in page and "math_teacher" in page


def test_the_openapi_description_lists_the_endpoints(alpha):
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    schema = admin.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/students/me/submit",
        "/api/v1/students/graduates/{id}/approve",
        "/api/v1/auth/password",
    ):
        assert path in schema


def test_history_is_shown_in_chinese(alpha):
    g = submit_as(alpha, "2022000001")
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    page = cs.get(f"/students/{g.pk}/").content.decode()
    assert "开始核验" in page and "提交审核" in page and "10.1.2.3" in page


def test_id_numbers_never_reach_the_logs(alpha, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    full = make_id_number(1)
    bad = full[:17] + ("0" if full[17] != "0" else "1")
    import_rows(alpha, [roster_row(7, 身份证号=bad)])
    client_for(alpha).post(
        "/accounts/login/", {"username": "2022000001", "password": full[-6:] + "0"}
    )
    logging.getLogger("students").warning("graduate %s", full)  # even a careless log line
    from core.logging import PiiScrubFilter

    scrub = PiiScrubFilter()
    for record in caplog.records:
        scrub.filter(record)
        assert full not in record.getMessage() and bad not in record.getMessage()


def test_a_late_second_decision_on_the_page_says_it_was_decided(alpha):
    g = submit_as(alpha, "2022000001")
    second = college_admin(alpha, "cs_teacher2", ["计算机学院"])
    assert second.username == "cs_teacher2"
    first = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    late = logged_in_client(alpha, "cs_teacher2", STAFF_PASSWORD)
    first.post(f"/students/{g.pk}/", {"decision": "approve", "reason": "", "revision": g.revision})
    response = late.post(
        f"/students/{g.pk}/",
        {"decision": "reject", "reason": "不对", "revision": g.revision},
        follow=True,
    )
    assert "当前状态为“审核通过”，不能退回。" in response.content.decode()
    assert graduate(alpha, "2022000001").state == "approved"


def test_rebinding_a_college_admin_changes_what_they_see(alpha):
    from accounts.models import User
    from students.models import College

    with schema_context(alpha.schema_name):
        foreign = College.objects.get(name="外国语学院")
        teacher_pk = User.objects.get(username="cs_teacher").pk
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    empty = admin.post(f"/students/staff/{teacher_pk}/", {"colleges": []})
    assert "院系管理员至少要负责一个学院。" in empty.content.decode()
    moved = admin.post(f"/students/staff/{teacher_pk}/", {"colleges": [foreign.pk]})
    assert moved.status_code == 302
    cs = logged_in_client(alpha, "cs_teacher", STAFF_PASSWORD)
    listing = cs.get("/api/v1/students/graduates").json()
    assert [g["student_number"] for g in listing["results"]] == ["2022000003"]


def test_renaming_a_college(alpha):
    from students.models import College

    with schema_context(alpha.schema_name):
        cs_college = College.objects.get(name="计算机学院")
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    taken = admin.patch(
        f"/api/v1/students/colleges/{cs_college.pk}",
        {"name": "外国语学院"},
        content_type="application/json",
    )
    assert taken.status_code == 400 and taken.json()["errors"]["name"] == [
        "学院“外国语学院”已存在。"
    ]
    renamed = admin.post(
        f"/students/colleges/{cs_college.pk}/", {"name": "计算机与信息工程学院", "code": "08"}
    )
    assert renamed.status_code == 302
    assert graduate(alpha, "2022000001").college.name == "计算机与信息工程学院"


def test_upload_with_the_task_queue_down_says_so(
    alpha, django_capture_on_commit_callbacks, monkeypatch
):
    from students import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.check_roster, "delay", broker_down)
    admin = logged_in_client(alpha, "admin", ADMIN_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/students/imports/", {"file": SimpleUploadedFile("a.csv", csv_bytes([roster_row(5)]))}
        )
    status = admin.get(response["Location"] + "status").json()
    assert status["status"] == "failed"
    assert status["errors"][0]["message"] == "后台任务暂时不可用，请稍后重试。"
