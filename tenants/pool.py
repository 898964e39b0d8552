"""The onboarding pool: pre-migrated spare schemas that onboarding renames.

Creating a schema with django-tenants costs 3–4 s (migrate or clone), more as
the catalogue grows. Onboarding instead takes a spare, renames its schema and
fills in its row, in one transaction. Spares are tenant rows, so the normal
`migrate` keeps them current, and a spare found stale anyway is migrated before
it is handed out.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import quote_schema_name

from tenants.migration_state import outdated_schemas
from tenants.models import School

logger = logging.getLogger(__name__)


def spare_count() -> int:
    return School.objects.filter(is_spare=True).count()


def create_spare() -> School:
    with transaction.atomic():
        spare = School(schema_name=f"spare_{uuid.uuid4().hex[:16]}", is_spare=True)
        spare.save(verbosity=0)  # creates and migrates the schema
    return spare


def refill(target: int | None = None) -> int:
    """Top the pool up to `target` spares; returns how many were created."""
    target = settings.SCHEMA_POOL_SIZE if target is None else target
    created = 0
    while spare_count() < target:
        create_spare()
        created += 1
    return created


def migrate_schema(schema_name: str) -> None:
    call_command(
        "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0
    )


def take_spare() -> School | None:
    """Lock a spare for the current transaction, current with every migration, or None."""
    spare = (
        School.objects.select_for_update(skip_locked=True)
        .filter(is_spare=True)
        .order_by("id")
        .first()
    )
    if spare is None:
        return None
    if outdated_schemas([spare.schema_name]):
        logger.warning("spare schema %s was stale; migrating it first", spare.schema_name)
        migrate_schema(spare.schema_name)
        connection.set_schema_to_public()
    return spare


def rename_schema(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quote_schema_name(old)} RENAME TO {quote_schema_name(new)}")
