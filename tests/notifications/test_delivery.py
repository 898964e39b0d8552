"""notify() and the outbox: what graduates see in the app and what reaches the fake WeChat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.context import cli_actor
from notifications import outbox
from notifications.delivery import deliver, schemas_with_work, sweep_school
from notifications.models import DeliveryStatus, Message, WechatDelivery
from notifications.services import notify
from tests.utils import ADMIN_PASSWORD, logged_in_client
from tests.wechat.helpers import (
    APP_A,
    APP_B,
    GRADUATE_PASSWORD,
    TEMPLATES,
    bind_graduate,
    configure_wechat,
    make_graduate,
)
from wechat.services import unbind


def approve(school, user, reason: str = "") -> Message:
    """What the graduates app does when the school approves or rejects 生源 data."""
    event = "source_rejected" if reason else "source_approved"
    with schema_context(school.schema_name), transaction.atomic():
        return notify(
            user=user,
            event=event,
            title="生源信息审核未通过" if reason else "生源信息审核通过",
            body=f"退回原因：{reason}" if reason else "您的生源信息已审核通过。",
            data={"reason": reason} if reason else {},
            url="/students/me/",
        )


def delivery_of(school, message) -> WechatDelivery:
    with schema_context(school.schema_name):
        return WechatDelivery.objects.get(message=message)


def run(school, message):
    with schema_context(school.schema_name):
        row = WechatDelivery.objects.get(message=message)
        outcome = deliver(row.pk)
        row.refresh_from_db()
        return outcome, row


def make_due(school, message) -> None:
    """Time passes: the backoff is over."""
    with schema_context(school.schema_name):
        WechatDelivery.objects.filter(message=message).update(next_attempt_at=timezone.now())


@pytest.fixture
def bound(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022002001", "周杰")
    openid = bind_graduate(school_a, fake_wechat, graduate, "zhoujie")
    return graduate, openid


def test_in_app_messages_and_unread_counts_for_everyone(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat)
    graduate = make_graduate(school_a, "2022002002", "吴磊")  # never bound WeChat
    first = approve(school_a, graduate, reason="身份证号与学籍不一致")
    approve(school_a, graduate)
    with schema_context(school_a.schema_name):
        assert not WechatDelivery.objects.exists()  # nothing to send on WeChat

    client = logged_in_client(school_a, "2022002002", GRADUATE_PASSWORD)
    home = client.get("/").content.decode()
    assert "2 条未读" in home
    assert client.get("/api/v1/messages/unread-count").json() == {"unread": 2}
    detail = client.get(f"/notifications/{first.pk}/").content.decode()
    assert "身份证号与学籍不一致" in detail
    assert client.get("/api/v1/messages/unread-count").json() == {"unread": 1}
    listing = client.get("/api/v1/messages").json()
    assert [m["title"] for m in listing["results"]] == ["生源信息审核通过", "生源信息审核未通过"]
    assert [m["read"] for m in listing["results"]] == [False, True]
    client.post("/notifications/read-all/")
    assert "未读" not in client.get("/").content.decode()


def test_a_graduate_never_sees_anothers_messages(school_a, fake_wechat):
    owner = make_graduate(school_a, "2022002003")
    make_graduate(school_a, "2022002004")
    message = approve(school_a, owner)
    other = logged_in_client(school_a, "2022002004", GRADUATE_PASSWORD)
    assert other.get(f"/notifications/{message.pk}/").status_code == 404
    assert other.post(f"/api/v1/messages/{message.pk}/read").status_code == 404
    assert other.get("/api/v1/messages").json()["results"] == []


def test_happy_path_one_template_message(school_a, fake_wechat, bound):
    graduate, openid = bound
    message = approve(school_a, graduate, reason="照片不清晰")
    row = delivery_of(school_a, message)
    assert row.status == DeliveryStatus.PENDING and row.template_id == TEMPLATES["source_rejected"]

    outcome, row = run(school_a, message)
    assert outcome.status == "sent" and row.status == DeliveryStatus.SENT
    [received] = fake_wechat.received(APP_A[0])
    assert received["touser"] == openid
    assert received["template_id"] == TEMPLATES["source_rejected"]
    assert received["data"]["first"]["value"] == "生源信息审核未通过"
    assert received["data"]["keyword2"]["value"] == "审核未通过"
    assert received["data"]["remark"]["value"] == "照片不清晰"
    assert received["url"] == "http://alpha.localhost/students/me/"
    assert received["client_msg_id"] == f"wq-{row.pk}"
    assert row.wechat_msgid == received["msgid"]

    # Running the task again (a duplicate from the broker) sends nothing.
    assert run(school_a, message)[0].status == "skipped"
    assert len(fake_wechat.received()) == 1


def test_a_template_not_configured_means_in_app_only(school_a, fake_wechat):
    configure_wechat(school_a, fake_wechat, templates={"source_approved": "TPL-1"})
    graduate = make_graduate(school_a, "2022002005")
    bind_graduate(school_a, fake_wechat, graduate, "no-template")
    rejected = approve(school_a, graduate, reason="缺少学历信息")
    with schema_context(school_a.schema_name):
        assert Message.objects.filter(pk=rejected.pk).exists()
        assert not WechatDelivery.objects.filter(message=rejected).exists()
    approved = approve(school_a, graduate)
    assert delivery_of(school_a, approved).template_id == "TPL-1"


def test_token_expiry_mid_batch_refreshes_and_sends_everything(school_a, fake_wechat, bound):
    graduate, openid = bound
    messages = [approve(school_a, graduate) for _ in range(6)]
    for message in messages[:3]:
        assert run(school_a, message)[0].status == "sent"
    fake_wechat.expire_tokens(APP_A[0])
    for message in messages[3:]:
        outcome, row = run(school_a, message)
        assert outcome.status == "sent" and row.attempts == 1

    assert len(fake_wechat.received(APP_A[0])) == 6
    results = [c["result"] for c in fake_wechat.calls(APP_A[0], "message/template/send")]
    assert results == [0, 0, 0, 42001, 0, 0, 0]
    assert fake_wechat.snapshot()["token_requests"][APP_A[0]] == 2  # one refresh, shared


def test_a_replaced_token_is_refreshed_too(school_a, fake_wechat, bound):
    graduate, _ = bound
    first = approve(school_a, graduate)
    run(school_a, first)
    fake_wechat.configure(token_grace=0)
    # Someone fetches a new token elsewhere (another server, the WeChat console): ours is stale.
    from wechat.client import SchoolWeChatClient
    from wechat.services import check_credentials

    assert check_credentials(app_id=APP_A[0], secret=APP_A[1])[0]
    assert isinstance(SchoolWeChatClient(*APP_A).access_token, str)
    second = approve(school_a, graduate)
    assert run(school_a, second)[0].status == "sent"
    assert len(fake_wechat.received()) == 2


def test_unsubscribed_user_fails_for_good_and_shows_on_the_admin_page(school_a, fake_wechat, bound):
    graduate, openid = bound
    fake_wechat.unsubscribe(APP_A[0], openid)
    message = approve(school_a, graduate)
    outcome, row = run(school_a, message)
    assert outcome.status == "failed"
    assert row.status == DeliveryStatus.FAILED and row.last_error_code == 43004
    make_due(school_a, message)
    assert run(school_a, message)[0].status == "skipped"  # never retried on its own

    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    page = admin.get("/notifications/deliveries/").content.decode()
    assert "2022002001" in page and "该用户已取消关注公众号" in page
    api = admin.get("/api/v1/notifications/deliveries", {"status": "failed"}).json()
    assert api["results"][0]["last_error_code"] == 43004
    # The in-app message is there regardless.
    with schema_context(school_a.schema_name):
        assert Message.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize(
    ("errcode", "text"), [(40003, "openid 无效"), (40037, "模板 ID 无效"), (47001, "格式错误")]
)
def test_permanent_errors_stop_at_once(school_a, fake_wechat, bound, errcode, text):
    graduate, _ = bound
    fake_wechat.faults({"endpoint": "message/template/send", "errcode": errcode, "count": 1})
    outcome, row = run(school_a, approve(school_a, graduate))
    assert outcome.status == "failed" and row.attempts == 1
    assert row.last_error_code == errcode and text in row.last_error


def test_wechat_busy_then_ok_retries_with_backoff(school_a, fake_wechat, bound, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    graduate, _ = bound
    fake_wechat.faults({"endpoint": "message/template/send", "errcode": -1, "count": 2})
    message = approve(school_a, graduate)

    outcome, row = run(school_a, message)
    assert outcome.status == "retry" and row.status == DeliveryStatus.PENDING
    assert "系统繁忙" in row.last_error
    first_wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 14 <= first_wait <= 31
    assert run(school_a, message)[0].status == "skipped"  # not due yet

    make_due(school_a, message)
    outcome, row = run(school_a, message)
    assert outcome.status == "retry"
    second_wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 29 <= second_wait <= 61  # doubled

    make_due(school_a, message)
    outcome, row = run(school_a, message)
    assert outcome.status == "sent" and row.attempts == 3
    assert len(fake_wechat.received()) == 1


def test_http_errors_and_timeouts_are_transient(school_a, fake_wechat, bound, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.5
    graduate, _ = bound
    message = approve(school_a, graduate)
    fake_wechat.faults({"endpoint": "message/template/send", "mode": "http500", "count": 1})
    outcome, row = run(school_a, message)
    assert outcome.status == "retry" and "HTTP 500" in row.last_error

    # A slow answer: WeChat delivers, but our timeout fires first. The retry carries the
    # same client_msg_id, so WeChat does not deliver it a second time.
    fake_wechat.faults(
        {"endpoint": "message/template/send", "mode": "slow", "delay": 1.0, "count": 1}
    )
    make_due(school_a, message)
    outcome, row = run(school_a, message)
    assert outcome.status == "retry" and "无法连接微信服务器" in row.last_error
    make_due(school_a, message)
    outcome, row = run(school_a, message)
    assert outcome.status == "sent"
    assert len(fake_wechat.received()) == 1


def test_out_of_attempts_is_a_failure(school_a, fake_wechat, bound, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    graduate, _ = bound
    fake_wechat.faults({"endpoint": "message/template/send", "errcode": -1})
    message = approve(school_a, graduate)
    assert run(school_a, message)[0].status == "retry"
    make_due(school_a, message)
    outcome, row = run(school_a, message)
    assert outcome.status == "failed" and "多次重试仍失败" in row.last_error


def test_two_schools_each_send_with_their_own_appid(school_a, school_b, fake_wechat):
    configure_wechat(school_a, fake_wechat, app=APP_A)
    configure_wechat(school_b, fake_wechat, app=APP_B)
    alice = make_graduate(school_a, "2022002006")
    bob = make_graduate(school_b, "2022002006")
    openid_a = bind_graduate(school_a, fake_wechat, alice, "alice", app=APP_A)
    openid_b = bind_graduate(school_b, fake_wechat, bob, "bob", app=APP_B)
    ma, mb = approve(school_a, alice), approve(school_b, bob, reason="x")
    run(school_a, ma)
    run(school_b, mb)
    assert [m["touser"] for m in fake_wechat.received(APP_A[0])] == [openid_a]
    assert [m["touser"] for m in fake_wechat.received(APP_B[0])] == [openid_b]
    tokens = fake_wechat.snapshot()["token_requests"]
    assert tokens == {APP_A[0]: 1, APP_B[0]: 1}


def test_unbinding_before_sending_stops_the_wechat_message(school_a, fake_wechat, bound):
    graduate, _ = bound
    message = approve(school_a, graduate)
    with schema_context(school_a.schema_name):
        unbind(actor=cli_actor("tests"), user=graduate)
    outcome, row = run(school_a, message)
    assert outcome.status == "failed" and "已解绑" in row.last_error
    assert fake_wechat.received() == []


def test_admin_sends_a_failed_message_again(school_a, fake_wechat, bound):
    graduate, _ = bound
    fake_wechat.faults({"endpoint": "message/template/send", "errcode": 40037, "count": 1})
    message = approve(school_a, graduate)
    _, row = run(school_a, message)
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    response = admin.post(f"/notifications/deliveries/{row.pk}/retry/")
    assert response.status_code == 302
    outcome, row = run(school_a, message)
    assert outcome.status == "sent"
    assert len(fake_wechat.received()) == 1
    again = admin.post(f"/notifications/deliveries/{row.pk}/retry/", follow=True)
    assert "只有发送失败的消息可以重新发送" in again.content.decode()


def test_the_sweep_finds_forgotten_rows_and_vanished_workers(
    school_a, school_b, fake_wechat, bound, settings
):
    graduate, _ = bound
    lost = approve(school_a, graduate)
    assert schemas_with_work([school_a.schema_name, school_b.schema_name]) == []

    settings.NOTIFY_SWEEP_GRACE_SECONDS = 0
    assert schemas_with_work([school_a.schema_name, school_b.schema_name]) == [school_a.schema_name]
    with schema_context(school_a.schema_name):
        lost_row = WechatDelivery.objects.get(message=lost)
        crashed = approve(school_a, graduate)
        crashed_row = outbox.claim(WechatDelivery.objects.get(message=crashed).pk)
        WechatDelivery.objects.filter(pk=crashed_row.pk).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        assert sorted(sweep_school()) == sorted([lost_row.pk, crashed_row.pk])
        crashed_row.refresh_from_db()
        assert crashed_row.status == DeliveryStatus.PENDING
    outcome, _ = run(school_a, crashed)
    assert outcome.status == "sent"


def test_after_the_school_changes_official_account_old_bindings_get_in_app_only(
    school_a, fake_wechat, bound
):
    graduate, _ = bound
    configure_wechat(school_a, fake_wechat, app=APP_B)
    message = approve(school_a, graduate)
    with schema_context(school_a.schema_name):
        assert Message.objects.filter(pk=message.pk).exists()
        assert not WechatDelivery.objects.filter(message=message).exists()
