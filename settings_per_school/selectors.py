from __future__ import annotations

from settings_per_school.models import SchoolSettings


def get_school_settings() -> SchoolSettings:
    """The current school's settings (the connection's schema)."""
    return SchoolSettings.objects.get(pk=SchoolSettings.SINGLETON_ID)


def public_flags(settings: SchoolSettings) -> dict:
    """What graduates and employers may read: the flags that change what they can do."""
    return {
        "school_name": settings.school_name,
        "allow_student_initiation": settings.allow_student_initiation,
        "allow_termination": settings.allow_termination,
        "termination_guidance": settings.termination_guidance if settings.allow_termination else "",
        "invitation_validity_days": settings.invitation_validity_days,
        "print_copies": settings.print_copies,
        "has_logo": bool(settings.logo),
    }
