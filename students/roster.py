"""Reading a roster (.xlsx or .csv) into clean rows, with every problem reported by row and column.

Only the file is looked at here; what the database already holds is checked by
`students.services.import_roster`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.spreadsheets import SpreadsheetError, clean_text, read_rows
from students.identity import gender_from_id_number, validate_id_number
from students.models import EducationLevel, Gender, TrainingMode

MAX_ROWS = 50_000
MAX_REPORTED_ERRORS = 1000
HEADER_SEARCH_ROWS = 10  # real sheets often carry a title row or two above the headers

EXPONENT_RE = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
STUDENT_NUMBER_RE = re.compile(r"^[A-Za-z0-9_-]{3,32}$")


# The file-level error of a roster import (one reader for every spreadsheet import).
RosterFileError = SpreadsheetError


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


# ---- cell normalisation -------------------------------------------------------------------


def compact(value: Any) -> str:
    return clean_text(value).replace(" ", "")


# ---- field parsers: raw cell → value, or ValidationError in Chinese -------------------------


def parse_student_number(raw: Any) -> str:
    if isinstance(raw, float) and not raw.is_integer():
        raise ValidationError(_("学号不能是小数。"))
    text = compact(raw)
    if EXPONENT_RE.match(text):  # a CSV saved from Excel: 2.021E+09
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value() or len(str(int(number))) > 15:
            raise ValidationError(_("学号被存成了科学计数法，请把该列设置为文本后重新导出。"))
        text = str(int(number))
    if not STUDENT_NUMBER_RE.match(text):
        raise ValidationError(_("学号只能包含字母、数字、- 和 _，长度 3–32 位。"))
    return text


def parse_id_number(raw: Any) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise ValidationError(
            _("身份证号被 Excel 存成了数字，末几位已经丢失；请把该列设置为文本格式后重新填写。")
        )
    text = compact(raw)
    if EXPONENT_RE.match(text):
        raise ValidationError(
            _("身份证号被存成了科学计数法，末几位已经丢失；请把该列设置为文本格式后重新填写。")
        )
    return validate_id_number(text)


def parse_name(raw: Any) -> str:
    text = clean_text(raw)
    # Rosters pad two-character names for alignment: "张  三".
    if all("\u4e00" <= ch <= "\u9fff" or ch == " " for ch in text):
        text = text.replace(" ", "")
    if len(text) > 50:
        raise ValidationError(_("姓名太长（最多 50 个字符）。"))
    return text


def _choice_parser(choices: dict[str, str], label: str, allowed: str) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        text = compact(raw)
        if text in choices:
            return choices[text]
        if text in choices.values():  # the stored code, as forms and the API send it
            return text
        raise ValidationError(
            _("%(label)s“%(value)s”无法识别，可填：%(allowed)s。")
            % {"label": label, "value": text[:20], "allowed": allowed}
        )

    return parse


parse_gender = _choice_parser(
    {"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE},
    "性别",
    "男、女",
)
parse_education_level = _choice_parser(
    {
        "专科": EducationLevel.JUNIOR_COLLEGE,
        "大专": EducationLevel.JUNIOR_COLLEGE,
        "高职": EducationLevel.JUNIOR_COLLEGE,
        "本科": EducationLevel.BACHELOR,
        "硕士研究生": EducationLevel.MASTER,
        "硕士": EducationLevel.MASTER,
        "博士研究生": EducationLevel.DOCTOR,
        "博士": EducationLevel.DOCTOR,
    },
    "学历层次",
    "专科、本科、硕士研究生、博士研究生",
)
parse_training_mode = _choice_parser(
    {
        "非定向": TrainingMode.NON_DIRECTED,
        "定向": TrainingMode.DIRECTED,
        "委培": TrainingMode.COMMISSIONED,
        "委托培养": TrainingMode.COMMISSIONED,
    },
    "培养方式",
    "非定向、定向、委培",
)


def parse_year(raw: Any) -> int:
    text = compact(raw).removesuffix("届").removesuffix("年")
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise ValidationError(_("毕业年份应为四位年份，例如 2026。"))
    return int(text)


def parse_mobile(raw: Any) -> str:
    text = compact(raw).replace("-", "")
    text = text.removeprefix("+86").removeprefix("0086")
    if text and not MOBILE_RE.match(text):
        raise ValidationError(_("手机号应为 11 位中国大陆手机号。"))
    return text


def parse_email(raw: Any) -> str:
    text = compact(raw).lower()
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_("邮箱格式不正确。")) from None
    return text


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m", "%Y.%m")


def parse_date(raw: Any) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 80000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(raw).date()  # an Excel date serial that lost its format
    text = compact(raw)
    if not text:
        return None
    if text.isdigit() and len(text) == 5:
        from openpyxl.utils.datetime import from_excel

        return from_excel(int(text)).date()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("日期格式无法识别，请写成 2022-09-01。"))


def parse_study_length(raw: Any) -> Decimal | None:
    text = compact(raw).removesuffix("年")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("学制应为年数，例如 4。")) from None
    if not Decimal("1") <= value <= Decimal("9"):
        raise ValidationError(_("学制应在 1 到 9 年之间。"))
    return value


def parse_bool(raw: Any) -> bool | None:
    text = compact(raw)
    if not text:
        return None
    if text in {"是", "转出", "转", "Y", "y", "1", "TRUE", "true"}:
        return True
    if text in {"否", "不转", "不转出", "N", "n", "0", "FALSE", "false"}:
        return False
    raise ValidationError(_("请填“是”或“否”。"))


def parse_postcode(raw: Any) -> str:
    text = compact(raw)
    if text and not (len(text) == 6 and text.isdigit()):
        raise ValidationError(_("邮编应为 6 位数字。"))
    return text


def _text(max_length: int) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        text = clean_text(raw)
        if len(text) > max_length:
            raise ValidationError(_("内容太长（最多 %(n)d 个字符）。") % {"n": max_length})
        return text

    return parse


# ---- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[Any], Any]
    required_column: bool = False
    required_value: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("student_number", "学号", parse_student_number, True, True, ("学生学号",)),
    Column("name", "姓名", parse_name, True, True, ("学生姓名",)),
    Column("gender", "性别", parse_gender, True, True),
    Column(
        "id_number", "身份证号", parse_id_number, True, True, ("身份证号码", "身份证", "证件号码")
    ),
    Column("college", "学院", _text(100), True, True, ("院系", "所在学院", "学院名称")),
    Column("major", "专业", _text(100), True, True, ("专业名称",)),
    Column("class_name", "班级", _text(50), True, False, ("班级名称",)),
    Column("education_level", "学历层次", parse_education_level, True, True, ("学历",)),
    Column("graduation_year", "毕业年份", parse_year, True, True, ("毕业年度", "届别")),
    Column("origin", "生源地", _text(100), True, False, ("生源所在地",)),
    Column("mobile", "手机号", parse_mobile, True, False, ("手机", "手机号码", "联系电话")),
    Column("email", "邮箱", parse_email, True, False, ("电子邮箱", "Email", "E-mail", "email")),
    Column("ethnicity", "民族", _text(20)),
    Column("political_status", "政治面貌", _text(20)),
    Column("home_address", "家庭住址", _text(200), aliases=("家庭地址",)),
    Column("enrolment_date", "入学日期", parse_date, aliases=("入学时间",)),
    Column("study_length", "学制", parse_study_length),
    Column("training_mode", "培养方式", parse_training_mode),
    Column(
        "sponsor_unit",
        "定向委培单位",
        _text(200),
        aliases=("定向/委培单位", "委培单位", "定向单位"),
    ),
    Column("archive_moves", "档案是否转出", parse_bool, aliases=("档案转出",)),
    Column("archive_unit", "档案接收单位", _text(200)),
    Column("archive_address", "档案接收地址", _text(200)),
    Column("archive_postcode", "档案接收邮编", parse_postcode, aliases=("档案邮编",)),
    Column("archive_phone", "档案接收电话", _text(30), aliases=("档案电话",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_HEADERS = [c.header for c in COLUMNS]


def _header_key(text: str) -> str:
    return compact(text).replace("*", "").replace("（", "(").replace("）", ")")


HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_LOOKUP[_header_key(_name)] = _column.key


# ---- reading files ------------------------------------------------------------------------


def raw_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    return read_rows(data, filename, max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES)


# ---- the whole roster ---------------------------------------------------------------------


@dataclass
class ParsedRoster:
    rows: list[dict[str, Any]] = field(default_factory=list)  # each has "_row" (sheet row number)
    errors: list[RowError] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # keys of the optional columns in the file

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


def _is_blank(cells: list[Any]) -> bool:
    return all(clean_text(c) == "" for c in cells)


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, dict[int, str]]:
    for number, cells in rows:
        keys = {i: HEADER_LOOKUP.get(_header_key(clean_text(c))) for i, c in enumerate(cells)}
        if "student_number" in keys.values():
            return number, {i: k for i, k in keys.items() if k}
        if number >= HEADER_SEARCH_ROWS:
            break
    raise RosterFileError(
        _("在前 %(n)d 行中没有找到表头（需要包含“学号”等列）。请使用模板。")
        % {"n": HEADER_SEARCH_ROWS}
    )


def parse_roster(
    data: bytes, filename: str, *, progress: Callable[[int], None] | None = None
) -> ParsedRoster:
    """Read and validate every row; raises RosterFileError when the file itself is unusable."""
    rows = raw_rows(data, filename)
    header_row, columns = _find_header(rows)
    result = ParsedRoster()
    seen_keys: dict[str, int] = {}
    for index, key in columns.items():
        if key in seen_keys:
            raise RosterFileError(
                _("表头中“%(column)s”列出现了两次。") % {"column": COLUMN_BY_KEY[key].header},
                column=COLUMN_BY_KEY[key].header,
            )
        seen_keys[key] = index
    missing = [c.header for c in COLUMNS if c.required_column and c.key not in seen_keys]
    if missing:
        raise RosterFileError(
            _("缺少必需的列：%(columns)s（第 %(row)d 行为表头）。")
            % {"columns": "、".join(missing), "row": header_row},
            column="、".join(missing),
        )
    result.present = set(seen_keys)

    for number, cells in rows:
        if _is_blank(cells):
            continue
        if len(result.rows) >= MAX_ROWS:
            raise RosterFileError(_("一次最多导入 %(n)d 行，请分批导入。") % {"n": MAX_ROWS})
        record: dict[str, Any] = {"_row": number}
        for key, index in seen_keys.items():
            column = COLUMN_BY_KEY[key]
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, str) or raw is None:
                empty = clean_text(raw) == ""
            else:
                empty = False
            if empty:
                if column.required_value:
                    result.add_error(number, column.header, _("不能为空。"))
                record[key] = (
                    None if key in {"enrolment_date", "study_length", "archive_moves"} else ""
                )
                continue
            try:
                record[key] = column.parse(raw)
            except ValidationError as exc:
                result.add_error(number, column.header, " ".join(exc.messages))
        _check_row(record, result)
        result.rows.append(record)
        if progress and len(result.rows) % 1000 == 0:
            progress(len(result.rows))
    if not result.rows:
        raise RosterFileError(_("文件中没有毕业生数据（表头下面是空的）。"))
    _check_duplicates(result)
    return result


def _check_row(record: dict[str, Any], result: ParsedRoster) -> None:
    id_number, gender = record.get("id_number"), record.get("gender")
    if id_number and gender and gender_from_id_number(id_number) != gender:
        result.add_error(record["_row"], "性别", _("性别与身份证号不一致。"))


def _check_duplicates(result: ParsedRoster) -> None:
    first_number: dict[str, int] = {}
    first_id: dict[tuple[str, Any], int] = {}
    for record in result.rows:
        number = record.get("student_number")
        if number:
            if number in first_number:
                result.add_error(
                    record["_row"],
                    "学号",
                    _("学号 %(number)s 与第 %(row)d 行重复。")
                    % {"number": number, "row": first_number[number]},
                )
            else:
                first_number[number] = record["_row"]
        id_number = record.get("id_number")
        if id_number:
            key = (id_number, record.get("graduation_year"))
            if key in first_id:
                result.add_error(
                    record["_row"],
                    "身份证号",
                    _("身份证号与第 %(row)d 行重复。") % {"row": first_id[key]},
                )
            else:
                first_id[key] = record["_row"]
