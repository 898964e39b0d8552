"""Hostname → school, cached in the process, so routing a request costs no query.

Entries live a short while: a school onboarded in another process is found on
the first miss (a miss always asks the database), and a changed domain is seen
within TTL seconds everywhere.
"""

from __future__ import annotations

import threading
import time

from tenants.models import School

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000
_lock = threading.Lock()
_entries: dict[str, tuple[float, School]] = {}


def get(hostname: str) -> School | None:
    entry = _entries.get(hostname)
    if entry and entry[0] > time.monotonic():
        return entry[1]
    from tenants.selectors import school_for_hostname

    school = school_for_hostname(hostname)
    if school is not None:
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[hostname] = (time.monotonic() + TTL_SECONDS, school)
    return school


def clear() -> None:
    with _lock:
        _entries.clear()
