"""Celery tasks. `deliver` and `sweep_school` run in the schema of the school that queued them."""

from __future__ import annotations

import logging

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.celery import app

logger = logging.getLogger(__name__)


@app.task(name="notifications.deliver", acks_late=True, tenant_cache_seconds=60)
def deliver(delivery_id: int) -> str:
    from notifications.delivery import deliver as deliver_row
    from notifications.services import enqueue_delivery

    outcome = deliver_row(delivery_id)
    if outcome.retry_at is not None:
        # A hair late rather than early: an early task finds the row not yet due.
        countdown = max((outcome.retry_at - timezone.now()).total_seconds(), 0) + 0.05
        enqueue_delivery(delivery_id, countdown=countdown)
    return outcome.status


@app.task(name="notifications.sweep_school", tenant_cache_seconds=60)
def sweep_school() -> int:
    from notifications.delivery import sweep_school as sweep
    from notifications.services import enqueue_delivery

    ids = sweep()
    for delivery_id in ids:
        if not enqueue_delivery(delivery_id):
            break  # broker down again: the next sweep takes over
    return len(ids)


@app.task(name="notifications.sweep")
def sweep() -> int:
    """Beat, in public: find the schools with forgotten rows (one query) and fan out."""
    from notifications.delivery import schemas_with_work, school_schema_names

    connection.set_schema_to_public()
    schools = schemas_with_work(school_schema_names())
    for schema in schools:
        with schema_context(schema):
            try:
                sweep_school.apply_async(retry=False)
            except Exception as exc:
                logger.warning("sweep not queued (%s)", exc.__class__.__name__)
                break
    return len(schools)
