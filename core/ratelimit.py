"""Fixed-window counters in Redis, shared by every school (the "platform" cache: keys are
not prefixed by schema, so a limit per employer holds across all schools' hosts)."""

from __future__ import annotations

import logging

from django.core.cache import caches

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event under `key`; False once more than `limit` happened in the window.

    Redis down: allowed (the limits protect against abuse, they are not a business rule),
    and logged.
    """
    cache = caches["platform"]
    try:
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    except Exception as exc:  # Redis unreachable, or the key expired between add and incr
        logger.warning("rate limit %s not counted (%s)", key.split(":")[0], exc.__class__.__name__)
        return True
    return count <= limit
