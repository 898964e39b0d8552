"""Reads: who may see which graduates, the review queue, what a graduate changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from core.exceptions import NotFound
from core.masking import mask_phone
from core.models import AuditLog
from students import visibility
from students.models import College, Graduate, VerificationState
from students.verification import ACTION_LABELS, changed_fields


def can_sign(graduate: Graduate) -> bool:
    """Whether the graduate may accept or initiate an agreement: only once 生源 is approved."""
    return graduate is not None and graduate.state == VerificationState.APPROVED


def graduate_of(user: User) -> Graduate | None:
    if not user.is_authenticated or user.role != Role.GRADUATE:
        return None
    return Graduate.objects.select_related("college", "major").filter(user=user).first()


def visible_graduates(user: User) -> QuerySet[Graduate]:
    """Every query for staff starts here: a college admin sees only their colleges."""
    qs = Graduate.objects.select_related("college", "major")
    if user.role == Role.SCHOOL_ADMIN:
        return qs
    if user.role == Role.COLLEGE_ADMIN:
        return qs.filter(college__in=user.admin_colleges.all())
    if user.role == Role.GRADUATE:
        return qs.filter(user=user)
    return qs.none()


def search_graduates(
    user: User,
    *,
    q: str = "",
    college_id: int | str | None = None,
    state: str = "",
    year: int | str | None = None,
) -> QuerySet[Graduate]:
    qs = visible_graduates(user)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(student_number__startswith=q) | Q(name__contains=q))
    if college_id:
        qs = qs.filter(college_id=college_id)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(graduation_year=year)
    return qs.order_by("student_number")


def visible_colleges(user: User) -> QuerySet[College]:
    """The colleges a staff member works with: all for a school admin, their own otherwise."""
    if user.role == Role.SCHOOL_ADMIN:
        return College.objects.order_by("name", "pk")
    if user.role == Role.COLLEGE_ADMIN:
        return user.admin_colleges.order_by("name", "pk")
    return College.objects.none()


def get_visible_graduate(user: User, pk: int) -> Graduate:
    graduate = visible_graduates(user).filter(pk=pk).first()
    if graduate is None:
        raise NotFound(_("未找到该毕业生。"))
    return graduate


def review_queue(user: User, *, college_id: int | None = None, q: str = "") -> QuerySet[Graduate]:
    """What this teacher decides: their colleges', or (school admin) those no college admin has."""
    from students.reviewers import colleges_without_reviewer

    if user.role == Role.COLLEGE_ADMIN:
        qs = visible_graduates(user)
    elif user.role == Role.SCHOOL_ADMIN:
        qs = visible_graduates(user).filter(college__in=colleges_without_reviewer())
    else:
        return Graduate.objects.none()
    qs = qs.filter(state=VerificationState.SUBMITTED)
    if college_id:
        qs = qs.filter(college_id=college_id)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(student_number=q))
    return qs.order_by("submitted_at", "pk")


def can_review(user: User, graduate: Graduate) -> bool:
    from students.reviewers import may_review_source

    return graduate.state == VerificationState.SUBMITTED and may_review_source(user, graduate)


