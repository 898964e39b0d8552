"""manage.py import_holidays YEAR FILE [--notice 国办发明电〔2026〕N号]

FILE: one line per holiday or make-up working day, as the operator page takes it
("2027-02-06~2027-02-13,休,春节", "2027-02-14,班,春节调休"). Audited as the CLI user.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.context import cli_actor
from workcalendar.services import enter_year


class Command(BaseCommand):
    help = "Enter a year's holidays and 调休 from the State Council's notice."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file")
        parser.add_argument("--notice", default="")

    def handle(self, year: int, file: str, notice: str, **options):
        text = Path(file).read_text(encoding="utf-8-sig")
        with schema_context("public"):
            try:
                enter_year(actor=cli_actor("import_holidays"), year=year, text=text, notice=notice)
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"{year}: entered")
