"""The official account's web OAuth walked with the test client against the fake WeChat."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django_tenants.utils import schema_context

from core.models import AuditLog
from notifications.models import Message
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client
from tests.wechat.helpers import (
    APP_A,
    APP_B,
    GRADUATE_PASSWORD,
    bind_graduate,
    configure_wechat,
    make_graduate,
)
from wechat.models import WechatBinding

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI"
)


def start_oauth(client, fake_base: str, next_url: str = "/"):
    response = client.get("/wechat/login/", {"next": next_url})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(fake_base.rstrip("/") + "/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect")
    return location


def walk(client, fake, fake_base: str, who: str, next_url: str = "/"):
    """Menu → WeChat's authorize page → back to our callback with a code."""
    authorize = start_oauth(client, fake_base, next_url)
    answer = fake.authorize(authorize, who)
    callback = urlsplit(answer["location"])
    assert callback.path == "/wechat/callback/"
    return client.get(callback.path, {"code": answer["code"], "state": answer["state"]}), answer


def test_authorize_url_asks_for_snsapi_base_with_the_schools_appid(
    school_a, fake_wechat, fake_wechat_server
):
    configure_wechat(school_a, fake_wechat)
    location = start_oauth(client_for(school_a), fake_wechat_server)
    query = parse_qs(urlsplit(location.split("#")[0]).query)
    assert query["appid"] == [APP_A[0]]
    assert query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == ["http://alpha.localhost/wechat/callback/"]
    assert len(query["state"][0]) >= 24


