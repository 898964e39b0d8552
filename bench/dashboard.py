"""`make bench-dashboard`: the statistics dashboard and the national export of a big school.

    python bench/dashboard.py                        # the issue's size: 20,000 graduates
    python bench/dashboard.py --graduates 2000 --requests 10

A fresh benchmark database, one school, its roster imported through the real roster import
(20 colleges × 5 majors), 90 % of 生源 approved (SQL), then a season built with bulk inserts,
not 20,000 HTTP calls: 45 % of graduates with a signed agreement (signed_at spread over March
to June) and its destination 10, 5 % with an agreement in review, 25 % with another approved
destination (801, 85, 11, 12, 75, 76, 46, 71, 72), the rest unregistered. Then, in process
through Django's test client (no network, one worker), it times `--requests` loads of
/destinations/dashboard/ and `--exports` national exports (masked ID numbers: the common case;
full numbers add one password check). Headline figures on the last line.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import machine, percentile, use_bench_database  # noqa: E402

DB_NAME = "wangqian_bench_dashboard"
ADMIN_PASSWORD = "Bench#Admin-2026"
OTHER_CODES = [  # (code, share of the "other destination" graduates, fields)
    ("801", 0.30, {"employer_name": "湖南大学"}),
    ("85", 0.08, {"employer_name": "新加坡国立大学"}),
    ("11", 0.20, {"nature": "39", "industry": "62", "region_code": "440300", "job_category": "13"}),
    ("12", 0.10, {"nature": "31", "industry": "30", "region_code": "430100", "job_category": "90"}),
    ("75", 0.06, {"industry": "85", "region_code": "430500"}),
    ("76", 0.06, {"region_code": "430100", "job_category": "25"}),
    ("46", 0.04, {"region_code": "430000"}),
    ("71", 0.10, {}),
    ("72", 0.06, {}),
]


def setup(graduates: int, seed: int) -> tuple:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context
    from roster import build_roster

    from accounts.models import User
    from agreements.models import Agreement, State
    from codetables.selectors import current_version
    from core.context import Actor, cli_actor
    from destinations.models import Destination, Source, Status
    from students.models import Graduate
    from students.services import import_roster
    from tenants import pool
    from tenants.services import onboard_school

    rng = random.Random(seed)
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    pool.refill(1)
    school = onboard_school(
        actor=cli_actor("bench"),
        name="基准大学",
        code="30001",
        subdomain="dashbench",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
    )
    versions = {
        t: current_version(t)
        for t in (
            "graduation_destination",
            "unit_nature",
            "unit_industry",
            "job_category",
            "region",
        )
    }
    with schema_context(school.schema_name):
        admin = User.objects.get(username="admin")
        User.objects.filter(pk=admin.pk).update(must_change_password=False)
        outcome = import_roster(
            actor=Actor(user=admin, via="cli"), data=build_roster(graduates), filename="b.xlsx"
        )
        assert outcome.applied, outcome.errors[:5]
        print(f"roster of {graduates} imported in {time.perf_counter() - t0:.0f} s", flush=True)
        ids = list(Graduate.objects.order_by("pk").values_list("pk", flat=True))
        rng.shuffle(ids)
        approved = ids[: int(len(ids) * 0.9)]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE students_graduate SET state = 'approved' WHERE id = ANY(%s)", [approved]
            )
        n_signed, n_review, n_other = (int(len(ids) * p) for p in (0.45, 0.05, 0.25))
        signed = approved[:n_signed]
        review = approved[n_signed : n_signed + n_review]
        other = ids[len(approved) :] + approved[n_signed + n_review :]
        other = other[:n_other]
        season_start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
        content = {
            "employer_name": "基准科技有限公司",
            "credit_code": "91430100MA4L0000XX",
            "nature": "39",
            "industry": "62",
            "region_code": "430100",
            "job_category": "13",
        }
        agreements = []
        for i, gid in enumerate(signed):
            at = season_start + datetime.timedelta(minutes=rng.randint(0, 120 * 24 * 60))
            agreements.append(
                Agreement(
                    graduate_id=gid,
                    origin="employer",
                    state=State.SIGNED,
                    employer_id=1_000_000 + i % 500,
                    employer_name=f"基准单位{i % 500}",
                    draft_content=content,
                    signed_at=at,
                )
            )
        for i, gid in enumerate(review):
            agreements.append(
                Agreement(
                    graduate_id=gid,
                    origin="employer",
                    state=rng.choice([State.COLLEGE_REVIEW, State.SCHOOL_REVIEW]),
                    employer_id=1_000_000 + i % 500,
                    employer_name=f"基准单位{i % 500}",
                    draft_content=content,
                )
            )
        Agreement.objects.bulk_create(agreements, batch_size=5000)
        by_graduate = dict(
            Agreement.objects.filter(state=State.SIGNED).values_list("graduate_id", "pk")
        )
        now = timezone.now()
        records = [
            Destination(
                graduate_id=gid,
                code="10",
                code_versions=versions,
                status=Status.APPROVED,
                source=Source.AGREEMENT,
                is_current=True,
                agreement_id=by_graduate[gid],
                employer_name="基准科技有限公司",
                credit_code=content["credit_code"],
                nature="39",
                industry="62",
                region_code="430100",
                job_category="13",
                decided_at=now,
            )
            for gid in signed
        ]
        codes = [c for c, _share, _f in OTHER_CODES]
        weights = [share for _c, share, _f in OTHER_CODES]
        fields = {c: f for c, _s, f in OTHER_CODES}
        for gid in other:
            code = rng.choices(codes, weights)[0]
            records.append(
                Destination(
                    graduate_id=gid,
                    code=code,
                    code_versions=versions,
                    status=Status.APPROVED,
                    source=Source.GRADUATE,
                    is_current=True,
                    decided_at=now,
                    **fields[code],
                )
            )
        Destination.objects.bulk_create(records, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"season built in {time.perf_counter() - t0:.0f} s: {len(signed)} signed, "
        f"{len(review)} in review, {len(other)} other destinations",
        flush=True,
    )
    return school, admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--exports", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    use_bench_database(DB_NAME)
    from django.test import Client

    school, admin = setup(args.graduates, args.seed)
    client = Client(HTTP_HOST=f"{school.subdomain}.localhost")
    login = client.post("/accounts/login/", {"username": "admin", "password": ADMIN_PASSWORD})
    assert login.status_code == 302, login.status_code

    cpu: list[float] = []

    def timed(call) -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        elapsed = time.perf_counter() - start
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return elapsed

    timed(lambda: client.get("/destinations/dashboard/"))  # warm-up: code tables, templates
    page = [timed(lambda: client.get("/destinations/dashboard/")) for _ in range(args.requests)]
    page_cpu = cpu[1:]
    export = [timed(lambda: client.post("/destinations/export/", {})) for _ in range(args.exports)]
    response = client.post("/destinations/export/", {})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    page_p95 = percentile(page, 95) * 1000
    export_p95 = percentile(export, 95)
    print(f"machine: {machine()}")
    print(
        f"dashboard page: p50 {percentile(page, 50) * 1000:.0f} ms, p95 {page_p95:.0f} ms "
        f"({args.requests} loads; web process CPU p50 {percentile(page_cpu, 50) * 1000:.0f} ms, "
        f"the rest is the database and waiting for a core); national export: p50 {percentile(export, 50):.2f} s, "
        f"p95 {export_p95:.2f} s ({args.exports} exports, {len(response.content) // 1024} KiB)"
    )
    print(
        f"bench-dashboard graduates={args.graduates} dashboard_p95_ms={page_p95:.0f} "
        f"(goal <=300) export_p95_s={export_p95:.2f} (goal <=10)"
    )


if __name__ == "__main__":
    main()
