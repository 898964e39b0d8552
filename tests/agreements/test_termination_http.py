"""Termination through the two front doors (pages and API), for every role."""

from __future__ import annotations

import json

from agreements.models import State
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client


def _open(cast, **changes):
    from settings_per_school.services import update_school_settings

    with f.in_school(cast.tenant):
        update_school_settings(
            actor=cast.admin_actor(), changes={"allow_termination": True, **changes}
        )


def _signed(cast, employer, other, graduate):
    with f.in_school(cast.tenant):
        return flows.in_state(cast, employer, other, graduate, "employer", State.SIGNED)


def _grad(cast, graduate):
    return logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)


def test_pages_graduate_applies_hr_consents_school_approves(cast, employer, other_employer):
    graduate = cast.graduates[0]
    a = _signed(cast, employer, other_employer, graduate)
    grad = _grad(cast, graduate)
    # closed: not offered, and the page says why
    detail = grad.get(f"/agreements/{a.pk}/").content.decode()
    assert "学校未开放解约申请" in detail and 'id="apply-termination"' not in detail
    page = grad.get(f"/agreements/{a.pk}/terminate/").content.decode()
    assert "学校未开放解约申请" in page and 'id="termination-form"' not in page

    _open(cast, termination_guidance="请先与单位签署解约函，再提交申请。")
    detail = grad.get(f"/agreements/{a.pk}/").content.decode()
    assert 'id="apply-termination"' in detail
    page = grad.get(f"/agreements/{a.pk}/terminate/").content.decode()
    assert page.index('id="guidance"') < page.index('id="termination-form"')  # guidance first
    assert page.index("请先与单位签署解约函，再提交申请。") < page.index('id="termination-form"')
    assert "每位毕业生可解约 1 次，已用 0 次" in page and "须满 30 个工作日" in page
    r = grad.post(
        f"/agreements/{a.pk}/terminate/",
        {
            "explanation": "已与单位协商一致",
            "images": [f.png_upload("a.png"), f.png_upload("b.png")],
        },
    )
    assert r.status_code == 302
    with f.in_school(cast.tenant):
        a.refresh_from_db()
        assert a.state == State.TERMINATION_REQUESTED

    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    listing = hr.get("/employer/agreements/").content.decode()
    assert "解约待对方确认" in listing
    hr_page = hr.get(f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/").content.decode()
    assert (
        'id="consent-form"' in hr_page and "解约证明材料" not in hr_page
    )  # proofs stay with school
    r = hr.post(
        f"/employer/agreements/{cast.tenant.subdomain}/{a.pk}/terminate/consent",
        {"decision": "consent"},
    )
    assert r.status_code == 302

    admin = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    queue = admin.get("/agreements/terminations/").content.decode()
    assert graduate.name in queue and "已在线同意" in queue
    detail = admin.get(f"/agreements/{a.pk}/").content.decode()
    assert 'id="termination-review-form"' in detail and "/terminate/proofs/" in detail
    r = admin.post(f"/agreements/{a.pk}/terminate/review", {"decision": "approve"})
    assert r.status_code == 302
    detail = grad.get(f"/agreements/{a.pk}/").content.decode()
    assert "已解约" in detail and "起可重新应约" in detail and "解约记录" in detail
    assert "起可重新应约" in grad.get("/agreements/").content.decode()  # said on the list too
    with f.in_school(cast.tenant):
        b = flows.invite(cast, other_employer, graduate)
    invitation = grad.get(f"/agreements/{b.pk}/").content.decode()
    assert 'id="cooldown"' in invitation and "起可重新应约" in invitation
    dashboard = admin.get("/agreements/dashboard/", follow=True).content.decode()
    assert 'id="termination-counts"' in dashboard


def test_api_employer_starts_graduate_consents_college_then_school(cast, employer, other_employer):
    graduate = cast.graduates[0]
    a = _signed(cast, employer, other_employer, graduate)
    _open(
        cast,
        termination_starter="graduate_or_employer",
        termination_review_levels="college_then_school",
    )
    hr = logged_in_client(None, employer.hr.username, f.HR_PASSWORD)
    url = f"/api/v1/employer/schools/{cast.tenant.subdomain}/agreements/{a.pk}/termination"
    r = hr.post(url, {"explanation": "单位业务调整", "images": []})
    assert r.status_code == 400 and "images" in r.json()["errors"]
    r = hr.post(url, {"explanation": "单位业务调整", "images": [f.png_upload()]})
    assert r.status_code == 201, r.content.decode()
    assert r.json()["agreement_state"] == "termination_requested"
    assert "withdraw_termination" in r.json()["actions"]

    grad = _grad(cast, graduate)
    status = grad.get(f"/api/v1/agreements/{a.pk}/termination").json()
    assert status["actions"] == ["consent_termination", "refuse_termination"]
    r = grad.post(
        f"/api/v1/agreements/{a.pk}/termination/consent",
        json.dumps({"agree": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["agreement_state"] == "termination_review"

    college = logged_in_client(cast.tenant, cast.college_admins[0].username, f.STAFF_PASSWORD)
    queue = college.get("/api/v1/agreements/termination-queue").json()
    assert [t["agreement_id"] for t in queue["results"]] == [a.pk]
    r = college.post(
        f"/api/v1/agreements/{a.pk}/termination/review",
        json.dumps({"agree": True}),
        content_type="application/json",
    )
    assert r.status_code == 200
    admin = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    r = admin.post(
        f"/api/v1/agreements/{a.pk}/termination/review",
        json.dumps({"agree": False, "reason": ""}),
        content_type="application/json",
    )
    assert r.status_code == 400  # a rejection needs a reason
    r = admin.post(
        f"/api/v1/agreements/{a.pk}/termination/review",
        json.dumps({"agree": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["agreement_state"] == "terminated"
    status = grad.get(f"/api/v1/agreements/{a.pk}/termination").json()
    assert "起可重新应约" in status["cooldown"] and status["cooldown_available_from"]
