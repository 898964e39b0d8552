"""生源核查: the one place that owns the verification states, their transitions and rules.

    imported ─start─▶ verifying ─submit─▶ submitted ─approve─▶ approved
                         ▲   ◀─withdraw─┘    │
                         └──start── rejected ◀┘ reject (reason)

Every transition locks the record, checks the state it is in, writes an audit row
(actor, time, IP, reason) and, for decisions, emits the notification event, all in
one transaction: two reviewers deciding at once give one decision.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from students import events
from students.models import Graduate, TrainingMode, VerificationState

S = VerificationState

# What the graduate may correct. Everything else (学号, 姓名, 身份证号, 性别, 学院, 专业, 班级,
# 学历层次, 毕业年份) comes from the school's roster and stays locked.
EDITABLE_FIELDS: tuple[str, ...] = (
    "ethnicity",
    "political_status",
    "origin",
    "mobile",
    "email",
    "home_address",
    "enrolment_date",
    "study_length",
    "training_mode",
    "sponsor_unit",
    "archive_moves",
    "archive_unit",
    "archive_address",
    "archive_postcode",
    "archive_phone",
)
# action → (states it may start from, state it leads to, who may do it)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "start": (frozenset({S.IMPORTED, S.REJECTED}), S.VERIFYING, Role.GRADUATE),
    "submit": (frozenset({S.VERIFYING}), S.SUBMITTED, Role.GRADUATE),
    "withdraw": (frozenset({S.SUBMITTED}), S.VERIFYING, Role.GRADUATE),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED, Role.COLLEGE_ADMIN),
    "reject": (frozenset({S.SUBMITTED}), S.REJECTED, Role.COLLEGE_ADMIN),
}
ACTION_LABELS = {
    "start": gettext_lazy("开始核验"),
    "submit": gettext_lazy("提交审核"),
    "withdraw": gettext_lazy("撤回"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("退回"),
}


def snapshot(field: str, value: Any) -> Any:
    """A JSON-safe form of a field value, as kept in `imported_values`."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def _blank_as_none(value: Any) -> Any:
    return None if value in ("", None) else value


def changed_fields(graduate: Graduate) -> list[str]:
    """Editable fields whose value differs from what the school imported."""
    imported = graduate.imported_values or {}
    return [
        f
        for f in EDITABLE_FIELDS
        if _blank_as_none(snapshot(f, getattr(graduate, f))) != _blank_as_none(imported.get(f))
    ]


def _can_review(actor: Actor, graduate: Graduate) -> bool:
    from students.reviewers import may_review_source

    return actor.user is not None and may_review_source(actor.user, graduate)


def _check_actor(actor: Actor, graduate: Graduate, who: str) -> None:
    if who == Role.GRADUATE:
        if actor.role != Role.GRADUATE or actor.user_id != graduate.user_id:
            raise NotAllowed(_("只能操作自己的生源信息。"))
    elif not _can_review(actor, graduate):
        raise NotAllowed(
            _("只有本学院的院系管理员（学院未绑定时为校级管理员）可以审核该毕业生的生源信息。")
        )


def _locked(graduate: Graduate) -> Graduate:
    return Graduate.objects.select_for_update().select_related("college").get(pk=graduate.pk)


def _transition(
    actor: Actor,
    graduate: Graduate,
    action: str,
    *,
    reason: str = "",
    expected_revision: int | None = None,
) -> Graduate:
    sources, target, who = TRANSITIONS[action]
    _check_actor(actor, graduate, who)
    record = _locked(graduate)
    if record.state not in sources:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能%(action)s。")
            % {"state": record.get_state_display(), "action": ACTION_LABELS[action]},
            code="state",
        )
    if expected_revision is not None and record.revision != expected_revision:
        raise ValidationError(_("毕业生在您查看之后重新提交了信息，请刷新后再审核。"), code="stale")
    previous = record.state
    record.state = target
    fields = ["state", "updated_at"]
    now = timezone.now()
    if action == "submit":
        record.revision += 1
        record.submitted_at = now
        fields += ["revision", "submitted_at"]
    if action in {"approve", "reject"}:
        record.decided_at, record.decided_by, record.decision_reason = now, actor.user, reason
        fields += ["decided_at", "decided_by", "decision_reason"]
    record.save(update_fields=fields)
    audit.record(
        actor,
        f"graduate.verification.{action}",
        target=record,
        reason=reason,
        data={"from": previous, "to": target, "revision": record.revision},
    )
    return record


