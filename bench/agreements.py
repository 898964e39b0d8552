"""`make bench-agreements`: a peak signing day through the HTTP API, then the expiry sweep.

    python bench/agreements.py                                  # the issue's sizes (hours here)
    python bench/agreements.py --schools 2 --graduates 300 --invitations 600 \
        --sweep-schools 4 --sweep-invitations 40000            # what docs/benchmarks.md records

Part 1 starts gunicorn on a loopback port against a fresh benchmark database, onboards
`--schools` schools with `--graduates` graduates each (real roster import; 生源 then marked
approved and one password set in SQL, because 50,000 PBKDF2 hashes would be the set-up, not
the benchmark), registers 20 verified employers, and drives `--invitations` invitation
lifecycles with `--clients` concurrent clients: the HR sends, the graduate accepts (90 %,
re-entering the password as the product requires) or returns (10 %), the college admin and the
school admin approve. It prints requests/s and p50/p95 latency per endpoint.

Part 2 inserts `--sweep-invitations` invitations already past their validity, spread over
`--sweep-schools` schools (SQL, through the models' tables), and times the expiry sweep as the
Celery workers run it: one sweep per school, `--sweep-workers` processes at a time.
The headline figures are on the last line.
"""

from __future__ import annotations

import argparse
import os
import random
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

PASSWORD = "Bench#Grad-2026"
HR_PASSWORD = "Bench#Hr-2026x"
ADMIN_PASSWORD = "Bench#Admin-2026"
DB_NAME = "wangqian_bench_agreements"


def offer(i: int) -> dict:
    return {
        "position": f"工程师{i % 50}",
        "job_category": "engineering",
        "work_province": "湖南省",
        "work_city": "长沙市",
        "monthly_salary": 8000 + i % 5000,
        "contract_years": 3,
        "probation_months": 3,
        "start_date": "2026-07-01",
        "employer_address": "长沙市岳麓区麓谷大道 1 号",
        "contact_name": "王经理",
        "contact_phone": "0731-88888888",
        "archive_moves": False,
        "hukou_moves": False,
        "other_terms": "",
    }


def png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, "PNG")
    return buffer.getvalue()


def onboard(n: int, prefix: str) -> list:
    from core.context import cli_actor
    from tenants import pool
    from tenants.services import onboard_school

    pool.refill(n)
    schools = []
    for i in range(n):
        schools.append(
            onboard_school(
                actor=cli_actor("bench"),
                name=f"基准大学{prefix}{i}",
                code=f"{(30000 if prefix == 'a' else 40000) + i:05d}",
                subdomain=f"{prefix}bench{i}",
                admin_username="admin",
                admin_password=ADMIN_PASSWORD,
            )
        )
    return schools


def _bulk_tokens(user_ids: list[int]) -> dict[int, str]:
    """One API token per user in one INSERT (accounts.tokens.issue one by one is slow here)."""
    import hashlib
    import secrets

    from django.utils import timezone

    from accounts.models import ApiToken

    keys = {uid: secrets.token_hex(20) for uid in user_ids}
    now = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=uid,
                digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                name="bench",
                last_used_at=now,
            )
            for uid, key in keys.items()
        ],
        batch_size=5000,
    )
    return keys


