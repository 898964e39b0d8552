"""Working through a review queue without going back to the list: position, previous, next.

Both review queues (生源 and agreements) use it, with the queue's own filters carried in the
query string so "next" stays inside what the teacher filtered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict

from core.params import integer_value


@dataclass(frozen=True)
class QueuePosition:
    position: int  # 1-based; 0 when the item has left the queue
    total: int
    previous_url: str
    next_url: str
    list_url: str
    query: str  # the filters, for the decision form to carry along


def filters_of(params: QueryDict, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: params.get(k, "").strip() for k in keys if params.get(k, "").strip()}


def college_id(filters: dict[str, str]) -> int | None:
    """The college filter as an id; a malformed or out-of-range one is a 400 (core/params)."""
    return integer_value("college", filters.get("college", ""))


def position_in(
    queue: QuerySet, pk: int, *, detail_url, list_url: str, filters: dict[str, str]
) -> QueuePosition:
    """Where `pk` stands in the ordered `queue`; previous / next detail URLs with the filters."""
    ids = list(queue.values_list("pk", flat=True)[:2000])
    query = urlencode(filters)
    suffix = "?" + query if query else ""

    def url(item_id: int | None) -> str:
        return detail_url(item_id) + suffix if item_id is not None else ""

    if pk in ids:
        i = ids.index(pk)
        previous = ids[i - 1] if i > 0 else None
        following = ids[i + 1] if i + 1 < len(ids) else None
        return QueuePosition(
            i + 1, len(ids), url(previous), url(following), list_url + suffix, query
        )
    return QueuePosition(0, len(ids), "", url(ids[0] if ids else None), list_url + suffix, query)


def next_after_decision(queue: QuerySet, *, detail_url, filters: dict[str, str]) -> str | None:
    """The first item still waiting (the decided one has left the queue), or None when done."""
    first = queue.values_list("pk", flat=True).first()
    if first is None:
        return None
    query = urlencode(filters)
    return detail_url(first) + ("?" + query if query else "")
