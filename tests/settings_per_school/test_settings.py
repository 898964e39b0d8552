import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import create_user
from core.context import cli_actor
from core.models import AuditLog
from settings_per_school.models import SchoolSettings
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client

SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def make_user(school, username: str, role: str) -> None:
    with schema_context(school.schema_name):
        create_user(
            actor=cli_actor("tests"), username=username, password="Strong#Pass-2026", role=role
        )


def test_new_school_has_the_documented_defaults(school_a):
    with schema_context(school_a.schema_name):
        settings = SchoolSettings.objects.get()
    assert settings.allow_student_initiation is False
    assert settings.allow_termination is False
    assert settings.student_initiated_needs_school_review is True
    assert settings.invitation_validity_days == 14
    assert settings.termination_cooldown_working_days == 30
    assert settings.print_copies == 4
    assert settings.terminations_allowed == 1
    assert settings.termination_starter == "graduate"
    assert settings.termination_employer_consent_required is True
    assert settings.termination_review_levels == "school"
    assert settings.termination_window_from is None and settings.termination_publicity_days == 0
    # The guidance names no number the school can change (those are settings of their own).
    assert "解约" in settings.termination_guidance
    assert not re.search(r"\d|[一二三四五六七八九十两]\s*(次|个|天)", settings.termination_guidance)
    assert settings.school_name == "阿尔法大学"


