"""Sentry: no default PII, personal data scrubbed, each event tagged with the school schema."""

from __future__ import annotations

from typing import Any

from core.masking import scrub_text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def before_send(event: dict, hint: dict) -> dict:
    from django.db import connection

    from core.context import request_id_var

    event.setdefault("tags", {})["schema"] = getattr(connection, "schema_name", "-")
    event["tags"]["request_id"] = request_id_var.get()
    return _scrub(event)


def init_sentry(dsn: str) -> None:
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=before_send,
        traces_sample_rate=0.0,
    )
