"""Finding 1 and the token part of 17, as the attack: someone who once knew a graduate's
password keeps a way in (their own WeChat bound with it, another browser, an API token).
A password change or an admin reset must end every one of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import ApiToken
from core.models import AuditLog
from notifications.delivery import deliver
from notifications.models import Message, WechatDelivery
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client
from tests.wechat.helpers import GRADUATE_PASSWORD, TEMPLATES, configure_wechat, make_graduate
from tests.wechat.test_oauth_binding import walk
from wechat.models import WechatBinding

NEW_PASSWORD = "Zq#Changed-7391"
TEMPLATES_WITH_UNBIND = {**TEMPLATES, "wechat_unbound": "TPL-unbound-0009"}


def token_for(school, username: str, password: str) -> str:
    response = client_for(school).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api(school, token: str):
    client = client_for(school)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def attacker_binds_their_wechat(school, fake, fake_base, username: str, who: str):
    """/wechat/bind/ with the graduate's (known) password, from the attacker's WeChat."""
    attacker = client_for(school)
    response, _ = walk(attacker, fake, fake_base, who)
    assert response["Location"] == "/wechat/bind/"
    bound = attacker.post("/wechat/bind/", {"username": username, "password": GRADUATE_PASSWORD})
    assert bound.status_code == 302
    return attacker


def attacker_walks_in(school, fake, fake_base, who: str) -> bool:
    """A fresh phone session of the attacker's WeChat: logged in as the graduate?"""
    response, _ = walk(client_for(school), fake, fake_base, who, "/notifications/")
    return response["Location"] == "/notifications/"


@pytest.fixture
def victim(school_a, fake_wechat, fake_wechat_server):
    configure_wechat(school_a, fake_wechat, templates=TEMPLATES_WITH_UNBIND)
    user = make_graduate(school_a, "2022007001", "王小明")
    attacker_binds_their_wechat(school_a, fake_wechat, fake_wechat_server, "2022007001", "mallory")
    assert attacker_walks_in(school_a, fake_wechat, fake_wechat_server, "mallory")
    return user


def test_binding_a_new_wechat_tells_the_graduate_in_app(school_a, victim):
    with schema_context(school_a.schema_name):
        message = Message.objects.get(user=victim, event="wechat_bound")
    assert "如果不是您本人操作，请立即修改密码" in message.body


def test_password_change_ends_the_attackers_wechat_sessions_and_tokens(
    school_a, victim, fake_wechat, fake_wechat_server
):
    other_browser = logged_in_client(school_a, "2022007001", GRADUATE_PASSWORD)
    stolen_token = token_for(school_a, "2022007001", GRADUATE_PASSWORD)
    assert api(school_a, stolen_token).get("/api/v1/me").status_code == 200

    graduate = logged_in_client(school_a, "2022007001", GRADUATE_PASSWORD)
    changed = graduate.post(
        "/accounts/password/",
        {
            "old_password": GRADUATE_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302

    # The attacker's WeChat no longer logs in: the OAuth walk ends on the bind page.
    assert not attacker_walks_in(school_a, fake_wechat, fake_wechat_server, "mallory")
    # Another browser's session and the old token are dead; the graduate's own browser isn't.
    assert other_browser.get("/notifications/").status_code == 302
    assert api(school_a, stolen_token).get("/api/v1/me").status_code == 401
    assert graduate.get("/notifications/").status_code == 200

    with schema_context(school_a.schema_name):
        assert not WechatBinding.objects.filter(user=victim).exists()
        notice = Message.objects.get(user=victim, event="wechat_unbound")
        assert "绑定已解除" in notice.body
        assert AuditLog.objects.filter(
            action="wechat.unbound", target_id=str(victim.pk), reason="password_changed"
        ).exists()
        # ...and the WeChat that was unbound is told too (the outbox row carries its openid).
        row = WechatDelivery.objects.get(message=notice)
        assert deliver(row.pk).status == "sent"
    sent = [m for m in fake_wechat.received() if m["template_id"] == "TPL-unbound-0009"]
    assert len(sent) == 1 and sent[0]["touser"] == row.openid
    # The graduate sees it in the app.
    assert "微信绑定已解除" in graduate.get("/notifications/").content.decode()


def test_password_change_through_the_api_ends_the_binding_too(
    school_a, victim, fake_wechat, fake_wechat_server
):
    token = token_for(school_a, "2022007001", GRADUATE_PASSWORD)
    other = token_for(school_a, "2022007001", GRADUATE_PASSWORD)
    response = api(school_a, token).post(
        "/api/v1/auth/password",
        {"old_password": GRADUATE_PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert not attacker_walks_in(school_a, fake_wechat, fake_wechat_server, "mallory")
    assert api(school_a, other).get("/api/v1/me").status_code == 401
    assert api(school_a, response.json()["token"]).get("/api/v1/me").status_code == 200


def test_reset_by_the_school_admin_page_ends_the_binding(school_a, fake_wechat, fake_wechat_server):
    """The real reset door (students app): a graduate from the roster, reset by the admin."""
    from tests.factories.students import graduate as graduate_row
    from tests.factories.students import import_rows, roster_row

    configure_wechat(school_a, fake_wechat, templates=TEMPLATES_WITH_UNBIND)
    import_rows(school_a, [roster_row(701)])
    row = graduate_row(school_a, "2022000701")
    with schema_context(school_a.schema_name):
        user = row.user
        user.set_password(GRADUATE_PASSWORD)
        user.must_change_password = False
        user.save()
    attacker_binds_their_wechat(school_a, fake_wechat, fake_wechat_server, "2022000701", "eve")
    session = logged_in_client(school_a, "2022000701", GRADUATE_PASSWORD)
    stolen_token = token_for(school_a, "2022000701", GRADUATE_PASSWORD)

    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    reset = admin.post(f"/students/{row.pk}/reset-password/")
    assert reset.status_code == 302

    assert not attacker_walks_in(school_a, fake_wechat, fake_wechat_server, "eve")
    assert session.get("/notifications/").status_code == 302
    assert api(school_a, stolen_token).get("/api/v1/me").status_code == 401
    with schema_context(school_a.schema_name):
        assert Message.objects.filter(user=user, event="wechat_unbound").exists()


# --- finding 17: tokens ----------------------------------------------------------------


def test_a_token_expires_when_unused_and_slides_while_used(school_a, settings):
    make_graduate(school_a, "2022007101")
    token = token_for(school_a, "2022007101", GRADUATE_PASSWORD)
    client = api(school_a, token)
    assert client.get("/api/v1/me").status_code == 200
    settings.API_TOKEN_IDLE_SECONDS = 3600
    with schema_context(school_a.schema_name):
        # Used 50 minutes ago: still alive, and using it slides the expiry forward.
        ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=50))
    assert client.get("/api/v1/me").status_code == 200
    with schema_context(school_a.schema_name):
        used = ApiToken.objects.get(user__username="2022007101").last_used_at
        assert timezone.now() - used < timedelta(minutes=1)
        ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=61))
    expired = client.get("/api/v1/me")
    assert expired.status_code == 401 and "已过期" in expired.json()["detail"]


