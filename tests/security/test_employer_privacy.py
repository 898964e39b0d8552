"""Findings 3, 4, 12 and 13, as an employer's HR would try them from the platform site."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from agreements import services
from agreements.models import State
from core.models import AuditLog
from settings_per_school.services import update_school_settings
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client

GRADUATE_SECRET = {
    "archive_moves": True,
    "archive_receiver": "毕业生自填的档案接收单位",
    "archive_address": "邵阳市大祥区学生家 8 号",
    "archive_postcode": "422000",
    "hukou_moves": True,
    "hukou_address": "邵阳市双清区户口街 99 号",
    "other_terms": "学生的私人约定",
}


def hr_client(employer):
    return logged_in_client(None, employer.hr.username, f.HR_PASSWORD)


def _open_student_initiation(cast):
    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})


def graduate_names(cast, employer, graduate, *, submit: bool = False):
    """A graduate starts their own agreement naming this (directory) employer."""
    _open_student_initiation(cast)
    with f.in_school(cast.tenant):
        agreement = services.start_own_agreement(
            actor=f.web(graduate.user),
            content=f.offer(position="学生自己写的岗位", **GRADUATE_SECRET),
            employer_id=employer.org.pk,
        )
        services.add_proof(
            actor=f.web(graduate.user), agreement_id=agreement.pk, upload=f.png_upload()
        )
        if submit:
            flows.submit(agreement, graduate)
        return agreement


def _text(response) -> str:
    return response.content.decode()


# --- finding 3: prefill -------------------------------------------------------------------


def test_prefill_never_copies_a_graduates_section(cast, employer):
    graduate_names(cast, employer, cast.graduates[0], submit=True)
    hr = hr_client(employer)
    prefill = hr.get("/api/v1/employer/prefill", {"school": cast.tenant.subdomain})
    assert prefill.status_code == 200
    body = prefill.json()
    for value in GRADUATE_SECRET.values():
        if isinstance(value, str):
            assert value not in json.dumps(body, ensure_ascii=False)
    assert body.get("position") != "学生自己写的岗位"
    assert body["employer_name"] == employer.org.name  # its own profile
    page = hr.get("/employer/agreements/new/", {"school": cast.tenant.subdomain})
    for value in ("邵阳市大祥区学生家 8 号", "邵阳市双清区户口街 99 号", "学生的私人约定"):
        assert value not in _text(page)


def test_prefill_is_its_own_last_sent_offers_job_terms_only(cast, employer):
    with f.in_school(cast.tenant):
        flows.invite(cast, employer, cast.graduates[0], position="算法工程师", monthly_salary=12000)
        flows.invite(  # a draft, never sent: not a source
            cast, employer, cast.graduates[1], send=False, position="没发出的岗位"
        )
    graduate_names(cast, employer, cast.graduates[2], submit=True)
    body = (
        hr_client(employer)
        .get("/api/v1/employer/prefill", {"school": cast.tenant.subdomain})
        .json()
    )
    assert body["position"] == "算法工程师" and body["monthly_salary"] == 12000
    # The archive and hukou section and other terms of that offer belonged to one graduate.
    for field in ("archive_receiver", "archive_address", "hukou_address", "other_terms"):
        assert field not in body


# --- finding 4: graduate-initiated drafts --------------------------------------------------


def test_a_graduates_draft_is_invisible_to_the_employer_it_names(cast, employer):
    draft = graduate_names(cast, employer, cast.graduates[0])
    hr = hr_client(employer)
    school = cast.tenant.subdomain
    assert hr.get(f"/api/v1/employer/schools/{school}/agreements/{draft.pk}").status_code == 404
    assert hr.get(f"/employer/agreements/{school}/{draft.pk}/").status_code == 404
    listed = hr.get("/api/v1/employers/mine/agreements").content.decode()
    assert "学生自己写的岗位" not in listed and str(cast.graduates[0].name[0]) not in listed
    assert "邵阳市双清区户口街" not in _text(hr.get("/employer/agreements/"))


def test_a_graduates_draft_does_not_block_the_employers_invitation(cast, employer):
    graduate = cast.graduates[0]
    graduate_names(cast, employer, graduate)
    with f.in_school(cast.tenant):
        invitation = flows.invite(cast, employer, graduate)  # no "已有一份有效邀约（草稿）"
        assert invitation.state == State.INVITED


def test_once_submitted_the_employer_sees_only_its_part(cast, employer):
    submitted = graduate_names(cast, employer, cast.graduates[0], submit=True)
    hr = hr_client(employer)
    school = cast.tenant.subdomain
    api = hr.get(f"/api/v1/employer/schools/{school}/agreements/{submitted.pk}")
    assert api.status_code == 200
    body = api.json()
    assert body["content"]["position"] == "学生自己写的岗位"
    assert body["draft_content"] is None and body["proofs"] == []
    assert body["graduate"]["student_number"] == ""
    page = _text(hr.get(f"/employer/agreements/{school}/{submitted.pk}/"))
    for text in (json.dumps(body, ensure_ascii=False), page):
        for value in ("邵阳市大祥区学生家 8 号", "邵阳市双清区户口街 99 号", "学生的私人约定"):
            assert value not in text
        assert cast.graduates[0].student_number not in text


# --- finding 12: the invitation form as a look-up oracle -------------------------------------


def test_signed_elsewhere_and_no_such_graduate_get_the_same_words(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, other_employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school")
    hr = hr_client(employer)

    def attempt(student_number, name):
        return hr.post(
            "/api/v1/employer/invitations",
            json.dumps(
                {
                    "school": cast.tenant.subdomain,
                    "student_number": student_number,
                    "name": name,
                    "content": f.offer(),
                    "send": False,
                }
            ),
            content_type="application/json",
        )

    signed = attempt(graduate.student_number, graduate.name)
    nobody = attempt("2099999999", "查无此人")
    assert signed.status_code == nobody.status_code == 400
    assert signed.json() == nobody.json()
    assert "签约" not in json.dumps(signed.json(), ensure_ascii=False)


def test_invitations_are_rate_limited_per_employer(cast, employer, settings):
    settings.INVITATION_RATE_PER_EMPLOYER = 3
    with f.in_school(cast.tenant):
        for _ in range(3):
            with pytest.raises(ValidationError):
                flows.invite(cast, employer, type("G", (), {"student_number": "1", "name": "x"}))
        with pytest.raises(services.InvitationRateLimited):
            flows.invite(cast, employer, cast.graduates[0])
    refused = hr_client(employer).post(
        "/api/v1/employer/invitations",
        json.dumps(
            {
                "school": cast.tenant.subdomain,
                "student_number": cast.graduates[1].student_number,
                "name": cast.graduates[1].name,
                "content": f.offer(),
            }
        ),
        content_type="application/json",
    )
    assert refused.status_code == 429 and "过于频繁" in refused.json()["detail"]


def test_invitations_are_rate_limited_per_school_across_employers(
    cast, employer, other_employer, settings
):
    settings.INVITATION_RATE_PER_SCHOOL = 2
    settings.INVITATION_RATE_PER_EMPLOYER = 100
    from django.core.cache import caches

    caches["platform"].delete(f"invitations:school:{cast.tenant.pk}")
    with f.in_school(cast.tenant):
        flows.invite(cast, employer, cast.graduates[0])
        flows.invite(cast, other_employer, cast.graduates[1])
        with pytest.raises(services.InvitationRateLimited):
            flows.invite(cast, f.make_employer(), cast.graduates[2])
    caches["platform"].delete(f"invitations:school:{cast.tenant.pk}")


# --- finding 13: staff login names ---------------------------------------------------------


def test_outsiders_see_functions_not_staff_login_names(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school", approve=False, reason="单位地址不完整")
        staff = {u.username for u in cast.college_admins} | {cast.admin.username}
        assert AuditLog.objects.filter(actor_username__in=staff, target_id=str(a.pk)).count() == 2
    school = cast.tenant.subdomain
    hr = hr_client(employer)
    api = hr.get(f"/api/v1/employer/schools/{school}/agreements/{a.pk}").json()
    page = _text(hr.get(f"/employer/agreements/{school}/{a.pk}/"))
    grad = logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)
    grad_page = _text(grad.get(f"/agreements/{a.pk}/"))
    actors = {h["actor"] for h in api["history"]}
    assert {"学院审核", "学校审核"} <= actors
    for text in (json.dumps(api, ensure_ascii=False), page, grad_page):
        for username in staff:
            assert username not in text
    # The school's own staff still see who did it.
    admin = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    assert cast.college_admins[0].username in _text(admin.get(f"/agreements/{a.pk}/"))
