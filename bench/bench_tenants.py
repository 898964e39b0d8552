"""make bench-tenants: onboarding latency as the school count grows, and a fleet no-op migrate.

    python bench/tenants.py                 # 100 schools
    python bench/tenants.py --schools 1000  # the issue's scale

Onboarding is timed as an operator sees it (a spare is waiting in the pool);
the pool refill that a worker does in the background is timed separately.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _setup import machine, percentile, use_bench_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--step", type=int, default=None, help="report every N schools")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    step = args.step or max(10, args.schools // 10)

    use_bench_database("wangqian_bench")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.context import cli_actor
    from tenants import pool
    from tenants.services import onboard_school

    call_command("migrate", interactive=False, verbosity=0)
    print(f"machine: {machine()}")

    onboard_times: list[float] = []
    refill_times: list[float] = []
    actor = cli_actor("bench")
    for start in range(0, args.schools, step):
        batch = min(step, args.schools - start)
        t0 = time.perf_counter()
        pool.refill(batch)
        refill_times.append((time.perf_counter() - t0) / batch)
        batch_times = []
        for i in range(start, start + batch):
            t0 = time.perf_counter()
            onboard_school(
                actor=actor,
                name=f"基准大学{i}",
                code=f"{20000 + i:05d}",
                subdomain=f"bench{i}",
                admin_username="admin",
                admin_password="Bench#Admin-2026",
            )
            batch_times.append(time.perf_counter() - t0)
        onboard_times.extend(batch_times)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class")
            pg_class_rows = cursor.fetchone()[0]
        print(
            f"schools {start + batch:5d}: onboarding median {statistics.median(batch_times):.3f} s, "
            f"p95 {percentile(batch_times, 95):.3f} s; pool refill {refill_times[-1]:.2f} s/spare; "
            f"pg_class rows {pg_class_rows}",
            flush=True,
        )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s",
            [f"school_bench{args.schools - 1}"],
        )
        tables = cursor.fetchone()[0]

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    noop_migrate = time.perf_counter() - t0

    # Tenancy cost per request: statements the routing adds, and wall time through the stack.
    clients = [Client(HTTP_HOST=f"bench{i}.localhost") for i in range(min(args.schools, 10))]
    for client in clients:
        client.get("/healthz")
    same, other = [], []
    for n in range(args.requests):
        clients[0].get("/healthz")
        with CaptureQueriesContext(connection) as queries:  # the same school again
            clients[0].get("/healthz")
        same.append(sum(1 for q in queries.captured_queries if q["sql"] != "SELECT 1"))
        with CaptureQueriesContext(connection) as queries:  # another school
            clients[1 + n % (len(clients) - 1)].get("/healthz")
        other.append(sum(1 for q in queries.captured_queries if q["sql"] != "SELECT 1"))
    timings = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        clients[0].get("/healthz")
        timings.append((time.perf_counter() - t0) * 1000)

    print(f"tenant schema tables: {tables}")
    print(
        f"tenancy statements per request: same school {max(same)}, switching school {max(other)}; "
        f"/healthz median {statistics.median(timings):.2f} ms"
    )
    print(
        f"RESULT schools={args.schools} onboarding_median_s={statistics.median(onboard_times):.3f} "
        f"onboarding_p95_s={percentile(onboard_times, 95):.3f} "
        f"pool_refill_s_per_spare={statistics.median(refill_times):.2f} "
        f"noop_migrate_s={noop_migrate:.1f}"
    )


if __name__ == "__main__":
    main()
