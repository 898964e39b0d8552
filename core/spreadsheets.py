"""Reading and sending spreadsheets: the one place that knows .xlsx and Chinese Excel's CSV."""

from __future__ import annotations

import csv
import datetime
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


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
