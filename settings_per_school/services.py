from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from core.masking import mask_secret
from core.uploads import IMAGES, validate_upload
from settings_per_school.models import SchoolSettings

EDITABLE_FIELDS = (
    "school_name",
    "allow_student_initiation",
    "allow_termination",
    "termination_guidance",
    "student_initiated_needs_school_review",
    "invitation_validity_days",
    "termination_cooldown_working_days",
    "termination_starter",
    "termination_employer_consent_required",
    "termination_review_levels",
    "terminations_allowed",
    "termination_window_from",
    "termination_window_to",
    "termination_publicity_days",
    "print_copies",
    "print_copy_labels",
    "wechat_app_id",
    "wechat_app_secret",
    "wechat_templates",
    "logo",
    "seal",
)
SECRET_FIELDS = {"wechat_app_secret"}
FILE_FIELDS = {"logo", "seal"}


def create_default_settings(*, school_name: str) -> SchoolSettings:
    return SchoolSettings.objects.create(school_name=school_name)


def _require_school_admin(actor: Actor) -> None:
    if actor.via != "cli" and actor.role != Role.SCHOOL_ADMIN:
        raise NotAllowed(_("只有校级管理员可以修改学校设置。"))


def _audit_value(field: str, value: Any) -> Any:
    if field in SECRET_FIELDS:
        return mask_secret(value)
    if field in FILE_FIELDS:
        return getattr(value, "name", "") or ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _clean_images(changes: dict[str, Any]) -> dict[str, Any]:
    """Logo and seal through core.uploads like every upload: JPG/PNG by content, re-encoded.

    The logo is served publicly: re-encoding drops EXIF and anything appended to the image
    (HTML, a PDF), and the stored name's extension follows the content, not the upload's name.
    """
    cleaned = dict(changes)
    for field in FILE_FIELDS:
        upload = changes.get(field)
        if upload is None:
            continue
        try:
            clean = validate_upload(upload, kinds=IMAGES)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
        clean.content.name = f"{field}{clean.content.name[len('upload') :]}"
        cleaned[field] = clean.content
    return cleaned


@transaction.atomic
def update_school_settings(*, actor: Actor, changes: dict[str, Any]) -> SchoolSettings:
    """Apply the given changes; unknown fields and invalid values leave everything as it was.

    An empty `wechat_app_secret` means "keep the stored one": the secret is never shown
    back, so forms and clients can't resend it.
    """
    _require_school_admin(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {field: _("不能修改此项。") for field in sorted(unknown)}, code="unknown"
        )
    settings = SchoolSettings.objects.select_for_update().get(pk=SchoolSettings.SINGLETON_ID)
    if not changes.get("wechat_app_secret", "x"):
        changes = {k: v for k, v in changes.items() if k != "wechat_app_secret"}
    if "wechat_templates" in changes:
        templates = changes["wechat_templates"]
        if not isinstance(templates, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in templates.items()
        ):
            raise ValidationError(
                {"wechat_templates": _("模板消息 ID 应为“事件: 模板 ID”的对应表。")}
            )
    changes = _clean_images(changes)
    diff = {}
    for field, value in changes.items():
        old = getattr(settings, field)
        if field in FILE_FIELDS and value is None:
            continue
        if field not in FILE_FIELDS and old == value:
            continue
        setattr(settings, field, value)
        diff[field] = {"from": _audit_value(field, old), "to": _audit_value(field, value)}
    settings.full_clean()
    settings.save()
    if diff:
        audit.record(actor, "school_settings.updated", target=settings, data=diff)
    return settings
