"""The termination settings on the settings page and API, and what the graduate then sees."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

from core.models import AuditLog
from settings_per_school.models import SchoolSettings
from tests.utils import ADMIN_PASSWORD, logged_in_client

BASE = {
    "school_name": "阿尔法大学",
    "invitation_validity_days": "14",
    "termination_cooldown_working_days": "20",
    "print_copies": "4",
    "allow_termination": "on",
    "termination_guidance": "请先与单位签署解约函。",
    "termination_starter": "graduate_or_employer",
    "termination_review_levels": "college_then_school",
    "terminations_allowed": "2",
    "termination_window_from": "2027-03-01",
    "termination_window_to": "2027-06-30",
    "termination_publicity_days": "3",
}


def test_the_page_saves_every_termination_setting_and_audits_it(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    page = client.get("/settings/").content.decode()
    for label in (
        "可发起解约的一方",
        "解约须用人单位在线同意",
        "解约审核级别",
        "每位毕业生可解约次数",
        "解约申请开始日期",
        "解约公示期（天）",
    ):
        assert label in page
    r = client.post("/settings/", BASE, follow=True)  # consent box left unticked
    assert "设置已保存" in r.content.decode()
    with schema_context(school_a.schema_name):
        s = SchoolSettings.objects.get()
        assert s.termination_starter == "graduate_or_employer"
        assert s.termination_employer_consent_required is False
        assert s.termination_review_levels == "college_then_school"
        assert s.terminations_allowed == 2 and s.termination_publicity_days == 3
        assert str(s.termination_window_from) == "2027-03-01"
        audit = AuditLog.objects.filter(action="school_settings.updated").latest("id")
        assert audit.data["termination_window_to"] == {"from": None, "to": "2027-06-30"}


def test_a_window_ending_before_it_starts_is_refused_and_changes_nothing(school_a):
    client = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    r = client.patch(
        "/api/v1/school/settings",
        json.dumps(
            {"termination_window_from": "2027-06-01", "termination_window_to": "2027-03-01"}
        ),
        content_type="application/json",
    )
    assert r.status_code == 400 and "开始日期不能晚于截止日期" in r.content.decode()
    r = client.patch(
        "/api/v1/school/settings",
        json.dumps({"terminations_allowed": 3, "termination_review_levels": "college_then_school"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["terminations_allowed"] == 3
    with schema_context(school_a.schema_name):
        assert SchoolSettings.objects.get().termination_window_from is None
