"""make bench-notify: WeChat notifications end to end, through one Celery worker to the fake.

    python bench/bench_notify.py                     # 10,000 events across 10 schools
    python bench/bench_notify.py --events 2000       # quicker

Each event is a notify() call in its own committed transaction (as a business change would
make it), queued on commit to a dedicated Redis, sent by ONE worker process to the fake
WeChat server, each school with its own AppID. Figures: messages per second (first event
to last delivery) and the p95 delay from event to delivery. Then the same again with the
fake failing 20 % of calls transiently (WeChat busy, HTTP 500, answers that arrive after
our timeout); every message must still be delivered exactly once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _setup import machine, percentile, use_bench_database

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS = 10
GRADUATE_PASSWORD = "Bench#Grad-2026"


def start_services(tmp: Path, retry_base: float, timeout: float):
    """A dedicated Redis (broker, cache, tokens) and the fake, configured before Django loads."""
    sys.path.insert(0, str(ROOT))
    from saas_platform import devservices
    from wechat.fake_control import start_fake_server

    redis = devservices.RedisProcess(tmp / "redis")
    redis.start()
    port = devservices.free_port()
    fake = start_fake_server(port)
    os.environ.update(
        REDIS_URL=redis.url,
        WECHAT_API_BASE=f"http://127.0.0.1:{port}/",
        WECHAT_OPEN_BASE=f"http://127.0.0.1:{port}/",
        WECHAT_TIMEOUT_SECONDS=str(timeout),
        NOTIFY_RETRY_BASE_SECONDS=str(retry_base),
        NOTIFY_RETRY_MAX_SECONDS="5",
        LOG_LEVEL="ERROR",
    )
    return redis, fake, f"http://127.0.0.1:{port}/"


def setup_schools(fake, graduates_per_school: int):
    from django.contrib.auth import hashers
    from django.core.management import call_command
    from django.test import override_settings
    from django_tenants.utils import schema_context

    from accounts.models import Role
    from accounts.services import create_user
    from core.context import cli_actor
    from settings_per_school.services import update_school_settings
    from tenants import pool
    from tenants.services import onboard_school
    from wechat.services import bind_openid

    call_command("migrate", interactive=False, verbosity=0)
    pool.refill(SCHOOLS)
    actor = cli_actor("bench")
    schools = []
    # Fast password hashing for the set-up only; the figures don't involve logins.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        hashers.get_hashers.cache_clear()
        for i in range(SCHOOLS):
            school = onboard_school(
                actor=actor,
                name=f"通知基准大学{i}",
                code=f"{30000 + i:05d}",
                subdomain=f"notify{i}",
                admin_username="admin",
                admin_password="Bench#Admin-2026",
            )
            appid, secret = f"wxbench{i:011d}", f"{i:02d}" * 16
            fake.add_app(appid, secret)
            users = []
            with schema_context(school.schema_name):
                update_school_settings(
                    actor=actor,
                    changes={
                        "wechat_app_id": appid,
                        "wechat_app_secret": secret,
                        "wechat_templates": {"source_approved": "TPL-approved"},
                    },
                )
                for g in range(graduates_per_school):
                    user = create_user(
                        actor=actor,
                        username=f"2026{i:02d}{g:04d}",
                        password=GRADUATE_PASSWORD,
                        role=Role.GRADUATE,
                        check_password=False,
                    )
                    openid = fake.follow(appid, f"s{i}-g{g}")
                    bind_openid(actor=actor, user=user, openid=openid, app_id=appid)
                    users.append(user)
            schools.append((school, appid, users))
    hashers.get_hashers.cache_clear()
    return schools


def start_worker(concurrency: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "-l", "error"]
    command += ["--pool", "threads", "--concurrency", str(concurrency), "--without-heartbeat"]
    command += ["--without-gossip", "--without-mingle"]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=os.environ.copy()
    )


def run(schools, events: int, fake, label: str, deadline_s: float) -> dict:
    from django.db import transaction
    from django_tenants.utils import schema_context

    from notifications.models import DeliveryStatus, WechatDelivery
    from notifications.services import notify

    before = len(fake.received())
    t0 = time.time()
    created = 0
    while created < events:
        for school, _appid, users in schools:
            with schema_context(school.schema_name):
                for user in users:
                    if created >= events:
                        break
                    with transaction.atomic():
                        notify(
                            user=user,
                            event="source_approved",
                            title="生源信息审核通过",
                            body="您的生源信息已审核通过。",
                            url="/students/me/",
                        )
                    created += 1
            if created >= events:
                break
    created_s = time.time() - t0

    # Wait for the worker (bounded), then read the outcome from the database.
    pending = events
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        pending = 0
        for school, _appid, _users in schools:
            with schema_context(school.schema_name):
                pending += WechatDelivery.objects.exclude(status=DeliveryStatus.SENT).count()
        if pending == 0:
            break
        time.sleep(1)

    delays, first_event, last_sent, attempts = [], None, None, 0
    for school, _appid, _users in schools:
        with schema_context(school.schema_name):
            rows = WechatDelivery.objects.filter(message__created_at__gte=_aware(t0)).values_list(
                "message__created_at", "sent_at", "attempts"
            )
            for created_at, sent_at, n in rows:
                attempts += n
                first_event = min(first_event or created_at, created_at)
                if sent_at:
                    delays.append((sent_at - created_at).total_seconds())
                    last_sent = max(last_sent or sent_at, sent_at)
    received = fake.received()[before:]
    per_key = Counter((m["appid"], m["client_msg_id"]) for m in received)
    expected_apps = {appid for _school, appid, _users in schools}
    wall = (last_sent - first_event).total_seconds() if last_sent else float("nan")
    return {
        "label": label,
        "events": events,
        "delivered": len(delays),
        "pending": pending,
        "received": len(received),
        "duplicates": sum(n - 1 for n in per_key.values()),
        "apps_ok": {m["appid"] for m in received} <= expected_apps,
        "rate": len(delays) / wall if wall == wall and wall > 0 else 0.0,
        "p50": percentile(delays, 50),
        "p95": percentile(delays, 95),
        "created_per_s": events / created_s,
        "attempts": attempts,
    }


def _aware(ts: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts - 1, tz=UTC)


def report(r: dict) -> None:
    once = r["delivered"] == r["events"] == r["received"] and r["duplicates"] == 0
    print(
        f"{r['label']}: {r['events']} events (created at {r['created_per_s']:.0f}/s), "
        f"delivered {r['delivered']}, fake received {r['received']}, duplicates {r['duplicates']}, "
        f"attempts {r['attempts']}; {r['rate']:.0f} messages/s; delay p50 {r['p50']:.2f} s, "
        f"p95 {r['p95']:.2f} s; every message once: {'yes' if once else 'NO'}; "
        f"each school's own AppID: {'yes' if r['apps_ok'] else 'NO'}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--graduates", type=int, default=100, help="per school")
    parser.add_argument("--concurrency", type=int, default=4, help="threads in the one worker")
    parser.add_argument("--failure-rate", type=float, default=0.2)
    parser.add_argument("--deadline", type=float, default=900, help="seconds per run, at most")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    redis, fake_process, base = start_services(tmp, retry_base=0.5, timeout=0.5)
    worker = None
    try:
        use_bench_database("wangqian_bench_notify")
        from wechat.fake_control import FakeWeChatControl

        fake = FakeWeChatControl(base)
        print(f"machine: {machine()}", flush=True)
        t0 = time.perf_counter()
        schools = setup_schools(fake, args.graduates)
        print(
            f"set-up: {SCHOOLS} schools, {SCHOOLS * args.graduates} bound graduates in "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        worker = start_worker(args.concurrency, tmp / "worker.log")
        clean = run(schools, args.events, fake, "no failures", args.deadline)
        report(clean)

        # 20 % of template sends fail transiently: busy (-1), HTTP 500, and answers that
        # arrive after our timeout (WeChat delivered; the retry must not deliver again).
        rate = args.failure_rate
        fake.faults(
            {"endpoint": "message/template/send", "errcode": -1, "rate": rate * 0.5},
            {
                "endpoint": "message/template/send",
                "mode": "http500",
                "rate": rate * 0.25 / (1 - rate * 0.5),
            },
            {
                "endpoint": "message/template/send",
                "mode": "slow",
                "delay": 0.6,
                "rate": rate * 0.25 / (1 - rate * 0.75),
            },
        )
        failing = run(schools, args.events, fake, f"{rate:.0%} transient failures", args.deadline)
        report(failing)
        print(
            f"RESULT events={args.events} schools={SCHOOLS} worker_threads={args.concurrency} "
            f"msgs_per_s={clean['rate']:.0f} p95_delay_s={clean['p95']:.2f} "
            f"failing_msgs_per_s={failing['rate']:.0f} failing_p95_delay_s={failing['p95']:.2f} "
            f"delivered_once={'yes' if failing['duplicates'] == 0 and failing['received'] == args.events and clean['received'] == args.events else 'NO'}"
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        fake_process.terminate()
        redis.stop()


if __name__ == "__main__":
    main()
