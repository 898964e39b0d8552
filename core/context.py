"""Who is acting and from where: passed explicitly from the front doors to the services."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

# Read by the log filter and by Sentry; never used for authorisation.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


@dataclass(frozen=True)
class Actor:
    user: Any = None
    ip: str | None = None
    user_agent: str = ""
    via: str = "web"  # web | api | cli | task
    extra: dict = field(default_factory=dict)

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    @property
    def role(self) -> str:
        return getattr(self.user, "role", "") or ""


def client_ip(request) -> str | None:
    # Behind our proxy the left-most X-Forwarded-For entry is the client (set TRUST_PROXY only there).
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def actor_from_request(request) -> Actor:
    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    via = "api" if request.path.startswith("/api/") else "web"
    return Actor(
        user=user,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        via=via,
    )


def cli_actor(label: str = "cli") -> Actor:
    return Actor(user=None, ip=None, user_agent=label, via="cli")
