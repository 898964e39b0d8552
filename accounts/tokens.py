"""API tokens: issued at login, sliding expiry, listed and revoked by their owner.

Replaces DRF's one-token-per-user `authtoken` (which never expired and survived logout).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiToken, User

# Writing last_used_at on every request would make each API call a write; a minute of
# slack on a sliding expiry measured in hours is nothing.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; the key is returned once and never stored."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        digest=_digest(key),
        prefix=key[:8],
        name=(name or "")[:200],
        last_used_at=timezone.now(),
    )
    return token, key


def expires_at(token: ApiToken) -> datetime:
    idle = token.last_used_at + timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)
    absolute = token.created_at + timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS)
    return min(idle, absolute)


def _alive(now: datetime):
    return {
        "last_used_at__gt": now - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS),
        "created_at__gt": now - timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS),
    }


def authenticate(key: str) -> ApiToken | None:
    """The live token with this key (its expiry slid forward), or None; a dead one is deleted."""
    if not key:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if expires_at(token) <= now:
        token.delete()
        return None
    if now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User):
    """The user's live tokens, most recently used first."""
    return ApiToken.objects.filter(user=user, **_alive(timezone.now())).order_by(
        "-last_used_at", "-pk"
    )


def revoke(user: User, token_id: int) -> bool:
    """The owner ends one of their own tokens; someone else's id is as if it did not exist."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def revoke_all(user: User, *, keep: ApiToken | None = None) -> int:
    qs = ApiToken.objects.filter(user=user)
    if keep is not None:
        qs = qs.exclude(pk=keep.pk)
    deleted, _rows = qs.delete()
    return deleted
