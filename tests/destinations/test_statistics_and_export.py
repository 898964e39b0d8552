"""The dashboard's figures on the known season equal the hand-computed ones; the national
export has the national column order and codes, and re-imports with openpyxl."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.context import Actor
from core.models import AuditLog
from destinations import exports, selectors
from tests.destinations.season import EXPECTED, EXPECTED_MAJORS
from tests.factories import agreements as f
from tests.utils import ADMIN_PASSWORD, logged_in_client

NATIONAL_ORDER = [
    "考生号",
    "姓名",
    "身份证号",
    "性别",
    "民族",
    "学号",
    "学历层次",
    "院系名称",
    "专业名称",
    "毕业年份",
    "毕业去向代码",
    "单位统一社会信用代码",
    "单位名称",
    "单位性质代码",
    "单位行业代码",
    "单位所在地代码",
    "工作职位类别代码",
]


def _figures(f_):
    return (
        f_.graduates,
        f_.approved,
        f_.in_review,
        f_.signed,
        f_.employed,
        f_.further_study,
        f_.unplaced,
        f_.unregistered,
    )


def test_rates_by_college_and_major_equal_the_hand_computed_ones(season):
    with schema_context(season.tenant.schema_name):
        data = selectors.statistics(season.admin_actor())
    rows = {r.label: r for r in data["rows"]}
    # every college is listed, the empty one and the one with nobody approved included
    assert sorted(rows) == sorted(["计算机学院", "外国语学院", "艺术学院", "体育学院"])
    for college, expected in EXPECTED.items():
        assert _figures(rows[college].figures) == expected, college
    assert rows["计算机学院"].figures.placed_rate == pytest.approx(6 / 16)
    assert rows["计算机学院"].figures.signed_rate == pytest.approx(4 / 16)
    assert rows["外国语学院"].figures.placed_rate == pytest.approx(3 / 14)
    assert rows["艺术学院"].figures.placed_rate == pytest.approx(1 / 10)
    assert rows["艺术学院"].figures.signed_rate == 0
    assert rows["体育学院"].figures.placed_rate is None  # no graduates: no rate, not 0 %
    majors = {m.label: m.figures for r in data["rows"] for m in r.majors}
    for major, (graduates, signed, placed) in EXPECTED_MAJORS.items():
        assert (majors[major].graduates, majors[major].signed, majors[major].placed) == (
            graduates,
            signed,
            placed,
        )
    total = data["total"].figures
    assert _figures(total) == (40, 24, 2, 5, 6, 4, 1, 29)
    assert total.signed_rate == pytest.approx(5 / 40)
    assert total.placed_rate == pytest.approx(10 / 40)
    by_code = {c["code"]: c["count"] for c in data["by_code"]}
    assert by_code["10"] == 5 and by_code["801"] == 3 and by_code["85"] == 1
    assert by_code["75"] == 1 and by_code["71"] == 1 and by_code["11"] == 0  # 11 is pending
    assert by_code[""] == 29  # 未登记
    assert data["curve"][-1][1] == 5


def test_the_dashboard_page_shows_the_figures_and_charts(season):
    school = logged_in_client(season.tenant, "admin", ADMIN_PASSWORD)
    redirect = school.get("/agreements/dashboard/")
    assert redirect.status_code == 302 and redirect["Location"] == "/destinations/dashboard/"
    page = school.get("/destinations/dashboard/").content.decode()
    assert 'id="total-rate">25.0%' in page and 'id="total-signed-rate">12.5%' in page
    assert page.count("<svg") == 4 and "<script" not in page.split("</main>")[0].split("<main>")[1]
    assert "体育学院" in page and "—" in page
    main = page.split("<main>")[1]
    assert 'src="http' not in main and 'href="http' not in main  # nothing from a CDN


def test_a_college_admin_sees_only_their_college(season):
    names = [c.name for c in season.colleges]
    admin = season.college_admins[names.index("外国语学院")]
    client = logged_in_client(season.tenant, admin.username, f.STAFF_PASSWORD)
    page = client.get("/destinations/dashboard/").content.decode()
    assert "外国语学院" in page and "计算机学院" not in page
    with schema_context(season.tenant.schema_name):
        data = selectors.statistics(f.web(admin))
    assert [r.label for r in data["rows"]] == ["外国语学院"]
    assert data["total"].figures.graduates == 14


def test_statistics_xlsx_has_the_same_figures(season):
    school = logged_in_client(season.tenant, "admin", ADMIN_PASSWORD)
    response = school.get("/destinations/dashboard.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["按院系"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["计算机学院"][:4] == (16, 16, 2, 4)
    assert rows["艺术学院"][9] == pytest.approx(0.1)
    assert rows["体育学院"][0] == 0 and rows["体育学院"][9] is None
    assert rows["合计"][0] == 40 and rows["合计"][9] == pytest.approx(0.25)
    assert rows["合计"][4] == pytest.approx(0.125)
    majors = {r[1]: r for r in book["按专业"].iter_rows(min_row=2, values_only=True)}
    assert majors["网络工程"][2] == 6
    codes = {r[0]: r[2] for r in book["按毕业去向"].iter_rows(min_row=2, values_only=True)}
    assert codes["10"] == 5 and codes["801"] == 3


def _export_rows(content: bytes) -> tuple[list, dict]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    return header, {r[header.index("学号")]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_the_national_export_columns_and_codes(season):
    school = logged_in_client(season.tenant, "admin", ADMIN_PASSWORD)
    response = school.post("/destinations/export/", {})
    assert response.status_code == 200
    header, rows = _export_rows(response.content)
    assert header == NATIONAL_ORDER
    assert not any("报到" in h for h in header)
    assert len(rows) == 40
    signed = rows[season.signed[0].student_number]
    assert signed["毕业去向代码"] == "10"
    assert signed["单位统一社会信用代码"] == season.employer.org.credit_code
    assert signed["单位名称"] == "湘江智能科技有限公司"
    assert (
        signed["单位性质代码"],
        signed["单位行业代码"],
        signed["单位所在地代码"],
        signed["工作职位类别代码"],
    ) == ("39", "62", "430100", "13")
    study = rows[season.registered["801"][0].student_number]
    assert study["毕业去向代码"] == "801" and study["单位名称"] == "湖南大学"
    assert rows[season.registered["75"][0].student_number]["单位所在地代码"] == "430500"
    pending = rows[season.by_major["软件工程"][6].student_number]
    assert pending["毕业去向代码"] in ("", None)  # a registration in review is not reported
    # masked by default
    graduate = season.signed[0]
    with schema_context(season.tenant.schema_name):
        full = type(graduate).objects.get(pk=graduate.pk).id_number
    assert signed["身份证号"] != full and signed["身份证号"].startswith(full[:4])
    assert "*" in signed["身份证号"]


def test_full_id_numbers_need_a_school_admin_and_their_password(season):
    school = logged_in_client(season.tenant, "admin", ADMIN_PASSWORD)
    wrong = school.post("/destinations/export/", {"full_id_numbers": "on", "password": "nope"})
    assert wrong["Content-Type"].startswith("text/html")
    assert "密码不正确" in wrong.content.decode()
    with schema_context(season.tenant.schema_name):
        before = AuditLog.objects.filter(action="destination.personal_data_export").count()
    right = school.post(
        "/destinations/export/", {"full_id_numbers": "on", "password": ADMIN_PASSWORD}
    )
    _header, rows = _export_rows(right.content)
    graduate = season.signed[0]
    with schema_context(season.tenant.schema_name):
        full = type(graduate).objects.get(pk=graduate.pk).id_number
        entry = AuditLog.objects.filter(action="destination.personal_data_export").first()
        after = AuditLog.objects.filter(action="destination.personal_data_export").count()
    assert rows[graduate.student_number]["身份证号"] == full
    assert after == before + 1
    assert entry.data == {"rows": 40, "full_id_numbers": True, "kind": "national"}
    assert entry.actor_username == "admin"
    # a college admin exports masked numbers of their college only, never full ones
    admin = season.college_admins[[c.name for c in season.colleges].index("计算机学院")]
    college = logged_in_client(season.tenant, admin.username, f.STAFF_PASSWORD)
    refused = college.post(
        "/destinations/export/", {"full_id_numbers": "on", "password": f.STAFF_PASSWORD}
    )
    assert "只有校级管理员可以导出完整身份证号" in refused.content.decode()
    _header, mine = _export_rows(college.post("/destinations/export/", {}).content)
    assert len(mine) == 16
    with schema_context(season.tenant.schema_name):
        with pytest.raises(PermissionDenied):
            exports.national_export(actor=Actor(user=None, via="cli"))


def test_no_other_school_sees_these_figures(season, school_b):
    other = logged_in_client(school_b, "admin", ADMIN_PASSWORD)
    page = other.get("/destinations/dashboard/").content.decode()
    assert "外国语学院" not in page and 'id="total-graduates">40<' not in page
    platform = logged_in_client(None, "operator", "Platform#Ops-2026")
    assert platform.get("/destinations/dashboard/").status_code == 404
