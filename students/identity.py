"""Resident ID numbers (GB 11643-1999): validation, blind index, the initial password."""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise a ValidationError saying what is wrong."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(
            _("身份证号应为 18 位（当前 %(n)d 位）。"), params={"n": len(value)}, code="length"
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号只能由数字组成，最后一位可以是 X。"), code="characters")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date") from None
    if check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="check_digit")
    return value


def gender_from_id_number(value: str) -> str:
    """'male' or 'female': the 17th digit is odd for men."""
    return "male" if int(value[16]) % 2 else "female"


def _index_key() -> bytes:
    return settings.ID_NUMBER_INDEX_KEY.encode()


def id_number_index(value: str) -> str:
    """Keyed HMAC-SHA256: lets us find duplicates without storing or decrypting the number."""
    return hmac.new(_index_key(), normalize_id_number(value).encode(), hashlib.sha256).hexdigest()


def initial_password(id_number: str) -> str:
    """The seed's initial password: the last six characters of the ID number."""
    return normalize_id_number(id_number)[-6:]
