"""Agreement test data, built through the real services (roster import, 生源 review, employer
registration and verification, invitations). Every helper works in the current schema."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: F401  (re-exported)
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from core.context import Actor, cli_actor
from tests.factories.common import (  # noqa: F401  (re-exported for tests)
    GRADUATE_PASSWORD,
    HR_PASSWORD,
    STAFF_PASSWORD,
    credit_code,
    png_upload,
    task_actor,
    web,
)
from tests.factories.common import png_bytes as _png_bytes
from tests.utils import ADMIN_PASSWORD  # noqa: F401  (re-exported for tests)


def png_bytes(color="red", size: tuple[int, int] = (32, 32)) -> bytes:
    """A proof photo (colour first: the agreements tests tell images apart by colour)."""
    return _png_bytes(size=size, color=color)


def offer(**overrides) -> dict:
    content = {
        "position": "软件工程师",
        "job_category": "13",  # national codes: 工程技术人员
        "work_province": "湖南省",
        "work_city": "长沙市",
        "monthly_salary": 9000,
        "contract_years": 3,
        "probation_months": 3,
        "start_date": "2026-07-01",
        "employer_name": "",
        "credit_code": "",
        "nature": "39",  # 其他企业
        "industry": "62",  # 软件和信息技术服务业
        "employer_address": "长沙市岳麓区麓谷大道 1 号",
        "contact_name": "王经理",
        "contact_phone": "0731-88888888",
        "archive_moves": True,
        "archive_receiver": "长沙市人才服务中心",
        "archive_address": "长沙市芙蓉区人民路 2 号",
        "archive_postcode": "410000",
        "hukou_moves": False,
        "hukou_address": "",
        "other_terms": "五险一金",
    }
    content.update(overrides)
    return content


@dataclass
class Employer:
    org: object
    hr: object
    actor: Actor


def make_employer(name: str | None = None, *, verified: bool = True) -> Employer:
    """An employer registered by its HR and verified by an operator (public schema)."""
    from accounts.models import User
    from employers.services import register_employer, verify_employer

    with schema_context("public"):
        suffix = uuid.uuid4().hex[:8]
        membership = register_employer(
            actor=cli_actor("tests"),
            username=f"hr{suffix}",
            password=HR_PASSWORD,
            display_name="王经理",
            employer={
                "name": name or f"测试科技有限公司{suffix}",
                "credit_code": credit_code(str(uuid.uuid4().int)),
                "nature": "private",
                "industry": "I",
                "province": "湖南省",
                "city": "长沙市",
                "address": "长沙市岳麓区麓谷大道 1 号",
                "contact_name": "王经理",
                "contact_phone": "0731-88888888",
            },
            licence=png_upload("licence.png"),
        )
        org = membership.employer
        if verified:
            operator = User.objects.get(username="operator")
            org = verify_employer(actor=web(operator), employer_id=org.pk)
        hr = User.objects.get(pk=membership.user_id)
        return Employer(org=org, hr=hr, actor=web(hr))


def _first_choice(name: str) -> str:
    from employers import models

    return getattr(models, name).values[0]


@dataclass
class School:
    """One school's cast: colleges, their admins, a school admin and approved graduates."""

    tenant: object
    admin: object
    colleges: list = field(default_factory=list)
    college_admins: list = field(default_factory=list)
    graduates: list = field(default_factory=list)

    def admin_actor(self) -> Actor:
        return web(self.admin)


ROSTER_HEADER = "学号,姓名,性别,身份证号,学院,专业,班级,学历层次,毕业年份,生源地,手机号,邮箱\n"


_ID_SEQUENCE = itertools.count(uuid.uuid4().int % 1_000_000)


