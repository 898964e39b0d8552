"""The graduate's agreement pages offer only what can succeed, and say why the rest is not."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements import services
from agreements.models import Agreement, State
from core.models import AuditLog
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import logged_in_client


@pytest.fixture(autouse=True)
def _student_initiation(cast):
    from settings_per_school.services import update_school_settings

    with f.in_school(cast.tenant):
        update_school_settings(actor=cast.admin_actor(), changes={"allow_student_initiation": True})


def graduate_client(cast, graduate):
    return logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)


def test_start_is_not_offered_while_a_draft_exists_and_links_to_it(cast):
    graduate = cast.graduates[0]
    client = graduate_client(cast, graduate)
    listing = client.get("/agreements/").content.decode()
    assert 'href="/agreements/new/"' in listing
    with f.in_school(cast.tenant):
        draft = flows.own_draft(graduate)
    listing = client.get("/agreements/").content.decode()
    assert 'href="/agreements/new/"' not in listing
    assert "未提交的签约草稿" in listing and f'href="/agreements/{draft.pk}/"' in listing
    # Typing the URL says it before any form is filled in.
    page = client.get("/agreements/new/").content.decode()
    assert 'id="own-form"' not in page and f'href="/agreements/{draft.pk}/"' in page


def test_start_is_not_offered_after_being_signed(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        flows.accept(a, graduate)
        flows.review(cast, a, level="college")
        flows.review(cast, a, level="school")
        a.refresh_from_db()
        assert a.state == State.SIGNED
    client = graduate_client(cast, graduate)
    listing = client.get("/agreements/").content.decode()
    assert 'href="/agreements/new/"' not in listing and "签约，不能再发起签约" in listing


def test_accept_not_offered_while_another_agreement_is_in_review(cast, employer, other_employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        first = flows.invite(cast, employer, graduate)
        second = flows.invite(cast, other_employer, graduate)
        flows.accept(first, graduate)
    client = graduate_client(cast, graduate)
    page = client.get(f"/agreements/{second.pk}/").content.decode()
    assert 'id="accept-form"' not in page
    assert "不能再应约或提交" in page and f'href="/agreements/{first.pk}/"' in page
    # 打回 stays possible, apart from the (absent) accept button.
    assert 'id="return-form"' in page
    # The API says the same.
    data = client.get(f"/api/v1/agreements/{second.pk}").json()
    assert "accept" not in data["actions"] and "return" in data["actions"]
    assert data["not_offered"][0]["url"] == f"/agreements/{first.pk}/"


def test_a_resent_invitation_shows_its_changes_above_the_accept_button(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
        services.return_invitation(actor=f.web(graduate.user), agreement_id=a.pk, reason="月薪")
    services.edit_agreement(
        actor=employer.actor,
        agreement_id=a.pk,
        content=f.offer(monthly_salary=12000),
        school=cast.tenant,
    )
    services.send_invitation(actor=employer.actor, school=cast.tenant, agreement_id=a.pk)
    page = graduate_client(cast, graduate).get(f"/agreements/{a.pk}/").content.decode()
    changes, accept, ret = (
        page.index('id="changes-since"'),
        page.index('id="accept-form"'),
        page.index('id="return-form"'),
    )
    assert changes < accept < ret
    assert "12000" in page[changes:accept] and "9000" in page[changes:accept]
    assert 'class="separator"' in page[accept:ret]
    assert ">Version<" not in page and "Version" not in page.replace("version", "")


def test_several_proofs_in_one_request_and_they_show_in_the_version_diff(cast, employer):
    graduate = cast.graduates[0]
    client = graduate_client(cast, graduate)
    with f.in_school(cast.tenant):
        draft = flows.own_draft(graduate, proof=False)
    files = [
        SimpleUploadedFile(f"p{i}.png", f.png_bytes(c), content_type="image/png")
        for i, c in enumerate(("red", "green", "blue"))
    ]
    response = client.post(f"/agreements/{draft.pk}/proofs/", {"image": files}, follow=True)
    assert "已上传 3 张图片" in response.content.decode()
    with f.in_school(cast.tenant):
        assert draft.proofs.filter(removed=False).count() == 3
        flows.submit(draft, graduate)
        flows.review(cast, draft, level="college", approve=False, reason="证明不清楚")
        proof = draft.proofs.filter(removed=False).first()
        services.remove_proof(actor=f.web(graduate.user), agreement_id=draft.pk, proof_id=proof.pk)
        flows.submit(draft, graduate)
    page = client.get(f"/agreements/{draft.pk}/").content.decode()
    versions = page[page.index('id="versions"') :]
    assert "就业证明材料" in versions and "3 张" in versions and "2 张" in versions


def test_too_many_proofs_are_refused_whole(cast):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        draft = flows.own_draft(graduate)  # one already
    files = [
        SimpleUploadedFile(f"p{i}.png", f.png_bytes(), content_type="image/png") for i in range(9)
    ]
    page = (
        graduate_client(cast, graduate)
        .post(f"/agreements/{draft.pk}/proofs/", {"image": files}, follow=True)
        .content.decode()
    )
    assert "最多还能上传 8 张" in page
    with f.in_school(cast.tenant):
        assert draft.proofs.filter(removed=False).count() == 1


def test_a_graduate_deletes_their_draft_audited(cast):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        draft = flows.own_draft(graduate)
    client = graduate_client(cast, graduate)
    assert 'id="delete-form"' in client.get(f"/agreements/{draft.pk}/").content.decode()
    response = client.post(f"/agreements/{draft.pk}/delete", {"reason": "换了单位"})
    assert response.status_code == 302
    with f.in_school(cast.tenant):
        assert not Agreement.objects.filter(pk=draft.pk).exists()
        row = AuditLog.objects.get(action="agreement.deleted", target_id=str(draft.pk))
        assert row.reason == "换了单位" and row.actor_id == graduate.user_id
    # And 学生发起签约 is offered again.
    assert 'href="/agreements/new/"' in client.get("/agreements/").content.decode()


def test_an_invitation_cannot_be_deleted_by_the_graduate(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
    client = graduate_client(cast, graduate)
    assert 'id="delete-form"' not in client.get(f"/agreements/{a.pk}/").content.decode()
    client.post(f"/agreements/{a.pk}/delete")
    with f.in_school(cast.tenant):
        assert Agreement.objects.get(pk=a.pk).state == State.INVITED


def test_switching_a_draft_from_a_directory_employer_to_a_typed_one(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        draft = services.start_own_agreement(
            actor=f.web(graduate.user), content=f.offer(), employer_id=employer.org.pk
        )
        assert draft.employer_id == employer.org.pk
    content = f.offer(employer_name="自填单位有限公司", credit_code=f.credit_code())
    client = graduate_client(cast, graduate)
    data = {k: ("on" if v is True else v) for k, v in content.items() if v is not False}
    response = client.post(f"/agreements/{draft.pk}/edit/", {**data, "employer_id": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    with f.in_school(cast.tenant):
        draft.refresh_from_db()
        assert draft.employer_id is None and draft.employer_name == "自填单位有限公司"
        assert draft.draft_content["credit_code"] == content["credit_code"]


def test_the_credit_code_error_is_printed_once(cast):
    graduate = cast.graduates[0]
    client = graduate_client(cast, graduate)
    first17 = "91430100MA4L12345"
    from employers.credit_code import check_character

    wrong = "0" if check_character(first17) != "0" else "1"
    content = f.offer(employer_name="自填单位", credit_code=first17 + wrong)
    data = {k: ("on" if v is True else v) for k, v in content.items() if v is not False}
    page = client.post("/agreements/new/", data).content.decode()
    assert page.count("校验位不正确") == 1, page


def test_agreement_review_queue_notice_counts_and_next(cast, employer):
    from notifications.models import Message

    reviewer = cast.college_admins[0]
    with f.in_school(cast.tenant):
        agreements = []
        for graduate in cast.graduates[:3]:
            a = flows.invite(cast, employer, graduate)
            flows.accept(a, graduate)
            agreements.append(a)
        # Three accepted, one unread notice for the college admin.
        assert Message.objects.filter(user=reviewer, event="agreement_review_waiting").count() == 1
    client = logged_in_client(cast.tenant, reviewer.username, f.STAFF_PASSWORD)
    home = client.get("/").content.decode()
    assert "<b>3</b>待审核协议" in home
    first, second, _third = agreements
    page = client.get(f"/agreements/{first.pk}/").content.decode()
    assert "第 1 / 3 份" in page and 'id="approve-btn"' in page and 'id="reject-btn"' in page
    no_reason = client.post(f"/agreements/{first.pk}/review", {"decision": "reject", "reason": ""})
    assert no_reason["Location"].startswith(f"/agreements/{first.pk}/")
    done = client.post(
        f"/agreements/{first.pk}/review", {"decision": "approve", "reason": "材料齐全"}
    )
    assert done["Location"] == f"/agreements/{second.pk}/"
    with f.in_school(cast.tenant):
        first.refresh_from_db()
        assert first.state == State.SCHOOL_REVIEW
        row = AuditLog.objects.filter(action="agreement.approve", target_id=str(first.pk)).get()
        assert row.reason == "材料齐全"
        # The school admin hears that something waits at the school level.
        assert Message.objects.filter(user=cast.admin, event="agreement_review_waiting").exists()
    filtered = client.get(f"/agreements/review/?q={cast.graduates[2].student_number}")
    assert "待审核 1 份" in filtered.content.decode()


def test_one_empty_choice_label_on_the_agreement_form(cast):
    page = graduate_client(cast, cast.graduates[0]).get("/agreements/new/").content.decode()
    assert '<option value="" selected>请选择</option>' in page
    assert "---------" not in page and '<option value="">—</option>' not in page
    # The 查找用人单位 demo is gone from the graduate's menu.
    assert "查找用人单位" not in graduate_client(cast, cast.graduates[0]).get("/").content.decode()


def test_the_api_deletes_a_draft_and_refuses_an_invitation(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        draft = flows.own_draft(graduate)
        invitation = flows.invite(cast, employer, graduate)
    client = graduate_client(cast, graduate)
    assert client.delete(f"/api/v1/agreements/{draft.pk}").status_code == 204
    refused = client.delete(f"/api/v1/agreements/{invitation.pk}")
    assert refused.status_code in (400, 403, 409)
    with f.in_school(cast.tenant):
        assert not Agreement.objects.filter(pk=draft.pk).exists()
        assert Agreement.objects.filter(pk=invitation.pk, state=State.INVITED).exists()