def test_bound_graduate_comes_back_logged_in(school_a, fake_wechat, fake_wechat_server):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001001", "李雷")
    bind_graduate(school_a, fake_wechat, graduate, "lilei-phone")

    client = client_for(school_a)
    response, _ = walk(client, fake_wechat, fake_wechat_server, "lilei-phone", "/notifications/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    inbox = client.get("/notifications/")
    assert inbox.status_code == 200
    assert "微信绑定成功" in inbox.content.decode()


def test_unbound_graduate_logs_in_once_with_student_number_and_is_bound(
    school_a, fake_wechat, fake_wechat_server
):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001002", "韩梅梅")

    client = client_for(school_a)
    response, _ = walk(client, fake_wechat, fake_wechat_server, "hmm-phone", "/notifications/")
    assert response.status_code == 302 and response["Location"] == "/wechat/bind/"
    page = client.get("/wechat/bind/").content.decode()
    assert "学号" in page

    wrong = client.post("/wechat/bind/", {"username": "2022001002", "password": "nope"})
    assert wrong.status_code == 200
    assert "账号或密码不正确" in wrong.content.decode()
    ok = client.post("/wechat/bind/", {"username": "2022001002", "password": GRADUATE_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/notifications/"

    with schema_context(school_a.schema_name):
        binding = WechatBinding.objects.get(user=graduate)
        assert binding.app_id == APP_A[0]
        assert Message.objects.filter(user=graduate, event="wechat_bound").count() == 1
        assert AuditLog.objects.filter(action="wechat.bound", target_id=str(graduate.pk)).exists()

    # Next time, from a new phone session of the same WeChat user: straight in.
    again, _ = walk(client_for(school_a), fake_wechat, fake_wechat_server, "hmm-phone")
    assert again.status_code == 302 and again["Location"] == "/"


def test_forged_and_replayed_state_or_code_are_refused(school_a, fake_wechat, fake_wechat_server):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001003")
    bind_graduate(school_a, fake_wechat, graduate, "victim")

    # A forged state: this browser never started a login.
    attacker = client_for(school_a)
    authorize = start_oauth(client_for(school_a), fake_wechat_server)
    answer = fake_wechat.authorize(authorize, "victim")
    forged = attacker.get("/wechat/callback/", {"code": answer["code"], "state": answer["state"]})
    assert forged.status_code == 400
    assert "登录请求无效" in forged.content.decode()
    assert attacker.get("/notifications/").status_code == 302  # still anonymous

    # A state that does not match the one this browser was given.
    client = client_for(school_a)
    start_oauth(client, fake_wechat_server)
    mismatch = client.get("/wechat/callback/", {"code": answer["code"], "state": "x" * 32})
    assert mismatch.status_code == 400

    # A callback replayed after a successful login.
    phone = client_for(school_a)
    response, used = walk(phone, fake_wechat, fake_wechat_server, "victim")
    assert response.status_code == 302
    replay = client_for(school_a)
    replay.cookies = phone.cookies
    replay.logout()
    again = replay.get("/wechat/callback/", {"code": used["code"], "state": used["state"]})
    assert again.status_code == 400

    # A used code with a fresh, valid state: WeChat says 40163 and we refuse.
    fresh = client_for(school_a)
    new_authorize = start_oauth(fresh, fake_wechat_server)
    new_state = parse_qs(urlsplit(new_authorize.split("#")[0]).query)["state"][0]
    reused = fresh.get("/wechat/callback/", {"code": used["code"], "state": new_state})
    assert reused.status_code == 400
    assert "授权 code 已被使用" in reused.content.decode()
    assert fresh.get("/notifications/").status_code == 302


def test_an_openid_bound_to_someone_else_cannot_bind_another_graduate(
    school_a, fake_wechat, fake_wechat_server
):
    configure_wechat(school_a, fake_wechat)
    first = make_graduate(school_a, "2022001004", "王一")
    make_graduate(school_a, "2022001005", "王二")

    # Two phones of the same WeChat user reach the bind page before either binds.
    phone_1, phone_2 = client_for(school_a), client_for(school_a)
    walk(phone_1, fake_wechat, fake_wechat_server, "shared-wechat")
    walk(phone_2, fake_wechat, fake_wechat_server, "shared-wechat")
    ok = phone_1.post("/wechat/bind/", {"username": "2022001004", "password": GRADUATE_PASSWORD})
    assert ok.status_code == 302
    refused = phone_2.post(
        "/wechat/bind/", {"username": "2022001005", "password": GRADUATE_PASSWORD}
    )
    assert refused.status_code == 200
    assert "该微信已绑定本校另一名毕业生" in refused.content.decode()
    with schema_context(school_a.schema_name):
        assert list(WechatBinding.objects.values_list("user__username", flat=True)) == [
            first.username
        ]


def test_graduate_bound_to_one_wechat_cannot_silently_move_to_another(
    school_a, fake_wechat, fake_wechat_server
):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001006")
    old_openid = bind_graduate(school_a, fake_wechat, graduate, "old-phone")

    client = client_for(school_a)
    walk(client, fake_wechat, fake_wechat_server, "someone-elses-wechat")
    refused = client.post(
        "/wechat/bind/", {"username": "2022001006", "password": GRADUATE_PASSWORD}
    )
    assert "该账号已绑定另一个微信" in refused.content.decode()
    with schema_context(school_a.schema_name):
        assert WechatBinding.objects.get(user=graduate).openid == old_openid


def test_school_admin_unbinds_a_graduate_with_a_reason(school_a, fake_wechat, fake_wechat_server):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001007", "赵六")
    bind_graduate(school_a, fake_wechat, graduate, "lost-phone")

    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    listing = admin.get("/wechat/bindings/", {"q": "2022001007"}).content.decode()
    assert "赵六" in listing
    no_reason = admin.post(f"/wechat/bindings/{graduate.pk}/unbind/", {"reason": ""})
    assert no_reason.status_code == 302
    with schema_context(school_a.schema_name):
        assert WechatBinding.objects.filter(user=graduate).exists()

    done = admin.post(f"/wechat/bindings/{graduate.pk}/unbind/", {"reason": "手机丢失"})
    assert done.status_code == 302
    with schema_context(school_a.schema_name):
        assert not WechatBinding.objects.filter(user=graduate).exists()
        entry = AuditLog.objects.get(action="wechat.unbound", target_id=str(graduate.pk))
        assert entry.reason == "手机丢失" and entry.actor_username == "admin"

    # The lost phone's WeChat no longer logs in: it lands on the bind page.
    response, _ = walk(client_for(school_a), fake_wechat, fake_wechat_server, "lost-phone")
    assert response["Location"] == "/wechat/bind/"


def test_graduates_cannot_use_the_admin_unbind(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    victim = make_graduate(school_a, "2022001008")
    make_graduate(school_a, "2022001009")
    bind_graduate(school_a, fake_wechat, victim, "victim-2")
    other = logged_in_client(school_a, "2022001009", GRADUATE_PASSWORD)
    response = other.post(f"/wechat/bindings/{victim.pk}/unbind/", {"reason": "x"})
    assert response.status_code == 403
    with schema_context(school_a.schema_name):
        assert WechatBinding.objects.filter(user=victim).exists()


def test_graduate_unbinds_themselves(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022001010")
    bind_graduate(school_a, fake_wechat, graduate, "me")
    client = logged_in_client(school_a, "2022001010", GRADUATE_PASSWORD)
    assert "已绑定微信" in client.get("/wechat/").content.decode()
    response = client.post("/wechat/unbind/", follow=True)
    assert "已解除微信绑定" in response.content.decode()
    with schema_context(school_a.schema_name):
        assert not WechatBinding.objects.filter(user=graduate).exists()
        assert AuditLog.objects.filter(action="wechat.unbound", data__by="self").exists()


def test_login_page_inside_wechat_goes_through_the_official_account(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    client = client_for(school_a)
    in_wechat = client.get(
        "/accounts/login/", {"next": "/notifications/"}, HTTP_USER_AGENT=WECHAT_UA
    )
    assert in_wechat.status_code == 302
    assert in_wechat["Location"] == "/wechat/login/?next=%2Fnotifications%2F"
    # The way out, and ordinary browsers: the 学号 + password form.
    assert (
        client.get("/accounts/login/", {"password": 1}, HTTP_USER_AGENT=WECHAT_UA).status_code
        == 200
    )
    assert client.get("/accounts/login/").status_code == 200


def test_school_without_an_official_account_falls_back_to_password_login(school_b, fake_wechat):
    client = client_for(school_b)
    response = client.get("/accounts/login/", HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    start = client.get("/wechat/login/")
    assert start.status_code == 302 and start["Location"].startswith("/accounts/login/?password=1")


def test_the_same_wechat_user_is_a_different_openid_in_each_school(
    school_a, school_b, fake_wechat, fake_wechat_server
):
    configure_wechat(school_a, fake_wechat, app=APP_A)
    configure_wechat(school_b, fake_wechat, app=APP_B)
    graduate_a = make_graduate(school_a, "2022001011")
    make_graduate(school_b, "2022001011")  # same 学号 at another school: another person
    bind_graduate(school_a, fake_wechat, graduate_a, "one-person", app=APP_A)

    response, _ = walk(client_for(school_b), fake_wechat, fake_wechat_server, "one-person")
    assert response["Location"] == "/wechat/bind/"  # not bound at beta
    with schema_context(school_b.schema_name):
        assert not WechatBinding.objects.exists()


def test_credentials_button_reports_wechat_errors_in_chinese(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    assert "测试公众号配置" in admin.get("/settings/").content.decode()

    ok = admin.post("/wechat/check-credentials/", follow=True).content.decode()
    assert "连接成功" in ok and APP_A[0] in ok
    assert fake_wechat.snapshot()["token_requests"][APP_A[0]] == 1

    fake_wechat.add_app(APP_A[0], "c" * 32)  # the secret was reset in the WeChat console
    wrong = admin.post("/wechat/check-credentials/", follow=True).content.decode()
    assert "40125" in wrong and "AppSecret 无效" in wrong
    assert APP_A[1] not in wrong  # the secret itself is never shown

    fake_wechat.faults({"endpoint": "cgi-bin/token", "mode": "http500", "count": 1})
    down = admin.post("/wechat/check-credentials/", follow=True).content.decode()
    assert "微信服务器错误（HTTP 500）" in down


def test_credentials_of_an_unknown_appid(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat, register=False)
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    page = admin.post("/wechat/check-credentials/", follow=True).content.decode()
    assert "40013" in page and "AppID 无效" in page