def populate(school, graduates: int) -> dict:
    """Roster import, then 生源 approved and one known password (SQL), a college admin."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_tenants.utils import schema_context
    from roster import build_roster

    from accounts import tokens as api_tokens
    from accounts.models import User
    from core.context import Actor
    from students.models import College, Graduate
    from students.services import create_staff, import_roster

    encoded = make_password(PASSWORD)
    with schema_context(school.schema_name):
        admin = User.objects.get(username="admin")
        actor = Actor(user=admin, via="cli")
        outcome = import_roster(actor=actor, data=build_roster(graduates), filename="bench.xlsx")
        assert outcome.applied, outcome.errors[:5]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE students_graduate SET state = 'approved'")
            cursor.execute(
                "UPDATE accounts_user SET password = %s, must_change_password = false "
                "WHERE role = 'graduate'",
                [encoded],
            )
        college_admin = create_staff(
            actor=actor,
            username="college",
            password=ADMIN_PASSWORD,
            role="college_admin",
            college_ids=list(College.objects.values_list("pk", flat=True)),
        )
        User.objects.filter(pk__in=[admin.pk, college_admin.pk]).update(must_change_password=False)
        grads = list(Graduate.objects.values_list("student_number", "name", "user_id"))
        tokens = _bulk_tokens([uid for _n, _m, uid in grads])
        admin_token = api_tokens.issue(admin)[1]
        college_token = api_tokens.issue(college_admin)[1]
    return {
        "host": f"{school.subdomain}.localhost",
        "subdomain": school.subdomain,
        "graduates": [(n, m, tokens[uid]) for n, m, uid in grads],
        "admin": admin_token,
        "college": college_token,
    }


def employers(n: int) -> list[str]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts import tokens as api_tokens
    from accounts.models import User
    from accounts.services import create_operator
    from core.context import Actor, cli_actor
    from employers.credit_code import check_character
    from employers.services import register_employer, verify_employer

    operator = create_operator(actor=cli_actor("bench"), username="ops", password=ADMIN_PASSWORD)
    tokens = []
    for i in range(n):
        first17 = f"9143010{i:010d}"
        membership = register_employer(
            actor=cli_actor("bench"),
            username=f"hr{i}",
            password=HR_PASSWORD,
            display_name="王经理",
            employer={
                "name": f"基准科技有限公司{i}",
                "credit_code": first17 + check_character(first17),
                "nature": "private",
                "industry": "I",
                "province": "湖南省",
                "city": "长沙市",
                "address": "长沙市岳麓区",
                "contact_name": "王经理",
                "contact_phone": "0731-88888888",
            },
            licence=SimpleUploadedFile("l.png", png(), content_type="image/png"),
        )
        verify_employer(actor=Actor(user=operator, via="cli"), employer_id=membership.employer_id)
        tokens.append(api_tokens.issue(User.objects.get(pk=membership.user_id))[1])
    return tokens


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DEBUG="false", SECURE_COOKIES="false", LOG_LEVEL="WARNING")
    env.setdefault("SECURE_SSL_REDIRECT", "false")  # plain HTTP on loopback, no TLS proxy
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saas_platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    import requests

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def drive(args, port: int, schools: list[dict], hr_tokens: list[str]) -> dict:
    import requests

    base = f"http://127.0.0.1:{port}/api/v1"
    timings: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    local = threading.local()

    def call(name: str, host: str, token: str, path: str, body: dict) -> dict | None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        t0 = time.perf_counter()
        r = session.post(
            base + path,
            json=body,
            headers={"Host": host, "Authorization": f"Token {token}"},
            timeout=120,
        )
        elapsed = time.perf_counter() - t0
        with lock:
            timings[name].append(elapsed)
            if r.status_code >= 300:
                failures[name] += 1
        return r.json() if r.status_code < 300 else None

    jobs = []
    for school in schools:
        for g in school["graduates"]:
            jobs.append((school, g))
    random.Random(7).shuffle(jobs)
    jobs = jobs[: args.invitations]

    def lifecycle(i: int) -> None:
        school, (number, name, token) = jobs[i]
        hr = hr_tokens[i % len(hr_tokens)]
        sent = call(
            "POST employer/invitations (send)",
            "localhost",
            hr,
            "/employer/invitations",
            {
                "school": school["subdomain"],
                "student_number": number,
                "name": name,
                "content": offer(i),
            },
        )
        if not sent:
            return
        pk = sent["id"]
        if i % 10 == 9:
            call(
                "POST agreements/{id}/return",
                school["host"],
                token,
                f"/agreements/{pk}/return",
                {"reason": "岗位信息有误"},
            )
            return
        if not call(
            "POST agreements/{id}/accept",
            school["host"],
            token,
            f"/agreements/{pk}/accept",
            {"version": 1, "password": PASSWORD},
        ):
            return
        if call(
            "POST agreements/{id}/review (college)",
            school["host"],
            school["college"],
            f"/agreements/{pk}/review",
            {"approve": True},
        ):
            call(
                "POST agreements/{id}/review (school)",
                school["host"],
                school["admin"],
                f"/agreements/{pk}/review",
                {"approve": True},
            )

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(lifecycle, range(len(jobs))))
    wall = time.perf_counter() - t0
    return {"timings": timings, "failures": failures, "wall": wall}


def sweep_data(school, graduates: int, invitations: int) -> None:
    """Invitations already past their validity, written straight into the school's tables."""
    from django.db import connection
    from django_tenants.utils import schema_context
    from roster import build_roster

    from accounts.models import User
    from core.context import Actor
    from employers.models import Employer
    from students.services import import_roster

    employer_ids = list(Employer.objects.values_list("pk", flat=True))
    with schema_context(school.schema_name):
        admin = User.objects.get(username="admin")
        outcome = import_roster(
            actor=Actor(user=admin, via="cli"), data=build_roster(graduates), filename="b.xlsx"
        )
        assert outcome.applied
        with connection.cursor() as cursor:
            cursor.execute("SELECT array_agg(id ORDER BY id) FROM students_graduate")
            grads = cursor.fetchone()[0]
            per_grad = -(-invitations // len(grads))
            assert per_grad <= len(employer_ids), "more invitations than graduates × employers"
            cursor.execute(
                """
                INSERT INTO agreements_agreement (graduate_id, origin, state, employer_id,
                    employer_name, invited_by_name, draft_content, sent_at, expires_at,
                    last_reason, created_at, updated_at)
                SELECT (%s::bigint[])[1 + (n %% %s)], 'employer', 'invited',
                       (%s::bigint[])[1 + (n / %s)], '基准科技有限公司', '',
                       '{}'::jsonb, now() - interval '15 days', now() - interval '1 hour',
                       '', now(), now()
                FROM generate_series(0, %s - 1) AS n
                """,
                [grads, len(grads), employer_ids, len(grads), invitations],
            )
            # …with their entries in the employers' cross-school index, as the services keep it.
            cursor.execute(
                """
                INSERT INTO public.employers_agreementindexentry (employer_id, school_id,
                    agreement_id, graduate_name, position, state, updated_at)
                SELECT employer_id, %s, id, '学*', '', state, now()
                FROM agreements_agreement
                """,
                [school.pk],
            )


def sweep_one(schema_name: str) -> int:
    import django

    django.setup()
    from django_tenants.utils import schema_context

    from agreements.services import expire_due_invitations
    from core.context import Actor

    with schema_context(schema_name):
        return expire_due_invitations(actor=Actor(user=None, via="task", user_agent="bench"))


def part_http(args, hr_tokens: list[str], t0: float) -> tuple:
    schools = [populate(s, args.graduates) for s in onboard(args.schools, "a")]
    print(
        f"set-up: {args.schools} schools × {args.graduates} graduates, {args.employers} employers "
        f"in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    server = start_server(args.port, args.server_workers)
    try:
        result = drive(args, args.port, schools, hr_tokens)
    finally:
        server.terminate()
        server.wait(30)
    total = sum(len(v) for v in result["timings"].values())
    print(
        f"HTTP: {total} requests by {args.clients} clients in {result['wall']:.1f} s "
        f"({total / result['wall']:.1f} requests/s) against gunicorn "
        f"({args.server_workers} workers × 4 threads)"
    )
    for name, values in sorted(result["timings"].items()):
        print(
            f"  {name:40s} n={len(values):6d}  {len(values) / result['wall']:7.1f} req/s  "
            f"p50 {statistics.median(values) * 1000:7.1f} ms  "
            f"p95 {percentile(values, 95) * 1000:7.1f} ms  failed {result['failures'][name]}"
        )
    accept = result["timings"].get("POST agreements/{id}/accept", [0])
    send = result["timings"].get("POST employer/invitations (send)", [0])

    return total, result["wall"], send, accept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--graduates", type=int, default=5000, help="per school")
    parser.add_argument("--invitations", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--server-workers", type=int, default=3)
    parser.add_argument("--employers", type=int, default=20)
    parser.add_argument("--sweep-schools", type=int, default=100)
    parser.add_argument("--sweep-invitations", type=int, default=1_000_000)
    parser.add_argument("--sweep-graduates", type=int, default=1000, help="per sweep school")
    parser.add_argument("--sweep-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18777)
    parser.add_argument("--skip-http", action="store_true", help="only the expiry sweep")
    args = parser.parse_args()

    use_bench_database(DB_NAME)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(f"machine: {machine()}", flush=True)

    # --- part 1: the HTTP API under concurrent clients -----------------------------------
    t0 = time.perf_counter()
    hr_tokens = employers(args.employers)
    total, wall, send, accept = 0, float("nan"), [float("nan")], [float("nan")]
    if not args.skip_http:
        total, wall, send, accept = part_http(args, hr_tokens, t0)

    # --- part 2: the expiry sweep -----------------------------------------------------------
    from multiprocessing import get_context

    per_school = args.sweep_invitations // args.sweep_schools
    t0 = time.perf_counter()
    sweep_schools = onboard(args.sweep_schools, "s")
    for school in sweep_schools:
        sweep_data(school, args.sweep_graduates, per_school)
    print(
        f"sweep set-up: {args.sweep_schools} schools × {per_school} expired invitations "
        f"in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    from django.db import connections

    connections.close_all()
    t0 = time.perf_counter()
    with get_context("fork").Pool(args.sweep_workers) as pool:
        expired = sum(pool.map(sweep_one, [s.schema_name for s in sweep_schools]))
    sweep_s = time.perf_counter() - t0
    print(
        f"sweep: {expired} invitations expired (audited, notified, index updated) in "
        f"{sweep_s:.1f} s = {expired / sweep_s:.0f} /s with {args.sweep_workers} workers"
    )
    print(
        f"RESULT http_rps={total / wall:.1f} send_p95_ms={percentile(send, 95) * 1000:.0f} "
        f"accept_p95_ms={percentile(accept, 95) * 1000:.0f} invitations={0 if args.skip_http else len(send)} "
        f"sweep_invitations={expired} sweep_s={sweep_s:.1f} sweep_per_s={expired / sweep_s:.0f}"
    )


if __name__ == "__main__":
    main()
