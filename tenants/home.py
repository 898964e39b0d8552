"""What waits for a teacher, for the school home page: one row per kind of work.

Each row is (label, count, url). Later kinds (terminations) add a provider to PENDING.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.context import Actor


@dataclass(frozen=True)
class Pending:
    key: str
    label: str
    count: int
    url: str


def _sources(actor: Actor) -> Pending | None:
    from students.selectors import review_queue

    n = review_queue(actor.user).count()
    if actor.role == "school_admin" and n == 0:
        return None  # the school admin reviews only colleges without a college admin
    return Pending("sources", str(_("待审核生源")), n, "/students/review/")


def _agreements(actor: Actor) -> Pending | None:
    from agreements.selectors import review_queue

    return Pending(
        "agreements", str(_("待审核协议")), review_queue(actor).count(), "/agreements/review/"
    )


# Terminations (a later issue) add their provider here.
PENDING: list[Callable[[Actor], Pending | None]] = [_sources, _agreements]


def pending_for(actor: Actor) -> list[Pending]:
    if actor.role not in ("college_admin", "school_admin"):
        return []
    rows = (provider(actor) for provider in PENDING)
    return [row for row in rows if row is not None]
