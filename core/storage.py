"""Object keys are prefixed by the owning schema, so no school's file sits under another's."""

from __future__ import annotations

import os
import uuid

from django.db import connection


def schema_prefix() -> str:
    schema = getattr(connection, "schema_name", "public")
    return "platform" if schema == "public" else schema


def upload_to(folder: str):
    def _upload_to(instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()[:8]
        return f"{schema_prefix()}/{folder}/{uuid.uuid4().hex}{ext}"

    _upload_to.__name__ = f"upload_to_{folder}"
    return _upload_to


def logo_upload_to(instance, filename: str) -> str:
    return upload_to("logo")(instance, filename)


def seal_upload_to(instance, filename: str) -> str:
    return upload_to("seal")(instance, filename)


def licence_upload_to(instance, filename: str) -> str:
    return upload_to("licence")(instance, filename)
