from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from codetables.loader import load_all


class Command(BaseCommand):
    help = "载入（或更新）国家代码表：毕业去向、单位性质、单位行业、工作职位类别、单位所在地。可重复执行。"

    def handle(self, *args, **options):
        with schema_context("public"):
            written = load_all()
        for table, count in written.items():
            self.stdout.write(f"{table}: {count}")
