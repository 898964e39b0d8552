"""Every write to a destination record. Each public function is one atomic, audited step.

Locking order as everywhere: the graduate's row first, then the destination rows. The
partial unique indexes (one current, one pending record per graduate) are the last word.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from codetables import files
from codetables import selectors as codetables
from core import audit
from core.context import Actor
from core.uploads import IMAGES_AND_PDF, validate_upload
from destinations import rules, workflow
from destinations.models import Destination, Proof, RegistrationSettings, Source, Status
from students.models import Graduate

MAX_PROOFS = 5


# --- the deadline --------------------------------------------------------------------------


def registration_settings() -> RegistrationSettings:
    row = RegistrationSettings.objects.order_by("pk").first()
    return row or RegistrationSettings()


def deadline_for(graduate: Graduate) -> datetime.date:
    """The school's deadline, else 31 August of the graduate's graduation year."""
    return registration_settings().deadline or datetime.date(graduate.graduation_year, 8, 31)


def registration_open(graduate: Graduate, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return today <= deadline_for(graduate)


def set_deadline(*, actor: Actor, deadline: datetime.date | None) -> RegistrationSettings:
    if actor.role != Role.SCHOOL_ADMIN:
        raise PermissionDenied(_("只有校级管理员可以设置毕业去向登记截止日期。"))
    with transaction.atomic():
        row = RegistrationSettings.objects.select_for_update().order_by("pk").first()
        row = row or RegistrationSettings()
        old = row.deadline
        row.deadline = deadline
        row.save()
        audit.record(
            actor,
            "destination.deadline_set",
            target=row,
            data={
                "from": old.isoformat() if old else None,
                "to": deadline.isoformat() if deadline else None,
            },
        )
        return row


# --- helpers ---------------------------------------------------------------------------------


def _lock_graduate(graduate_id: int) -> Graduate:
    # Only the graduate's row: locking the joined college would queue a whole college.
    return (
        Graduate.objects.select_for_update(of=("self",))
        .select_related("user", "college")
        .get(pk=graduate_id)
    )


def _school_user(actor: Actor):
    """The actor as a user of this school's schema (an employer's id would point elsewhere)."""
    if actor.user_id and actor.role in (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.GRADUATE):
        return actor.user
    return None


def _current(graduate: Graduate) -> Destination | None:
    return (
        Destination.objects.select_for_update().filter(graduate=graduate, is_current=True).first()
    )


def _save(record: Destination) -> None:
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        if "dest_one_pending_per_graduate" in str(exc):
            raise ValidationError(
                _("已有一条待审核的毕业去向登记，请等待学院审核。"), code="pending_exists"
            ) from exc
        raise


def _audit(actor: Actor, action: str, record: Destination, old: str | None, **data: Any) -> None:
    audit.record(
        actor,
        f"destination.{action}",
        target=record,
        reason=record.reason if action in workflow.NEEDS_REASON else "",
        data={"from": old, "to": record.status, "code": record.code, **data},
    )


def _retire_current(
    actor: Actor, graduate: Graduate, action: str, reason: str = ""
) -> Destination | None:
    """Take the current record off (superseded or voided); returns it."""
    current = _current(graduate)
    if current is None:
        return None
    old = current.status
    current.status = workflow.plan(action, old, actor, reason=reason or "-", system=True)
    current.is_current = False
    if reason:
        current.reason = reason
    current.save(update_fields=["status", "is_current", "reason", "updated_at"])
    _audit(actor, action, current, old)
    return current


def _supersede_pending(actor: Actor, graduate: Graduate, reason: str) -> None:
    for pending in Destination.objects.select_for_update().filter(
        graduate=graduate, status=Status.PENDING
    ):
        pending.status = workflow.plan("supersede", Status.PENDING, actor, system=True)
        pending.reason = reason
        pending.save(update_fields=["status", "reason", "updated_at"])
        _audit(actor, "supersede", pending, Status.PENDING)


def _notify(graduate: Graduate, event: str, title: str, body: str) -> None:
    from notifications.services import notify

    notify(user=graduate.user, event=event, title=title, body=body, url="/destinations/")


def _name(code: str) -> str:
    return codetables.name_of(files.DESTINATION, code)


# --- signing and termination (called inside the agreements' transactions) ------------------


def record_signed_agreement(*, actor: Actor, agreement) -> Destination:
    """Signing writes destination 10 with the agreement's employer and job codes.

    Call inside the signing transaction (the graduate's row is already locked there).
    """
    graduate = _lock_graduate(agreement.graduate_id)
    version = agreement.accepted_version or agreement.current_version
    content = dict((version.content if version else None) or agreement.draft_content or {})
    region = content.get("region_code") or codetables.region_code_for(
        content.get("work_province"), content.get("work_city")
    )
    _supersede_pending(actor, graduate, _("已签约三方协议"))
    _retire_current(actor, graduate, "supersede")
    record = Destination(
        graduate=graduate,
        code=rules.SIGNED_CODE,
        code_versions=rules.code_versions(),
        status=workflow.plan("record", None, actor, system=True),
        source=Source.AGREEMENT,
        is_current=True,
        agreement_id=agreement.pk,
        employer_name=(content.get("employer_name") or agreement.employer_name)[:200],
        credit_code=content.get("credit_code") or "",
        nature=codetables.normalize(files.NATURE, content.get("nature")),
        industry=codetables.normalize(files.INDUSTRY, content.get("industry")),
        region_code=region or "",
        job_category=codetables.normalize(files.JOB, content.get("job_category")),
        created_by=_school_user(actor),
        decided_at=timezone.now(),
    )
    _save(record)
    _audit(actor, "record", record, None, agreement=agreement.pk)
    return record


def void_for_termination(*, actor: Actor, agreement, reason: str = "") -> Destination | None:
    """A termination voids the agreement's destination: back to 70 待就业 until the next one.

    Call inside the termination's approval transaction. Returns the new 70 record, or None
    when the agreement's destination was no longer the graduate's current one (it is still
    marked void).
    """
    reason = reason.strip() or _("三方协议已解约")
    graduate = _lock_graduate(agreement.graduate_id)
    record = (
        Destination.objects.select_for_update()
        .filter(graduate=graduate, agreement_id=agreement.pk, status=Status.APPROVED)
        .first()
    )
    if record is None:
        return None
    was_current = record.is_current
    old = record.status
    record.status = workflow.plan("void", old, actor, reason=reason, system=True)
    record.is_current = False
    record.reason = reason
    record.save(update_fields=["status", "is_current", "reason", "updated_at"])
    _audit(actor, "void", record, old, agreement=agreement.pk)
    if not was_current:
        return None
    waiting = Destination(
        graduate=graduate,
        code=rules.WAITING_CODE,
        code_versions=rules.code_versions(),
        status=workflow.plan("record", None, actor, system=True),
        source=Source.SYSTEM,
        is_current=True,
        remark=reason[:500],
        created_by=_school_user(actor),
        decided_at=timezone.now(),
    )
    _save(waiting)
    _audit(actor, "record", waiting, None, voided=record.pk)
    _notify(
        graduate,
        "destination_voided",
        _("毕业去向已作废"),
        _("您的三方协议已解约，毕业去向“%(name)s”已作废，现为“待就业”。找到新去向后请重新登记。")
        % {"name": _name(record.code)},
    )
    return waiting


# --- registration by the graduate (or by a school admin) ------------------------------------


def _may_change(actor: Actor, graduate: Graduate) -> None:
    if actor.role == Role.SCHOOL_ADMIN:
        return
    if actor.role == Role.GRADUATE:
        if actor.user_id != graduate.user_id:
            raise PermissionDenied(_("只能登记自己的毕业去向。"))
        if not registration_open(graduate):
            raise ValidationError(
                _("毕业去向登记已于 %(date)s 截止，如需变更请联系学校就业指导中心。")
                % {"date": deadline_for(graduate).isoformat()},
                code="deadline",
            )
        return
    raise PermissionDenied(_("您没有权限登记该毕业生的毕业去向。"))


def submit_registration(
    *, actor: Actor, graduate: Graduate, data: dict[str, Any], uploads: list | None = None
) -> Destination:
    """A graduate registers a destination (to the college's review); a school admin records it.

    Each code asks for its own fields and proof (destinations.rules). A signed agreement's
    destination is changed only by a termination, never by a registration.
    """
    uploads = [u for u in (uploads or []) if u]
    _may_change(actor, graduate)
    req, cleaned = rules.clean(data.get("code"), data)
    if req.code == rules.SIGNED_CODE and actor.role == Role.GRADUATE:
        raise ValidationError(
            {"code": [_("“签就业协议形式就业”由三方协议签约自动登记，请通过三方协议办理。")]}
        )
    if req.proof and not uploads and actor.role == Role.GRADUATE:
        raise ValidationError({"proof": [_("请上传%(proof)s。") % {"proof": req.proof}]})
    if len(uploads) > MAX_PROOFS:
        raise ValidationError({"proof": [_("证明材料最多 %(n)d 个文件。") % {"n": MAX_PROOFS}]})
    clean_files = []
    for upload in uploads:
        try:
            clean_files.append((validate_upload(upload, kinds=IMAGES_AND_PDF), upload.name or ""))
        except ValidationError as exc:
            raise ValidationError({"proof": exc.messages}) from exc
    remark = " ".join(str(data.get("remark") or "").split())[:500]
    with transaction.atomic():
        graduate = _lock_graduate(graduate.pk)
        current = _current(graduate)
        if (
            current is not None
            and current.source == Source.AGREEMENT
            and actor.role == Role.GRADUATE
        ):
            raise ValidationError(
                _("您已签约三方协议，毕业去向随协议登记；如需变更，请先办理解约。"),
                code="signed",
            )
        record = Destination(
            graduate=graduate,
            code=req.code,
            code_versions=rules.code_versions(),
            created_by=actor.user,
            remark=remark,
            **cleaned,
        )
        if actor.role == Role.GRADUATE:
            record.status = workflow.plan("submit", None, actor)
            record.source = Source.GRADUATE
            _save(record)
            _audit(actor, "submit", record, None)
        else:
            record.status = workflow.plan("record", None, actor)
            record.source = Source.ADMIN
            record.decided_by = actor.user
            record.decided_at = timezone.now()
            _supersede_pending(actor, graduate, _("管理员已登记毕业去向"))
            _retire_current(actor, graduate, "supersede")
            record.is_current = True
            _save(record)
            _audit(actor, "record", record, None)
            _notify(
                graduate,
                "destination_recorded",
                _("学校已登记您的毕业去向"),
                _("您的毕业去向已登记为“%(name)s”。") % {"name": req.name},
            )
        for clean, original in clean_files:
            proof = Proof(
                destination=record, content_type=clean.content_type, original_name=original[:200]
            )
            proof.file.save(clean.content.name, clean.content, save=False)
            proof.save()
        return record


def _reviewable(actor: Actor, record: Destination) -> bool:
    if actor.role == Role.SCHOOL_ADMIN:
        return True
    if actor.role == Role.COLLEGE_ADMIN:
        return actor.user.admin_colleges.filter(pk=record.graduate.college_id).exists()
    return False


def review(*, actor: Actor, destination_id: int, approve: bool, reason: str = "") -> Destination:
    """The college's decision on a registration: approved becomes current; rejected has a reason."""
    graduate_id = (
        Destination.objects.filter(pk=destination_id).values_list("graduate_id", flat=True).first()
    )
    if graduate_id is None:
        raise Http404(_("登记记录不存在。"))
    with transaction.atomic():
        graduate = _lock_graduate(graduate_id)
        record = (
            Destination.objects.select_for_update(of=("self",))
            .select_related("graduate")
            .get(pk=destination_id)
        )
        if not _reviewable(actor, record):
            raise Http404(_("登记记录不存在。"))
        action = "approve" if approve else "reject"
        old = record.status
        record.status = workflow.plan(action, old, actor, reason=reason)
        record.decided_by = actor.user
        record.decided_at = timezone.now()
        if approve:
            _retire_current(actor, graduate, "supersede")
            record.is_current = True
        else:
            record.reason = reason.strip()
        _save(record)
        _audit(actor, action, record, old)
        name = _name(record.code)
        if approve:
            _notify(
                graduate,
                "destination_approved",
                _("毕业去向登记已审核通过"),
                _("您登记的毕业去向“%(name)s”已审核通过。") % {"name": name},
            )
        else:
            _notify(
                graduate,
                "destination_rejected",
                _("毕业去向登记未通过"),
                _("您登记的毕业去向“%(name)s”未通过审核：%(reason)s")
                % {"name": name, "reason": record.reason},
            )
        return record
