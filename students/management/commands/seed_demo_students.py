import datetime

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import Role, User
from core.context import cli_actor
from students.identity import check_char
from students.models import College, Graduate
from students.roster import TEMPLATE_HEADERS
from students.services import create_staff, import_roster
from tenants.models import School

DEMO_SCHOOL = "syxy"
DEMO_COLLEGE_ADMIN = ("jsj_teacher", "Syxy#College2026", "计算机与信息工程学院")
COLLEGES = [
    ("计算机与信息工程学院", ["软件工程", "计算机科学与技术"]),
    ("外国语学院", ["英语", "日语"]),
]


def demo_id_number(i: int) -> str:
    birth = datetime.date(2003, 3, 1) + datetime.timedelta(days=i * 11)
    first17 = f"430502{birth:%Y%m%d}{100 + i * 2 + (i % 2):03d}"
    return first17 + check_char(first17)


def demo_roster(count: int = 30) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS[:12])
    for i in range(count):
        college, majors = COLLEGES[i % 2]
        male = i % 2 == 1
        writer.writerow(
            [
                f"2022{i + 1:06d}",
                f"演示学生{i + 1}",
                "男" if male else "女",
                demo_id_number(i),
                college,
                majors[i % 4 // 2],
                f"{majors[0][:2]}2201",
                "本科",
                2026,
                "湖南省邵阳市",
                f"1380739{i:04d}",
                f"demo{i + 1}@example.com",
            ]
        )
    return buffer.getvalue().encode()


class Command(BaseCommand):
    help = "Demo graduates and a college admin for 邵阳学院 (idempotent)."

    def handle(self, *args, **options):
        school = School.objects.filter(subdomain=DEMO_SCHOOL).first()
        if school is None:
            self.stdout.write("no demo school; run seed_demo first")
            return
        actor = cli_actor("seed_demo")
        with schema_context(school.schema_name):
            if not Graduate.objects.exists():
                outcome = import_roster(actor=actor, data=demo_roster(), filename="demo.csv")
                if outcome.errors:
                    raise RuntimeError(outcome.errors[:3])
            username, password, college = DEMO_COLLEGE_ADMIN
            if not User.objects.filter(username=username).exists():
                user = create_staff(
                    actor=actor,
                    username=username,
                    password=password,
                    role=Role.COLLEGE_ADMIN,
                    display_name="计算机学院老师",
                    college_ids=[College.objects.get(name=college).pk],
                )
                User.objects.filter(pk=user.pk).update(must_change_password=False)
        # Never the initial password itself: it is six characters of a (demo) ID number, and
        # this output ends up in logs. A teacher looks it up; the demo graduate with a set
        # password is printed by seed_demo_agreements.
        self.stdout.write(
            "  邵阳学院 demo: graduates 2022000001–2022000030 (initial password: the last six "
            f"of their ID number, see the roster), college admin {username} / {password}"
        )
