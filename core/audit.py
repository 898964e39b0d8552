from __future__ import annotations

from typing import Any

from core.context import Actor
from core.models import AuditLog


def record(actor: Actor, action: str, **details: Any) -> AuditLog:
    """Write one audit row in the current schema (call inside the business transaction).

    Takes the keyword arguments of `build`.
    """
    entry = build(actor, action, **details)
    entry.save()
    return entry


def build(
    actor: Actor,
    action: str,
    *,
    target: Any = None,
    target_type: str = "",
    target_id: str | int = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditLog:
    """An unsaved audit row, for callers that write many at once with bulk_create."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    return AuditLog(
        actor_id=actor.user_id,
        actor_username=actor.username,
        actor_role=actor.role,
        via=actor.via,
        ip=actor.ip,
        user_agent=actor.user_agent,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason,
        data=data or {},
    )
