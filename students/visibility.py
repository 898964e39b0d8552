"""Who sees a graduate's contact data in clear: the one place that decides it.

- The graduate sees their own data (the ID number stays masked even for them: it can't be
  edited, and a phone screen is easily overlooked).
- The teacher who reviews the graduate — a college admin bound to the graduate's college, or
  the school admin where that college has no college admin — sees the phones in clear:
  teachers call graduates about their 生源 and agreements.
- Everyone else (another college's admin, a school admin overseeing a college that has its own
  reviewer, HR, operators) sees them masked.
- Exports are masked; a reviewer may ask for phones in clear with a reason, and that request
  is audited (who, when, from where, why).
- ID numbers are masked for every viewer and in every export.

Masking itself is `core.masking` (its format belongs there); this module only decides *when*.
"""

from __future__ import annotations

from core.masking import mask_id_number, mask_phone

CONTACT_FIELDS = ("mobile", "archive_phone")


class ContactPolicy:
    """The rule above for one viewer, remembering per college (an export asks it per row)."""

    def __init__(self, viewer) -> None:
        self.viewer = viewer
        self._by_college: dict[int, bool] = {}

    def sees(self, graduate) -> bool:
        viewer = self.viewer
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return False
        role = getattr(viewer, "role", "")
        if role == "graduate":
            return graduate.user_id == viewer.pk
        if role not in ("college_admin", "school_admin"):
            return False
        if graduate.college_id not in self._by_college:
            from students.reviewers import may_review_source

            self._by_college[graduate.college_id] = may_review_source(viewer, graduate)
        return self._by_college[graduate.college_id]

    def phone(self, graduate, value: str | None) -> str:
        return (value or "") if self.sees(graduate) else mask_phone(value)


def sees_contact(viewer, graduate) -> bool:
    """True if `viewer` may see `graduate`'s phones in clear."""
    return ContactPolicy(viewer).sees(graduate)


def phone_for(viewer, graduate, value: str | None) -> str:
    """A phone of `graduate` as `viewer` may see it."""
    return ContactPolicy(viewer).phone(graduate, value)


def id_number_for(viewer, graduate) -> str:
    """The ID number is masked for everyone (core masking format)."""
    return mask_id_number(graduate.id_number)


def export_phone(policy: ContactPolicy | None, graduate, value: str | None) -> str:
    """A phone in an export: masked, unless the export was asked for in clear (a policy is
    given, after the reason was audited) and this viewer may see this graduate's phones."""
    return policy.phone(graduate, value) if policy is not None else mask_phone(value)


def may_export_in_clear(viewer) -> bool:
    """Only reviewers may ask for an export with phones in clear (and must give a reason)."""
    return getattr(viewer, "role", "") in ("college_admin", "school_admin")