def display_value(graduate: Graduate, field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    model_field = Graduate._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        # 学制 4, not "4.0"; 2.5 stays 2.5.
        return str(int(value)) if value == int(value) else str(value.normalize())
    return str(value)


PHONE_FIELDS = {"mobile", "archive_phone"}


def changes(graduate: Graduate, *, for_staff: bool = True, viewer=None) -> list[dict[str, str]]:
    """What the graduate changed against the imported data, field by field.

    Phones follow students.visibility when the viewer is given, else are masked for staff.
    """
    imported = graduate.imported_values or {}
    if viewer is not None:
        for_staff = not visibility.sees_contact(viewer, graduate)
    rows = []
    for field in changed_fields(graduate):
        old = display_value(graduate, field, imported.get(field))
        new = display_value(graduate, field, getattr(graduate, field))
        if for_staff and field in PHONE_FIELDS:
            old, new = mask_phone(old), mask_phone(new)
        rows.append(
            {
                "field": field,
                "label": str(Graduate._meta.get_field(field).verbose_name),
                "imported": old,
                "current": new,
            }
        )
    return rows


def record_groups(
    graduate: Graduate, *, for_staff: bool, viewer=None
) -> list[tuple[str, list[tuple]]]:
    """The four groups of the 生源 record, as (field, label, value) rows.

    The ID number is masked for everyone, the graduate included (it can't be edited, and a
    phone screen is easily overlooked); phones are masked for staff only.
    """
    if viewer is not None:  # students.visibility decides (the reviewer sees the phones)
        for_staff = not visibility.sees_contact(viewer, graduate)
    id_number = graduate.id_number_masked
    mobile = mask_phone(graduate.mobile) if for_staff else graduate.mobile

    def row(field: str, value: Any = None) -> tuple[str, str, str]:
        value = getattr(graduate, field) if value is None else value
        label = str(Graduate._meta.get_field(field).verbose_name)
        return field, label, display_value(graduate, field, value)

    return [
        (
            "基本信息",
            [
                row("student_number"),
                row("name"),
                row("gender"),
                ("id_number", "身份证号", id_number),
                row("ethnicity"),
                row("political_status"),
                row("education_level"),
                ("college", "学院", graduate.college.name),
                ("major", "专业", graduate.major.name),
                row("class_name"),
                row("graduation_year"),
                row("origin"),
            ],
        ),
        ("联系方式", [("mobile", "手机号", mobile), row("email"), row("home_address")]),
        (
            "学籍信息",
            [row("enrolment_date"), row("study_length"), row("training_mode"), row("sponsor_unit")],
        ),
        (
            "档案信息",
            [
                row("archive_moves"),
                row("archive_unit"),
                row("archive_address"),
                row("archive_postcode"),
                row(
                    "archive_phone",
                    mask_phone(graduate.archive_phone) if for_staff else graduate.archive_phone,
                ),
            ],
        ),
    ]


HISTORY_LABELS = {
    **{f"graduate.verification.{a}": label for a, label in ACTION_LABELS.items()},
    "graduate.corrected": gettext_lazy("修改信息"),
    "graduate.password_reset": gettext_lazy("重置密码"),
}


def history(graduate: Graduate) -> list[AuditLog]:
    """The record's audit trail, each entry with a Chinese `label`."""
    entries = list(
        AuditLog.objects.filter(
            target_type="students.graduate", target_id=str(graduate.pk)
        ).order_by("created_at", "id")
    )
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    return entries


def colleges_with_counts() -> QuerySet[College]:
    return College.objects.annotate(
        graduate_count=Count("graduates", distinct=True),
        submitted_count=Count(
            "graduates", filter=Q(graduates__state=VerificationState.SUBMITTED), distinct=True
        ),
    ).prefetch_related("admins")


def staff_users() -> QuerySet[User]:
    return (
        User.objects.filter(role__in=[Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN])
        .prefetch_related("admin_colleges")
        .order_by("role", "username")
    )


def state_counts(qs: QuerySet[Graduate]) -> dict[str, int]:
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return {s: counts.get(s, 0) for s in VerificationState.values}


def progress_key(import_id: Any) -> str:
    """Where a running roster import reports its progress (written by services, read here)."""
    return f"roster-import-progress:{import_id}"


def import_status(roster_import) -> dict[str, Any]:
    """What the import page polls: status, progress, and the report once there is one."""
    from django.core.cache import cache

    try:
        progress = cache.get(progress_key(roster_import.pk)) or {}
    except Exception:
        progress = {}
    return {
        "id": str(roster_import.pk),
        "file": roster_import.original_name,
        "status": roster_import.status,
        "status_display": roster_import.get_status_display(),
        "finished": roster_import.status
        in {"invalid", "ready", "done", "failed", "discarded", "expired"},
        "progress": progress,
        "row_count": roster_import.row_count,
        "error_count": roster_import.error_count,
        "errors": roster_import.errors,
        "summary": roster_import.summary,
    }
