"""Hostname → school, cached in the process, so routing a request costs no query.

Entries live a short while: a school onboarded in another process is found on
the first miss (a miss always asks the database), and a changed domain is seen
within TTL seconds everywhere. Unknown hosts are not cached (a miss stays a query).
"""

from __future__ import annotations

import threading

from cachetools import TTLCache

from tenants.models import School

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000
_lock = threading.Lock()
_entries: TTLCache[str, School] = TTLCache(maxsize=MAX_ENTRIES, ttl=TTL_SECONDS)


def get(hostname: str) -> School | None:
    with _lock:
        school = _entries.get(hostname)
    if school is not None:
        return school
    from tenants.selectors import school_for_hostname

    school = school_for_hostname(hostname)
    if school is not None:
        with _lock:
            _entries[hostname] = school
    return school


def clear() -> None:
    with _lock:
        _entries.clear()
