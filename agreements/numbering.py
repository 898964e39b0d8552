"""协议编号 and the verification codes, assigned once, in the signing transaction.

Number = year (4) + the school's 院校代码 (5) + 学历 level (1) + serial per school and year (5),
e.g. `2026 10547 1 00042`, stored without spaces. The serial comes from a counter row locked
FOR UPDATE, so concurrent signings queue and a rolled-back signing leaves no gap; the unique
constraints on `Agreement.number` and `(year, serial)` are the last word.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import connection
from django.utils import timezone

from agreements.models import Agreement, AgreementPaper, NumberCounter

# 学历 level codes on the number (documented in README).
LEVEL_CODES = {"bachelor": "1", "master": "2", "doctor": "3", "junior_college": "4"}
OTHER_LEVEL = "9"
SERIAL_DIGITS = 5

# No 0/O, 1/I/L: a code read off paper and typed on a phone must not be misread.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 10


def next_serial(year: int) -> int:
    """The next serial of `year` in this school; the caller's transaction holds the counter."""
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        # The first signing of a year creates the row; later ones (and concurrent first
        # ones) find it and wait for its lock.
        cursor.execute(
            f"INSERT INTO {table} (year, last_serial) VALUES (%s, 0) "  # noqa: S608
            "ON CONFLICT (year) DO NOTHING",
            [year],
        )
        cursor.execute(
            f"UPDATE {table} SET last_serial = last_serial + 1 WHERE year = %s "  # noqa: S608
            "RETURNING last_serial",
            [year],
        )
        return cursor.fetchone()[0]


def compose(year: int, school_code: str | None, level: str, serial: int) -> str:
    code = (school_code or "").strip().rjust(5, "0")[:5]
    return f"{year:04d}{code}{LEVEL_CODES.get(level, OTHER_LEVEL)}{serial:0{SERIAL_DIGITS}d}"


def display(number: str | None) -> str:
    """`2026105471000042` → `2026 10547 1 00042` (as printed)."""
    if not number or len(number) < 11:
        return number or ""
    return f"{number[:4]} {number[4:9]} {number[9]} {number[10:]}"


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == SHORT_CODE_LENGTH else code


def normalise_code(text: str) -> str:
    """What a person typed → the stored form (case, spaces and dashes do not matter)."""
    return "".join(c for c in (text or "").upper() if c.isalnum())


def new_token() -> str:
    return secrets.token_urlsafe(24)


def assign(agreement: Agreement, *, school, signed_at: datetime | None = None) -> AgreementPaper:
    """Give a just-signed agreement its number and codes (inside the signing transaction).

    The accepted version is what gets printed. Idempotent: an agreement that has a number
    keeps it.
    """
    existing = AgreementPaper.objects.filter(agreement=agreement).first()
    if existing is not None:
        return existing
    signed_at = signed_at or agreement.signed_at or timezone.now()
    year = timezone.localtime(signed_at).year
    serial = next_serial(year)
    agreement.number = compose(year, school.code, agreement.graduate.education_level, serial)
    agreement.save(update_fields=["number", "updated_at"])
    version = agreement.accepted_version or agreement.current_version
    while True:
        code = new_short_code()
        if not AgreementPaper.objects.filter(short_code=code).exists():
            break
    return AgreementPaper.objects.create(
        agreement=agreement,
        version=version,
        year=year,
        serial=serial,
        verify_token=new_token(),
        short_code=code,
    )
