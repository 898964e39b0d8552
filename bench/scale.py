"""`make bench-scale`: the country's fleet on one PostgreSQL, and a peak hour through gunicorn.

    python bench/scale.py                                   # 3,000 schools (the issue's size)
    python bench/scale.py --schools 50 --graduates 100 --invitations 100 --addfield-cap 60

Part 1, the fleet (database `wangqian_bench_scale`):
  - one school is onboarded for real and becomes the template; the other schools are copies of
    its schema made in SQL (pg_dump of the template, replayed under each new name, 25 schools a
    transaction) with their School and Domain rows. Onboarding 3,000 schools one by one would
    take about an hour here (0.26 s + ~0.9 s of pool refill each, bench-tenants); a copy has the
    same tables, indexes, constraints, sequences and migration rows as a migrated schema, so
    the catalogue (what makes migrate, introspection and planning slow) is the real one;
  - then, at full size, through the product's own code: onboarding of `--onboard` schools
    (pool refill timed apart), a no-op `migrate` over all, the catalogue's size, the memory of a
    web process with every school's domain cached (and of the PostgreSQL backend that has
    visited every school), and last one new AddField migration applied to every school by the
    real `migrate`, stopped after `--addfield-cap` seconds (the rate is then extrapolated).
Part 2, the peak hour (same database, so at the fleet's catalogue size): gunicorn with
  `--server-workers` × 4 threads, first the ceiling (/livez: a bare Django response, no tenancy,
  no database; /healthz: routing + PostgreSQL + Redis), then bench/agreements.py's signing day
  (send, accept with password, return, two reviews) with `--clients` clients; then the same
  again with gunicorn connected through PgBouncer in transaction mode.
The headline figures are on the last line.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import machine, percentile, use_bench_database  # noqa: E402

DB_NAME = "wangqian_bench_scale"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BATCH = 25
COPIERS = 4


def peak_module():
    """bench/agreements.py (the name `agreements` is the Django app's)."""
    import importlib.util

    if "bench_agreements" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "bench_agreements", Path(__file__).resolve().parent / "agreements.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_agreements"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_agreements"]


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pg_dump_binary() -> str:
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    return str(bundled) if bundled.exists() else (shutil.which("pg_dump") or "pg_dump")


def dump_schema(schema: str) -> str:
    from django.db import connection

    settings = connection.settings_dict
    host = settings["HOST"] or settings["OPTIONS"].get("host", "")
    command = [pg_dump_binary(), "--no-owner", "--no-privileges", "--rows-per-insert=1000"]
    command += ["-n", schema]
    command += ["-h", host, "-U", settings["USER"] or "postgres", settings["NAME"]]
    if settings["PORT"]:
        command[-1:-1] = ["-p", str(settings["PORT"])]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    # Every name in the dump is qualified; its own search_path reset would outlive the script.
    return "\n".join(
        line
        for line in text.splitlines()
        if not line.startswith("\\") and "set_config('search_path'" not in line
    )


def build_fleet(total: int, cap_seconds: float) -> tuple[float, int]:
    """Onboard one template school for real, then copy its schema up to `total` schools.

    Stops early after `cap_seconds` (a loaded machine): the size reached is reported.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from core.context import cli_actor
    from tenants import pool
    from tenants.models import Domain, School
    from tenants.naming import domain_for
    from tenants.services import onboard_school

    pool.refill(1)
    template = onboard_school(
        actor=cli_actor("bench"),
        name="模板大学",
        code="39999",
        subdomain="fleettpl",
        admin_username="admin",
        admin_password="Bench#Admin-2026",
    )
    connection.set_schema_to_public()
    script = dump_schema(template.schema_name)
    pattern = re.compile(rf"\b{re.escape(template.schema_name)}\b")
    # Copies are bound by the index builds' fsyncs, not the CPU: several connections overlap them.
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    local = threading.local()

    def copy_batch(numbers: list[int]) -> list[int]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(**params, autocommit=False)
        with conn.cursor() as cursor:
            for i in numbers:
                cursor.execute(pattern.sub(f"school_fleet{i:04d}", script))
        conn.commit()
        return numbers

    def register(numbers: list[int]) -> None:
        schools = [
            School(
                schema_name=f"school_fleet{i:04d}",
                name=f"全国高校{i}",
                code=f"{70000 + i:05d}",
                subdomain=f"fleet{i:04d}",
                onboarded_at=timezone.now(),
            )
            for i in numbers
        ]
        with transaction.atomic():
            School.objects.bulk_create(schools)
            Domain.objects.bulk_create(
                [Domain(domain=domain_for(s.subdomain), tenant=s, is_primary=True) for s in schools]
            )

    t0 = time.perf_counter()
    made = 1
    batches = [list(range(n, min(total, n + BATCH))) for n in range(1, total, BATCH)]
    with ThreadPoolExecutor(COPIERS) as pool:
        pending = []
        for batch in batches:
            pending.append(pool.submit(copy_batch, batch))
            if len(pending) >= COPIERS * 2:
                register(pending.pop(0).result())
                made += BATCH
                if made % 250 < BATCH:
                    print(f"  fleet: {made} schools, {time.perf_counter() - t0:.0f} s", flush=True)
                if time.perf_counter() - t0 > cap_seconds:
                    break
        for future in pending:
            numbers = future.result()
            register(numbers)
            made += len(numbers)
        pool.shutdown(cancel_futures=True)
    made = School.objects.filter(is_spare=False).count()
    return time.perf_counter() - t0, made


def catalogue() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_attribute), "
            "(SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'school_%%'), "
            "pg_database_size(current_database()), "
            "(SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog')"
        )
        classes, attributes, schemas, db_bytes, catalog_bytes = cursor.fetchone()
    return {
        "pg_class": classes,
        "pg_attribute": attributes,
        "schemas": schemas,
        "db_mib": db_bytes / 2**20,
        "catalog_mib": catalog_bytes / 2**20,
    }


def onboarding(n: int) -> tuple[list[float], float]:
    from core.context import cli_actor
    from tenants import pool
    from tenants.services import onboard_school

    t0 = time.perf_counter()
    pool.refill(n)
    refill = (time.perf_counter() - t0) / n
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        onboard_school(
            actor=cli_actor("bench"),
            name=f"新大学{i}",
            code=f"{60000 + i:05d}",
            subdomain=f"new{i}",
            admin_username="admin",
            admin_password="Bench#Admin-2026",
        )
        times.append(time.perf_counter() - t0)
    return times, refill


def phase_memory() -> None:
    """A fresh process (like a gunicorn worker): every school's domain cached, and the backend."""
    use_bench_database(DB_NAME, fresh=False)
    from django.db import connection

    from tenants import domain_cache
    from tenants.models import Domain

    hosts = list(Domain.objects.values_list("domain", flat=True))
    schemas = list(Domain.objects.values_list("tenant__schema_name", flat=True))
    domain_cache.get(hosts[0])
    before = rss_mib()
    t0 = time.perf_counter()
    for host in hosts:
        domain_cache.get(host)
    miss_ms = (time.perf_counter() - t0) / len(hosts) * 1000
    after = rss_mib()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
        backend_before = cursor.fetchone()[0] / 2**20
        for schema in schemas:  # one query in each school, as a long-lived connection would
            cursor.execute(f'SELECT count(*) FROM "{schema}".settings_per_school_schoolsettings')  # noqa: S608
        cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
        backend_after = cursor.fetchone()[0] / 2**20
    print(
        f"MEMORY domains={len(hosts)} rss_before_mib={before:.1f} rss_after_mib={after:.1f} "
        f"per_domain_kib={(after - before) * 1024 / len(hosts):.2f} miss_ms={miss_ms:.2f} "
        f"pg_backend_before_mib={backend_before:.1f} pg_backend_after_mib={backend_after:.1f}"
    )


ADDFIELD = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("settings_per_school", "{leaf}")]
    operations = [
        migrations.AddField(
            model_name="schoolsettings",
            name="bench_scale_flag",
            field=models.BooleanField(null=True),
        )
    ]
