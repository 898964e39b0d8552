"""Every write to an agreement. Each public function is one atomic, audited transition.

Locking order, the same everywhere so concurrent requests queue instead of deadlocking:
the graduate's row first, then the agreement rows. The partial unique indexes on
`Agreement` are the last word on "one binding agreement per graduate" and "one open
invitation per employer and graduate"; the checks below only give the clear message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import Role
from agreements import links
from agreements.content import clean_content
from agreements.models import (
    BINDING_STATES,
    OPEN_STATES,
    Agreement,
    AgreementVersion,
    Origin,
    ProofImage,
    State,
)
from agreements.workflow import Action, Party, TransitionRefused, plan
from core import audit
from core.context import Actor
from core.models import AuditLog
from core.uploads import IMAGES, validate_upload
from destinations import services as destinations
from settings_per_school.selectors import get_school_settings

MAX_PROOFS = 9
REMIND_BEFORE = timedelta(days=3)
ACTIVE_INVITATION_STATES = (State.DRAFT, State.INVITED, State.RETURNED)


# --- who is acting ------------------------------------------------------------------------


def party_of(actor: Actor, agreement: Agreement) -> Party | None:
    """The actor's relation to this agreement; None: they may not even see it."""
    if actor.user is None:
        return Party.SYSTEM if actor.via in ("task", "cli") else None
    role = actor.role
    if role == Role.EMPLOYER:
        employer = links.employer_for_user(actor.user)
        if employer is not None and agreement.employer_id == employer.pk:
            return Party.EMPLOYER
        return None
    if role == Role.GRADUATE:
        return Party.GRADUATE if agreement.graduate.user_id == actor.user_id else None
    if role == Role.COLLEGE_ADMIN:
        if agreement.graduate.college_id in links.college_ids_for(actor.user):
            return Party.COLLEGE
        return None
    if role == Role.SCHOOL_ADMIN:
        return Party.SCHOOL
    return None


def _lock(actor: Actor, agreement_id: int) -> tuple[Agreement, Party | None]:
    graduate_id = (
        Agreement.objects.filter(pk=agreement_id).values_list("graduate_id", flat=True).first()
    )
    if graduate_id is None:
        raise Http404(_("协议不存在。"))
    links.graduate_model().objects.select_for_update().filter(pk=graduate_id).exists()
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("graduate", "current_version")
        .get(pk=agreement_id)
    )
    party = party_of(actor, agreement)
    if party is None:
        # Someone else's agreement: as if it did not exist.
        raise Http404(_("协议不存在。"))
    return agreement, party


def _save(agreement: Agreement) -> None:
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        text = str(exc)
        if "agr_one_binding_per_graduate" in text:
            raise TransitionRefused(
                _("该毕业生已有一份在审或已签约的协议，不能再应约或提交。"), code="binding_exists"
            ) from exc
        if "agr_one_open_invitation_per_employer" in text:
            raise ValidationError(
                _("贵单位对该毕业生已有一份有效邀约，请在原邀约上修改。"), code="duplicate"
            ) from exc
        raise


def _apply(
    actor: Actor,
    agreement: Agreement,
    action: Action,
    party: Party | None,
    *,
    reason: str = "",
    needs_school_review: bool = True,
    data: dict | None = None,
) -> State:
    """Move the agreement by the workflow's rule, audit it and mirror it to the public index."""
    rule = plan(agreement, action, party, reason=reason)
    old = agreement.state
    new = rule.target_for(agreement, needs_school_review)
    agreement.state = new
    if rule.needs_reason:
        agreement.last_reason = reason.strip()
    _save(agreement)
    version = agreement.current_version.number if agreement.current_version_id else None
    audit.record(
        actor,
        f"agreement.{action}",
        target=agreement,
        reason=reason.strip(),
        data={"from": old, "to": new, "version": version, "party": party, **(data or {})},
    )
    links.sync_index(agreement)
    return new


def _graduate_has_binding(graduate, *, exclude_id: int | None = None) -> Agreement | None:
    qs = Agreement.objects.filter(graduate=graduate, state__in=BINDING_STATES)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.first()


def _require_can_sign(graduate) -> None:
    if not links.can_sign(graduate):
        raise TransitionRefused(
            _("您的生源信息尚未审核通过，暂不能签约。请先完成生源核查。"), code="cannot_sign"
        )