@transaction.atomic
def start(*, actor: Actor, graduate: Graduate) -> Graduate:
    """开始核验 (also: take a rejected record back to correct it)."""
    return _transition(actor, graduate, "start")


@transaction.atomic
def save_corrections(*, actor: Actor, graduate: Graduate, changes: dict[str, Any]) -> Graduate:
    """Apply the graduate's corrections; every value is checked like an imported cell."""
    from students.roster import COLUMN_BY_KEY

    _check_actor(actor, graduate, Role.GRADUATE)
    record = _locked(graduate)
    if record.state != S.VERIFYING:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能修改；请先点击“开始核验”。")
            % {"state": record.get_state_display()},
            code="state",
        )
    locked = sorted(set(changes) - set(EDITABLE_FIELDS))
    if locked:
        raise ValidationError(
            {f: [_("该项由学校导入，不能由学生修改。")] for f in locked}, code="locked"
        )
    errors: dict[str, list[str]] = {}
    for field, raw in changes.items():
        try:
            value = COLUMN_BY_KEY[field].parse(raw) if raw not in (None, "") else None
        except ValidationError as exc:
            errors[field] = exc.messages
            continue
        if value is None and field not in {"enrolment_date", "study_length", "archive_moves"}:
            value = ""
        setattr(record, field, value)
    if errors:
        raise ValidationError(errors)
    record.corrected_fields = changed_fields(record)
    record.save()
    audit.record(
        actor,
        "graduate.corrected",
        target=record,
        data={"fields": sorted(changes), "corrected": record.corrected_fields},
    )
    return record


def _check_complete(record: Graduate) -> None:
    errors: dict[str, list[str]] = {}
    if not record.mobile:
        errors["mobile"] = [_("请填写手机号，签约和通知都需要它。")]
    if record.training_mode in {TrainingMode.DIRECTED, TrainingMode.COMMISSIONED} and not (
        record.sponsor_unit
    ):
        errors["sponsor_unit"] = [_("定向或委培的毕业生请填写定向/委培单位。")]
    if record.archive_moves:
        for field in ("archive_unit", "archive_address"):
            if not getattr(record, field):
                errors[field] = [_("档案转出时必须填写。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def submit(*, actor: Actor, graduate: Graduate) -> Graduate:
    _check_actor(actor, graduate, Role.GRADUATE)
    current = _locked(graduate)
    if current.state == S.VERIFYING:
        _check_complete(current)
    record = _transition(actor, current, "submit")
    from students.reviewers import notify_source_waiting

    notify_source_waiting(record)
    return record


@transaction.atomic
def withdraw(*, actor: Actor, graduate: Graduate) -> Graduate:
    """Take a submission back before the college has decided."""
    return _transition(actor, graduate, "withdraw")


@transaction.atomic
def approve(
    *, actor: Actor, graduate: Graduate, reason: str = "", expected_revision: int | None = None
) -> Graduate:
    reason = (reason or "").strip() or _("信息核对无误。")
    record = _transition(
        actor, graduate, "approve", reason=reason, expected_revision=expected_revision
    )
    events.emit_verification_decided(record, approved=True, reason=reason)
    return record


@transaction.atomic
def reject(
    *, actor: Actor, graduate: Graduate, reason: str, expected_revision: int | None = None
) -> Graduate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回时必须填写原因，告诉学生需要修改什么。")]})
    record = _transition(
        actor, graduate, "reject", reason=reason, expected_revision=expected_revision
    )
    events.emit_verification_decided(record, approved=False, reason=reason)
    return record
