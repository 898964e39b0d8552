from __future__ import annotations

from django.db.models import QuerySet

from employer_inbox.models import Notice


def notices_for(employer_id: int) -> QuerySet[Notice]:
    return Notice.objects.filter(employer_id=employer_id).select_related("school")


def unread_count(employer_id: int) -> int:
    return Notice.objects.filter(employer_id=employer_id, read_at__isnull=True).count()