def _require_free(graduate, agreement: Agreement) -> None:
    other = _graduate_has_binding(graduate, exclude_id=agreement.pk)
    if other is not None:
        raise TransitionRefused(
            _("您已有一份%(state)s的协议（%(employer)s），不能再应约或提交。")
            % {"state": other.get_state_display(), "employer": other.employer_name},
            code="binding_exists",
        )


def _new_version(actor: Actor, agreement: Agreement) -> AgreementVersion:
    number = (agreement.current_version.number if agreement.current_version_id else 0) + 1
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        content=agreement.draft_content,
        created_by_role=actor.role,
        created_by_name=getattr(actor.user, "display_name", "") or actor.username,
    )
    agreement.current_version = version
    return version


# --- the employer (platform host; the school's schema is entered here) ---------------------


def _employer_of(actor: Actor):
    if actor.role != Role.EMPLOYER:
        raise PermissionError(_("只有用人单位 HR 可以发出邀约。"))
    employer = links.employer_for_user(actor.user)
    if employer is None:
        raise PermissionError(_("您的账号尚未关联用人单位。"))
    return employer


def _force_employer_fields(content: dict[str, Any], employer) -> dict[str, Any]:
    # A directory employer's identity comes from the directory, not from whoever types it.
    content = dict(content)
    content["employer_name"] = employer.name
    content["credit_code"] = employer.credit_code
    for field in ("nature", "industry", "region_code"):
        if not content.get(field) and getattr(employer, field, ""):
            content[field] = getattr(employer, field)
    return content


def create_invitation(
    *,
    actor: Actor,
    school,
    student_number: str,
    name: str,
    content: dict[str, Any],
    send: bool = True,
) -> Agreement:
    """An employer's invitation to the graduate identified by 学号 and 姓名 (both must match)."""
    employer = _employer_of(actor)
    if not employer.is_verified:
        raise PermissionError(_("单位尚未通过平台认证，暂不能发出邀约。"))
    with schema_context(school.schema_name), transaction.atomic():
        graduate = links.find_graduate(student_number, name)
        if graduate is None:
            raise ValidationError(
                {"student_number": _("未找到学号与姓名均匹配的毕业生，请核对后重试。")}
            )
        cleaned = clean_content(_force_employer_fields(content, employer))
        links.graduate_model().objects.select_for_update().filter(pk=graduate.pk).exists()
        if Agreement.objects.filter(graduate=graduate, state=State.SIGNED).exists():
            raise ValidationError({"student_number": _("该毕业生已签约，不能再发出邀约。")})
        existing = Agreement.objects.filter(
            graduate=graduate, employer_id=employer.pk, state__in=OPEN_STATES
        ).first()
        if existing is not None:
            raise ValidationError(
                {
                    "student_number": _(
                        "贵单位对该毕业生已有一份有效邀约（%(state)s），请在原邀约上修改。"
                    )
                    % {"state": existing.get_state_display()}
                }
            )
        agreement = Agreement(
            graduate=graduate,
            origin=Origin.EMPLOYER,
            state=State.DRAFT,
            employer_id=employer.pk,
            employer_name=employer.name,
            invited_by_user_id=actor.user_id,
            invited_by_name=getattr(actor.user, "display_name", "") or actor.username,
            draft_content=cleaned,
        )
        _save(agreement)
        audit.record(actor, "agreement.created", target=agreement, data={"origin": "employer"})
        links.sync_index(agreement, school=school)
        if send:
            _send(actor, agreement, Party.EMPLOYER)
        return agreement


def _send(actor: Actor, agreement: Agreement, party: Party) -> None:
    plan(agreement, Action.SEND, party)
    if Agreement.objects.filter(graduate=agreement.graduate, state=State.SIGNED).exists():
        raise TransitionRefused(_("该毕业生已签约，不能再发出邀约。"), code="graduate_signed")
    validity = get_school_settings().invitation_validity_days
    now = timezone.now()
    _new_version(actor, agreement)
    agreement.sent_at = now
    agreement.expires_at = now + timedelta(days=validity)
    agreement.reminded_at = None
    agreement.accepted_version = None
    _apply(actor, agreement, Action.SEND, party)
    links.notify(
        user=agreement.graduate.user,
        event="invitation_received",
        title=_("您收到一份就业协议邀约"),
        body=_("%(employer)s 向您发出了三方协议邀约，请在 %(date)s 前查看并应约或打回。")
        % {
            "employer": agreement.employer_name,
            "date": timezone.localtime(agreement.expires_at).strftime("%Y-%m-%d %H:%M"),
        },
        url=f"/agreements/{agreement.pk}/",
    )


