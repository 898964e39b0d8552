"""Reading a directory file (CSV or xlsx) into validated rows, or a report of every bad cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from codetables.selectors import normalize as normalize_code
from core.spreadsheets import SpreadsheetError, clean_text, read_rows
from employers.credit_code import validate_credit_code
from employers.models import Industry, Nature
from employers.regions import split_region
from employers.services import clean_employer_fields

HEADERS = {
    "单位名称": "name",
    "统一社会信用代码": "credit_code",
    "单位性质": "nature",
    "所属行业": "industry",
    "所在地区": "region",
}
MAX_ROWS = 200_000

NATURE_BY_LABEL = {str(label): value for value, label in Nature.choices}
# Common names people type for a 单位性质代码 (the national names are read as they are).
NATURE_ALIASES = {
    "国企": "31",
    "民企": "39",
    "民营企业": "39",
    "私营企业": "39",
    "外企": "32",
    "外资企业": "32",
    "合资企业": "32",
    "党政机关": "10",
    "机关单位": "10",
    "事业单位": "29",
    "高等学校": "21",
}
INDUSTRY_BY_LABEL = {str(label): value for value, label in Industry.choices}


@dataclass
class ImportReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        return [
            _("第 %(row)d 行，“%(column)s”列：%(message)s")
            % {"row": row, "column": column, "message": message}
            for row, column, message in self.errors
        ]


MAX_FILE_BYTES = 200 * 2**20  # a whole directory export


def _read_table(path: Path) -> list[list[str]]:
    rows = read_rows(path.read_bytes(), path.name, max_bytes=MAX_FILE_BYTES)
    # Names keep their full-width brackets (registered names use them): fold only non-text cells;
    # credit codes are folded where they are validated.
    return [
        [" ".join(cell.split()) if isinstance(cell, str) else clean_text(cell) for cell in cells]
        for _number, cells in rows
    ]


def _nature(value: str) -> str | None:
    value = normalize_code("unit_nature", value)
    if value in Nature.values:
        return value
    return NATURE_BY_LABEL.get(value) or NATURE_ALIASES.get(value)


def _industry(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    # A two-digit 单位行业代码, or the GB/T 4754 section letter ("I", "I 信息传输…").
    code = value[:2]
    if code in Industry.values and (len(value) == 2 or value[2] in " 　-:："):
        return code
    head = value[0].upper()
    if (
        head.isascii()
        and head.isalpha()
        and (len(value) == 1 or not value[1].isascii() or value[1] in " 　-:：")
    ):
        code = normalize_code("unit_industry", head)
        if code in Industry.values:
            return code
    return INDUSTRY_BY_LABEL.get(value)


def read_directory(path: str | Path) -> ImportReport:
    """Validate every row; the report lists every problem by row and column."""
    path = Path(path)
    report = ImportReport()
    if not path.exists():
        report.errors.append((0, _("文件"), _("文件不存在：%(path)s") % {"path": path}))
        return report
    try:
        table = _read_table(path)
    except SpreadsheetError as exc:
        report.errors.append((0, _("文件"), exc.message))
        return report
    while table and not any(table[-1]):
        table.pop()
    if not table:
        report.errors.append((1, _("表头"), _("文件是空的。")))
        return report
    header = table[0]
    positions = {}
    for label in HEADERS:
        if label in header:
            positions[label] = header.index(label)
        else:
            report.errors.append((1, label, _("缺少此列。")))
    if report.errors:
        return report
    if len(table) - 1 > MAX_ROWS:
        report.errors.append(
            (0, _("文件"), _("一次最多导入 %(max)d 行，请拆分文件。") % {"max": MAX_ROWS})
        )
        return report

    seen: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        cell = {label: cells[pos] if pos < len(cells) else "" for label, pos in positions.items()}
        data = {
            "name": cell["单位名称"],
            "credit_code": cell["统一社会信用代码"],
            "nature": _nature(cell["单位性质"]) or "",
            "industry": _industry(cell["所属行业"]) or "",
        }
        province, city = split_region(cell["所在地区"])
        data["province"], data["city"] = province, city
        row_errors: list[tuple[int, str, str]] = []
        try:
            cleaned = clean_employer_fields(data, partial=True)
        except ValidationError as exc:
            column_of = {v: k for k, v in HEADERS.items()}
            for field_name, messages in exc.message_dict.items():
                column = column_of.get(field_name, "所在地区")
                if field_name == "nature":
                    messages = [
                        _("“%(value)s”不是有效的单位性质，可填：%(choices)s。")
                        % {"value": cell["单位性质"], "choices": "、".join(NATURE_BY_LABEL)}
                    ]
                if field_name == "industry":
                    messages = [
                        _(
                            "“%(value)s”不是国民经济行业分类（GB/T 4754）的门类，可填门类字母或名称。"
                        )
                        % {"value": cell["所属行业"]}
                    ]
                row_errors += [(number, column, message) for message in messages]
            cleaned = {}
        if not province:
            row_errors.append((number, "所在地区", _("请填写所在地区（如“湖南省长沙市”）。")))
        try:
            code = validate_credit_code(data["credit_code"])
        except ValidationError:
            code = None  # already reported
        if code:
            if code in seen:
                row_errors.append(
                    (
                        number,
                        "统一社会信用代码",
                        _("与第 %(row)d 行的代码重复。") % {"row": seen[code]},
                    )
                )
            else:
                seen[code] = number
        if row_errors:
            report.errors += row_errors
        else:
            report.rows.append(cleaned)
    if not report.rows and not report.errors:
        report.errors.append((2, _("单位名称"), _("文件中没有数据行。")))
    return report
