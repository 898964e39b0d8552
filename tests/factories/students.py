"""Rosters and graduates for tests, built through the real import and services."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django_tenants.utils import schema_context

from accounts.models import Role
from core.context import Actor, cli_actor
from students.identity import check_char
from tests.factories.common import NEW_PASSWORD, STAFF_PASSWORD  # noqa: F401

REQUIRED_HEADERS = [
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
]


def make_id_number(i: int, *, male: bool | None = None, region: str = "430521") -> str:
    """A valid, distinct ID number for each i (GB 11643 check digit, gender digit honoured)."""
    male = i % 2 == 0 if male is None else male
    birth = datetime.date(2002, 1, 1) + datetime.timedelta(days=i // 500)
    seq = f"{(i % 500) * 2 + (1 if male else 0):03d}"
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + check_char(first17)


def roster_row(i: int, **overrides: Any) -> dict[str, Any]:
    male = overrides.pop("male", i % 2 == 0)
    row = {
        "学号": f"2022{i:06d}",
        "姓名": f"学生{i}",
        "性别": "男" if male else "女",
        "身份证号": make_id_number(i, male=male),
        "学院": overrides.pop("college", "计算机学院"),
        "专业": overrides.pop("major", "软件工程"),
        "班级": "软工2201",
        "学历层次": "本科",
        "毕业年份": 2026,
        "生源地": "湖南省邵阳市",
        "手机号": f"138{i:08d}",
        "邮箱": f"s{i}@example.com",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], headers: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    headers = headers or list(rows[0].keys())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """Rows exactly as cells (first row usually the headers)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_rows(school, rows: list[dict], **kwargs):
    from students.services import import_roster

    with schema_context(school.schema_name):
        return import_roster(
            actor=cli_actor("tests"), data=csv_bytes(rows), filename="roster.csv", **kwargs
        )


def graduate(school, student_number: str):
    from students.models import Graduate

    with schema_context(school.schema_name):
        return Graduate.objects.select_related("user", "college").get(student_number=student_number)


def actor_for(user, ip: str = "10.1.2.3") -> Actor:
    return Actor(user=user, ip=ip, user_agent="pytest", via="web")


def college_admin(school, username: str, college_names: list[str]):
    """A college admin bound to the named colleges, created through the real service."""
    from accounts.models import User
    from students.models import College
    from students.services import create_college, create_staff

    with schema_context(school.schema_name):
        ids = []
        for name in college_names:
            college = College.objects.filter(name=name).first()
            ids.append((college or create_college(actor=cli_actor("tests"), name=name)).pk)
        user = create_staff(
            actor=cli_actor("tests"),
            username=username,
            password=STAFF_PASSWORD,
            role=Role.COLLEGE_ADMIN,
            college_ids=ids,
        )
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.refresh_from_db()
        return user