def send_invitation(*, actor: Actor, school, agreement_id: int) -> Agreement:
    """Send a draft, or re-send a returned invitation: a new immutable version either way."""
    _employer_of(actor)
    with schema_context(school.schema_name), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        _send(actor, agreement, party)
        return agreement


def edit_agreement(
    *, actor: Actor, agreement_id: int, content: dict[str, Any], school=None
) -> Agreement:
    """Change the working copy of a draft (or of a returned invitation, for the employer)."""
    with _in_school(school), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party)
        if agreement.employer_id:
            employer = links.employer_by_id(agreement.employer_id)
            content = _force_employer_fields(content, employer)
        cleaned = clean_content(content)
        old = agreement.draft_content
        agreement.draft_content = cleaned
        if agreement.origin == Origin.GRADUATE and not agreement.employer_id:
            agreement.employer_name = cleaned["employer_name"]
        _save(agreement)
        changed = sorted(k for k in cleaned if old.get(k) != cleaned.get(k))
        audit.record(actor, "agreement.edited", target=agreement, data={"fields": changed})
        links.sync_index(agreement)
        return agreement


def withdraw_invitation(*, actor: Actor, school, agreement_id: int, reason: str = "") -> Agreement:
    with schema_context(school.schema_name), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        was_invited = agreement.state == State.INVITED
        _apply(actor, agreement, Action.WITHDRAW, party, reason=reason)
        if was_invited:
            links.notify(
                user=agreement.graduate.user,
                event="invitation_closed",
                title=_("邀约已被单位撤回"),
                body=_("%(employer)s 撤回了对您的邀约。") % {"employer": agreement.employer_name},
                url=f"/agreements/{agreement.pk}/",
            )
        return agreement


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _in_school(school):
    return schema_context(school.schema_name) if school is not None else _Nothing()


# --- the graduate (school host) -------------------------------------------------------------


def accept_invitation(*, actor: Actor, agreement_id: int, version: int, password: str) -> Agreement:
    """应约: the graduate accepts one specific version, confirming with their password."""
    if actor.user is None or not actor.user.check_password(password or ""):
        raise ValidationError({"password": _("密码不正确，请重新输入登录密码以确认应约。")})
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.ACCEPT, party)
        if agreement.current_version is None or agreement.current_version.number != version:
            raise TransitionRefused(
                _("邀约内容已更新，请查看最新版本后再应约。"), code="stale_version"
            )
        if agreement.expires_at and agreement.expires_at <= timezone.now():
            raise TransitionRefused(_("邀约已过期，不能应约。"), code="expired")
        _require_can_sign(agreement.graduate)
        _require_free(agreement.graduate, agreement)
        agreement.accepted_version = agreement.current_version
        _apply(actor, agreement, Action.ACCEPT, party, data={"accepted_version": version})
        return agreement


def return_invitation(*, actor: Actor, agreement_id: int, reason: str) -> Agreement:
    """打回: the graduate sends the invitation back to the employer with a reason."""
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        _apply(actor, agreement, Action.RETURN, party, reason=reason)
        links.notify_employer(
            agreement,
            event="invitation_returned",
            title=_("邀约被毕业生打回"),
            body=_("%(name)s 打回了邀约：%(reason)s")
            % {"name": agreement.graduate.name, "reason": agreement.last_reason},
        )
        return agreement


def start_own_agreement(
    *, actor: Actor, content: dict[str, Any], employer_id: int | None = None
) -> Agreement:
    """学生发起签约: a draft the graduate edits, saves, adds proofs to and submits."""
    if actor.role != Role.GRADUATE:
        raise PermissionError(_("只有毕业生本人可以发起签约。"))
    if not get_school_settings().allow_student_initiation:
        raise PermissionError(_("学校尚未开放学生发起签约。"))
    graduate = links.graduate_for_user(actor.user)
    if graduate is None:
        raise PermissionError(_("未找到您的毕业生信息。"))
    with transaction.atomic():
        links.graduate_model().objects.select_for_update().filter(pk=graduate.pk).exists()
        if Agreement.objects.filter(
            graduate=graduate, origin=Origin.GRADUATE, state=State.DRAFT
        ).exists():
            raise ValidationError(_("您已有一份未提交的签约草稿，请继续编辑它。"))
        employer = None
        if employer_id:
            employer = links.employer_by_id(employer_id)
            if employer is None:
                raise ValidationError({"employer_id": _("所选单位不存在，请重新选择。")})
            content = _force_employer_fields(content, employer)
        cleaned = clean_content(content)
        agreement = Agreement(
            graduate=graduate,
            origin=Origin.GRADUATE,
            state=State.DRAFT,
            employer_id=employer.pk if employer else None,
            employer_name=cleaned["employer_name"],
            draft_content=cleaned,
        )
        _save(agreement)
        audit.record(actor, "agreement.created", target=agreement, data={"origin": "graduate"})
        links.sync_index(agreement)
        return agreement


