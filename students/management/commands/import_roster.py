import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.context import cli_actor
from students.services import import_roster
from tenants.models import School


class Command(BaseCommand):
    help = "导入毕业生名单（.xlsx 或 .csv）：任何一行有错则不导入，打印错误报告并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件 .xlsx / .csv")
        parser.add_argument("--school", required=True, help="学校子域名，例如 syxy")
        parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        school = School.objects.filter(subdomain=options["school"].lower()).first()
        if school is None:
            raise CommandError(f"没有子域名为 {options['school']} 的学校。")
        data = path.read_bytes()
        started = time.monotonic()
        last = {"t": 0.0}

        def progress(phase: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last["t"] < 0.5 and done != total:
                return
            last["t"] = now
            if total:
                width = 30
                filled = int(width * done / total)
                bar = "#" * filled + "-" * (width - filled)
                sys.stderr.write(f"\r写入 [{bar}] {done}/{total}")
                if done == total:
                    sys.stderr.write("\n")
            else:
                sys.stderr.write(f"\r检查 已读取 {done} 行")
            sys.stderr.flush()

        with schema_context(school.schema_name):
            outcome = import_roster(
                actor=cli_actor("import_roster"),
                data=data,
                filename=path.name,
                dry_run=options["dry_run"],
                progress=progress,
            )
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        if outcome.errors:
            self.stdout.write(f"发现 {len(outcome.errors)} 处错误，未导入任何数据：")
            for error in outcome.errors:
                where = f"第 {error.row} 行" if error.row else "文件"
                column = f"「{error.column}」" if error.column else ""
                self.stdout.write(f"  {where}{column}：{error.message}")
            raise CommandError("名单有错误，未导入。")
        s = outcome.summary()
        verb = "将" if options["dry_run"] else "已"
        self.stdout.write(
            f"{school.name}：共 {s['rows']} 行，{verb}新增 {s['created']} 人，{verb}更新 {s['updated']} 人，"
            f"无变化 {s['unchanged']} 人，已提交审核而未更新 {s['skipped']} 人。"
        )
        if s["new_colleges"]:
            self.stdout.write("新学院：" + "、".join(s["new_colleges"]))
        if s["new_majors"]:
            self.stdout.write("新专业：" + "、".join(s["new_majors"][:50]))
        self.stdout.write(
            f"用时 {elapsed:.1f} 秒。" + ("（预览，未写入）" if options["dry_run"] else "")
        )
