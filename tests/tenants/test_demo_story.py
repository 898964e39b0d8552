"""`make run`'s demo is a story a visitor can walk: the seeds build what the banner promises."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tenants.utils import schema_context

from saas_platform.demo import DEMO_HR, DEMO_PENDING_HR, STORIES, story_lines


def test_the_demo_story_holds_together(db):
    out = io.StringIO()
    for command in (
        "seed_demo",
        "seed_demo_students",
        "seed_demo_employers",
        "seed_demo_agreements",
        "seed_demo_agreements",  # idempotent
    ):
        call_command(command, stdout=out)
    from accounts.models import User
    from agreements.models import Agreement, State
    from employers.models import Employer, Status
    from students.models import Graduate, VerificationState
    from tenants.models import School

    assert User.objects.get(username=DEMO_HR[0]).check_password(DEMO_HR[1])
    pending = User.objects.get(username=DEMO_PENDING_HR[0])
    assert pending.check_password(DEMO_PENDING_HR[1])
    assert Employer.objects.get(memberships__user=pending).status == Status.PENDING
    printed = out.getvalue() + "\n".join(story_lines(8000))
    for subdomain, story in STORIES.items():
        school = School.objects.get(subdomain=subdomain)
        with schema_context(school.schema_name):
            admin = User.objects.get(username=story.college_admin[0])
            assert admin.check_password(story.college_admin[1])
            college = admin.admin_colleges.get()
            states = {}
            for number, password in (story.to_verify, story.invited, story.signed):
                g = Graduate.objects.select_related("user").get(student_number=number)
                assert g.college_id == college.pk  # the printed college admin reviews them
                assert g.user.check_password(password) and not g.user.must_change_password
                assert g.id_number[-6:] not in printed  # no ID-derived password printed
                states[number] = (g.state, list(Agreement.objects.filter(graduate=g)))
            assert states[story.to_verify[0]] == (VerificationState.IMPORTED, [])
            state, agreements = states[story.invited[0]]
            assert state == VerificationState.APPROVED
            assert [a.state for a in agreements] == [State.INVITED]
            state, agreements = states[story.signed[0]]
            assert [a.state for a in agreements] == [State.SIGNED]
        for login in (story.college_admin[0], story.to_verify[0], story.signed[0]):
            assert login in printed