"""


def phase_addfield() -> None:
    """The real `migrate` with one extra AddField in settings_per_school (bench-only copy)."""
    use_bench_database(DB_NAME, fresh=False)
    from django.conf import settings
    from django.core.management import call_command
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaf = loader.graph.leaf_nodes("settings_per_school")[0][1]
    package = OUT / "scale_migrations" / "bench_sps_migrations"
    shutil.rmtree(package, ignore_errors=True)
    shutil.copytree(ROOT / "settings_per_school" / "migrations", package)
    (package / "9999_bench_scale_addfield.py").write_text(ADDFIELD.format(leaf=leaf))
    sys.path.insert(0, str(package.parent))
    settings.MIGRATION_MODULES = {"settings_per_school": "bench_sps_migrations"}
    print("ADDFIELD start", flush=True)
    t0 = time.perf_counter()
    executor = os.environ.get("BENCH_MIGRATE_EXECUTOR", "standard")
    call_command("migrate", interactive=False, verbosity=0, executor=executor)
    print(f"ADDFIELD done seconds={time.perf_counter() - t0:.1f}", flush=True)


def run_addfield(cap: int, schools: int) -> dict:
    from django.db import connection

    t0 = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, __file__, "--phase", "addfield"], timeout=cap, check=True, cwd=ROOT
        )
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
    seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'settings_per_school_schoolsettings' "
            "AND column_name = 'bench_scale_flag'"
        )
        migrated = cursor.fetchone()[0]
    return {"finished": finished, "seconds": seconds, "migrated": migrated, "of": schools}


# --- part 2: HTTP -------------------------------------------------------------------------


def hammer(port: int, path: str, host: str, clients: int, seconds: float) -> dict:
    import requests

    timings: list[float] = []
    failures = [0]
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        session = requests.Session()
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                response = session.get(
                    f"http://127.0.0.1:{port}{path}", headers={"Host": host}, timeout=30
                )
                ok = response.status_code == 200
            except Exception as error:
                ok = False
                errors.append(repr(error))
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    failures[0] += 1
        with lock:
            timings.extend(mine)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    wall = time.perf_counter() - t0
    if errors:
        print(f"  {path}: {len(errors)} errors, first: {errors[0]}", flush=True)
    timings = timings or [float("nan")]
    return {"n": len(timings), "rps": len(timings) / wall, "p95_ms": percentile(timings, 95) * 1000,
            "p50_ms": statistics.median(timings) * 1000, "failed": failures[0]}  # fmt: skip


def peak_run(label: str, args, schools: list[dict], hr_tokens: list[str], database_url: str):
    peak = peak_module()
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATABASE_POOL_MODE")}
    os.environ["DATABASE_URL"] = database_url
    if label == "pgbouncer":
        os.environ["DATABASE_POOL_MODE"] = "transaction"
    server = peak.start_server(args.port, args.server_workers)
    try:
        ceiling = {
            "/livez": hammer(args.port, "/livez", "localhost", args.clients, args.ceiling_seconds),
            "/healthz": hammer(
                args.port, "/healthz", "localhost", args.clients, args.ceiling_seconds
            ),
        }
        result = peak.drive(args, args.port, schools, hr_tokens)
    finally:
        server.terminate()
        server.wait(30)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    total = sum(len(v) for v in result["timings"].values())
    print(
        f"[{label}] gunicorn {args.server_workers} workers × 4 threads, {args.clients} clients",
        flush=True,
    )
    for path, figures in ceiling.items():
        print(
            f"  {'GET ' + path:40s} n={figures['n']:6d}  {figures['rps']:7.1f} req/s  "
            f"p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
            f"failed {figures['failed']}"
        )
    endpoints = {}
    for name, values in sorted(result["timings"].items()):
        endpoints[name] = (len(values) / result["wall"], percentile(values, 95) * 1000)
        print(
            f"  {name:40s} n={len(values):6d}  {len(values) / result['wall']:7.1f} req/s  "
            f"p50 {statistics.median(values) * 1000:7.1f} ms  "
            f"p95 {percentile(values, 95) * 1000:7.1f} ms  failed {result['failures'][name]}"
        )
    print(
        f"  signing day: {total} requests in {result['wall']:.1f} s = "
        f"{total / result['wall']:.1f} req/s",
        flush=True,
    )
    return {"ceiling": ceiling, "endpoints": endpoints, "rps": total / result["wall"],
            "failures": sum(result["failures"].values())}  # fmt: skip


def part_http(args) -> dict:
    peak = peak_module()
    from saas_platform import pgbouncer

    t0 = time.perf_counter()
    hr_tokens = peak.employers(args.employers)
    populated = [peak.populate(s, args.graduates) for s in peak.onboard(args.http_schools, "h")]
    # Two halves of every school's graduates: one for the direct run, one through PgBouncer.
    halves = []
    for part in (0, 1):
        halves.append(
            [dict(s, graduates=s["graduates"][part::2]) for s in populated]
        )  # fmt: skip
    print(f"HTTP set-up in {time.perf_counter() - t0:.0f} s", flush=True)
    from django.db import connections

    connections.close_all()
    direct_url = os.environ["DATABASE_URL"]
    results = {"direct": peak_run("direct", args, halves[0], hr_tokens, direct_url)}
    bouncer = pgbouncer.start(direct_url, pool_mode="transaction", pool_size=args.pool_size)
    try:
        url = bouncer.url(DB_NAME)
        results["pgbouncer"] = peak_run("pgbouncer", args, halves[1], hr_tokens, url)
    finally:
        bouncer.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=["all", "memory", "addfield"], default="all")
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--fleet-seconds", type=float, default=7200, help="cap on the copies")
    parser.add_argument("--onboard", type=int, default=20, help="real onboardings at full size")
    parser.add_argument("--addfield-cap", type=int, default=600, help="seconds")
    parser.add_argument("--http-schools", type=int, default=2)
    parser.add_argument("--graduates", type=int, default=300, help="per HTTP school")
    parser.add_argument("--invitations", type=int, default=300, help="per run (direct, pgbouncer)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server-workers", type=int, default=3)
    parser.add_argument("--employers", type=int, default=20)
    parser.add_argument("--ceiling-seconds", type=float, default=15.0)
    parser.add_argument("--pool-size", type=int, default=6, help="PgBouncer server connections")
    parser.add_argument("--port", type=int, default=18791)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    if args.phase == "memory":
        return phase_memory()
    if args.phase == "addfield":
        return phase_addfield()

    OUT.mkdir(parents=True, exist_ok=True)
    use_bench_database(DB_NAME)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}", flush=True)

    fleet_s, reached = build_fleet(args.schools, args.fleet_seconds)
    connection.set_schema_to_public()
    capped = "" if reached >= args.schools else f" (stopped at the {args.fleet_seconds:.0f} s cap)"
    print(f"fleet: {reached} schools in {fleet_s:.0f} s (schema copies){capped}", flush=True)
    args.schools = reached
    times, refill = onboarding(args.onboard)
    print(
        f"onboarding at {args.schools} schools: median {statistics.median(times):.3f} s, "
        f"p95 {percentile(times, 95):.3f} s (n={len(times)}); pool refill {refill:.2f} s/spare",
        flush=True,
    )
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=1)
    noop = time.perf_counter() - t0
    print(f"no-op migrate over all: {noop:.1f} s", flush=True)
    cat = catalogue()
    print(
        f"catalogue: {cat['schemas']} school schemas, pg_class {cat['pg_class']:,} rows, "
        f"pg_attribute {cat['pg_attribute']:,} rows, pg_catalog {cat['catalog_mib']:.0f} MiB, "
        f"database {cat['db_mib']:.0f} MiB",
        flush=True,
    )
    memory = subprocess.run(
        [sys.executable, __file__, "--phase", "memory"], capture_output=True, text=True, cwd=ROOT
    )
    memory_line = next(
        (line for line in memory.stdout.splitlines() if line.startswith("MEMORY")),
        f"MEMORY failed: {memory.stderr[-500:]}",
    )
    print(memory_line, flush=True)
    http = {} if args.skip_http else part_http(args)

    total_schools = args.schools + args.onboard + (0 if args.skip_http else args.http_schools)
    add = run_addfield(args.addfield_cap, total_schools)
    rate = add["migrated"] / add["seconds"] if add["seconds"] else float("nan")
    print(
        f"AddField migration: {add['migrated']} of {add['of']} schools in {add['seconds']:.0f} s "
        f"({'finished' if add['finished'] else 'stopped at the cap'}; {rate:.2f} schools/s, "
        f"{add['of'] / rate / 60 if rate else float('nan'):.1f} min for all at this rate)",
        flush=True,
    )
    memory_figures = dict(item.split("=") for item in memory_line.split()[1:] if "=" in item)
    headline = (
        f"RESULT schools={args.schools} onboarding_median_s={statistics.median(times):.3f} "
        f"onboarding_p95_s={percentile(times, 95):.3f} noop_migrate_s={noop:.1f} "
        f"addfield_schools_per_s={rate:.2f} pg_class={cat['pg_class']} "
        f"catalog_mib={cat['catalog_mib']:.0f} "
        f"web_rss_all_domains_mib={memory_figures.get('rss_after_mib', 'nan')}"
    )
    summary = defaultdict(str)
    for label, result in http.items():
        accept = result["endpoints"].get("POST agreements/{id}/accept", (0, float("nan")))
        summary[label] = (
            f" {label}_rps={result['rps']:.1f} {label}_livez_rps={result['ceiling']['/livez']['rps']:.0f} "
            f"{label}_accept_p95_ms={accept[1]:.0f}"
        )
    print(headline + "".join(summary.values()))


if __name__ == "__main__":
    main()
