"""HR registration, joining an organisation, verification: pages and API."""

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from core.models import AuditLog
from employers.models import Employer, Membership, Status
from employers.selectors import verified_employer_of
from tests.factories.employers import HR_PASSWORD, credit_code, licence_file, register
from tests.utils import ADMIN_PASSWORD, OPERATOR_PASSWORD, client_for, logged_in_client


def form_data(**overrides):
    data = {
        "username": "zhang.hr",
        "display_name": "张经理",
        "password": HR_PASSWORD,
        "password2": HR_PASSWORD,
        "name": "湖南麓谷云图信息技术有限公司",
        "credit_code": credit_code(seed=42),
        "nature": "private",
        "industry": "I",
        "province": "湖南省",
        "city": "长沙市",
        "address": "岳麓区",
        "contact_name": "张经理",
        "contact_phone": "0731-88888888",
        "contact_email": "hr@yuntu.example.com",
        "licence": licence_file(),
    }
    data.update(overrides)
    return data


def test_hr_registers_on_the_platform_and_waits_for_verification(db):
    client = client_for(None)
    response = client.post("/employers/register/", form_data(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"] == "/employers/"
    page = client.get("/employers/").content.decode()
    assert "湖南麓谷云图信息技术有限公司" in page and "待审核" in page

    employer = Employer.objects.get(credit_code=credit_code(seed=42))
    assert employer.status == Status.PENDING and not employer.is_verified
    membership = Membership.objects.get(employer=employer)
    assert membership.is_admin and membership.user.role == "employer"
    assert employer.licence.name.startswith("platform/licence/")
    with default_storage.open(employer.licence.name) as stored:
        assert Image.open(stored).format == "PNG"
    audit = AuditLog.objects.get(action="employer.registered", target_id=str(employer.pk))
    assert audit.ip == "203.0.113.9"


def test_a_second_registration_of_the_same_code_says_how_to_join_instead(db):
    first = register(code=credit_code(seed=7), name="长沙第一家有限公司")
    users_before = User.objects.count()
    response = client_for(None).post(
        "/employers/register/", form_data(credit_code=credit_code(seed=7), username="second.hr")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已在平台注册" in page and "长沙第一家有限公司" in page
    assert "单位成员" in page  # where the existing HR adds colleagues
    assert User.objects.count() == users_before
    assert Employer.objects.filter(credit_code=credit_code(seed=7)).count() == 1

    api = client_for(None).post(
        "/api/v1/employers/register",
        {
            **form_data(credit_code=credit_code(seed=7), username="third.hr"),
            "licence": licence_file(),
        },
    )
    assert api.status_code == 400
    assert "单位成员" in api.json()["errors"]["credit_code"][0]
    assert first.employer.memberships.count() == 1


def test_every_bad_field_is_reported_in_chinese_and_nothing_is_created(db):
    users_before, employers_before = User.objects.count(), Employer.objects.count()
    response = client_for(None).post(
        "/employers/register/",
        form_data(
            credit_code="9144030071526726XH",
            contact_email="not-an-email",
            licence=SimpleUploadedFile("licence.jpg", b"MZ\x90\x00 not an image", "image/jpeg"),
        ),
    )
    page = response.content.decode()
    assert "校验位不正确" in page
    assert "邮箱地址格式不正确" in page  # the error, not the field's label
    assert "只能上传 JPG、PNG" in page
    assert (User.objects.count(), Employer.objects.count()) == (users_before, employers_before)


def test_registration_through_the_api_then_token_login(db):
    client = client_for(None)
    response = client.post(
        "/api/v1/employers/register", form_data(username="api.hr", credit_code=credit_code(seed=9))
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    token = client.post(
        "/api/v1/auth/token",
        {"username": "api.hr", "password": HR_PASSWORD},
        content_type="application/json",
    ).json()["token"]
    mine = client.get("/api/v1/employers/mine", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert mine["credit_code"] == credit_code(seed=9) and mine["is_verified"] is False


def test_the_organisations_admin_adds_a_colleague_who_sees_the_same_employer(db):
    membership = register(name="长沙协作有限公司", username="boss.hr")
    boss = logged_in_client(None, "boss.hr", HR_PASSWORD)
    response = boss.post(
        "/employers/",
        {"username": "colleague.hr", "display_name": "李四", "password": "Lisi#Works-2026"},
    )
    assert response.status_code == 302
    colleague = logged_in_client(None, "colleague.hr", "Lisi#Works-2026")
    # The colleague was given a password by someone else: they must choose their own first.
    blocked = colleague.get("/api/v1/employers/mine")
    assert blocked.status_code == 403 and "修改" in blocked.json()["detail"]
    assert colleague.get("/employers/").status_code == 302
    changed = colleague.post(
        "/api/v1/auth/password",
        {"old_password": "Lisi#Works-2026", "new_password": "Lisi#Own-Choice-2026"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    assert colleague.get("/api/v1/employers/mine").json()["id"] == membership.employer_id
    # A plain member can't add more people.
    refused = colleague.post(
        "/api/v1/employers/mine/members",
        {"username": "third.hr", "display_name": "王五", "password": "Third#2026xyz"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not User.objects.filter(username="third.hr").exists()


def test_an_hr_user_cannot_see_or_change_another_employer(db):
    a = register(name="甲单位有限公司", username="hr.a")
    b = register(name="乙单位有限公司", username="hr.b")
    client_a = logged_in_client(None, "hr.a", HR_PASSWORD)
    assert client_a.get("/api/v1/employers/mine").json()["name"] == "甲单位有限公司"
    assert client_a.get(f"/employers/{b.employer_id}/licence").status_code == 404
    assert client_a.get(f"/api/v1/employers/{b.employer_id}/licence").status_code == 404
    assert client_a.get(f"/employers/{a.employer_id}/licence").status_code == 302
    assert client_a.get(f"/api/v1/operator/employers/{b.employer_id}").status_code == 403
    assert (
        client_a.patch(
            f"/api/v1/operator/employers/{b.employer_id}",
            {"contact_phone": "13900000000"},
            content_type="application/json",
        ).status_code
        == 403
    )
    # Their own edit only ever reaches their own organisation.
    client_a.patch(
        "/api/v1/employers/mine", {"contact_name": "新联系人"}, content_type="application/json"
    )
    assert Employer.objects.get(pk=b.employer_id).contact_name == "王经理"
    assert Employer.objects.get(pk=a.employer_id).contact_name == "新联系人"
    # Name and code are what the licence proves: not HR's to change once submitted.
    changed = client_a.patch(
        "/api/v1/employers/mine", {"name": "改名有限公司"}, content_type="application/json"
    )
    assert changed.status_code == 400 and "不能修改" in changed.json()["errors"]["name"][0]


def test_only_operators_verify(db, school_a):
    pending = register(name="待认证有限公司", username="hr.pending")
    hr_user = pending.user
    assert verified_employer_of(hr_user) is None  # may not invite graduates yet
    hr = logged_in_client(None, "hr.pending", HR_PASSWORD)
    assert hr.post(f"/api/v1/operator/employers/{pending.employer_id}/verify").status_code == 403
    assert hr.post(f"/operator/employers/{pending.employer_id}/verify").status_code == 403
    school_admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    assert (
        school_admin.post(f"/api/v1/operator/employers/{pending.employer_id}/verify").status_code
        == 404
    )
    assert Employer.objects.get(pk=pending.employer_id).status == Status.PENDING

    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    queue = operator.get("/operator/employers/").content.decode()
    assert "待认证有限公司" in queue
    detail = operator.get(f"/operator/employers/{pending.employer_id}/").content.decode()
    assert f'src="/employers/{pending.employer_id}/licence"' in detail
    response = operator.post(f"/operator/employers/{pending.employer_id}/verify")
    assert response.status_code == 302
    employer = Employer.objects.get(pk=pending.employer_id)
    assert employer.is_verified and employer.in_directory and employer.verified_at
    assert verified_employer_of(hr_user) == employer
    assert AuditLog.objects.filter(action="employer.verified", actor_username="operator").exists()
    again = operator.post(f"/api/v1/operator/employers/{pending.employer_id}/verify")
    assert (
        again.status_code == 409
        and again.json()["code"] == "state"
        and "不能认证" in again.json()["errors"]["non_field_errors"][0]
    )


def test_rejection_needs_a_reason_and_hr_resubmits(db):
    pending = register(name="模糊执照有限公司", username="hr.blurry")
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    no_reason = operator.post(
        f"/api/v1/operator/employers/{pending.employer_id}/reject",
        {"reason": " "},
        content_type="application/json",
    )
    assert no_reason.status_code == 400 and "原因" in no_reason.json()["errors"]["reason"][0]
    operator.post(
        f"/api/v1/operator/employers/{pending.employer_id}/reject",
        {"reason": "营业执照照片模糊，请重新拍摄"},
        content_type="application/json",
    )
    hr = logged_in_client(None, "hr.blurry", HR_PASSWORD)
    assert "营业执照照片模糊" in hr.get("/employers/").content.decode()
    response = hr.post(
        "/employers/edit/",
        {
            "name": "模糊执照有限公司",
            "nature": "private",
            "industry": "I",
            "province": "湖南省",
            "city": "长沙市",
            "address": "岳麓区",
            "contact_name": "王经理",
            "contact_phone": "13812345678",
            "contact_email": "hr@example.com",
            "licence": licence_file("new.png"),
        },
    )
    assert response.status_code == 302
    employer = Employer.objects.get(pk=pending.employer_id)
    assert employer.status == Status.PENDING and employer.reject_reason == ""
    assert employer.licence.name != pending.employer.licence.name


def test_operator_queue_api_lists_pending_oldest_first(db):
    first = register(name="先注册有限公司", username="hr.first")
    second = register(name="后注册有限公司", username="hr.second")
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    results = operator.get("/api/v1/operator/employers", {"status": "pending"}).json()["results"]
    ids = [r["id"] for r in results]
    assert ids.index(first.employer_id) < ids.index(second.employer_id)


def test_operator_edits_are_audited_with_phones_masked(db):
    pending = register(name="电话有限公司", username="hr.phone")
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    response = operator.patch(
        f"/api/v1/operator/employers/{pending.employer_id}",
        {"contact_phone": "13987654321", "name": "电话科技有限公司"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["name"] == "电话科技有限公司"
    log = AuditLog.objects.get(action="employer.updated", target_id=str(pending.employer_id))
    assert log.data["contact_phone"] == {"from": "138****5678", "to": "139****4321"}
    assert log.data["name"]["to"] == "电话科技有限公司"
