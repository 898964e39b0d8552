import time

from django.conf import settings
from django.core.management.base import BaseCommand

from tenants import pool


class Command(BaseCommand):
    help = "Top up the pool of pre-migrated spare schemas that onboarding takes from."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=settings.SCHEMA_POOL_SIZE)

    def handle(self, *args, **options):
        started = time.perf_counter()
        created = pool.refill(options["size"])
        self.stdout.write(
            f"schema pool: {pool.spare_count()} spare(s), {created} created in "
            f"{time.perf_counter() - started:.1f} s"
        )