def test_no_token_outlives_its_maximum_age(school_a, settings):
    make_graduate(school_a, "2022007102")
    token = token_for(school_a, "2022007102", GRADUATE_PASSWORD)
    settings.API_TOKEN_MAX_AGE_SECONDS = 24 * 3600
    with schema_context(school_a.schema_name):
        ApiToken.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert api(school_a, token).get("/api/v1/me").status_code == 401


def test_logout_revokes_the_token_used_and_only_that_one(school_a):
    make_graduate(school_a, "2022007103")
    phone = token_for(school_a, "2022007103", GRADUATE_PASSWORD)
    laptop = token_for(school_a, "2022007103", GRADUATE_PASSWORD)
    assert phone != laptop
    assert api(school_a, phone).post("/api/v1/auth/logout").status_code == 204
    assert api(school_a, phone).get("/api/v1/me").status_code == 401
    assert api(school_a, laptop).get("/api/v1/me").status_code == 200


def test_a_user_lists_and_revokes_their_tokens_but_not_someone_elses(school_a):
    make_graduate(school_a, "2022007104")
    make_graduate(school_a, "2022007105")
    mine = token_for(school_a, "2022007104", GRADUATE_PASSWORD)
    lost_phone = token_for(school_a, "2022007104", GRADUATE_PASSWORD)
    theirs = token_for(school_a, "2022007105", GRADUATE_PASSWORD)

    listed = api(school_a, mine).get("/api/v1/auth/tokens").json()
    assert len(listed) == 2
    assert [t["current"] for t in listed].count(True) == 1
    assert all(len(t["prefix"]) == 8 and "key" not in t for t in listed)
    lost = next(t for t in listed if lost_phone.startswith(t["prefix"]))

    their_id = api(school_a, theirs).get("/api/v1/auth/tokens").json()[0]["id"]
    assert api(school_a, mine).delete(f"/api/v1/auth/tokens/{their_id}").status_code == 404
    assert api(school_a, theirs).get("/api/v1/me").status_code == 200

    assert api(school_a, mine).delete(f"/api/v1/auth/tokens/{lost['id']}").status_code == 204
    assert api(school_a, lost_phone).get("/api/v1/me").status_code == 401
    assert api(school_a, mine).get("/api/v1/me").status_code == 200


def test_tokens_are_stored_as_digests_only(school_a):
    make_graduate(school_a, "2022007106")
    key = token_for(school_a, "2022007106", GRADUATE_PASSWORD)
    with schema_context(school_a.schema_name):
        stored = ApiToken.objects.get(user__username="2022007106")
    assert key not in (stored.digest, stored.prefix) and stored.digest != key
