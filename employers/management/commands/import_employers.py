import sys

from django.core.management.base import BaseCommand, CommandError

from core.context import cli_actor
from employers.directory_import import read_directory
from employers.services import import_directory


class Command(BaseCommand):
    help = (
        "导入用人单位名录（CSV 或 xlsx，表头：单位名称, 统一社会信用代码, 单位性质, 所属行业, 所在地区）。"
        "任何一行有误则逐行报告、不导入任何数据；已在名录中的单位（同一信用代码）会被更新。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        report = read_directory(options["file"])
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            raise CommandError(
                f"发现 {len(report.errors)} 处错误，未导入任何数据。请修改后重新导入。"
            )
        total = len(report.rows)
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            line = f"已处理 {done}/{total} 行（{done * 100 // max(total, 1)}%）"
            if interactive:
                self.stdout.write("\r" + line, ending="")
            else:
                self.stdout.write(line)

        result = import_directory(
            actor=cli_actor("import_employers"), rows=report.rows, progress=progress
        )
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：共 {total} 行，新增 {result['created']} 家，更新 {result['updated']} 家。"
            )
        )
