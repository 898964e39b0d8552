"""The same rules through the REST API (the WeChat H5 pages' front door)."""

from django_tenants.utils import schema_context

from tests.utils import ADMIN_PASSWORD, client_for
from tests.wechat.helpers import (
    APP_A,
    GRADUATE_PASSWORD,
    bind_graduate,
    configure_wechat,
    make_graduate,
)
from wechat.models import WechatBinding


def token_client(school, username: str, password: str):
    client = client_for(school)
    token = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    ).json()["token"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def test_graduate_sees_and_removes_their_binding(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022004001")
    bind_graduate(school_a, fake_wechat, graduate, "api-user")
    client = token_client(school_a, "2022004001", GRADUATE_PASSWORD)
    assert client.get("/api/v1/wechat/binding").json()["bound"] is True
    assert client.delete("/api/v1/wechat/binding").json() == {"bound": False, "bound_at": None}
    assert client.get("/api/v1/wechat/binding").json()["bound"] is False


def test_admin_unbind_needs_a_reason_and_the_admin_role(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022004002")
    bind_graduate(school_a, fake_wechat, graduate, "api-user-2")
    admin = token_client(school_a, "admin", ADMIN_PASSWORD)

    missing = admin.post(
        f"/api/v1/wechat/bindings/{graduate.pk}/unbind", {}, content_type="application/json"
    )
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    as_graduate = token_client(school_a, "2022004002", GRADUATE_PASSWORD).post(
        f"/api/v1/wechat/bindings/{graduate.pk}/unbind",
        {"reason": "x"},
        content_type="application/json",
    )
    assert as_graduate.status_code == 403
    done = admin.post(
        f"/api/v1/wechat/bindings/{graduate.pk}/unbind",
        {"reason": "更换微信号"},
        content_type="application/json",
    )
    assert done.status_code == 200
    with schema_context(school_a.schema_name):
        assert not WechatBinding.objects.filter(user=graduate).exists()


def test_check_credentials_api(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    admin = token_client(school_a, "admin", ADMIN_PASSWORD)
    ok = admin.post("/api/v1/wechat/check-credentials").json()
    assert ok["ok"] is True and APP_A[0] in ok["detail"]
    fake_wechat.faults({"endpoint": "cgi-bin/token", "errcode": -1, "count": 1})
    busy = admin.post("/api/v1/wechat/check-credentials").json()
    assert busy == {"ok": False, "detail": "微信返回错误 -1：微信系统繁忙，请稍后再试"}