def add_proof(*, actor: Actor, agreement_id: int, upload) -> ProofImage:
    """One proof-of-employment image (JPEG/PNG checked by content, at most nine per agreement)."""
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party)
        if agreement.proofs.filter(removed=False).count() >= MAX_PROOFS:
            raise ValidationError({"image": _("证明材料最多 9 张。")})
        try:
            clean = validate_upload(upload, kinds=IMAGES)
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        proof = ProofImage(agreement=agreement, original_name=(upload.name or "")[:200])
        proof.image.save(clean.content.name, clean.content, save=False)
        proof.save()
        audit.record(actor, "agreement.proof_added", target=agreement, data={"proof": proof.pk})
        return proof


def remove_proof(*, actor: Actor, agreement_id: int, proof_id: int) -> None:
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party)
        updated = agreement.proofs.filter(pk=proof_id, removed=False).update(removed=True)
        if not updated:
            raise Http404(_("图片不存在。"))
        audit.record(actor, "agreement.proof_removed", target=agreement, data={"proof": proof_id})


def submit_own_agreement(*, actor: Actor, agreement_id: int) -> Agreement:
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.SUBMIT, party)
        if not get_school_settings().allow_student_initiation:
            raise PermissionError(_("学校尚未开放学生发起签约。"))
        _require_can_sign(agreement.graduate)
        proofs = agreement.proofs.filter(removed=False).count()
        if not 1 <= proofs <= MAX_PROOFS:
            raise ValidationError({"image": _("请上传 1 至 9 张就业证明材料图片。")})
        _require_free(agreement.graduate, agreement)
        agreement.accepted_version = _new_version(actor, agreement)
        agreement.last_reason = ""
        _apply(actor, agreement, Action.SUBMIT, party)
        return agreement


# --- reviews (school host) ---------------------------------------------------------------


def review_agreement(
    *, actor: Actor, agreement_id: int, approve: bool, reason: str = ""
) -> Agreement:
    """A college or school review decision; a rejection needs a reason and goes to the fixer."""
    needs_school_review = get_school_settings().student_initiated_needs_school_review
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        action = Action.APPROVE if approve else Action.REJECT
        if not approve:
            plan(agreement, action, party, reason=reason)
            agreement.accepted_version = (
                None if agreement.origin == Origin.EMPLOYER else agreement.accepted_version
            )
        new = _apply(
            actor,
            agreement,
            action,
            party,
            reason=reason,
            needs_school_review=needs_school_review,
        )
        graduate = agreement.graduate
        url = f"/agreements/{agreement.pk}/"
        if new == State.SIGNED:
            _on_signed(actor, agreement)
        elif approve:
            links.notify(
                user=graduate.user,
                event="review_approved",
                title=_("协议已通过院系审核"),
                body=_("您与 %(employer)s 的协议已通过院系审核，等待学校审核。")
                % {"employer": agreement.employer_name},
                url=url,
            )
        else:
            body = _("您与 %(employer)s 的协议审核未通过：%(reason)s") % {
                "employer": agreement.employer_name,
                "reason": agreement.last_reason,
            }
            links.notify(
                user=graduate.user,
                event="review_rejected",
                title=_("协议审核未通过"),
                body=body,
                url=url,
            )
            if agreement.origin == Origin.EMPLOYER:
                links.notify_employer(
                    agreement,
                    event="review_rejected",
                    title=_("协议审核未通过，请修改后重新发送"),
                    body=_("%(name)s 的协议审核未通过：%(reason)s")
                    % {"name": graduate.name, "reason": agreement.last_reason},
                )
        return agreement


