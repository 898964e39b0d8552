"""What every factory module shares: passwords, actors, image bytes, credit codes."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.context import Actor

GRADUATE_PASSWORD = "Grad#Pass-2026"
HR_PASSWORD = "Hr#Employer-2026"
STAFF_PASSWORD = "Staff#Pass-2026"
NEW_PASSWORD = "Graduate#New-2026"


def web(user, ip: str = "127.0.0.1") -> Actor:
    return Actor(user=user, ip=ip, user_agent="tests", via="web")


def task_actor() -> Actor:
    return Actor(user=None, via="task", user_agent="tests")


def png_bytes(size=(32, 32), color=(200, 30, 30), exif: bytes | None = None) -> bytes:
    """A small real image (PNG, or JPEG when EXIF is given)."""
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def png_upload(name: str = "proof.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def credit_code(seed: int | str | None = None, prefix: str = "91430100") -> str:
    """A valid 统一社会信用代码: a body from `seed` (random if None), the right check character."""
    from employers.credit_code import ALPHABET, check_character

    rng = random.Random(seed)
    body = prefix + "".join(rng.choice(ALPHABET) for _ in range(17 - len(prefix)))
    return body + check_character(body)
