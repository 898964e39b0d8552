"""Spreadsheets: the statistics workbook and the national 就业方案/毕业去向 upload sheet.

The national sheet holds personal data: full ID numbers only for a school admin who has
re-entered their password, and every export is audited as a personal-data export.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role
from core import audit
from core.context import Actor
from core.masking import mask_id_number
from core.spreadsheets import new_workbook, safe_cell, workbook_bytes
from destinations import fastxlsx, selectors
from destinations.models import Destination
from students.models import EducationLevel, Gender

# The national column order (考生号 first; the obsolete 报到证 columns are gone).
NATIONAL_COLUMNS = [
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


def national_export(*, actor: Actor, full_id_numbers: bool = False, password: str = "") -> bytes:
    """Every visible graduate, one row each, current destination's codes in the national order."""
    if actor.role not in (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN):
        raise PermissionDenied(_("您没有权限导出毕业去向数据。"))
    if full_id_numbers:
        if actor.role != Role.SCHOOL_ADMIN:
            raise PermissionDenied(_("只有校级管理员可以导出完整身份证号。"))
        if not actor.user.check_password(password or ""):
            raise ValidationError(
                {"password": [_("密码不正确：导出完整身份证号前请重新输入登录密码。")]}
            )
    genders = {k: str(v) for k, v in Gender.choices}
    levels = {k: str(v) for k, v in EducationLevel.choices}
    graduates = (
        selectors.visible_graduates(actor)
        .order_by("college_id", "major_id", "student_number")
        .values_list(
            "pk",
            "name",
            "id_number",
            "gender",
            "ethnicity",
            "student_number",
            "education_level",
            "college__name",
            "major__name",
            "graduation_year",
        )
    )
    current = {
        row[0]: row[1:]
        for row in Destination.objects.filter(
            is_current=True, graduate__college__in=selectors.visible_colleges(actor)
        ).values_list(
            "graduate_id",
            "code",
            "credit_code",
            "employer_name",
            "nature",
            "industry",
            "region_code",
            "job_category",
        )
    }
    empty = ("",) * 7
    count = 0

    def rows():
        nonlocal count
        yield NATIONAL_COLUMNS
        for (
            pk,
            name,
            id_number,
            gender,
            ethnicity,
            number,
            level,
            college,
            major,
            year,
        ) in graduates.iterator(chunk_size=5000):
            count += 1
            yield [
                "",  # 考生号: the roster does not carry it yet
                name,
                id_number if full_id_numbers else mask_id_number(id_number),
                genders.get(gender, gender),
                ethnicity,
                number,
                levels.get(level, level),
                college,
                major,
                year,
                *current.get(pk, empty),
            ]

    content = fastxlsx.workbook(_("毕业去向"), rows())
    audit.record(
        actor,
        "destination.personal_data_export",
        target_type="destinations.export",
        data={"rows": count, "full_id_numbers": full_id_numbers, "kind": "national"},
    )
    return content


RATE_FORMAT = "0.0%"


def statistics_xlsx(actor: Actor) -> bytes:
    """The dashboard's figures: by college (total row), by major, by code, the signing curve."""
    from openpyxl.cell import WriteOnlyCell

    data = selectors.statistics(actor)
    book = new_workbook(write_only=True)
    header = [
        _("毕业生人数"),
        _("生源已审核"),
        _("协议审核中"),
        _("已签约"),
        _("签约率"),
        _("就业"),
        _("升学"),
        _("暂不就业/待就业"),
        _("未登记"),
        _("去向落实率"),
    ]

    def cells(sheet, label_cells: list, f) -> list:
        out = [*label_cells]
        values = [
            f.graduates,
            f.approved,
            f.in_review,
            f.signed,
            f.signed_rate,
            f.employed,
            f.further_study,
            f.unplaced,
            f.unregistered,
            f.placed_rate,
        ]
        for i, value in enumerate(values):
            cell = WriteOnlyCell(sheet, value=value if value is not None else None)
            if i in (4, 9):
                cell.number_format = RATE_FORMAT
            out.append(cell)
        return out

    by_college = book.create_sheet(_("按院系"))
    by_college.append([_("院系"), *header])
    for row in data["rows"]:
        by_college.append(cells(by_college, [safe_cell(row.label)], row.figures))
    by_college.append(cells(by_college, [data["total"].label], data["total"].figures))
    by_major = book.create_sheet(_("按专业"))
    by_major.append([_("院系"), _("专业"), *header])
    for row in data["rows"]:
        for major in row.majors:
            by_major.append(
                cells(by_major, [safe_cell(row.label), safe_cell(major.label)], major.figures)
            )
    by_major.append(cells(by_major, [data["total"].label, ""], data["total"].figures))
    codes = book.create_sheet(_("按毕业去向"))
    codes.append([_("毕业去向代码"), _("毕业去向"), _("人数")])
    for row in data["by_code"]:
        codes.append([row["code"], row["name"], row["count"]])
    from agreements.print_services import paper_counts  # the printed agreements' paper copies

    papers = book.create_sheet(_("纸质协议"))
    papers.append([_("纸质协议"), _("协议数")])
    for label, _value, n in paper_counts(actor):
        papers.append([str(label), n])
    curve = book.create_sheet(_("签约进度"))
    curve.append([_("日期"), _("累计签约人数")])
    for day, n in data["curve"]:
        curve.append([day, n])
    return workbook_bytes(book)
