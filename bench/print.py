"""`make bench-print`: render signed agreements as PDFs (warm process), then download stored ones.

    python bench/print.py                       # 200 renders, 200 downloads (the issue's sizes)
    python bench/print.py --agreements 50       # smaller

Set-up (not timed): a fresh benchmark database, one school with a seal image, `--agreements`
graduates (real roster import; 生源 approved in SQL) and as many agreements signed through the
real services (invite, accept, college and school review). The render queued after each
signing is switched off, so part 1 renders every PDF itself.

Part 1 renders each agreement's PDF (`agreements.printing.render_pdf`, the `full` variant) in
this warm process after three warm-up renders: median / p95 seconds and bytes per PDF.
Part 2 stores them (`stored_pdf`), starts gunicorn, and downloads each one over HTTP as its
graduate (API token): `GET /api/v1/agreements/<id>/pdf` (permission check, audit row, signed
URL) then the 302's `/files/<token>`: p95 of the pair. Headline figures on the last line.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import machine, percentile, use_bench_database  # noqa: E402

DB_NAME = "wangqian_bench_print"
PASSWORD = "Bench#Grad-2026"
ADMIN_PASSWORD = "Bench#Admin-2026"
HR_PASSWORD = "Bench#Hr-2026x"


def seal_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 580, 580), outline=(220, 0, 0, 255), width=30)
    draw.regular_polygon((300, 300, 120), 5, fill=(220, 0, 0, 255))
    for i in range(12):  # some lettering-like detail, as real seals have
        draw.rectangle((120 + i * 30, 120, 135 + i * 30, 160), fill=(220, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def offer(i: int) -> dict:
    return {
        "position": f"软件工程师{i % 50}",
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
        "archive_moves": True,
        "archive_receiver": "长沙市人才服务中心",
        "archive_address": "长沙市芙蓉区人民路 2 号",
        "archive_postcode": "410000",
        "hukou_moves": False,
        "other_terms": "五险一金，年终奖按公司制度发放。",
    }


def set_up(n: int):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django_tenants.utils import schema_context
    from roster import build_roster

    from accounts import tokens as api_tokens

    # Set-up only: 4 × n password checks at production cost would be the set-up, not the bench.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from accounts.models import User
    from accounts.services import create_operator
    from agreements import printing, services
    from core.context import Actor, cli_actor
    from employers.credit_code import check_character
    from employers.services import register_employer, verify_employer
    from settings_per_school.services import update_school_settings
    from students.models import College, Graduate
    from students.services import create_staff, import_roster
    from tenants import pool
    from tenants.services import onboard_school

    printing.render_after_commit = lambda _pk: None  # part 1 renders them itself
    pool.refill(1)
    school = onboard_school(
        actor=cli_actor("bench"),
        name="基准印刷大学",
        code="10547",
        subdomain="printbench",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
    )
    operator = create_operator(actor=cli_actor("bench"), username="ops", password=ADMIN_PASSWORD)
    first17 = "91430100000000001"
    membership = register_employer(
        actor=cli_actor("bench"),
        username="hr0",
        password=HR_PASSWORD,
        display_name="王经理",
        employer={
            "name": "基准印刷科技有限公司",
            "credit_code": first17 + check_character(first17),
            "nature": "private",
            "industry": "I",
            "province": "湖南省",
            "city": "长沙市",
            "address": "长沙市岳麓区",
            "contact_name": "王经理",
            "contact_phone": "0731-88888888",
        },
        licence=SimpleUploadedFile("l.png", seal_png(), content_type="image/png"),
    )
    verify_employer(actor=Actor(user=operator, via="cli"), employer_id=membership.employer_id)
    hr = Actor(user=User.objects.get(pk=membership.user_id), via="cli")
    with schema_context(school.schema_name):
        admin = User.objects.get(username="admin")
        admin_actor = Actor(user=admin, via="cli")
        update_school_settings(
            actor=admin_actor,
            changes={"seal": SimpleUploadedFile("seal.png", seal_png(), content_type="image/png")},
        )
        outcome = import_roster(actor=admin_actor, data=build_roster(n), filename="bench.xlsx")
        assert outcome.applied, outcome.errors[:5]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE students_graduate SET state = 'approved'")
        college_admin = create_staff(
            actor=admin_actor,
            username="college",
            password=ADMIN_PASSWORD,
            role="college_admin",
            college_ids=list(College.objects.values_list("pk", flat=True)),
        )
        graduates = list(Graduate.objects.select_related("user").order_by("pk")[:n])
        for g in graduates:
            g.user.set_password(PASSWORD)
            g.user.must_change_password = False
            g.user.save()
        ids = []
        for i, g in enumerate(graduates):
            a = services.create_invitation(
                actor=hr,
                school=school,
                student_number=g.student_number,
                name=g.name,
                content=offer(i),
            )
            me = Actor(user=g.user, via="cli")
            services.accept_invitation(actor=me, agreement_id=a.pk, version=1, password=PASSWORD)
            services.review_agreement(
                actor=Actor(user=college_admin, via="cli"), agreement_id=a.pk, approve=True
            )
            services.review_agreement(actor=admin_actor, agreement_id=a.pk, approve=True)
            ids.append(a.pk)
        # The platform's own API tokens (accounts.tokens: digests stored, keys handed out once).
        keys = {g.user_id: api_tokens.issue(g.user, name="bench-print")[1] for g in graduates}
        pairs = [(pk, keys[g.user_id]) for pk, g in zip(ids, graduates, strict=True)]
    return school, pairs


def render_all(school, pairs) -> tuple[list[float], list[float], list[int], list[str]]:
    from django_tenants.utils import schema_context

    from agreements import printing
    from agreements.models import Agreement

    times, cpu, sizes = [], [], []
    with schema_context(school.schema_name):
        agreements = list(
            Agreement.objects.select_related("graduate", "graduate__college", "graduate__major")
            .filter(pk__in=[pk for pk, _t in pairs])
            .order_by("pk")
        )
        for a in agreements[:3]:  # warm-up: fonts, templates, caches
            printing.render_pdf(a, full_id=True)
        for a in agreements:
            t0, c0 = time.perf_counter(), time.process_time()
            data = printing.render_pdf(a, full_id=True)
            times.append(time.perf_counter() - t0)
            # CPU time too: on a shared machine the wall time mostly measures the neighbours.
            cpu.append(time.process_time() - c0)
            sizes.append(len(data))
        names = [printing.stored_pdf(a, printing.FULL) for a in agreements]
    return times, cpu, sizes, names


def start_server(port: int) -> subprocess.Popen:
    import requests

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
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            r = requests.get(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}, timeout=1
            )
            if r.status_code == 200:
                return proc
            time.sleep(0.3)
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def download_all(port: int, host: str, pairs) -> tuple[list[float], list[float]]:
    from urllib.parse import urlsplit

    import requests

    session = requests.Session()
    pair_times, file_times = [], []
    for pk, token in [*pairs[:5], *pairs]:  # five warm-up requests
        t0 = time.perf_counter()
        r = session.get(
            f"http://127.0.0.1:{port}/api/v1/agreements/{pk}/pdf",
            headers={"Host": host, "Authorization": f"Token {token}"},
            allow_redirects=False,
            timeout=60,
        )
        assert r.status_code == 302, (r.status_code, r.text[:300])
        t1 = time.perf_counter()
        f = session.get(
            f"http://127.0.0.1:{port}{urlsplit(r.headers['Location']).path}",
            headers={"Host": host},
            timeout=60,
        )
        assert f.status_code == 200 and f.content.startswith(b"%PDF-"), f.status_code
        t2 = time.perf_counter()
        pair_times.append(t2 - t0)
        file_times.append(t2 - t1)
    return pair_times[5:], file_times[5:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--port", type=int, default=0, help="0: a free loopback port")
    args = parser.parse_args()

    use_bench_database(DB_NAME)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(f"machine: {machine()}", flush=True)
    from agreements import print_font

    print(f"print font: {print_font.ensure(build_if_missing=True)}", flush=True)

    t0 = time.perf_counter()
    school, pairs = set_up(args.agreements)
    print(f"set-up: {len(pairs)} signed agreements in {time.perf_counter() - t0:.0f} s", flush=True)

    times, cpu, sizes, _names = render_all(school, pairs)
    median, p95 = statistics.median(times), percentile(times, 95)
    print(
        f"render: {len(times)} PDFs, median {median:.3f} s, p95 {p95:.3f} s "
        f"(CPU median {statistics.median(cpu):.3f} s, p95 {percentile(cpu, 95):.3f} s), "
        f"size median {statistics.median(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB",
        flush=True,
    )

    from django.db import connections

    connections.close_all()
    from saas_platform.devservices import free_port

    port = args.port or free_port()
    proc = start_server(port)
    try:
        from tenants.naming import domain_for

        pair_times, file_times = download_all(port, domain_for(school.subdomain), pairs)
    finally:
        proc.terminate()
        proc.wait(10)
    print(
        f"download: {len(pair_times)} stored PDFs over HTTP, API+file p50 "
        f"{percentile(pair_times, 50) * 1000:.1f} ms, p95 {percentile(pair_times, 95) * 1000:.1f} ms"
        f" (file alone p95 {percentile(file_times, 95) * 1000:.1f} ms)"
    )
    print(
        f"RESULT renders={len(times)} render_median_s={median:.3f} render_p95_s={p95:.3f} "
        f"render_cpu_p95_s={percentile(cpu, 95):.3f} "
        f"pdf_kb_median={statistics.median(sizes) / 1024:.0f} pdf_kb_max={max(sizes) / 1024:.0f} "
        f"downloads={len(pair_times)} download_p95_ms={percentile(pair_times, 95) * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
