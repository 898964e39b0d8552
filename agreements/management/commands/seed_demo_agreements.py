"""Demo data for `make run`: a verified employer with an HR login and one invitation (idempotent)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import User
from agreements import services as agreement_services
from agreements.models import Agreement
from core.context import Actor, cli_actor
from employers.credit_code import check_character
from employers.models import Employer
from saas_platform.demo import DEMO_GRADUATE, DEMO_HR
from tenants.models import School

DEMO_SCHOOL = "syxy"
DEMO_EMPLOYER = "湘江智能科技有限公司"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Demo employer, HR login, an approved graduate and one invitation in 邵阳学院."

    def handle(self, *args, **options):
        from employers.services import register_employer, verify_employer
        from students import verification
        from students.models import Graduate, VerificationState

        school = School.objects.filter(subdomain=DEMO_SCHOOL).first()
        if school is None:
            self.stdout.write("no demo school; run seed_demo first")
            return
        actor = cli_actor("seed_demo")
        employer = Employer.objects.filter(name=DEMO_EMPLOYER).first()
        if employer is None:
            first17 = "91430100MA4L12345"
            membership = register_employer(
                actor=actor,
                username=DEMO_HR[0],
                password=DEMO_HR[1],
                display_name="王经理",
                employer={
                    "name": DEMO_EMPLOYER,
                    "credit_code": first17 + check_character(first17),
                    "nature": "private",
                    "industry": "I",
                    "province": "湖南省",
                    "city": "长沙市",
                    "address": "长沙市岳麓区麓谷大道 1 号",
                    "contact_name": "王经理",
                    "contact_phone": "0731-88888888",
                },
                licence=SimpleUploadedFile("licence.png", _png(), content_type="image/png"),
            )
            operator = User.objects.filter(role="operator").first()
            employer = verify_employer(
                actor=Actor(user=operator, via="cli"), employer_id=membership.employer_id
            )
        hr = User.objects.get(username=DEMO_HR[0])
        with schema_context(school.schema_name):
            graduate = (
                Graduate.objects.select_related("user", "college")
                .filter(student_number=DEMO_GRADUATE[0])
                .first()
            )
            if graduate is None:
                self.stdout.write("no demo graduates; run seed_demo_students first")
                return
            if graduate.state != VerificationState.APPROVED:
                graduate.user.set_password(DEMO_GRADUATE[1])
                graduate.user.must_change_password = False
                graduate.user.save()
                me = Actor(user=graduate.user, via="cli")
                verification.start(actor=me, graduate=graduate)
                graduate.refresh_from_db()
                verification.submit(actor=me, graduate=graduate)
                graduate.refresh_from_db()
                reviewer = graduate.college.admins.first()
                verification.approve(actor=Actor(user=reviewer, via="cli"), graduate=graduate)
            if not Agreement.objects.filter(employer_id=employer.pk).exists():
                agreement_services.create_invitation(
                    actor=Actor(user=hr, via="cli"),
                    school=school,
                    student_number=graduate.student_number,
                    name=graduate.name,
                    content={
                        "position": "Java 开发工程师",
                        "job_category": "engineering",
                        "work_province": "湖南省",
                        "work_city": "长沙市",
                        "monthly_salary": 9000,
                        "contract_years": 3,
                        "probation_months": 3,
                        "start_date": "2026-07-01",
                        "employer_address": "长沙市岳麓区麓谷大道 1 号",
                        "contact_name": "王经理",
                        "contact_phone": "0731-88888888",
                        "archive_moves": False,
                        "hukou_moves": False,
                        "other_terms": "五险一金，双休",
                    },
                )
        self.stdout.write(
            f"demo agreements: HR {DEMO_HR[0]} / {DEMO_HR[1]} (platform site); graduate "
            f"{DEMO_GRADUATE[0]} / {DEMO_GRADUATE[1]} ({DEMO_SCHOOL}) has one invitation"
        )
