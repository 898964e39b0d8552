"""`manage.py import_employers FILE`: all rows or none, a report by row and column."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from employers.models import Employer, Status
from employers.selectors import search_employers
from tests.factories.employers import credit_code, register

HEADER = ["单位名称", "统一社会信用代码", "单位性质", "所属行业", "所在地区"]


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return str(path)


def run(path):
    out, err = [], []

    class Sink:
        def __init__(self, lines):
            self.lines = lines

        def write(self, text):
            self.lines.append(text)

        def flush(self):
            pass

    call_command("import_employers", path, stdout=Sink(out), stderr=Sink(err))
    return "".join(out), "".join(err)


def test_a_good_csv_is_imported_and_reimporting_is_safe(db, tmp_path):
    rows = [
        ["长沙云帆信息技术有限公司", credit_code(seed=1001), "民营企业", "I", "湖南省长沙市"],
        [
            "湖南省交通规划勘察设计院有限公司",
            credit_code(seed=1002),
            "国有企业",
            "M 科学研究和技术服务业",
            "湖南省 长沙市",
        ],
        [
            "上海浦东发展银行股份有限公司",
            credit_code(seed=1003),
            "国企",
            "金融业",
            "上海市浦东新区",
        ],
    ]
    path = write_csv(tmp_path / "名录.csv", rows)
    out, _err = run(path)
    assert "新增 3 家" in out and "已处理 3/3 行" in out
    bank = Employer.objects.get(credit_code=credit_code(seed=1003))
    assert (bank.nature, bank.industry, bank.province, bank.city) == (
        "31",  # 国有企业: stored as the national 单位性质代码
        "63",  # J 金融业 → 单位行业代码 63
        "上海市",
        "浦东新区",
    )
    assert bank.is_verified and bank.in_directory
    assert search_employers("云帆")[0]["cloud"] is True

    rows[0][0] = "长沙云帆智能科技有限公司"  # renamed since the last import
    out, _err = run(write_csv(tmp_path / "again.csv", rows, encoding="gb18030"))
    assert "新增 0 家，更新 1 家" in out
    assert Employer.objects.filter(credit_code__in=[r[1] for r in rows]).count() == 3
    assert search_employers("云帆")[0]["name"] == "长沙云帆智能科技有限公司"


def test_any_bad_row_imports_nothing_and_reports_row_and_column(db, tmp_path):
    before = Employer.objects.count()
    rows = [
        ["好单位有限公司", credit_code(seed=2001), "民营企业", "I", "湖南省长沙市"],
        ["", credit_code(seed=2002), "民营企业", "I", "湖南省长沙市"],
        ["错代码有限公司", "9144030071526726XH", "私人", "Z", ""],
        ["重复有限公司", credit_code(seed=2001), "民营企业", "I", "湖南省长沙市"],
    ]
    with pytest.raises(CommandError) as info:
        call_command("import_employers", write_csv(tmp_path / "bad.csv", rows))
    assert "未导入任何数据" in str(info.value)
    assert Employer.objects.count() == before


def test_the_report_lists_every_problem(db, tmp_path, capsys):
    rows = [
        ["", credit_code(seed=3002), "民营企业", "I", "湖南省长沙市"],
        ["错代码有限公司", "9144030071526726XH", "私人", "Z", ""],
        ["重复有限公司", credit_code(seed=3002), "民营企业", "I", "湖南省长沙市"],
    ]
    with pytest.raises(CommandError):
        call_command("import_employers", write_csv(tmp_path / "bad.csv", rows))
    report = capsys.readouterr().err
    assert "第 2 行，“单位名称”列：请填写单位名称" in report
    assert "第 3 行，“统一社会信用代码”列：统一社会信用代码校验位不正确" in report
    assert "第 3 行，“单位性质”列：“私人”不是有效的单位性质" in report
    assert "第 3 行，“所属行业”列" in report
    assert "第 3 行，“所在地区”列" in report
    assert "第 4 行，“统一社会信用代码”列：与第 2 行的代码重复" in report


def test_xlsx_and_missing_columns(db, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        ["岳麓书院文化传播有限公司", credit_code(seed=4001), "民营企业", "R", "湖南省长沙市"]
    )
    book.save(tmp_path / "名录.xlsx")
    out, _err = run(str(tmp_path / "名录.xlsx"))
    assert "新增 1 家" in out

    broken = tmp_path / "broken.csv"
    broken.write_text("单位名称,信用代码\n某公司,123\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_employers", str(broken))
    assert "第 1 行，“统一社会信用代码”列：缺少此列" in capsys.readouterr().err


def test_import_updates_a_registered_employer_without_verifying_it(db, tmp_path):
    pending = register(name="自己注册有限公司", code=credit_code(seed=5001)).employer
    rows = [["自己注册科技有限公司", credit_code(seed=5001), "民营企业", "I", "湖南省长沙市"]]
    run(write_csv(tmp_path / "x.csv", rows))
    pending.refresh_from_db()
    assert pending.name == "自己注册科技有限公司" and pending.in_directory
    assert pending.status == Status.PENDING  # the licence still needs an operator's look


def test_the_demo_seed_is_valid_and_idempotent(db):
    call_command("seed_demo_employers")
    call_command("seed_demo_employers")
    assert search_employers("txkj")[0]["name"] == "腾讯科技（深圳）有限公司"
    assert search_employers("腾讯")[0]["cloud"] is True
    assert Employer.objects.filter(status=Status.PENDING, name="长沙演示招聘有限公司").count() == 1


def test_messy_cells_full_width_codes_and_stray_spaces(db, tmp_path):
    # Full-width digits in the code are folded; the registered name keeps its full-width brackets.
    code = credit_code(seed=5001)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    rows = [["  湘江航运（长沙）有限公司 ", full_width, "民营企业", "G", "湖南省长沙市"]]
    out, _err = run(write_csv(tmp_path / "messy.csv", rows))
    assert "新增 1 家" in out
    assert Employer.objects.get(credit_code=code).name == "湘江航运（长沙）有限公司"


def test_a_damaged_xlsx_is_reported_not_a_traceback(db, tmp_path, capsys):
    damaged = tmp_path / "名录.xlsx"
    damaged.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(CommandError):
        call_command("import_employers", str(damaged))
    assert "文件不是有效的 Excel (.xlsx) 文件" in capsys.readouterr().err
