"""Public verification of a printed agreement: by the QR code's token or the typed short code.

Anyone may ask, without logging in, and learns only: number, school, employer, the
graduate's masked name, position, signing date and the agreement's *current* status.
Unknown codes reveal nothing. Lookups are limited per client (Redis cache) and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from agreements import numbering
from agreements.models import AgreementPaper, State
from core.masking import mask_person_name

RATE_LIMIT = 30  # lookups per client per window
RATE_WINDOW_SECONDS = 600

VALID = "valid"
TERMINATED = "terminated"
STATUS_LABELS = {VALID: _l("有效"), TERMINATED: _l("已解约")}


@dataclass(frozen=True)
class Verification:
    number: str
    school: str
    employer: str
    graduate: str  # masked
    position: str
    signed_on: datetime | None
    status: str  # valid | terminated

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "school": self.school,
            "employer": self.employer,
            "graduate": self.graduate,
            "position": self.position,
            "signed_on": self.signed_on.date().isoformat() if self.signed_on else None,
            "status": self.status,
            "status_label": self.status_label,
        }


def _limit() -> tuple[int, int]:
    return (
        getattr(django_settings, "VERIFY_RATE_LIMIT", RATE_LIMIT),
        getattr(django_settings, "VERIFY_RATE_WINDOW_SECONDS", RATE_WINDOW_SECONDS),
    )


def allow(client: str | None) -> bool:
    """One more lookup for this client in the current window? (Counts the attempt.)"""
    limit, window = _limit()
    bucket = int(timezone.now().timestamp()) // window
    key = f"verify-rate:{client or '-'}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
    return count <= limit


def _status(state: str) -> str:
    # A printout is still valid while a termination is only being reviewed.
    return TERMINATED if state == State.TERMINATED else VALID


def _count(paper: AgreementPaper) -> None:
    AgreementPaper.objects.filter(pk=paper.pk).update(
        lookups=F("lookups") + 1, last_lookup_at=timezone.now()
    )


def _miss() -> None:
    key = f"verify-miss:{timezone.localdate().isoformat()}"
    if not cache.add(key, 1, timeout=3 * 86400):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=3 * 86400)


def misses_today() -> int:
    return int(cache.get(f"verify-miss:{timezone.localdate().isoformat()}") or 0)


def lookup(*, token: str | None = None, code: str | None = None, school) -> Verification | None:
    """The public facts of the agreement with this token or short code (this school), or None."""
    qs = AgreementPaper.objects.select_related("agreement", "version", "agreement__graduate")
    if token:
        paper = qs.filter(verify_token=token[:64]).first()
    else:
        normalised = numbering.normalise_code(code or "")
        paper = (
            qs.filter(short_code=normalised).first()
            if len(normalised) == numbering.SHORT_CODE_LENGTH
            else None
        )
    agreement = paper.agreement if paper is not None else None
    if (
        agreement is None
        or not agreement.number
        or agreement.state
        not in (
            State.SIGNED,
            State.TERMINATION_REVIEW,
            State.TERMINATED,
        )
    ):
        _miss()
        return None
    _count(paper)
    from settings_per_school.selectors import get_school_settings

    return Verification(
        number=numbering.display(agreement.number),
        school=get_school_settings().school_name or school.name,
        employer=agreement.employer_name,
        graduate=mask_person_name(agreement.graduate.name),
        position=paper.version.content.get("position", ""),
        signed_on=timezone.localtime(agreement.signed_at) if agreement.signed_at else None,
        status=_status(agreement.state),
    )
