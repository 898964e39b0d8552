"""Demo graduates and the college admin of each demo school (idempotent).

The story (saas_platform/demo.py): every school's three story graduates are in the college its
college admin reviews, and log in with set demo passwords (never the ID-derived initial one).
"""

import datetime

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import Role, User
from core.context import cli_actor
from saas_platform.demo import STORIES, SchoolStory
from students.identity import check_char
from students.models import College, Graduate
from students.roster import TEMPLATE_HEADERS
from students.services import create_staff, import_roster
from tenants.models import School

# Kept for older callers: the first demo school and its college admin.
DEMO_SCHOOL = "syxy"
DEMO_COLLEGE_ADMIN = (
    STORIES["syxy"].college_admin[0],
    STORIES["syxy"].college_admin[1],
    STORIES["syxy"].colleges[0][0],
)
COLLEGES = [(name, list(majors)) for name, majors in STORIES["syxy"].colleges]
ROSTER_SIZE = {"syxy": 30, "hnu": 12}


def demo_id_number(i: int, region: str = "430502") -> str:
    birth = datetime.date(2003, 3, 1) + datetime.timedelta(days=i * 11)
    first17 = f"{region}{birth:%Y%m%d}{100 + i * 2 + (i % 2):03d}"
    return first17 + check_char(first17)


def demo_roster(count: int = 30, story: SchoolStory | None = None) -> bytes:
    import csv
    import io

    story = story or STORIES["syxy"]
    region = "430502" if story.subdomain == "syxy" else "430104"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS[:12])
    for i in range(count):
        college, majors = story.colleges[i % 2]
        male = i % 2 == 1
        writer.writerow(
            [
                f"{story.prefix}{i + 1:06d}",
                f"{story.student_name}{i + 1}",
                "男" if male else "女",
                demo_id_number(i, region),
                college,
                majors[i % 4 // 2],
                f"{majors[0][:2]}2201",
                "本科",
                2026,
                "湖南省邵阳市" if story.subdomain == "syxy" else "湖南省长沙市",
                f"1380739{i:04d}",
                f"demo{i + 1}@example.com",
            ]
        )
    return buffer.getvalue().encode()


def set_demo_password(student_number: str, password: str) -> Graduate:
    graduate = Graduate.objects.select_related("user", "college").get(student_number=student_number)
    user = graduate.user
    if not user.check_password(password):
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    return graduate


class Command(BaseCommand):
    help = "Demo graduates and a college admin in each demo school (idempotent)."

    def handle(self, *args, **options):
        actor = cli_actor("seed_demo")
        for subdomain, story in STORIES.items():
            school = School.objects.filter(subdomain=subdomain).first()
            if school is None:
                self.stdout.write(f"no demo school {subdomain}; run seed_demo first")
                continue
            with schema_context(school.schema_name):
                if not Graduate.objects.exists():
                    outcome = import_roster(
                        actor=actor,
                        data=demo_roster(ROSTER_SIZE.get(subdomain, 12), story),
                        filename="demo.csv",
                    )
                    if outcome.errors:
                        raise RuntimeError(outcome.errors[:3])
                username, password, display_name = story.college_admin
                if not User.objects.filter(username=username).exists():
                    user = create_staff(
                        actor=actor,
                        username=username,
                        password=password,
                        role=Role.COLLEGE_ADMIN,
                        display_name=display_name,
                        college_ids=[College.objects.get(name=story.colleges[0][0]).pk],
                    )
                    User.objects.filter(pk=user.pk).update(must_change_password=False)
                for student_number, graduate_password in (
                    story.to_verify,
                    story.invited,
                    story.signed,
                ):
                    set_demo_password(student_number, graduate_password)
            self.stdout.write(f"  {school.name}: demo graduates and college admin {username}")
