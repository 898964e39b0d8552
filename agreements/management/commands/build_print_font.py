from django.core.management.base import BaseCommand, CommandError

from agreements import print_font


class Command(BaseCommand):
    help = "构建协议书 PDF 使用的精简衬线字体（每台机器一次，约一分钟）。"

    def handle(self, *args, **options):
        if print_font.source_font() is None:
            raise CommandError("未找到 Noto Serif CJK 字体：请先运行 make system-deps。")
        path = print_font.ensure(build_if_missing=True)
        self.stdout.write(str(path))
