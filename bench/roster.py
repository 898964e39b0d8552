"""`make bench-roster`: import a generated 20,000-row .xlsx roster into a fresh school.

Prints the time to build the file, then the import (check + write) with rows/s; the headline
figures are on the last line. Uses the same services as `make run` (embedded PostgreSQL and
Redis unless DATABASE_URL / REDIS_URL say otherwise) and removes its school afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")


def build_roster(rows: int) -> bytes:
    import datetime
    import io

    from openpyxl import Workbook

    from students.identity import check_char
    from students.roster import TEMPLATE_HEADERS

    colleges = [f"第{i}学院" for i in range(1, 21)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名单")
    sheet.append(TEMPLATE_HEADERS)
    for i in range(rows):
        male = i % 2 == 0
        birth = datetime.date(2002, 1, 1) + datetime.timedelta(days=i // 500)
        first17 = f"430521{birth:%Y%m%d}{(i % 500) * 2 + (1 if male else 0):03d}"
        college = colleges[i % len(colleges)]
        sheet.append(
            [
                f"2022{i:06d}",
                f"学生{i}",
                "男" if male else "女",
                first17 + check_char(first17),
                college,
                f"{college}专业{i % 5}",
                f"班{i % 40}",
                "本科",
                2026,
                "湖南省邵阳市",
                f"138{i:08d}",
                f"s{i}@example.com",
                "汉族",
                "共青团员",
                "湖南省邵阳市大祥区",
                datetime.date(2022, 9, 1),
                4,
                "非定向",
                "",
                "是",
                "邵阳市人才服务中心",
                "湖南省邵阳市",
                "422000",
                "0739-1234567",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from core.context import cli_actor
    from students.services import import_roster
    from tests.utils import drop_school, new_school

    call_command("migrate", "--noinput", "-v", "0")
    school = new_school(name="基准测试大学")
    try:
        started = time.perf_counter()
        data = build_roster(args.rows)
        built = time.perf_counter() - started
        print(f"built {args.rows} rows into {len(data) / 2**20:.1f} MiB .xlsx in {built:.1f} s")

        last = {"t": 0.0}
        phases: dict[str, float] = {}

        def progress(phase: str, done: int, total: int) -> None:
            now = time.perf_counter()
            phases.setdefault(phase, now)
            if now - last["t"] > 2 or done == total and total:
                last["t"] = now
                print(f"  {phase}: {done}/{total or args.rows}", flush=True)

        with schema_context(school.schema_name):
            started = time.perf_counter()
            outcome = import_roster(
                actor=cli_actor("bench"), data=data, filename="bench.xlsx", progress=progress
            )
            seconds = time.perf_counter() - started
        if outcome.errors:
            print("unexpected errors:", outcome.errors[:5])
            return 1
        print(f"created {outcome.created} graduates, {len(outcome.new_colleges)} colleges")
        checked = phases.get("import", started + seconds) - started
        print(f"read and check: {checked:.1f} s; write: {seconds - checked:.1f} s")
        print(
            f"roster import: {args.rows} rows in {seconds:.1f} s = {args.rows / seconds:,.0f} rows/s"
        )
        return 0
    finally:
        drop_school(school)


if __name__ == "__main__":
    sys.exit(main())
