"""Masking of personal information (PIPL) for display, logs and error reports."""

from __future__ import annotations

import re

# 18-character resident ID numbers, 11-digit mainland mobiles, long secrets.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str | None) -> str:
    """`430521200001011234` → `4305**2000********`: region and birth year, never the tail.

    The initial password of a graduate is the last six characters of the ID number, so no
    mask may show any of them (the old `4305**********1234` gave away four of six). What
    stays lets a teacher tell two records apart: the first four (province and city of the
    household registration) and, for an 18-character number, the birth year.
    """
    if not value:
        return ""
    value = str(value).strip()
    n = len(value)
    if n == 18 and value[6:10].isdigit():
        return value[:4] + "**" + value[6:10] + "*" * 8
    if n >= 12:  # other documents: never more than the first four
        return value[:4] + "*" * (n - 4)
    return "*" * n


def mask_phone(value: str | None) -> str:
    """`13812345678` → `138****5678`."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_secret(value: str | None) -> str:
    """Secrets show only whether they are set and their last four characters."""
    if not value:
        return ""
    return "****" + value[-4:] if len(value) > 8 else "****"


def scrub_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def mask_person_name(value: str | None) -> str:
    """`张三` → `张*`, `欧阳小明` → `欧**明`: enough for HR to recognise, not to identify."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
