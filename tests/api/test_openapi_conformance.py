"""Real answers of every listed operation validate against the generated OpenAPI."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from agreements import services
from tests.agreements import flows
from tests.api import openapi_check as oa
from tests.factories import agreements as f
from tests.utils import OPERATOR_PASSWORD, client_for, logged_in_client

PAGINATED = {
    "tenant": [
        "/api/v1/students/graduates",
        "/api/v1/students/review-queue",
        "/api/v1/agreements",
        "/api/v1/agreements/review-queue",
        "/api/v1/students/colleges",
        "/api/v1/students/staff",
        "/api/v1/messages",
        "/api/v1/notifications/deliveries",
    ],
    "platform": ["/api/v1/operator/employers", "/api/v1/employer/notices", "/api/v1/schools"],
}


@pytest.mark.parametrize("host", ["tenant", "platform"])
def test_the_document_is_valid_openapi(host):
    validate(oa.document(host))


@pytest.mark.parametrize("host", ["tenant", "platform"])
def test_every_list_is_documented_as_paginated(host):
    for template in PAGINATED[host]:
        assert oa.is_paginated(host, template), template


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_school_host_answers_match_the_schema(cast, employer):
    graduate, other = cast.graduates[0], cast.graduates[1]
    with f.in_school(cast.tenant):
        invited = flows.invite(cast, employer, graduate)
        flows.invite(cast, employer, other)
    grad = logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)
    admin = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    college = logged_in_client(cast.tenant, cast.college_admins[0].username, f.STAFF_PASSWORD)
    pk = invited.pk
    t = "tenant"
    oa.check(t, "GET", "/api/v1/agreements", grad.get("/api/v1/agreements"))
    oa.check(t, "GET", "/api/v1/agreements/{id}", grad.get(f"/api/v1/agreements/{pk}"))
    oa.check(t, "GET", "/api/v1/agreements/{id}", grad.get("/api/v1/agreements/999999"))
    stale = _post(grad, f"/api/v1/agreements/{pk}/accept", {"version": 9, "password": "x"})
    oa.check(t, "POST", "/api/v1/agreements/{id}/accept", stale)
    accepted = _post(
        grad, f"/api/v1/agreements/{pk}/accept", {"version": 1, "password": f.GRADUATE_PASSWORD}
    )
    assert accepted.status_code == 200
    oa.check(t, "POST", "/api/v1/agreements/{id}/accept", accepted)
    history = accepted.json()["history"]
    assert history[-1]["actor"] == graduate.name  # the graduate's own rows name them
    conflict = _post(
        grad, f"/api/v1/agreements/{pk}/accept", {"version": 1, "password": f.GRADUATE_PASSWORD}
    )
    assert conflict.status_code == 409
    oa.check(t, "POST", "/api/v1/agreements/{id}/accept", conflict)
    for client, template in [
        (admin, "/api/v1/agreements"),
        (college, "/api/v1/agreements/review-queue"),
        (admin, "/api/v1/students/graduates"),
        (college, "/api/v1/students/review-queue"),
        (admin, "/api/v1/students/colleges"),
        (college, "/api/v1/students/colleges"),
        (admin, "/api/v1/students/staff"),
        (grad, "/api/v1/messages"),
        (admin, "/api/v1/notifications/deliveries"),
        (admin, "/api/v1/agreements/dashboard"),
        (grad, "/api/v1/me"),
        (grad, "/api/v1/messages/unread-count"),
        (grad, "/api/v1/students/me"),
    ]:
        response = client.get(template)
        assert response.status_code == 200, (template, response.content[:300])
        oa.check(t, "GET", template, response)
    oa.check(t, "POST", "/api/v1/messages/read-all", grad.post("/api/v1/messages/read-all"))
    listed = admin.get("/api/v1/agreements").json()
    assert listed["count"] == 2 and len(listed["results"]) == 2
    oa.check(t, "GET", "/api/v1/agreements", admin.get("/api/v1/agreements?college=x"))
    oa.check(
        t,
        "GET",
        "/api/v1/students/graduates/{id}",
        admin.get(f"/api/v1/students/graduates/{graduate.pk}"),
    )
    review = _post(college, f"/api/v1/agreements/{pk}/review", {"approve": True})
    oa.check(t, "POST", "/api/v1/agreements/{id}/review", review)
    bad = _post(college, f"/api/v1/agreements/{pk}/review", {"approve": "perhaps"})
    oa.check(t, "POST", "/api/v1/agreements/{id}/review", bad)


def test_platform_host_answers_match_the_schema(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        services.return_invitation(
            actor=f.web(graduate.user), agreement_id=a.pk, reason="岗位写错了"
        )
    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    ops = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    p = "platform"
    school = cast.tenant.subdomain
    detail = f"/api/v1/employer/schools/{school}/agreements/{a.pk}"
    template = "/api/v1/employer/schools/{school}/agreements/{id}"
    oa.check(p, "GET", template, hr.get(detail))
    assert hr.get(detail).json()["school"] == school
    for client, url, tpl in [
        (hr, "/api/v1/employer/notices", None),
        (hr, "/api/v1/employers/mine", None),
        (hr, "/api/v1/employers/mine/members", None),
        (
            hr,
            f"/api/v1/employers/mine/agreements?school={school}",
            "/api/v1/employers/mine/agreements",
        ),
        (hr, "/api/v1/employers/search?q=有限", "/api/v1/employers/search"),
        (ops, "/api/v1/operator/employers", None),
        (ops, "/api/v1/operator/employers?status=verified", "/api/v1/operator/employers"),
        (ops, "/api/v1/schools", None),
        (
            ops,
            f"/api/v1/operator/employers/{employer.org.pk}",
            "/api/v1/operator/employers/{employer_id}",
        ),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        oa.check(p, "GET", tpl or url, response)
    notices = hr.get("/api/v1/employer/notices").json()
    # The invitation's notice (beside the platform's "认证已通过" one).
    assert a.pk in [n["agreement_id"] for n in notices["results"]]
    board = hr.get(f"/api/v1/employers/mine/agreements?school={school}").json()
    assert board["count"] == 1 and board["results"][0]["agreement_id"] == a.pk
    marked = hr.post("/api/v1/employer/notices")
    assert marked.json() == {"marked": notices["count"]}
    oa.check(p, "POST", "/api/v1/employer/notices", marked)
    missing = hr.get("/api/v1/employers/mine/agreements?school=nowhere")
    assert missing.status_code == 404
    oa.check(p, "GET", "/api/v1/employers/mine/agreements", missing)
    oa.check(p, "GET", template, hr.get(f"/api/v1/employer/schools/{school}/agreements/999999"))


def test_registration_is_multipart_with_a_required_licence(db):
    from tests.factories.employers import credit_code, licence_file

    operation = oa.operation("platform", "POST", "/api/v1/employers/register")
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    form = {
        "name": "契约测试有限公司",
        "credit_code": credit_code(seed=4242),
        "nature": "private",
        "industry": "I",
        "username": "contract.hr",
        "password": "Zq#8841-lantern",
        "display_name": "张经理",
    }
    client = client_for(None)
    missing = client.post("/api/v1/employers/register", form)
    assert missing.status_code == 400
    assert missing.json()["errors"]["licence"] == ["请上传营业执照照片。"]
    oa.check("platform", "POST", "/api/v1/employers/register", missing)
    created = client.post("/api/v1/employers/register", {**form, "licence": licence_file()})
    assert created.status_code == 201, created.content.decode()
    oa.check("platform", "POST", "/api/v1/employers/register", created)
