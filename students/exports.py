"""Spreadsheets: the import template and the roster export (ID numbers and phones masked)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from openpyxl.styles import Font

from core.masking import mask_id_number
from core.spreadsheets import append_row, new_workbook, workbook_bytes
from students import visibility
from students.models import Graduate
from students.roster import COLUMNS


def template_workbook() -> bytes:
    workbook = new_workbook()
    sheet = workbook.create_sheet("毕业生名单")
    append_row(sheet, [c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Text format, so Excel keeps every digit of 学号 and 身份证号.
    for letter in ("A", "D", "K"):
        for row in range(2, 5001):
            sheet[f"{letter}{row}"].number_format = "@"
    for index, column in enumerate(COLUMNS, start=1):
        width = 22 if column.key in {"id_number", "home_address", "archive_address"} else 14
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    notes = workbook.create_sheet("填写说明")
    append_row(notes, ["列名", "是否必需", "说明"])
    hints = {
        "学号": "必填；设置为文本格式，不要让 Excel 存成数字",
        "身份证号": "必填；18 位，最后一位可以是 X；必须设置为文本格式，否则末几位会丢失",
        "学历层次": "专科、本科、硕士研究生、博士研究生",
        "毕业年份": "四位年份，例如 2026",
        "培养方式": "非定向、定向、委培",
        "档案是否转出": "是 或 否",
        "入学日期": "例如 2022-09-01",
    }
    for column in COLUMNS:
        required = (
            "必填" if column.required_value else ("必需列" if column.required_column else "可选")
        )
        append_row(notes, [column.header, required, hints.get(column.header, "")])
    return workbook_bytes(workbook)


EXPORT_HEADERS = [
    "学号",
    "姓名",
    "性别",
    "身份证号",
    "学院",
    "专业",
    "班级",
    "学历层次",
    "毕业年份",
    "生源地",
    "手机号",
    "邮箱",
    "核验状态",
    "提交时间",
    "审核时间",
    "审核意见",
]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def roster_workbook(graduates: Iterable[Graduate], *, clear_for=None) -> bytes:
    """The roster; phones masked unless `clear_for` (a viewer who gave a reason) may see them."""
    policy = visibility.ContactPolicy(clear_for) if clear_for is not None else None
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet("毕业生名单")
    append_row(sheet, EXPORT_HEADERS)
    for g in graduates:
        append_row(
            sheet,
            [
                g.student_number,
                g.name,
                g.get_gender_display(),
                mask_id_number(g.id_number),
                g.college.name,
                g.major.name,
                g.class_name,
                g.get_education_level_display(),
                g.graduation_year,
                g.origin,
                visibility.export_phone(policy, g, g.mobile),
                g.email,
                g.get_state_display(),
                _local(g.submitted_at),
                _local(g.decided_at),
                g.decision_reason,
            ],
        )
    return workbook_bytes(workbook)
