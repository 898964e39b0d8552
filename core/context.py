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
    """The client's address: the one function django-axes, the login limit and the audit use.

    Behind `TRUSTED_PROXY_COUNT` proxies that each append the address they saw to
    X-Forwarded-For, the client is the right-most entry our proxies did not write, i.e.
    the N-th from the right; everything left of it was written by the client and is
    ignored. With no trusted proxy (the default) only the TCP peer counts. A request that
    reached us without passing every proxy (X-Forwarded-For too short) is judged by its peer.
    """
    from django.conf import settings

    peer = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return peer
    from ipware import get_client_ip

    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        # ipware counts the proxies *listed* in the header; ours list the hop before them.
        proxy_count=proxies - 1,
        request_header_order=("HTTP_X_FORWARDED_FOR",),
        strict=False,
    )
    return ip or peer


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
