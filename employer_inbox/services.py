from __future__ import annotations

from django.utils import timezone

from employer_inbox.models import Notice


def post_notice(
    *, employer_id: int, school, event: str, title: str, body: str, agreement_id: int | None = None
) -> Notice:
    """Call inside the business transaction that caused it."""
    return Notice.objects.create(
        employer_id=employer_id,
        school_id=getattr(school, "pk", school),
        agreement_id=agreement_id,
        event=event,
        title=title[:200],
        body=body,
    )


def post_platform_notice(*, employer_id: int, event: str, title: str, body: str) -> Notice:
    """A notice from the platform itself (no school), e.g. the operator verified the employer."""
    return Notice.objects.create(
        employer_id=employer_id, school=None, event=event, title=title[:200], body=body
    )


def post_notices(notices: list[dict], *, school) -> None:
    """Many notices in one INSERT (the expiry sweep); each dict as post_notice's arguments."""
    Notice.objects.bulk_create(
        [
            Notice(
                employer_id=n["employer_id"],
                school_id=getattr(school, "pk", school),
                agreement_id=n.get("agreement_id"),
                event=n["event"],
                title=n["title"][:200],
                body=n["body"],
            )
            for n in notices
        ]
    )


def mark_all_read(*, employer_id: int) -> int:
    return Notice.objects.filter(employer_id=employer_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
