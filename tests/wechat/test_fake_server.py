"""The fake WeChat API answers like WeChat: shapes, error codes, token life, OAuth codes."""

import requests

from tests.wechat.helpers import APP_A


def get(base: str, path: str, **params) -> dict:
    return requests.get(base + path, params=params, timeout=5).json()


def token(base: str, appid: str = APP_A[0], secret: str = APP_A[1]) -> dict:
    return get(base, "cgi-bin/token", grant_type="client_credential", appid=appid, secret=secret)


def send(base: str, access_token: str, openid: str, **extra) -> dict:
    body = {"touser": openid, "template_id": "T1", "data": {"first": {"value": "x"}}, **extra}
    return requests.post(
        base + "cgi-bin/message/template/send",
        params={"access_token": access_token},
        json=body,
        timeout=5,
    ).json()


def test_tokens_and_their_errors(fake_wechat, fake_wechat_server):
    base = fake_wechat_server
    fake_wechat.add_app(*APP_A)
    assert token(base, appid="wxnope")["errcode"] == 40013
    assert token(base, secret="wrong")["errcode"] == 40125
    assert get(base, "cgi-bin/token", grant_type="x", appid=APP_A[0])["errcode"] == 40002
    first = token(base)
    assert set(first) == {"access_token", "expires_in"} and first["expires_in"] == 7200

    openid = fake_wechat.follow(APP_A[0], "someone")
    assert send(base, "", openid)["errcode"] == 41001
    assert send(base, "not-a-token", openid)["errcode"] == 40001
    # A new token leaves the old one valid during the grace period, then not.
    second = token(base)["access_token"]
    assert send(base, first["access_token"], openid)["errcode"] == 0
    fake_wechat.configure(token_grace=0)
    assert send(base, first["access_token"], openid)["errcode"] == 40001
    fake_wechat.expire_tokens(APP_A[0])
    expired = send(base, second, openid)
    assert expired["errcode"] == 42001 and "access_token expired" in expired["errmsg"]


def test_template_send_errors_and_client_msg_id(fake_wechat, fake_wechat_server):
    base = fake_wechat_server
    fake_wechat.add_app(*APP_A, templates=["T1"])
    access = token(base)["access_token"]
    openid = fake_wechat.follow(APP_A[0], "someone")
    assert send(base, access, "o-unknown")["errcode"] == 40003
    assert send(base, access, openid, template_id="T2")["errcode"] == 40037
    ok = send(base, access, openid, client_msg_id="k1")
    again = send(base, access, openid, client_msg_id="k1")
    assert ok["errcode"] == 0 and again == ok  # same msgid, delivered once
    assert len(fake_wechat.received()) == 1
    fake_wechat.unsubscribe(APP_A[0], openid)
    assert send(base, access, openid, client_msg_id="k2")["errcode"] == 43004


def test_oauth_codes_are_single_use_and_base_scope_has_no_userinfo(fake_wechat, fake_wechat_server):
    base = fake_wechat_server
    fake_wechat.add_app(*APP_A)
    answer = fake_wechat.authorize(
        f"{base}connect/oauth2/authorize?appid={APP_A[0]}&redirect_uri=http%3A%2F%2Fx.localhost%2Fcb"
        "&response_type=code&scope=snsapi_base&state=abc#wechat_redirect",
        "someone",
    )
    assert answer["location"].startswith("http://x.localhost/cb?code=")
    assert answer["state"] == "abc"
    params = {
        "appid": APP_A[0],
        "secret": APP_A[1],
        "code": answer["code"],
        "grant_type": "authorization_code",
    }
    first = get(base, "sns/oauth2/access_token", **params)
    assert first["openid"] == fake_wechat.follow(APP_A[0], "someone")
    assert first["scope"] == "snsapi_base"
    assert get(base, "sns/oauth2/access_token", **params)["errcode"] == 40163
    assert get(base, "sns/oauth2/access_token", **{**params, "code": "bogus"})["errcode"] == 40029
    info = get(base, "sns/userinfo", access_token=first["access_token"], openid=first["openid"])
    assert info["errcode"] == 48001


def test_fault_switches(fake_wechat, fake_wechat_server):
    base = fake_wechat_server
    fake_wechat.add_app(*APP_A)
    fake_wechat.faults(
        {"endpoint": "cgi-bin/token", "mode": "http500", "count": 1},
        {"endpoint": "cgi-bin/token", "mode": "slow", "delay": 0.3, "count": 1},
    )
    failed = requests.get(base + "cgi-bin/token", timeout=5)
    assert failed.status_code == 500
    try:
        requests.get(
            base + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": APP_A[0], "secret": APP_A[1]},
            timeout=0.1,
        )
    except requests.Timeout:
        timed_out = True
    else:
        timed_out = False
    assert timed_out  # a slow answer: our client gives up first
    assert "access_token" in token(base)  # the switches ran out
