"""The two front doors (API and pages) over the same services, and privacy across parties."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from agreements.models import Agreement, State
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import client_for, logged_in_client


def _hr(employer):
    return logged_in_client(None, employer.hr.username, f.HR_PASSWORD)


def _grad(cast, graduate):
    return logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)


def _staff(cast, user, password=f.STAFF_PASSWORD):
    return logged_in_client(cast.tenant, user.username, password)


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_scenario_1_through_the_api(cast, employer):
    graduate = cast.graduates[0]
    hr = _hr(employer)
    r = _post(
        hr,
        "/api/v1/employer/invitations",
        {
            "school": cast.tenant.subdomain,
            "student_number": graduate.student_number,
            "name": graduate.name,
            "content": f.offer(),
        },
    )
    assert r.status_code == 201, r.content.decode()
    pk = r.json()["id"]
    assert r.json()["state"] == "invited" and r.json()["version"] == 1

    grad = _grad(cast, graduate)
    mine = grad.get("/api/v1/agreements").json()["results"]
    assert [a["id"] for a in mine] == [pk]
    r = _post(grad, f"/api/v1/agreements/{pk}/accept", {"version": 1, "password": "nope"})
    assert r.status_code == 400 and "password" in r.json()["errors"]
    r = _post(
        grad, f"/api/v1/agreements/{pk}/accept", {"version": 1, "password": f.GRADUATE_PASSWORD}
    )
    assert r.status_code == 200 and r.json()["state"] == "college_review"

    college = _staff(cast, cast.college_admins[0])
    queue = college.get("/api/v1/agreements/review-queue").json()["results"]
    assert [a["id"] for a in queue] == [pk]
    r = _post(college, f"/api/v1/agreements/{pk}/review", {"approve": False})
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = _post(college, f"/api/v1/agreements/{pk}/review", {"approve": True})
    assert r.json()["state"] == "school_review"
    school = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    r = _post(school, f"/api/v1/agreements/{pk}/review", {"approve": True})
    assert r.json()["state"] == "signed"
    detail = hr.get(f"/api/v1/employer/schools/{cast.tenant.subdomain}/agreements/{pk}").json()
    assert detail["state"] == "signed"
    assert [h["to"] for h in detail["history"] if h["to"]] == [
        "待应约",
        "院系审核中",
        "学校审核中",
        "签约成功",
    ]


def test_employer_must_match_student_number_and_name(cast, employer):
    graduate = cast.graduates[0]
    hr = _hr(employer)
    answers = []
    for number, name in (
        (graduate.student_number, "别人"),
        ("00000000", graduate.name),
        (graduate.student_number, ""),
    ):
        r = _post(
            hr,
            "/api/v1/employer/invitations",
            {
                "school": cast.tenant.subdomain,
                "student_number": number,
                "name": name,
                "content": f.offer(),
            },
        )
        assert r.status_code == 400
        answers.append(json.dumps(r.json(), ensure_ascii=False))
    assert graduate.name not in "".join(answers)
    # a wrong name and an unknown number get the same answer: nothing to probe
    assert answers[0] == answers[1]
    with f.in_school(cast.tenant):
        assert not Agreement.objects.exists()


def test_employer_cannot_see_another_employers_invitation(cast, employer, other_employer):
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, cast.graduates[0])
    other = _hr(other_employer)
    url = f"/api/v1/employer/schools/{cast.tenant.subdomain}/agreements/{a.pk}"
    assert other.get(url).status_code == 404
    assert _post(other, url + "/withdraw", {"reason": ""}).status_code == 404
    assert other.get(f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/").status_code == 404
    page = other.get("/employer/agreements/").content.decode()
    assert cast.graduates[0].name[0] + "*" not in page
    assert _hr(employer).get(url).status_code == 200


def test_one_schools_agreements_are_invisible_on_another_schools_host(cast, employer, school_b):
    cast_b = f.build_school(school_b, graduates=1, prefix="2025")
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, cast.graduates[0])
    with f.in_school(school_b):
        flows.invite(cast_b, employer, cast_b.graduates[0])
    admin_b = logged_in_client(school_b, "admin", f.ADMIN_PASSWORD)
    listing = admin_b.get("/api/v1/agreements").json()["results"]
    assert {row["graduate"]["student_number"] for row in listing} == {
        cast_b.graduates[0].student_number
    }
    detail = admin_b.get(f"/api/v1/agreements/{a.pk}")
    if detail.status_code == 200:  # the same id may exist in beta: it is beta's own
        assert detail.json()["graduate"]["student_number"] == cast_b.graduates[0].student_number
    else:
        assert detail.status_code == 404
    # alpha's session means nothing on beta's host
    grad_a = _grad(cast, cast.graduates[0])
    grad_a.defaults["HTTP_HOST"] = client_for(school_b).defaults["HTTP_HOST"]
    assert grad_a.get("/api/v1/agreements").status_code in (401, 403)


def test_graduate_pages_accept_with_password_and_return_with_reason(cast, employer):
    graduate, other = cast.graduates[0], cast.graduates[1]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        b = flows.invite(cast, employer, other)
    grad = _grad(cast, graduate)
    page = grad.get(f"/agreements/{a.pk}/").content.decode()
    assert "确认应约" in page and employer.org.name in page and "档案与户口" in page
    r = grad.post(f"/agreements/{a.pk}/accept", {"version": 1, "password": "wrong"}, follow=True)
    assert "密码不正确" in r.content.decode()
    r = grad.post(
        f"/agreements/{a.pk}/accept", {"version": 1, "password": f.GRADUATE_PASSWORD}, follow=True
    )
    assert "院系审核中" in r.content.decode()
    other_grad = _grad(cast, other)
    r = other_grad.post(f"/agreements/{b.pk}/return", {"reason": ""}, follow=True)
    assert "打回须填写原因" in r.content.decode()
    r = other_grad.post(f"/agreements/{b.pk}/return", {"reason": "岗位不对"}, follow=True)
    assert "已打回" in r.content.decode()
    assert other_grad.get(f"/agreements/{a.pk}/").status_code == 404


def test_student_initiation_closed_page_says_so(cast):
    grad = _grad(cast, cast.graduates[0])
    r = grad.get("/agreements/new/")
    assert r.status_code == 403 and "学校尚未开放学生发起签约" in r.content.decode()
    r = _post(grad, "/api/v1/agreements", {"content": f.offer()})
    assert r.status_code == 403


def test_scenario_2_with_proofs_through_the_api(cast):
    from settings_per_school.services import update_school_settings

    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        update_school_settings(
            actor=cast.admin_actor(),
            changes={
                "allow_student_initiation": True,
                "student_initiated_needs_school_review": False,
            },
        )
    grad = _grad(cast, graduate)
    bad = _post(
        grad,
        "/api/v1/agreements",
        {"content": f.offer(employer_name="某单位", credit_code="91430100MA4L0000X1")},
    )
    assert bad.status_code == 400 and "credit_code" in bad.json()["errors"]
    r = _post(
        grad,
        "/api/v1/agreements",
        {"content": f.offer(employer_name="某单位", credit_code=f.credit_code("555"))},
    )
    assert r.status_code == 201, r.content.decode()
    pk = r.json()["id"]
    assert _post(grad, f"/api/v1/agreements/{pk}/submit", {}).status_code == 400  # no proof
    r = grad.post(f"/api/v1/agreements/{pk}/proofs", {"image": f.png_upload()})
    assert r.status_code == 201
    fake = grad.post(
        f"/api/v1/agreements/{pk}/proofs",
        {"image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert fake.status_code == 400
    proof_url = r.json()["url"]
    assert grad.get(proof_url).status_code == 200
    r = _post(grad, f"/api/v1/agreements/{pk}/submit", {})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    college = _staff(cast, cast.college_admins[0])
    assert college.get(proof_url).status_code == 200
    r = _post(college, f"/api/v1/agreements/{pk}/review", {"approve": True})
    # this school skips the school-level review for graduate-initiated agreements
    assert r.json()["state"] == "signed"
    other = _grad(cast, cast.graduates[1])
    assert other.get(proof_url).status_code == 404


def test_dashboard_counts_and_xlsx(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school")
        flows.invite(cast, employer, cast.graduates[1])
    school = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    data = school.get("/api/v1/agreements/dashboard").json()
    rows = {r["college"]: r for r in data["by_college"]}
    assert rows["计算机学院"]["approved"] == 3 and rows["计算机学院"]["signed"] == 1
    assert rows["计算机学院"]["rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert rows["外国语学院"]["signed"] == 0
    states = {s["state"]: s["count"] for s in data["by_state"]}
    assert states["signed"] == 1 and states["invited"] == 1
    # The page and workbook moved to destinations (all graduates as the denominator).
    r = school.get("/agreements/dashboard.xlsx", follow=True)
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    book = load_workbook(io.BytesIO(r.content))
    sheet = book["按院系"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert values["计算机学院"][:4] == (3, 3, 0, 1)  # graduates, 生源 approved, in review, signed
    assert values["合计"][:4] == (4, 4, 0, 1)
    # a college admin sees only their college
    college_b = _staff(cast, cast.college_admins[1])
    data = college_b.get("/api/v1/agreements/dashboard").json()
    assert [r["college"] for r in data["by_college"]] == ["外国语学院"]
    page = school.get("/agreements/dashboard/", follow=True).content.decode()
    assert "签约率" in page and "33.3%" in page and "25.0%" in page


def test_hr_pages_invite_and_list(cast, employer):
    graduate = cast.graduates[0]
    hr = _hr(employer)
    r = hr.get(f"/employer/agreements/new/?school={cast.tenant.subdomain}")
    assert r.status_code == 200 and employer.org.name in r.content.decode()
    data = {
        "school": cast.tenant.subdomain,
        "student_number": graduate.student_number,
        "graduate_name": graduate.name,
        "send": "1",
        **{k: v for k, v in f.offer().items() if not isinstance(v, bool)},
        "archive_moves": "on",
    }
    r = hr.post("/employer/agreements/new/", data, follow=True)
    assert "邀约已发出" in r.content.decode(), r.content.decode()[:3000]
    listing = hr.get("/employer/agreements/").content.decode()
    assert cast.tenant.name in listing and "待应约" in listing
    with f.in_school(cast.tenant):
        assert Agreement.objects.get().state == State.INVITED
