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


def create_events(schools, events: int) -> float:
    """notify() for `events` graduates round-robin over the schools; returns events per second."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from notifications.services import notify

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
    return events / (time.time() - t0)


def last_ids(schools) -> dict[str, int]:
    from django.db.models import Max
    from django_tenants.utils import schema_context

    from notifications.models import WechatDelivery

    ids = {}
    for school, _appid, _users in schools:
        with schema_context(school.schema_name):
            ids[school.schema_name] = WechatDelivery.objects.aggregate(m=Max("pk"))["m"] or 0
    return ids


def wait_and_measure(
    schools,
    since: dict[str, int],
    events: int,
    fake,
    before: int,
    label: str,
    deadline_s: float,
    created_per_s: float,
    start=None,
) -> dict:
    """Wait (bounded) until the run's rows are sent, then read the outcome from the database."""
    from django_tenants.utils import schema_context

    from notifications.models import DeliveryStatus, WechatDelivery

    deadline = time.monotonic() + deadline_s
    pending = events
    while time.monotonic() < deadline:
        pending = 0
        for school, _appid, _users in schools:
            with schema_context(school.schema_name):
                pending += (
                    WechatDelivery.objects.filter(pk__gt=since[school.schema_name])
                    .exclude(status=DeliveryStatus.SENT)
                    .count()
                )
        if pending == 0:
            break
        time.sleep(1)

    delays, first, last_sent, attempts, rows_seen = [], start, None, 0, 0
    for school, _appid, _users in schools:
        with schema_context(school.schema_name):
            rows = WechatDelivery.objects.filter(pk__gt=since[school.schema_name]).values_list(
                "message__created_at", "sent_at", "attempts"
            )
            for created_at, sent_at, n in rows:
                rows_seen += 1
                attempts += n
                if start is None:
                    first = min(first or created_at, created_at)
                elif sent_at:  # a drain counts from the worker's first delivery (not its boot)
                    first = min(first if first != start else sent_at, sent_at)
                if sent_at:
                    delays.append((sent_at - created_at).total_seconds())
                    last_sent = max(last_sent or sent_at, sent_at)
    received = fake.received()[before:]
    per_key = Counter((m["appid"], m["client_msg_id"]) for m in received)
    expected_apps = {appid for _school, appid, _users in schools}
    wall = (last_sent - first).total_seconds() if last_sent and first else float("nan")
    return {
        "label": label,
        "events": events,
        "rows": rows_seen,
        "delivered": len(delays),
        "pending": pending,
        "received": len(received),
        "duplicates": sum(n - 1 for n in per_key.values()),
        "apps_ok": {m["appid"] for m in received} <= expected_apps,
        "rate": len(delays) / wall if wall == wall and wall > 0 else 0.0,
        "p50": percentile(delays, 50),
        "p95": percentile(delays, 95),
        "created_per_s": created_per_s,
        "attempts": attempts,
    }


def run(schools, events: int, fake, label: str, deadline_s: float) -> dict:
    """Events and deliveries at the same time, as in a busy afternoon."""
    since, before = last_ids(schools), len(fake.received())
    rate = create_events(schools, events)
    return wait_and_measure(schools, since, events, fake, before, label, deadline_s, rate)


def drain(schools, events: int, fake, deadline_s: float, start_worker_fn) -> dict:
    """A backlog (the worker was down): how fast one worker empties it."""
    from django.utils import timezone

    since, before = last_ids(schools), len(fake.received())
    rate = create_events(schools, events)
    started = timezone.now()
    worker = start_worker_fn()
    result = wait_and_measure(
        schools, since, events, fake, before, "backlog drain", deadline_s, rate, start=started
    )
    result["worker"] = worker
    return result


def report(r: dict) -> None:
    once = r["rows"] == r["delivered"] == r["events"] == r["received"] and r["duplicates"] == 0
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
    parser.add_argument("--drain-events", type=int, default=5_000)
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
        run(schools, 20, fake, "warm-up", args.deadline)  # the worker is up and has its tokens
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

        fake.faults()  # no more failures
        worker.terminate()
        worker.wait(30)
        drained = drain(
            schools,
            args.drain_events,
            fake,
            args.deadline,
            lambda: start_worker(args.concurrency, tmp / "worker2.log"),
        )
        worker = drained.pop("worker")
        report(drained)
        once = all(
            r["duplicates"] == 0 and r["received"] == r["events"] == r["rows"]
            for r in (clean, failing, drained)
        )
        print(
            f"RESULT events={args.events} schools={SCHOOLS} worker_threads={args.concurrency} "
            f"msgs_per_s={clean['rate']:.0f} p95_delay_s={clean['p95']:.2f} "
            f"failing_msgs_per_s={failing['rate']:.0f} "
            f"failing_p95_delay_s={failing['p95']:.2f} "
            f"drain_msgs_per_s={drained['rate']:.0f} delivered_once={'yes' if once else 'NO'}"
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
