"""Uploaded roster files: full ID numbers and phones, so they rest encrypted and don't stay.

A roster file is kept only while its import may still need it (being checked, or checked
and waiting for the admin's confirmation). It is stored as Fernet ciphertext under
FIELD_ENCRYPTION_KEYS (core.fields), and deleted from storage (local disk or S3) once the
import is done, refused by its check, failed, discarded by the admin, or abandoned: a
periodic sweep (`students.sweep_roster_files`) expires imports left unconfirmed for
ROSTER_FILE_MAX_AGE_HOURS.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.context import Actor
from core.fields import decrypt_bytes, encrypt_bytes
from students.models import RosterImport

logger = logging.getLogger(__name__)

Status = RosterImport.Status
# Imports that may still read their file.
OPEN_STATES = frozenset({Status.CHECKING, Status.READY, Status.IMPORTING})
FERNET_PREFIX = b"gAAAAA"  # every Fernet token starts with version 0x80 → "gAAAAA" in base64


def store(roster_import: RosterImport, upload) -> None:
    """Attach the upload to the (unsaved) import, encrypted."""
    upload.seek(0)
    data = upload.read()
    roster_import.file.save("roster.enc", ContentFile(encrypt_bytes(data)), save=False)


def read(roster_import: RosterImport) -> bytes:
    with roster_import.file.open("rb") as handle:
        stored = handle.read()
    if not stored.startswith(FERNET_PREFIX):
        return stored  # uploaded before files were encrypted; the sweep removes those
    return decrypt_bytes(stored)


def delete(roster_import: RosterImport) -> None:
    """Remove the file from storage now; on a storage error the sweep tries again later."""
    name = roster_import.file.name
    if not name:
        return
    try:
        roster_import.file.storage.delete(name)
    except Exception:
        logger.warning("could not delete roster file of import %s", roster_import.pk, exc_info=True)
        return
    RosterImport.objects.filter(pk=roster_import.pk, file=name).update(file="")
    roster_import.file.name = ""


def delete_after_commit(roster_import: RosterImport) -> None:
    transaction.on_commit(lambda: delete(roster_import))


def sweep(*, now=None) -> dict[str, int]:
    """Expire imports left unconfirmed too long, and delete every file no import needs.

    Runs in the current school's schema (one Celery task per school).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.ROSTER_FILE_MAX_AGE_HOURS)
    actor = Actor(user=None, via="task", user_agent="students.sweep_roster_files")
    expired = 0
    with transaction.atomic():
        # skip_locked: an admin confirming this very import right now wins.
        abandoned = list(
            RosterImport.objects.select_for_update(skip_locked=True).filter(
                status__in=[Status.CHECKING, Status.READY], created_at__lt=cutoff
            )
        )
        for roster_import in abandoned:
            roster_import.status = Status.EXPIRED
            roster_import.finished_at = now
            roster_import.errors = [
                {
                    "row": 0,
                    "column": "",
                    "message": _("导入超过 %(hours)d 小时未确认，文件已删除，请重新上传。")
                    % {"hours": settings.ROSTER_FILE_MAX_AGE_HOURS},
                }
            ]
            roster_import.save(update_fields=["status", "finished_at", "errors"])
            audit.record(actor, "roster.expired", target=roster_import)
            expired += 1
    deleted = 0
    for roster_import in RosterImport.objects.exclude(file="").exclude(status__in=OPEN_STATES):
        delete(roster_import)
        deleted += not roster_import.file.name
    return {"expired": expired, "deleted": deleted}
