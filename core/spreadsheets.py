"""Reading, writing and sending spreadsheets: the one place that knows .xlsx and Chinese Excel's CSV.

Every workbook we hand out is built here (`new_workbook` + `append_row`), so every cell that may
come from user input is neutralised against formula injection in one function, `safe_cell`.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"), None)


class SpreadsheetError(Exception):
    """The file as a whole can't be read (wrong type, empty, junk, missing columns)."""

    def __init__(self, message: str, *, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def clean_text(value: Any) -> str:
    """Trim, fold full-width characters (NFKC), drop zero-width marks, `12.0` → `12`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).translate(ZERO_WIDTH)
    return " ".join(text.split())


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(_("文件不是有效的 Excel (.xlsx) 文件，无法读取。")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise SpreadsheetError(_("文件不是文本格式的 CSV，无法读取。"))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV 或 .xlsx。"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise SpreadsheetError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def read_rows(data: bytes, filename: str, *, max_bytes: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, raw cells) of the first sheet of an .xlsx, or of a UTF-8/GBK CSV."""
    name = (filename or "").lower()
    if not data:
        raise SpreadsheetError(_("文件是空的。"))
    if len(data) > max_bytes:
        raise SpreadsheetError(_("文件太大（最大 %(mb)d MB）。") % {"mb": max_bytes // 2**20})
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            raise SpreadsheetError(_("文件不是有效的 Excel (.xlsx) 文件，无法读取。"))
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    if name.endswith(".xls"):
        raise SpreadsheetError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传。"))
    raise SpreadsheetError(_("只支持 .xlsx 或 .csv 文件。"))


# OWASP "CSV injection": a cell starting with one of these is a formula to Excel/WPS/LibreOffice
# (tab and CR too, and the full-width forms, which those programs fold when editing).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """A value as it may be written into a cell: text stays text, never a formula.

    Text starting with a formula trigger gets a leading apostrophe (OWASP), so openpyxl
    stores it as a string and a spreadsheet program, even after re-saving as CSV, shows it
    instead of evaluating it. Control characters xlsx can't hold are dropped (openpyxl would
    raise on them, turning a graduate's stray keystroke into a failed export).
    """
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value
    if value is None or isinstance(
        value, int | float | decimal.Decimal | datetime.date | datetime.datetime
    ):
        return value
    return safe_cell(str(value))  # lazy translations, enums: written as their text


def new_workbook(*, write_only: bool = False):
    """An empty openpyxl workbook; fill it with `append_row` only."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)  # callers name their sheets with create_sheet()
    return workbook


def append_row(sheet, values) -> None:
    """Append one row, every cell through `safe_cell`."""
    sheet.append([safe_cell(value) for value in values])


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
