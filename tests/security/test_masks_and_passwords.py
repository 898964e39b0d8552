"""Findings 2 (the mask gave away the initial password), 11 (the new password may be the ID
number) and 9 (re-entered passwords were never counted), as the attacks."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.masking import mask_id_number, scrub_text
from students.identity import initial_password
from tests.factories.students import graduate, import_rows, make_id_number, roster_row
from tests.utils import ADMIN_PASSWORD, host_of, logged_in_client

# --- finding 2 ------------------------------------------------------------------------------


def _tail_revealed(masked: str, id_number: str) -> bool:
    """Does the mask show any character of the initial password, at its place?"""
    return any(
        m == c and m != "*" for m, c in zip(masked[-6:], id_number[-6:], strict=True)
    ) or any(ch != "*" for ch in masked[-6:])


@pytest.mark.parametrize("i", [1, 7, 42, 313, 499, 1234, 9999])
def test_the_mask_shows_nothing_of_the_initial_password(i):
    number = make_id_number(i)
    masked = mask_id_number(number)
    assert len(masked) == 18 and masked[-6:] == "******"
    assert not _tail_revealed(masked, number)
    # Still recognisable for a teacher: region and birth year.
    assert masked[:4] == number[:4] and masked[6:10] == number[6:10]
    # And the same in free text (logs, error reports).
    assert initial_password(number) not in scrub_text(f"身份证 {number} 导入失败")


def test_short_or_odd_values_never_show_their_tail():
    for value in ("12345678", "AB1234567", "E12345678901", "430521200001011"):
        masked = mask_id_number(value)
        assert value[-6:] not in masked and masked.endswith("*" * min(6, len(value)))


@pytest.fixture
def roster(school_a):
    import_rows(school_a, [roster_row(i) for i in range(3001, 3004)])
    return school_a


def test_no_page_api_or_export_shows_the_last_six(roster):
    """Everything a school admin can open about graduates, searched for every initial password."""
    numbers = {f"2022{i:06d}": make_id_number(i) for i in range(3001, 3004)}
    admin = logged_in_client(roster, "admin", ADMIN_PASSWORD)
    bodies = [
        admin.get("/students/").content.decode(),
        admin.get("/api/v1/students/graduates").content.decode(),
    ]
    for student_number in numbers:
        row = graduate(roster, student_number)
        bodies.append(admin.get(f"/students/{row.pk}/").content.decode())
        bodies.append(admin.get(f"/api/v1/students/graduates/{row.pk}").content.decode())
    export = admin.get("/students/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    bodies.append(cells)
    text = "\n".join(bodies)
    shown = [m for m in re.findall(r"[0-9Xx*]{18}", text) if "*" in m]
    assert len(shown) >= len(numbers)
    assert all(m.endswith("******") for m in shown), shown  # no mask shows any of the six
    for number in numbers.values():
        assert number not in text
        assert number[-6:] not in text, "an initial password is visible"
        assert mask_id_number(number) in text  # the mask is what is shown instead


# --- finding 11 -----------------------------------------------------------------------------

NUMBER_I = 3101


@pytest.fixture
def fresh_graduate(school_a):
    import_rows(school_a, [roster_row(NUMBER_I)])
    return school_a


def _client(school) -> Client:
    return Client(HTTP_HOST=host_of(school), REMOTE_ADDR=f"10.77.{uuid.uuid4().int % 250}.9")


@pytest.mark.parametrize(
    "make_password",
    [
        lambda idn, sn: idn,  # the ID number
        lambda idn, sn: idn.lower() + "!",
        lambda idn, sn: "Aa#" + idn[-6:] + "xy",  # contains the last six
        lambda idn, sn: "Xy#" + sn,  # contains the 学号
        lambda idn, sn: f"Pw#{idn[6:14]}",  # contains the birth date YYYYMMDD
        lambda idn, sn: f"Pw#{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",  # with separators
        lambda idn, sn: f"Pw#x{idn[8:14]}",  # YYMMDD
    ],
)
def test_the_new_password_may_not_be_or_contain_personal_data(fresh_graduate, make_password):
    student_number = f"2022{NUMBER_I:06d}"
    id_number = make_id_number(NUMBER_I)
    client = _client(fresh_graduate)
    client.post("/accounts/login/", {"username": student_number, "password": id_number[-6:]})
    bad = make_password(id_number, student_number)
    response = client.post(
        "/accounts/password/",
        {"old_password": id_number[-6:], "new_password": bad, "new_password_again": bad},
    )
    assert response.status_code == 200
    assert "新密码不能包含您的" in response.content.decode()
    assert graduate(fresh_graduate, student_number).user.must_change_password
    # Through the API too (the same validator).
    api = client.post(
        "/api/v1/auth/password",
        {"old_password": id_number[-6:], "new_password": bad},
        content_type="application/json",
    )
    assert api.status_code == 400 and "new_password" in api.json()["errors"]


# --- finding 9 ------------------------------------------------------------------------------

GOOD = "Grad#Pass-2026"


@pytest.fixture
def settled(school_a):
    """A graduate who has set their own password, logged in (a stolen session)."""
    import_rows(school_a, [roster_row(3201)])
    row = graduate(school_a, "2022003201")
    with schema_context(school_a.schema_name):
        row.user.set_password(GOOD)
        row.user.must_change_password = False
        row.user.save()
    return school_a


def test_guessing_on_the_password_change_page_locks_the_account(settled, settings):
    thief = _client(settled)
    assert (
        thief.post("/accounts/login/", {"username": "2022003201", "password": GOOD}).status_code
        == 302
    )
    for guess in range(settings.AXES_FAILURE_LIMIT):
        page = thief.post(
            "/accounts/password/",
            {
                "old_password": f"guess{guess}",
                "new_password": "Zq#Taken-9911",
                "new_password_again": "Zq#Taken-9911",
            },
        )
        assert page.status_code == 200
    # Now even the right password is refused, here and at the login page, for anyone.
    locked = thief.post(
        "/accounts/password/",
        {
            "old_password": GOOD,
            "new_password": "Zq#Taken-9911",
            "new_password_again": "Zq#Taken-9911",
        },
    )
    assert "账号已被临时锁定" in locked.content.decode()
    login = _client(settled).post("/accounts/login/", {"username": "2022003201", "password": GOOD})
    assert login.status_code == 200 and "锁定" in login.content.decode()


def test_guessing_through_the_api_counts_too(settled, settings):
    thief = _client(settled)
    token = thief.post(
        "/api/v1/auth/token",
        {"username": "2022003201", "password": GOOD},
        content_type="application/json",
    ).json()["token"]
    thief.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    for guess in range(settings.AXES_FAILURE_LIMIT):
        response = thief.post(
            "/api/v1/auth/password",
            {"old_password": f"guess{guess}", "new_password": "Zq#Taken-9911"},
            content_type="application/json",
        )
        assert response.status_code == 400
    locked = thief.post(
        "/api/v1/auth/password",
        {"old_password": GOOD, "new_password": "Zq#Taken-9911"},
        content_type="application/json",
    )
    assert "账号已被临时锁定" in str(locked.json())
    refused = _client(settled).post(
        "/api/v1/auth/token",
        {"username": "2022003201", "password": GOOD},
        content_type="application/json",
    )
    assert refused.status_code == 429
