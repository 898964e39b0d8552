"""Redis (the broker and the cache) stops while events happen: nothing is lost, nothing doubled.

Real commits, a dedicated redis-server we can stop, the real web front door, a real Celery
worker, and the fake WeChat server counting what it receives.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from notifications import services as notification_services
from notifications import tasks
from notifications.models import DeliveryStatus, WechatDelivery
from notifications.services import notify
from saas_platform.celery import app as celery_app
from saas_platform.devservices import RedisProcess
from tests.utils import client_for, logged_in_client
from tests.wechat.helpers import APP_A, GRADUATE_PASSWORD, configure_wechat, make_graduate

TEMPLATES = {"source_approved": "TPL-approved", "wechat_bound": "TPL-bound"}


def point_celery_at(url: str) -> str:
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None  # connection pools are per broker URL
    celery_app.amqp._producer_pool = None
    return previous


@pytest.fixture
def own_redis(tmp_path, settings):
    """A redis-server for the broker, the cache and the token cache, that the test can stop."""
    redis = RedisProcess(tmp_path / "redis")
    redis.start()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": redis.url,
        }
    }
    settings.WECHAT_TOKEN_REDIS_URL = redis.url
    settings.NOTIFY_SWEEP_GRACE_SECONDS = 0  # the beat's sweep may take any pending row
    previous = point_celery_at(redis.url)
    notification_services._broker_down_until = 0.0  # a previous test's outage is over
    yield redis
    point_celery_at(previous)
    redis.stop()


@contextmanager
def celery_worker():
    """A real worker in a thread; its database connections are closed after each task so the
    test database can be dropped at the end of the session."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**_kwargs) -> None:
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        task_postrun.disconnect(close_connections)


def walk_and_bind(school, fake, fake_base: str, username: str) -> None:
    """A graduate opens the official account's menu and binds (a web request that notifies)."""
    client = client_for(school)
    authorize = client.get("/wechat/login/")["Location"]
    assert authorize.startswith(fake_base.rstrip("/"))
    answer = fake.authorize(authorize, f"wechat-of-{username}")
    callback = client.get("/wechat/callback/", {"code": answer["code"], "state": answer["state"]})
    assert callback["Location"] == "/wechat/bind/"
    bound = client.post("/wechat/bind/", {"username": username, "password": GRADUATE_PASSWORD})
    assert bound.status_code == 302, bound.content.decode()[:500]


def test_a_redis_outage_delays_messages_but_loses_and_doubles_none(
    committed_school, fake_wechat, fake_wechat_server, own_redis
):
    school = committed_school
    configure_wechat(school, fake_wechat, templates=TEMPLATES)
    graduates = [make_graduate(school, f"20220030{i:02d}", f"学生{i}") for i in range(8)]

    own_redis.stop()
    # While Redis is down: graduates bind through the web and the school approves their data.
    for graduate in graduates:
        walk_and_bind(school, fake_wechat, fake_wechat_server, graduate.username)
    for graduate in graduates:
        with schema_context(school.schema_name), transaction.atomic():
            notify(
                user=graduate,
                event="source_approved",
                title="生源信息审核通过",
                body="您的生源信息已审核通过。",
            )
    graduate_page = logged_in_client(school, graduates[0].username, GRADUATE_PASSWORD)
    inbox = graduate_page.get("/notifications/")
    assert inbox.status_code == 200 and "生源信息审核通过" in inbox.content.decode()
    assert fake_wechat.received() == []
    with schema_context(school.schema_name):
        assert WechatDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 16

    own_redis.start()
    expected = 2 * len(graduates)
    with celery_worker():
        deadline = time.monotonic() + 90
        while len(fake_wechat.received(APP_A[0])) < expected and time.monotonic() < deadline:
            tasks.sweep()  # what beat runs every minute, here as often as we like
            time.sleep(0.5)
        # Let any duplicate task the repeated sweeps queued run out before counting.
        tasks.sweep()
        time.sleep(1.5)

    received = fake_wechat.received(APP_A[0])
    sends = fake_wechat.calls(APP_A[0], "message/template/send")
    assert len(received) == expected
    assert len(sends) == expected  # not even a de-duplicated second attempt
    per_message = Counter(m["client_msg_id"] for m in received)
    assert set(per_message.values()) == {1}
    per_graduate = Counter(m["touser"] for m in received)
    assert len(per_graduate) == len(graduates) and set(per_graduate.values()) == {2}
    with schema_context(school.schema_name):
        assert set(WechatDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_workers_racing_for_one_row_send_it_once(committed_school, fake_wechat, own_redis):
    """Duplicate tasks (the sweep re-queued a row whose task was only slow) run at once."""
    import threading

    from django.db import connection

    from notifications.delivery import deliver
    from tests.wechat.helpers import bind_graduate

    school = committed_school
    configure_wechat(school, fake_wechat, templates=TEMPLATES)
    graduate = make_graduate(school, "2022003100")
    bind_graduate(school, fake_wechat, graduate, "racer")
    with schema_context(school.schema_name), transaction.atomic():
        notify(user=graduate, event="source_approved", title="生源信息审核通过", body="通过")
    with schema_context(school.schema_name):
        row_id = WechatDelivery.objects.get(message__event="source_approved").pk

    outcomes: list[str] = []
    start = threading.Barrier(6)

    def worker() -> None:
        try:
            with schema_context(school.schema_name):
                start.wait()
                outcomes.append(deliver(row_id).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["sent"] + ["skipped"] * 5
    assert len(fake_wechat.calls(APP_A[0], "message/template/send")) == 1


def test_the_worker_sends_on_commit_and_retries_busy_wechat_with_backoff(
    committed_school, fake_wechat, own_redis, settings
):
    """Redis up: no sweep needed; a busy WeChat is retried by a delayed task."""
    from tests.wechat.helpers import bind_graduate

    settings.NOTIFY_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFY_SWEEP_GRACE_SECONDS = 3600  # the sweep would not touch these rows
    school = committed_school
    configure_wechat(school, fake_wechat, templates={"source_approved": "TPL-approved"})
    graduate = make_graduate(school, "2022003200")
    bind_graduate(school, fake_wechat, graduate, "patient")
    fake_wechat.faults({"endpoint": "message/template/send", "errcode": -1, "count": 2})

    with celery_worker():
        for n in range(3):
            with schema_context(school.schema_name), transaction.atomic():
                notify(user=graduate, event="source_approved", title=f"第{n}条", body="通过")
        deadline = time.monotonic() + 30
        while len(fake_wechat.received(APP_A[0])) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)

    titles = sorted(m["data"]["first"]["value"] for m in fake_wechat.received(APP_A[0]))
    assert titles == ["第0条", "第1条", "第2条"]
    results = [c["result"] for c in fake_wechat.calls(APP_A[0], "message/template/send")]
    assert results.count(-1) == 2 and results.count(0) == 3
    with schema_context(school.schema_name):
        rows = WechatDelivery.objects.filter(message__event="source_approved")
        assert sorted(rows.values_list("attempts", flat=True)) in ([1, 1, 3], [1, 2, 2])
        assert set(rows.values_list("status", flat=True)) == {"sent"}
