"""`make bench-tenancy-prefix`: what the per-transaction `SET LOCAL search_path` costs.

    python bench/tenancy_prefix.py [--queries 3000]

Times one small query in a school's schema, N times, with our backend (the path rides in
every autocommit statement) and with django-tenants' own backend (a session-level SET, sent
again only when the school changes), for the same school and for alternating schools.
The headline figures are on the last line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import machine, use_bench_database  # noqa: E402

SQL = "SELECT school_name FROM settings_per_school_schoolsettings LIMIT 1"


def timed(wrapper, schools, queries: int) -> float:
    """Microseconds per query, median of 5 runs."""
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for i in range(queries):
            wrapper.set_tenant(schools[i % len(schools)])
            with wrapper.cursor() as cursor:
                cursor.execute(SQL)
                cursor.fetchone()
        runs.append((time.perf_counter() - t0) / queries * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    use_bench_database("wangqian_bench_prefix")
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.postgresql_backend.base import DatabaseWrapper as Legacy

    from core.context import cli_actor
    from core.db_backend.base import DatabaseWrapper as Ours
    from tenants import pool
    from tenants.services import onboard_school

    call_command("migrate", interactive=False, verbosity=0)
    pool.refill(2)
    schools = [
        onboard_school(
            actor=cli_actor("bench"),
            name=f"前缀大学{i}",
            code=f"{50000 + i}",
            subdomain=f"prefix{i}",
            admin_username="admin",
            admin_password="Bench#Admin-2026",
        )
        for i in range(2)
    ]
    print(f"machine: {machine()}")
    settings_dict = dict(connection.settings_dict)
    results = {}
    for label, cls in (("ours", Ours), ("django-tenants", Legacy)):
        wrapper = cls(dict(settings_dict), f"bench_{label}")
        results[label] = {
            "same": timed(wrapper, schools[:1], args.queries),
            "alternating": timed(wrapper, schools, args.queries),
        }
        wrapper.close()
        print(
            f"{label:15s} same school {results[label]['same']:6.1f} µs/query, "
            f"alternating schools {results[label]['alternating']:6.1f} µs/query"
        )
    print(
        f"RESULT ours_same_us={results['ours']['same']:.1f} "
        f"legacy_same_us={results['django-tenants']['same']:.1f} "
        f"ours_alternating_us={results['ours']['alternating']:.1f} "
        f"legacy_alternating_us={results['django-tenants']['alternating']:.1f}"
    )


if __name__ == "__main__":
    main()
