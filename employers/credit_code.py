"""统一社会信用代码 (GB 32100-2015): 18 characters, the last one a check character."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The standard's alphabet: digits and capitals without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalize_credit_code(value: str | None) -> str:
    """Capitals, no spaces: what people paste from a licence photo's OCR or a spreadsheet."""
    # NFKC: full-width digits and letters, as Chinese input methods type them.
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str | None) -> str:
    """Return the normalised code, or raise a ValidationError that says what is wrong."""
    code = normalize_credit_code(value)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="required")
    if len(code) != LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(count)d 位。"),
            params={"count": len(code)},
            code="length",
        )
    bad = sorted({char for char in code if char not in VALUES})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            params={"chars": "、".join(bad)},
            code="charset",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第 3–8 位应为登记管理机关行政区划码（6 位数字）。"),
            code="region",
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对营业执照上的代码。"), code="checksum"
        )
    return code


def is_code_prefix(text: str) -> bool:
    """A query that can only be the start of a credit code: code characters with a digit."""
    return (
        2 <= len(text) <= LENGTH
        and any(char.isdigit() for char in text)
        and all(char in VALUES for char in text)
    )
