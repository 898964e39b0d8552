"""Roster import: bad rows are reported by row and column with nothing written; messy but
valid spreadsheets import right; re-imports respect what graduates corrected."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from accounts.models import User
from core.context import cli_actor
from students.models import College, Graduate, Major
from students.services import import_roster
from tests.factories.students import (
    REQUIRED_HEADERS,
    csv_bytes,
    graduate,
    import_rows,
    make_id_number,
    roster_row,
    xlsx_bytes,
)


def run_import(school, data: bytes, filename: str, **kwargs):
    with schema_context(school.schema_name):
        return import_roster(actor=cli_actor("tests"), data=data, filename=filename, **kwargs)


def graduate_count(school) -> int:
    with schema_context(school.schema_name):
        return Graduate.objects.count()


def messages_of(outcome) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in outcome.errors]


def test_a_valid_roster_creates_graduates_with_accounts(school_a):
    outcome = import_rows(school_a, [roster_row(i) for i in range(5)])
    assert outcome.ok and outcome.applied
    assert outcome.created == 5
    assert outcome.new_colleges == ["计算机学院"]
    assert outcome.new_majors == ["计算机学院 / 软件工程"]
    g = graduate(school_a, "2022000003")
    assert g.name == "学生3" and g.gender == "female" and g.state == "imported"
    assert g.college.name == "计算机学院" and g.graduation_year == 2026
    assert g.id_number == make_id_number(3, male=False)
    with schema_context(school_a.schema_name):
        user = User.objects.get(username="2022000003")
        assert user.role == "graduate" and user.must_change_password
        assert not user.has_usable_password()


def test_id_numbers_are_encrypted_at_rest(school_a):
    import_rows(school_a, [roster_row(1)])
    with schema_context(school_a.schema_name):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM students_graduate")
            stored = cursor.fetchone()[0]
    assert make_id_number(1) not in stored
    assert make_id_number(1)[-6:] not in stored


def test_bad_check_digit_is_reported_and_nothing_written(school_a):
    good = make_id_number(2)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [roster_row(1), roster_row(2, 身份证号=bad), roster_row(3)]
    outcome = import_rows(school_a, rows)
    assert messages_of(outcome) == [(3, "身份证号", "身份证号校验位不正确，请核对。")]
    assert graduate_count(school_a) == 0
    with schema_context(school_a.schema_name):
        assert not College.objects.exists()
        assert not User.objects.filter(role="graduate").exists()


def test_duplicate_student_number_in_the_file(school_a):
    rows = [roster_row(1), roster_row(2), roster_row(3, 学号="2022000001")]
    outcome = import_rows(school_a, rows)
    assert messages_of(outcome) == [(4, "学号", "学号 2022000001 与第 2 行重复。")]
    assert graduate_count(school_a) == 0


def test_student_number_already_belonging_to_someone_else(school_a):
    import_rows(school_a, [roster_row(1)])
    # Same 学号, a different person's ID number.
    outcome = import_rows(school_a, [roster_row(2, 学号="2022000001"), roster_row(3)])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "学号")]
    assert "已存在" in outcome.errors[0].message
    assert graduate_count(school_a) == 1
    assert graduate(school_a, "2022000001").id_number == make_id_number(1)


def test_id_number_already_used_by_another_student_number(school_a):
    import_rows(school_a, [roster_row(1)])
    outcome = import_rows(school_a, [roster_row(2, 身份证号=make_id_number(1), male=False)])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "身份证号")]
    assert "2022000001" in outcome.errors[0].message
    assert graduate_count(school_a) == 1


def test_student_number_clashing_with_a_staff_account(school_a):
    outcome = import_rows(school_a, [roster_row(1, 学号="admin")])
    assert messages_of(outcome) == [(2, "学号", "学号与已有的教师账号重名。")]


def test_unknown_education_level(school_a):
    outcome = import_rows(school_a, [roster_row(1, 学历层次="研究生")])
    assert messages_of(outcome) == [
        (2, "学历层次", "学历层次“研究生”无法识别，可填：专科、本科、硕士研究生、博士研究生。")
    ]
    assert graduate_count(school_a) == 0


def test_every_bad_row_is_reported_at_once(school_a):
    rows = [
        roster_row(1, 姓名=""),
        roster_row(2, 手机号="12345"),
        roster_row(3, 毕业年份="明年"),
        roster_row(4, 性别="女", male=True),
    ]
    outcome = import_rows(school_a, rows)
    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "姓名"),
        (3, "手机号"),
        (4, "毕业年份"),
        (5, "性别"),
    ]
    assert outcome.errors[0].message == "不能为空。"
    assert outcome.errors[3].message == "性别与身份证号不一致。"


def test_missing_required_column(school_a):
    headers = [h for h in REQUIRED_HEADERS if h != "身份证号"]
    outcome = run_import(school_a, csv_bytes([roster_row(1)], headers=headers), "a.csv")
    assert len(outcome.errors) == 1
    assert outcome.errors[0].column == "身份证号"
    assert "缺少必需的列：身份证号" in outcome.errors[0].message
    assert graduate_count(school_a) == 0


@pytest.mark.parametrize(
    "filename,data,message",
    [
        ("roster.txt", b"a,b,c", "只支持 .xlsx 或 .csv 文件。"),
        (
            "roster.xls",
            b"\xd0\xcf\x11\xe0junk",
            "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传。",
        ),
        ("roster.xlsx", b"", "文件是空的。"),
        ("roster.csv", b"", "文件是空的。"),
        (
            "roster.xlsx",
            b"PK\x03\x04" + b"junk" * 100,
            "文件不是有效的 Excel (.xlsx) 文件，无法读取。",
        ),
    ],
)
def test_unusable_files_are_refused_with_a_reason(school_a, filename, data, message):
    outcome = run_import(school_a, data, filename)
    assert messages_of(outcome) == [(0, "", message)]
    assert graduate_count(school_a) == 0


def test_header_only_file_has_no_data(school_a):
    data = ",".join(REQUIRED_HEADERS).encode()
    outcome = run_import(school_a, data, "roster.csv")
    assert messages_of(outcome) == [(0, "", "文件中没有毕业生数据（表头下面是空的）。")]


@pytest.mark.parametrize("filename", ["junk.xlsx", "junk.csv"])
def test_ten_megabytes_of_junk(school_a, filename):
    junk = os.urandom(10 * 1024 * 1024)
    outcome = run_import(school_a, junk, filename)
    assert len(outcome.errors) == 1 and outcome.errors[0].row == 0
    assert outcome.errors[0].message in {
        "文件不是有效的 Excel (.xlsx) 文件，无法读取。",
        "文件不是文本格式的 CSV，无法读取。",
    }
    assert graduate_count(school_a) == 0


def test_text_junk_csv_has_no_header(school_a):
    junk = ("随便写的内容,没有表头\n" * 50000).encode()
    outcome = run_import(school_a, junk, "junk.csv")
    assert outcome.errors[0].message.startswith("在前 10 行中没有找到表头")


def test_id_number_stored_by_excel_as_a_number_is_reported(school_a):
    header = REQUIRED_HEADERS
    row = list(roster_row(1).values())
    row[3] = 430521200201011000  # what Excel keeps of an 18-digit number
    outcome = run_import(school_a, xlsx_bytes([header, row]), "roster.xlsx")
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "身份证号")]
    assert "存成了数字" in outcome.errors[0].message
    assert graduate_count(school_a) == 0


def test_messy_but_valid_spreadsheet_imports_right(school_a):
    id1, id2 = make_id_number(1, male=True), make_id_number(2, male=False)
    header = ["序号", " 学号 ", "姓名", "性别", "身份证号", "学院", "专业", "班级", "学历层次",
              "毕业年份", "生源地", "手机号", "邮箱", "入学日期", "档案是否转出"]  # fmt: skip
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    rows = [
        ["2026届毕业生名单"],  # a title row above the headers
        header,
        [
            1,
            2022000001,
            " 张  三 ",
            "男",
            id1.translate(full_width),
            " 计算机学院 ",
            "软件工程",
            "软工2201",
            "本科",
            2026.0,
            "湖南省",
            "１３８００００００００",
            "ZS@Example.com",
            datetime.datetime(2022, 9, 1),
            "是",
        ],  # fmt: skip
        [
            2,
            "2022000002",
            "李四",
            "女",
            id2.lower(),
            "外国语学院",
            "英语",
            "英语2201",
            "硕士",
            "2026届",
            "湖南省",
            "13800000001",
            "",
            "2022/9/1",
            "否",
        ],  # fmt: skip
        [None] * 15,
        ["", "", "   "],
    ]
    outcome = run_import(school_a, xlsx_bytes(rows), "messy.xlsx")
    assert outcome.ok, messages_of(outcome)
    assert outcome.created == 2
    assert sorted(outcome.new_colleges) == ["外国语学院", "计算机学院"]
    zhang = graduate(school_a, "2022000001")
    assert zhang.name == "张三"
    assert zhang.id_number == id1
    assert zhang.mobile == "13800000000"
    assert zhang.email == "zs@example.com"
    assert zhang.enrolment_date == datetime.date(2022, 9, 1)
    assert zhang.archive_moves is True
    assert zhang.college.name == "计算机学院"
    li = graduate(school_a, "2022000002")
    assert li.id_number == id2  # a lower-case x is the same check digit
    assert li.education_level == "master"
    assert li.graduation_year == 2026
    assert li.enrolment_date == datetime.date(2022, 9, 1)
    assert li.archive_moves is False


def test_student_number_with_exponent_from_a_csv_is_read_as_digits(school_a):
    rows = [roster_row(1, 学号="2.022000001E+09")]
    outcome = import_rows(school_a, rows)
    assert outcome.ok, messages_of(outcome)
    assert graduate(school_a, "2022000001").name == "学生1"


def test_gbk_csv_from_chinese_excel(school_a):
    data = csv_bytes([roster_row(1)], encoding="gb18030")
    outcome = run_import(school_a, data, "roster.csv")
    assert outcome.ok, messages_of(outcome)
    assert graduate(school_a, "2022000001").college.name == "计算机学院"


def test_dry_run_previews_without_writing(school_a):
    outcome = import_rows(school_a, [roster_row(1, college="新学院", major="新专业")], dry_run=True)
    assert outcome.ok and not outcome.applied
    assert outcome.created == 1
    assert outcome.new_colleges == ["新学院"] and outcome.new_majors == ["新学院 / 新专业"]
    assert graduate_count(school_a) == 0
    with schema_context(school_a.schema_name):
        assert not Major.objects.exists()


def test_reimport_updates_unsubmitted_but_keeps_corrections_and_submissions(school_a):
    from students import verification
    from tests.factories.students import actor_for

    import_rows(school_a, [roster_row(i) for i in range(1, 4)])
    with schema_context(school_a.schema_name):
        corrected = Graduate.objects.get(student_number="2022000002")
        actor = actor_for(corrected.user)
        verification.start(actor=actor, graduate=corrected)
        verification.save_corrections(
            actor=actor, graduate=corrected, changes={"mobile": "13912345678"}
        )
        submitted = Graduate.objects.get(student_number="2022000003")
        actor3 = actor_for(submitted.user)
        verification.start(actor=actor3, graduate=submitted)
        verification.submit(actor=actor3, graduate=submitted)

    rows = [
        roster_row(i, 生源地="湖南省长沙市", 手机号=f"137{i:08d}", 班级="软工2202")
        for i in range(1, 5)
    ]
    outcome = import_rows(school_a, rows)
    assert outcome.ok
    assert (outcome.created, outcome.updated, outcome.skipped) == (1, 2, ["2022000003"])

    untouched = graduate(school_a, "2022000001")
    assert untouched.mobile == "13700000001" and untouched.origin == "湖南省长沙市"
    corrected = graduate(school_a, "2022000002")
    assert corrected.mobile == "13912345678"  # the graduate's correction stands
    assert corrected.origin == "湖南省长沙市" and corrected.class_name == "软工2202"
    assert corrected.imported_values["mobile"] == "13700000002"
    submitted = graduate(school_a, "2022000003")
    assert submitted.mobile == "13800000003" and submitted.class_name == "软工2201"


def test_reimporting_the_same_file_changes_nothing(school_a):
    rows = [roster_row(i) for i in range(3)]
    import_rows(school_a, rows)
    outcome = import_rows(school_a, rows)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 3)


def test_command_imports_and_reports_progress(school_a, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([roster_row(i) for i in range(3)]))
    call_command("import_roster", str(path), school="alpha")
    out = capsys.readouterr()
    assert "共 3 行，已新增 3 人" in out.out
    assert "写入 [" in out.err and "3/3" in out.err
    assert graduate_count(school_a) == 3


def test_command_exits_non_zero_with_the_report(school_a, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([roster_row(1), roster_row(2, 学历层次="中专")]))
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), school="alpha")
    out = capsys.readouterr().out
    assert "发现 1 处错误，未导入任何数据" in out
    assert "第 3 行「学历层次」" in out
    assert graduate_count(school_a) == 0


def test_command_refuses_an_unknown_school(db, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([roster_row(1)]))
    with pytest.raises(CommandError, match="没有子域名为 nosuch 的学校"):
        call_command("import_roster", str(path), school="nosuch")


def test_a_file_over_the_limit_is_refused(school_a, settings):
    settings.ROSTER_UPLOAD_MAX_BYTES = 1024
    data = csv_bytes([roster_row(i) for i in range(30)])
    outcome = run_import(school_a, data, "big.csv")
    assert [(e.row, e.message[:4]) for e in outcome.errors] == [(0, "文件太大")]
    assert graduate_count(school_a) == 0
