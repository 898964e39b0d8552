"""HR on the platform site: Chinese states, what the HR typed, unverified told first, notices."""

from __future__ import annotations

import pytest

from employer_inbox.models import Notice
from employers.services import verify_employer
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import OPERATOR_PASSWORD, logged_in_client


@pytest.fixture
def cast(school_a):
    return f.build_school(school_a, graduates=1)


def hr_client(employer):
    return logged_in_client(None, employer.hr.username, f.HR_PASSWORD)


def test_my_employer_page_speaks_chinese_and_shows_the_graduate_the_hr_typed(cast):
    employer = f.make_employer()
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        flows.invite(cast, employer, graduate)
    page = hr_client(employer).get("/employers/").content.decode()
    table = page[page.index('id="agreements"') :]
    assert "待应约" in table and "invited" not in table.replace('class="badge invited"', "")
    assert graduate.name in table and graduate.student_number in table
    listing = hr_client(employer).get("/employer/agreements/").content.decode()
    assert graduate.name in listing and graduate.student_number in listing


def test_platform_pages_carry_the_platform_title_and_no_api_link_for_hr(cast):
    employer = f.make_employer()
    client = hr_client(employer)
    listing = client.get(f"/employer/agreements/?school={cast.tenant.subdomain}").content.decode()
    title = listing[listing.index("<title>") : listing.index("</title>")]
    assert cast.tenant.name not in title
    home = client.get("/").content.decode()
    assert "API 文档" not in home


def test_one_school_select_on_the_invitation_form(cast):
    employer = f.make_employer()
    page = hr_client(employer).get("/employer/agreements/new/").content.decode()
    assert page.count('name="school"') == 1 and 'id="pick-school"' not in page


def test_unverified_hr_is_told_before_the_form_and_notified_on_verification(db):
    from accounts.models import User

    employer = f.make_employer(verified=False)
    client = hr_client(employer)
    page = client.get("/employer/agreements/new/").content.decode()
    assert 'id="invite-form"' not in page and "等待平台认证" in page
    operator = User.objects.get(username="operator")
    verify_employer(actor=f.web(operator), employer_id=employer.org.pk)
    notice = Notice.objects.get(employer_id=employer.org.pk)
    assert notice.event == "employer_verified" and notice.school_id is None
    inbox = client.get("/employer/notices/").content.decode()
    assert "单位认证已通过" in inbox and "平台" in inbox
    assert 'id="invite-form"' in client.get("/employer/agreements/new/").content.decode()
    assert OPERATOR_PASSWORD  # the operator of the test database verified it