def _id_number() -> str:
    """A well-formed, unique resident ID number of a man (odd sequence digit, as "男" says)."""
    n = next(_ID_SEQUENCE)
    birth = date(1995, 1, 1) + timedelta(days=(n // 400) % 3650)
    body = f"430521{birth:%Y%m%d}{(n % 400) * 2 + 1:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def import_graduates(admin_actor: Actor, rows: list[tuple[str, str, str]]) -> None:
    """rows: (学号, 姓名, 学院). Through the real roster import."""
    from students.services import import_roster

    lines = [ROSTER_HEADER]
    for i, (number, name, college) in enumerate(rows):
        mobile = f"138{(int(number) * 7 + i) % 100_000_000:08d}"
        lines.append(
            f"{number},{name},男,{_id_number()},{college},软件工程,软件2201,本科,2026,湖南省,{mobile},\n"
        )
    outcome = import_roster(
        actor=admin_actor, data="".join(lines).encode("utf-8"), filename="roster.csv"
    )
    assert outcome.applied, outcome.errors


def approve_graduate(graduate, reviewer_actor: Actor) -> None:
    """The graduate checks and submits their 生源; the college admin approves it."""
    from students import verification

    graduate.refresh_from_db()
    me = web(graduate.user)
    verification.start(actor=me, graduate=graduate)
    graduate.refresh_from_db()
    verification.submit(actor=me, graduate=graduate)
    graduate.refresh_from_db()
    verification.approve(actor=reviewer_actor, graduate=graduate)
    graduate.refresh_from_db()


def build_school(
    tenant, *, graduates: int = 3, approve: bool = True, prefix: str = "2022"
) -> School:
    """In the tenant's schema: two colleges with one admin each and `graduates` per college A."""
    from accounts.models import User
    from students.models import College, Graduate
    from students.services import create_staff

    with schema_context(tenant.schema_name):
        admin = User.objects.get(username="admin")
        cast = School(tenant=tenant, admin=admin)
        rows = [
            (f"{prefix}{i:05d}", f"学生{chr(0x4E00 + i)}", "计算机学院") for i in range(graduates)
        ]
        rows.append((f"{prefix}99999", "外院生", "外国语学院"))
        import_graduates(cast.admin_actor(), rows)
        cast.colleges = [
            College.objects.get(name="计算机学院"),
            College.objects.get(name="外国语学院"),
        ]
        for i, college in enumerate(cast.colleges):
            user = create_staff(
                actor=cast.admin_actor(),
                username=f"college{i}{uuid.uuid4().hex[:4]}",
                password=STAFF_PASSWORD,
                role="college_admin",
                college_ids=[college.pk],
            )
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
            cast.college_admins.append(user)
        for number, _name, college_name in rows:
            graduate = Graduate.objects.select_related("user", "college").get(student_number=number)
            graduate.user.set_password(GRADUATE_PASSWORD)
            graduate.user.must_change_password = False
            graduate.user.save()
            if approve:
                reviewer = cast.college_admins[0 if college_name == "计算机学院" else 1]
                approve_graduate(graduate, web(reviewer))
        # Fresh rows with their users attached: a lazy `graduate.user` read later from another
        # schema would find someone else's user with the same id.
        by_number = {
            g.student_number: g
            for g in Graduate.objects.select_related("user", "college").filter(
                student_number__in=[r[0] for r in rows]
            )
        }
        cast.graduates = [by_number[r[0]] for r in rows]
        return cast


def in_school(tenant):
    return schema_context(tenant.schema_name)


def later(days: int) -> object:
    return timezone.now() + timedelta(days=days)


def current_schema() -> str:
    return connection.schema_name


def make_school_admin(cast: School):
    """A second school admin, created by the first."""
    from students.services import create_staff

    user = create_staff(
        actor=cast.admin_actor(),
        username=f"admin{uuid.uuid4().hex[:6]}",
        password=STAFF_PASSWORD,
        role="school_admin",
    )
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return user


def remove_employers(employers: list[Employer]) -> None:
    """Clean-up for committed tests: the public rows a test's employers left behind."""
    from accounts.models import User
    from employer_inbox.models import Notice
    from employers.models import AgreementIndexEntry, Membership
    from employers.models import Employer as Org

    connection.set_schema_to_public()
    ids = [e.org.pk for e in employers]
    AgreementIndexEntry.objects.filter(employer_id__in=ids).delete()
    Notice.objects.filter(employer_id__in=ids).delete()
    Membership.objects.filter(employer_id__in=ids).delete()
    # The HR accounts stay, switched off: deleting a user would walk relations (WeChat
    # bindings, inbox) whose tables only exist in school schemas.
    User.objects.filter(pk__in=[e.hr.pk for e in employers]).update(is_active=False)
    Org.objects.filter(pk__in=ids).delete()