def _on_signed(actor: Actor, agreement: Agreement) -> None:
    agreement.signed_at = timezone.now()
    agreement.save(update_fields=["signed_at", "updated_at"])
    destinations.record_signed_agreement(actor=actor, agreement=agreement)  # 毕业去向 10
    links.notify(
        user=agreement.graduate.user,
        event="agreement_signed",
        title=_("签约成功"),
        body=_("您与 %(employer)s 的三方协议已签约成功。") % {"employer": agreement.employer_name},
        url=f"/agreements/{agreement.pk}/",
    )
    links.notify_employer(
        agreement,
        event="agreement_signed",
        title=_("签约成功"),
        body=_("与 %(name)s 的三方协议已签约成功。") % {"name": agreement.graduate.name},
    )
    reason = _("毕业生已与其他单位签约")
    others = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("graduate", "current_version")
        .filter(graduate=agreement.graduate, state__in=ACTIVE_INVITATION_STATES)
        .exclude(pk=agreement.pk)
        .order_by("pk")
    )
    for other in others:
        _apply(actor, other, Action.CLOSE, Party.SYSTEM, reason=reason)
        links.notify_employer(
            other,
            event="invitation_closed",
            title=_("邀约已关闭"),
            body=_("对 %(name)s 的邀约已关闭：%(reason)s")
            % {"name": other.graduate.name, "reason": reason},
        )


# --- the sweep (Celery beat, per school) ---------------------------------------------------


def expire_due_invitations(*, actor: Actor, now: datetime | None = None, batch: int = 500) -> int:
    """Expire every invitation past its validity in the current school; returns how many.

    Rows an accept or withdraw holds are skipped (SKIP LOCKED): that request decides them,
    and the next sweep looks again if they are still invited. Each batch is one transaction
    written with set-based statements (a peak day expires thousands per school), but every
    row still goes through the workflow's rule, gets its audit row, index update and notices.
    """
    now = now or timezone.now()
    school = links.current_school()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                Agreement.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("graduate__user", "current_version")
                .filter(state=State.INVITED, expires_at__lte=now)
                .order_by("expires_at", "pk")[:batch]
            )
            if not rows:
                return total
            entries = []
            for agreement in rows:
                rule = plan(agreement, Action.EXPIRE, Party.SYSTEM)
                new = rule.target_for(agreement)
                version = agreement.current_version.number if agreement.current_version_id else None
                entries.append(
                    audit.build(
                        actor,
                        f"agreement.{Action.EXPIRE}",
                        target=agreement,
                        data={"from": agreement.state, "to": new, "version": version},
                    )
                )
                agreement.state = new
                agreement.updated_at = now
            ids = [a.pk for a in rows]
            Agreement.objects.filter(pk__in=ids).update(state=State.EXPIRED, updated_at=now)
            AuditLog.objects.bulk_create(entries)
            links.sync_index_states(rows, school=school)
            for agreement in rows:
                links.notify(
                    user=agreement.graduate.user,
                    event="invitation_expired",
                    title=_("邀约已过期"),
                    body=_("%(employer)s 的邀约已过期。") % {"employer": agreement.employer_name},
                    url=f"/agreements/{agreement.pk}/",
                )
            links.notify_employers(
                rows,
                event="invitation_expired",
                title=_("邀约已过期"),
                body=lambda a: (
                    _("对 %(name)s 的邀约已过期，毕业生未作处理。") % {"name": a.graduate.name}
                ),
                school=school,
            )
            total += len(rows)


def remind_expiring_invitations(*, now: datetime | None = None, batch: int = 500) -> int:
    """One reminder per sending, three days before the invitation expires."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                Agreement.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("graduate__user")
                .filter(
                    state=State.INVITED,
                    reminded_at__isnull=True,
                    expires_at__gt=now,
                    expires_at__lte=now + REMIND_BEFORE,
                )
                .order_by("expires_at", "pk")[:batch]
            )
            if not rows:
                return total
            for agreement in rows:
                agreement.reminded_at = now
                links.notify(
                    user=agreement.graduate.user,
                    event="invitation_expiring",
                    title=_("邀约即将过期"),
                    body=_("%(employer)s 的邀约将于 %(date)s 过期，请及时应约或打回。")
                    % {
                        "employer": agreement.employer_name,
                        "date": timezone.localtime(agreement.expires_at).strftime("%Y-%m-%d %H:%M"),
                    },
                    url=f"/agreements/{agreement.pk}/",
                )
            Agreement.objects.bulk_update(rows, ["reminded_at"])
            total += len(rows)
