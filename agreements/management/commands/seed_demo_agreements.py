"""Demo data for `make run`: a verified employer, its HR, and in every demo school one graduate
with an invitation waiting and one already signed (idempotent; the story is saas_platform/demo.py)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import Role, User
from agreements import services as agreement_services
from agreements.models import Agreement, State
from core.context import Actor, cli_actor
from employers.credit_code import check_character
from employers.models import Employer
from saas_platform.demo import DEMO_EMPLOYER, DEMO_HR, STORIES
from tenants.models import School

OFFER = {
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
}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _cli(user) -> Actor:
    return Actor(user=user, via="cli")


def verified_demo_employer(actor: Actor) -> Employer:
    from employers.services import register_employer, verify_employer

    employer = Employer.objects.filter(name=DEMO_EMPLOYER).first()
    if employer is not None:
        return employer
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
    operator = User.objects.filter(role=Role.OPERATOR).first()
    return verify_employer(actor=_cli(operator), employer_id=membership.employer_id)


def approve_source(graduate) -> None:
    from students import verification
    from students.models import VerificationState

    if graduate.state == VerificationState.APPROVED:
        return
    me = _cli(graduate.user)
    if graduate.state in (VerificationState.IMPORTED, VerificationState.REJECTED):
        verification.start(actor=me, graduate=graduate)
        graduate.refresh_from_db()
    if graduate.state == VerificationState.VERIFYING:
        verification.submit(actor=me, graduate=graduate)
        graduate.refresh_from_db()
    reviewer = graduate.college.admins.first()
    verification.approve(actor=_cli(reviewer), graduate=graduate)


def _allow_student_initiation() -> None:
    from settings_per_school.selectors import get_school_settings
    from settings_per_school.services import update_school_settings

    if not get_school_settings().allow_student_initiation:
        update_school_settings(
            actor=cli_actor("seed_demo"), changes={"allow_student_initiation": True}
        )


class Command(BaseCommand):
    help = "Demo employer and HR; per demo school a graduate with an invitation and one signed."

    def handle(self, *args, **options):
        from students.models import Graduate

        verified_demo_employer(cli_actor("seed_demo"))
        hr = _cli(User.objects.get(username=DEMO_HR[0]))
        for subdomain, story in STORIES.items():
            school = School.objects.filter(subdomain=subdomain).first()
            if school is None:
                continue
            with schema_context(school.schema_name):
                if (
                    subdomain == "syxy"
                ):  # 学生发起签约 (with the 云 autocomplete) can be walked here
                    _allow_student_initiation()
                graduates = {
                    g.student_number: g
                    for g in Graduate.objects.select_related("user", "college").filter(
                        student_number__in=[story.invited[0], story.signed[0]]
                    )
                }
                if len(graduates) < 2:
                    self.stdout.write(f"no demo graduates in {subdomain}; run seed_demo_students")
                    continue
                for student_number, password in (story.invited, story.signed):
                    graduate = graduates[student_number]
                    approve_source(graduate)
                    if Agreement.objects.filter(graduate=graduate).exists():
                        continue
                    agreement = agreement_services.create_invitation(
                        actor=hr,
                        school=school,
                        student_number=graduate.student_number,
                        name=graduate.name,
                        content=OFFER,
                    )
                    if student_number == story.signed[0]:
                        self._sign(agreement, graduate, password)
            self.stdout.write(f"  {school.name}: an invitation waits, one agreement signed")

    def _sign(self, agreement: Agreement, graduate, password: str) -> None:
        agreement.refresh_from_db()
        agreement_services.accept_invitation(
            actor=_cli(graduate.user),
            agreement_id=agreement.pk,
            version=agreement.current_version.number,
            password=password,
        )
        college_admin = graduate.college.admins.first()
        agreement_services.review_agreement(
            actor=_cli(college_admin), agreement_id=agreement.pk, approve=True
        )
        admin = User.objects.filter(role=Role.SCHOOL_ADMIN).order_by("pk").first()
        agreement_services.review_agreement(
            actor=_cli(admin), agreement_id=agreement.pk, approve=True, reason="材料齐全"
        )
        agreement.refresh_from_db()
        assert agreement.state == State.SIGNED, agreement.state
