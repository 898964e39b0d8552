"""Employers built through the real services."""

from __future__ import annotations

import io
import itertools
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.context import cli_actor
from employers.credit_code import ALPHABET, check_character
from employers.services import import_directory, register_employer

HR_PASSWORD = "Hr#Employer-2026"
_counter = itertools.count(1)


def credit_code(prefix: str = "91430100", seed: int | None = None) -> str:
    """A valid 统一社会信用代码 (random body, correct check character)."""
    rng = random.Random(seed)
    body = prefix + "".join(rng.choice(ALPHABET) for _ in range(17 - len(prefix)))
    return body + check_character(body)


def png_bytes(size=(60, 40), color=(200, 30, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def licence_file(name: str = "licence.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def directory_entry(name: str, code: str | None = None, **fields) -> dict:
    return {
        "name": name,
        "credit_code": code or credit_code(seed=next(_counter) * 7919),
        "nature": fields.get("nature", "private"),
        "industry": fields.get("industry", "I"),
        "province": fields.get("province", "广东省"),
        "city": fields.get("city", "深圳市"),
    }


def add_to_directory(*entries: dict) -> dict:
    return import_directory(actor=cli_actor("tests"), rows=list(entries))


def register(
    name: str = "长沙星辰软件有限公司",
    code: str | None = None,
    username: str | None = None,
    **extra,
):
    """A pending employer with its first HR (the organisation's admin)."""
    number = next(_counter)
    return register_employer(
        actor=cli_actor("tests"),
        username=username or f"hr{number}x{random.randint(0, 10**6)}",
        password=HR_PASSWORD,
        display_name="王经理",
        employer={
            "name": name,
            "credit_code": code or credit_code(seed=number * 104729 + random.randint(0, 10**6)),
            "nature": "private",
            "industry": "I",
            "province": "湖南省",
            "city": "长沙市",
            "address": "岳麓区麓谷大道 1 号",
            "contact_name": "王经理",
            "contact_phone": "13812345678",
            "contact_email": "hr@example.com",
            **extra,
        },
        licence=licence_file(),
    )