def test_school_admin_edits_settings_on_the_page(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    page = client.get("/settings/")
    assert page.status_code == 200 and "允许学生发起签约" in page.content.decode()
    response = client.post(
        "/settings/",
        {
            "school_name": "阿尔法大学",
            "allow_student_initiation": "on",
            "allow_termination": "on",
            "termination_guidance": "请先与单位协商一致。",
            "student_initiated_needs_school_review": "on",
            "invitation_validity_days": "10",
            "termination_cooldown_working_days": "30",
            "termination_starter": "graduate",
            "termination_employer_consent_required": "on",
            "termination_review_levels": "school",
            "terminations_allowed": "1",
            "termination_publicity_days": "0",
            "print_copies": "4",
            "wechat_app_id": "wx1234567890abcdef",
            "wechat_app_secret": SECRET,
            "wechat_templates": "source_approved=TPL-1\nsource_rejected = TPL-2",
        },
        follow=True,
    )
    assert "设置已保存" in response.content.decode()
    with schema_context(school_a.schema_name):
        settings = SchoolSettings.objects.get()
        assert settings.allow_student_initiation and settings.invitation_validity_days == 10
        assert settings.wechat_templates == {"source_approved": "TPL-1", "source_rejected": "TPL-2"}
        assert settings.wechat_app_secret == SECRET
        audit = AuditLog.objects.filter(action="school_settings.updated").first()
        assert audit.actor_username == "admin" and audit.ip == "127.0.0.1"
        assert audit.data["allow_student_initiation"] == {"from": False, "to": True}
        assert SECRET not in str(audit.data)
    # Public flags now show it to graduates and employers.
    flags = client_for(school_a).get("/api/v1/school/public-settings").json()
    assert flags["allow_student_initiation"] is True
    assert flags["termination_guidance"] == "请先与单位协商一致。"


def test_the_wechat_secret_is_encrypted_at_rest_and_never_shown_back(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    client.patch(
        "/api/v1/school/settings", {"wechat_app_secret": SECRET}, content_type="application/json"
    )
    with schema_context(school_a.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT wechat_app_secret FROM settings_per_school_schoolsettings")
        stored = cursor.fetchone()[0]
    assert SECRET not in stored and stored.startswith("gAAAA")

    api = client.get("/api/v1/school/settings").json()
    assert api["wechat_app_secret_set"] is True and api["wechat_app_secret_hint"] == "****8f90"
    assert SECRET not in str(api)
    page = client.get("/settings/").content.decode()
    assert SECRET not in page and "****8f90" in page

    # Saving the form with the secret left blank keeps it.
    client.patch(
        "/api/v1/school/settings",
        {"wechat_app_secret": "", "print_copies": 2},
        content_type="application/json",
    )
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().wechat_app_secret == SECRET


def test_invalid_values_are_refused_in_chinese_and_change_nothing(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    response = client.patch(
        "/api/v1/school/settings",
        {"print_copies": 0, "allow_student_initiation": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "print_copies" in response.json()["errors"]
    assert response.json()["detail"] == "提交的数据有误，请按提示修改。"
    with schema_context(school_a.schema_name):
        settings = SchoolSettings.objects.get()
        assert settings.print_copies == 4 and settings.allow_student_initiation is False

    page = client.post(
        "/settings/",
        {
            "school_name": "阿尔法大学",
            "print_copies": "99",
            "invitation_validity_days": "14",
            "termination_cooldown_working_days": "30",
            "termination_starter": "graduate",
            "termination_employer_consent_required": "on",
            "termination_review_levels": "school",
            "terminations_allowed": "1",
            "termination_publicity_days": "0",
        },
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    bad_templates = client.post(
        "/settings/",
        {
            "school_name": "阿尔法大学",
            "print_copies": "4",
            "invitation_validity_days": "14",
            "termination_cooldown_working_days": "30",
            "termination_starter": "graduate",
            "termination_employer_consent_required": "on",
            "termination_review_levels": "school",
            "terminations_allowed": "1",
            "termination_publicity_days": "0",
            "wechat_templates": "no equals sign",
        },
    )
    assert "第 1 行格式应为" in bad_templates.content.decode()


@pytest.mark.parametrize("role", [Role.COLLEGE_ADMIN, Role.GRADUATE])
def test_only_school_admins_edit_settings(school_a, role):
    make_user(school_a, "someone", role)
    client = logged_in_client(school_a, "someone", "Strong#Pass-2026")
    assert client.get("/settings/").status_code == 403
    api = client.patch(
        "/api/v1/school/settings", {"allow_termination": True}, content_type="application/json"
    )
    assert api.status_code == 403
    assert client.get("/api/v1/school/public-settings").status_code == 200
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().allow_termination is False


def test_anonymous_visitors_read_only_the_public_flags(school_a):
    client = client_for(school_a)
    assert client.get("/settings/").status_code == 302
    assert client.get("/api/v1/school/settings").status_code == 401
    flags = client.get("/api/v1/school/public-settings").json()
    assert set(flags) == {
        "school_name",
        "allow_student_initiation",
        "allow_termination",
        "termination_guidance",
        "termination_starter",
        "terminations_allowed",
        "termination_cooldown_working_days",
        "termination_window_from",
        "termination_window_to",
        "invitation_validity_days",
        "print_copies",
        "has_logo",
    }
    assert flags["termination_guidance"] == ""  # hidden while termination is closed


def test_logo_upload_shows_on_the_school_pages(school_a, tmp_path, settings):
    from io import BytesIO

    from PIL import Image

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    buffer = BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    response = client.patch(
        "/api/v1/school/settings",
        encode_multipart(
            BOUNDARY, {"logo": SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")}
        ),
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 200 and response.json()["has_logo"] is True
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().logo.name.startswith("school_alpha/logo/")
    logo = client_for(school_a).get("/school/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert client_for(school_a).get("/school/logo", HTTP_HOST="beta.localhost").status_code == 404


def test_employers_read_a_schools_public_flags_on_the_platform_host(school_a, school_b):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    client.patch(
        "/api/v1/school/settings", {"invitation_validity_days": 7}, content_type="application/json"
    )
    platform = client_for(None)
    assert (
        platform.get("/api/v1/schools/alpha/public-settings").json()["invitation_validity_days"]
        == 7
    )
    assert (
        platform.get("/api/v1/schools/beta/public-settings").json()["invitation_validity_days"]
        == 14
    )
    assert platform.get("/api/v1/schools/nosuch/public-settings").status_code == 404
