"""Graduates log in with 学号 and the last six of their ID number, must change it first,
and guessing is stopped per account (django-axes) and per IP."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.exceptions import NotAllowed
from students.services import reset_graduate_password
from tests.factories.students import NEW_PASSWORD, graduate, import_rows, make_id_number, roster_row
from tests.utils import ADMIN_PASSWORD, host_of, school_admin

X_INDEX = next(i for i in range(1, 500) if make_id_number(i).endswith("X"))
NUMBER = f"2022{X_INDEX:06d}"
INITIAL = make_id_number(X_INDEX)[-6:]


@pytest.fixture
def imported(school_a):
    import_rows(school_a, [roster_row(X_INDEX), roster_row(1)])
    return school_a


def fresh_client(school) -> Client:
    """Its own client IP, so the per-IP failure counter of one test never leaks into another."""
    return Client(
        HTTP_HOST=host_of(school),
        REMOTE_ADDR=f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}",
    )


def token_login(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_initial_password_works_and_forces_a_change_on_pages(imported):
    client = fresh_client(imported)
    response = client.post("/accounts/login/", {"username": NUMBER, "password": INITIAL.lower()})
    assert response.status_code == 302
    page = client.get("/students/me/")
    assert (
        page.status_code == 302
        and page["Location"] == "/accounts/password/?next=%2Fstudents%2Fme%2F"
    )
    assert "首次登录请先修改初始密码" in client.get(page["Location"]).content.decode()

    bad = client.post(
        "/accounts/password/",
        {"old_password": INITIAL, "new_password": "12345678", "new_password_again": "12345678"},
    )
    assert bad.status_code == 200 and graduate(imported, NUMBER).user.must_change_password
    done = client.post(
        "/accounts/password/",
        {
            "old_password": INITIAL,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "next": "/students/me/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/students/me/"
    assert "生源信息" in client.get("/students/me/").content.decode()  # still logged in

    assert (
        fresh_client(imported)
        .post("/accounts/login/", {"username": NUMBER, "password": INITIAL})
        .status_code
        == 200
    )
    assert (
        fresh_client(imported)
        .post("/accounts/login/", {"username": NUMBER, "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_wrong_current_password_is_refused(imported):
    client = fresh_client(imported)
    client.post("/accounts/login/", {"username": NUMBER, "password": INITIAL})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "000000",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert "当前密码不正确。" in response.content.decode()
    assert graduate(imported, NUMBER).user.must_change_password


def test_api_token_with_initial_password_then_403_until_changed(imported):
    client = fresh_client(imported)
    response = token_login(client, NUMBER, INITIAL)
    assert response.status_code == 200
    body = response.json()
    assert body["must_change_password"] is True and body["role"] == "graduate"
    auth = {"HTTP_AUTHORIZATION": f"Token {body['token']}"}

    for path in ("/api/v1/me", "/api/v1/students/me", "/api/v1/school/public-settings"):
        refused = client.get(path, **auth)
        if path.endswith("public-settings"):
            assert refused.status_code == 403  # even open endpoints: the token is not usable yet
        assert refused.status_code == 403, path
        assert "请先修改初始密码" in refused.json()["detail"]

    changed = client.post(
        "/api/v1/auth/password",
        {"old_password": INITIAL, "new_password": NEW_PASSWORD},
        content_type="application/json",
        **auth,
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["must_change_password"] is False
    assert client.get("/api/v1/students/me", **auth).status_code == 401  # old token revoked
    new_auth = {"HTTP_AUTHORIZATION": f"Token {changed.json()['token']}"}
    me = client.get("/api/v1/students/me", **new_auth)
    assert me.status_code == 200 and me.json()["student_number"] == NUMBER
    assert token_login(client, NUMBER, INITIAL).status_code == 401


def test_api_password_change_validates_in_chinese(imported):
    client = fresh_client(imported)
    auth = {"HTTP_AUTHORIZATION": f"Token {token_login(client, NUMBER, INITIAL).json()['token']}"}
    response = client.post(
        "/api/v1/auth/password",
        {"old_password": INITIAL, "new_password": "short"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 400
    assert "密码太短" in response.json()["errors"]["new_password"][0]


def test_repeated_failures_lock_the_account(imported):
    client = fresh_client(imported)
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": NUMBER, "password": "999999"})
        assert "账号或密码不正确" in response.content.decode()
    fifth = client.post("/accounts/login/", {"username": NUMBER, "password": "999999"})
    assert "账号已被临时锁定" in fifth.content.decode()
    # Now even the right password is refused, from anywhere, and the page says why.
    locked = fresh_client(imported).post(
        "/accounts/login/", {"username": NUMBER, "password": INITIAL}
    )
    assert locked.status_code == 200
    assert "账号已被临时锁定，请 15 分钟后再试" in locked.content.decode()
    api = token_login(fresh_client(imported), NUMBER, INITIAL)
    assert api.status_code == 429 and "临时锁定" in api.json()["detail"]
    # Other accounts are unaffected.
    assert (
        token_login(fresh_client(imported), "2022000001", make_id_number(1)[-6:]).status_code == 200
    )


def test_failures_are_rate_limited_per_ip(imported, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    client = fresh_client(imported)
    for i in range(3):
        token_login(client, f"2022{900 + i:06d}", "123456")
    refused = token_login(client, NUMBER, INITIAL)
    assert refused.status_code == 429 and "该网络的登录失败次数过多" in refused.json()["detail"]
    assert token_login(fresh_client(imported), NUMBER, INITIAL).status_code == 200


def test_school_admin_resets_a_password_to_the_initial_one(imported):
    client = fresh_client(imported)
    auth = {"HTTP_AUTHORIZATION": f"Token {token_login(client, NUMBER, INITIAL).json()['token']}"}
    client.post(
        "/api/v1/auth/password",
        {"old_password": INITIAL, "new_password": NEW_PASSWORD},
        content_type="application/json",
        **auth,
    )
    g = graduate(imported, NUMBER)
    admin = fresh_client(imported)
    admin.post("/accounts/login/", {"username": "admin", "password": ADMIN_PASSWORD})
    assert admin.post(f"/api/v1/students/graduates/{g.pk}/reset-password").status_code == 204
    again = token_login(fresh_client(imported), NUMBER, INITIAL)
    assert again.status_code == 200 and again.json()["must_change_password"] is True
    assert token_login(fresh_client(imported), NUMBER, NEW_PASSWORD).status_code == 401


def test_only_school_admins_reset_passwords(imported):
    from core.context import Actor

    g = graduate(imported, "2022000001")
    with schema_context(imported.schema_name), pytest.raises(NotAllowed):
        reset_graduate_password(actor=Actor(user=g.user, via="web"), graduate=g)
    assert school_admin(imported).role == "school_admin"
