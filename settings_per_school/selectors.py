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
        "termination_starter": settings.termination_starter,
        "terminations_allowed": settings.terminations_allowed,
        "termination_cooldown_working_days": settings.termination_cooldown_working_days,
        "termination_window_from": settings.termination_window_from,
        "termination_window_to": settings.termination_window_to,
        "invitation_validity_days": settings.invitation_validity_days,
        "print_copies": settings.print_copies,
        "has_logo": bool(settings.logo),
    }
