"""A known season, built through the real services, with figures computed by hand.

40 graduates in three colleges (plus an empty one):

    计算机学院 16 (软件工程 10, 网络工程 6), all 生源 approved:
        软件工程: 3 signed, 2 agreements in college review, 1 × 801 升学, 1 × 11 pending review
        网络工程: 1 signed, 1 × 801 升学
    外国语学院 14 (英语), 8 approved: 1 signed, 1 × 85 境外留学, 1 × 75 自主创业
    艺术学院 10 (美术学), none approved: 1 × 801 升学, 1 × 71 不就业拟升学
    体育学院 0 graduates (a college the school set up, with no roster yet)

    signed 5 → 签约率 5/40 = 12.5 %
    placed (employed 6 + further study 4) = 10 → 去向落实率 10/40 = 25 %
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django_tenants.utils import schema_context

from destinations import services as destinations
from students.models import College, Graduate
from students.services import create_college, create_staff, import_roster
from tests.agreements import flows
from tests.factories import agreements as f
from tests.factories.students import csv_bytes, roster_row

LAYOUT = [  # (college, major, graduates, approved)
    ("计算机学院", "软件工程", 10, 10),
    ("计算机学院", "网络工程", 6, 6),
    ("外国语学院", "英语", 14, 8),
    ("艺术学院", "美术学", 10, 0),
]
EXPECTED = {
    # college: (graduates, approved, in_review, signed, employed, further, unplaced, unregistered)
    "计算机学院": (16, 16, 2, 4, 4, 2, 0, 10),
    "外国语学院": (14, 8, 0, 1, 2, 1, 0, 11),
    "艺术学院": (10, 0, 0, 0, 0, 1, 1, 8),
    "体育学院": (0, 0, 0, 0, 0, 0, 0, 0),
}
EXPECTED_MAJORS = {
    "软件工程": (10, 3, 4),
    "网络工程": (6, 1, 2),
    "英语": (14, 1, 3),
    "美术学": (10, 0, 1),
}


@dataclass
class Season:
    tenant: object
    admin: object
    employer: object
    colleges: list = field(default_factory=list)
    college_admins: list = field(default_factory=list)
    by_major: dict = field(default_factory=dict)  # major → [graduates]
    signed: list = field(default_factory=list)
    agreements: list = field(default_factory=list)
    registered: dict = field(default_factory=dict)  # code → [graduates]

    def admin_actor(self):
        return f.web(self.admin)

    def reviewer_of(self, graduate):
        return self.college_admins[self.colleges.index(graduate.college)]


def _register(season: Season, graduate, code: str, approve: bool = True, **fields) -> None:
    record = destinations.submit_registration(
        actor=f.web(graduate.user),
        graduate=graduate,
        data={"code": code, **fields},
        uploads=[f.png_upload("letter.png")],
    )
    if approve:
        destinations.review(
            actor=f.web(season.reviewer_of(graduate)), destination_id=record.pk, approve=True
        )
    season.registered.setdefault(code, []).append(graduate)


def build(tenant, employer) -> Season:
    from accounts.models import User

    with schema_context(tenant.schema_name):
        admin = User.objects.get(username="admin")
        season = Season(tenant=tenant, admin=admin, employer=employer)
        rows, i = [], 0
        for college, major, n, _approved in LAYOUT:
            for _ in range(n):
                rows.append(roster_row(7000 + i, college=college, major=major))
                i += 1
        outcome = import_roster(
            actor=season.admin_actor(), data=csv_bytes(rows), filename="roster.csv"
        )
        assert outcome.applied, outcome.errors
        create_college(actor=season.admin_actor(), name="体育学院")
        # The season is open: the deadline is two months ahead (whatever today is).
        destinations.set_deadline(
            actor=season.admin_actor(), deadline=timezone.localdate() + datetime.timedelta(days=60)
        )
        season.colleges = list(College.objects.order_by("pk"))
        for college in season.colleges:
            user = create_staff(
                actor=season.admin_actor(),
                username=f"c{college.pk}{uuid.uuid4().hex[:5]}",
                password=f.STAFF_PASSWORD,
                role="college_admin",
                college_ids=[college.pk],
            )
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
            season.college_admins.append(user)
        numbers = [r["学号"] for r in rows]
        graduates = {
            g.student_number: g
            for g in Graduate.objects.select_related("user", "college", "major").filter(
                student_number__in=numbers
            )
        }
        ordered = [graduates[n] for n in numbers]
        start = 0
        for _college, major, n, approved in LAYOUT:
            group = ordered[start : start + n]
            start += n
            for g in group:
                g.user.set_password(f.GRADUATE_PASSWORD)
                g.user.must_change_password = False
                g.user.save()
            for g in group[:approved]:
                f.approve_graduate(g, f.web(season.reviewer_of(g)))
            season.by_major[major] = [
                Graduate.objects.select_related("user", "college", "major").get(pk=g.pk)
                for g in group
            ]
        soft, net, english, art = (
            season.by_major[m] for m in ("软件工程", "网络工程", "英语", "美术学")
        )
        for g in (*soft[:3], net[0], english[0]):
            a = flows.invite(season, employer, g)
            flows.accept(a, g)
            flows.review(season, a, level="college")
            flows.review(season, a, level="school")
            season.signed.append(g)
            season.agreements.append(a)
        for g in soft[3:5]:
            a = flows.invite(season, employer, g)
            flows.accept(a, g)  # in college review
        _register(season, soft[5], "801", employer_name="湖南大学")
        _register(
            season,
            soft[6],
            "11",
            approve=False,
            employer_name="长沙某某科技有限公司",
            credit_code=f.credit_code(),
            nature="39",
            industry="62",
            region_code="430100",
            job_category="13",
        )
        _register(season, net[1], "801", employer_name="中南大学")
        _register(season, english[1], "85", employer_name="伦敦大学学院")
        _register(
            season,
            english[2],
            "75",
            employer_name="邵阳创想文化工作室",
            credit_code=f.credit_code(),
            industry="85",
            region_code="430500",
        )
        _register(season, art[0], "801", employer_name="中央美术学院")
        destinations.submit_registration(
            actor=season.admin_actor(), graduate=art[1], data={"code": "71"}
        )
        season.registered.setdefault("71", []).append(art[1])
        return season
