"""The two print settings: 打印份数 (already there) and 分联名称, on the page and in the API."""

import json

from django_tenants.utils import schema_context

from settings_per_school.models import SchoolSettings
from tests.utils import ADMIN_PASSWORD, logged_in_client


def test_copy_labels_through_the_api_and_refused_when_too_many(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    r = client.patch(
        "/api/v1/school/settings",
        json.dumps({"print_copy_labels": ["第一联 学校留存", "第二联 毕业生"], "print_copies": 2}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content.decode()
    assert r.json()["print_copy_labels"] == ["第一联 学校留存", "第二联 毕业生"]
    r = client.patch(
        "/api/v1/school/settings",
        json.dumps({"print_copy_labels": [f"第{i}联" for i in range(11)]}),
        content_type="application/json",
    )
    assert r.status_code == 400
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().print_copy_labels == [
            "第一联 学校留存",
            "第二联 毕业生",
        ]


def test_copy_labels_on_the_settings_page_one_per_line(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    page = client.get("/settings/").content.decode()
    assert "分联名称" in page and "打印份数" in page
    with schema_context(school_a.schema_name):
        s = SchoolSettings.objects.get()
    data = {
        "school_name": s.school_name,
        "termination_guidance": s.termination_guidance,
        "student_initiated_needs_school_review": "on",
        "invitation_validity_days": 14,
        "termination_cooldown_working_days": 30,
        "print_copies": 4,
        "print_copy_labels": "第一联 学校留存\n\n第二联 毕业生\n",
        "termination_starter": "graduate",
        "termination_employer_consent_required": "on",
        "termination_review_levels": "school",
        "terminations_allowed": "1",
        "termination_publicity_days": "0",
        "wechat_app_id": "",
        "wechat_templates": "",
    }
    r = client.post("/settings/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().print_copy_labels == [
            "第一联 学校留存",
            "第二联 毕业生",
        ]
    data["print_copy_labels"] = "x" * 31
    r = client.post("/settings/", data)
    assert r.status_code == 200 and "1–30 个字" in r.content.decode()
