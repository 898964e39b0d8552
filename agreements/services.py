"""Every write to an agreement. Each public function is one atomic, audited transition.

Locking order, the same everywhere so concurrent requests queue instead of deadlocking:
the graduate's row first, then the agreement rows. The partial unique indexes on
`Agreement` are the last word on "one binding agreement per graduate" and "one open
invitation per employer and graduate"; the checks below only give the clear message.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tenants.utils import schema_context

from accounts.models import Role
from agreements import links, notices
from agreements.content import clean_content
from agreements.models import Agreement, AgreementVersion, ProofImage
from agreements.notices import AuditAction
from agreements.parties import party_of
from agreements.workflow import (
    OPEN_STATES,
    PRE_BINDING_STATES,
    SIGNED_STATES,
    Action,
    Context,
    Origin,
    Party,
    State,
    Transition,
    TransitionRefused,
    plan,
)
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed, NotFound, constraint_name
from core.models import AuditLog
from core.uploads import IMAGES, validate_upload
from destinations import services as destinations
from settings_per_school.selectors import get_school_settings

MAX_PROOFS = 9
# Edits and the sweep depend on no setting: they skip reading the school's settings.
_NO_CONTEXT = Context()
REMIND_BEFORE = timedelta(days=3)


# --- who is acting (agreements/parties.py) ------------------------------------------------


def _lock(actor: Actor, agreement_id: int) -> tuple[Agreement, Party | None]:
    graduate_id = (
        Agreement.objects.filter(pk=agreement_id).values_list("graduate_id", flat=True).first()
    )
    if graduate_id is None:
        raise NotFound(_("协议不存在。"))
    links.graduate_model().objects.select_for_update().filter(pk=graduate_id).exists()
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("graduate", "current_version")
        .get(pk=agreement_id)
    )
    party = party_of(actor, agreement)
    if party is None:
        # Someone else's agreement: as if it did not exist.
        raise NotFound(_("协议不存在。"))
    return agreement, party


def _save(agreement: Agreement) -> None:
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        name = constraint_name(exc)
        if name == "agr_one_binding_per_graduate":
            raise TransitionRefused(
                _("该毕业生已有一份在审或已签约的协议，不能再应约或提交。"), code="binding_exists"
            ) from exc
        if name == "agr_one_open_invitation_per_employer":
            raise ValidationError(
                _("贵单位对该毕业生已有一份有效邀约，请在原邀约上修改。"), code="duplicate"
            ) from exc
        raise


def _apply(
    actor: Actor,
    agreement: Agreement,
    transition: Transition,
    *,
    reason: str = "",
    data: dict | None = None,
    notify: bool = True,
) -> State:
    """Take the planned transition: save, audit, mirror to the public index, notify."""
    old, new = transition.source, transition.target
    agreement.state = new
    if transition.rule.needs_reason:
        agreement.last_reason = reason.strip()
    _save(agreement)
    version = agreement.current_version.number if agreement.current_version_id else None
    audit.record(
        actor,
        AuditAction.of(transition.action),
        target=agreement,
        reason=reason.strip(),
        data={
            "from": old,
            "to": new,
            "version": version,
            "party": transition.party,
            **(data or {}),
        },
    )
    links.sync_index(agreement)
    if notify:
        notices.emit(transition, agreement)
    return new


def _move(
    actor: Actor,
    agreement: Agreement,
    action: Action,
    party: Party | None,
    *,
    reason: str = "",
    data: dict | None = None,
) -> Transition:
    """Plan and apply in one go, for steps with nothing to do in between."""
    transition = plan(agreement, action, party, reason=reason)
    _apply(actor, agreement, transition, reason=reason, data=data)
    return transition


def _new_version(actor: Actor, agreement: Agreement) -> AgreementVersion:
    number = (agreement.current_version.number if agreement.current_version_id else 0) + 1
    content = dict(agreement.draft_content)
    if agreement.origin == Origin.GRADUATE:
        # The proofs are part of what is submitted: freeze them so the version diff shows them.
        content["proofs"] = [
            {"id": p.pk, "name": p.original_name}
            for p in agreement.proofs.filter(removed=False).order_by("pk")
        ]
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        content=content,
        created_by_role=actor.role,
        created_by_name=getattr(actor.user, "display_name", "") or actor.username,
    )
    agreement.current_version = version
    return version


# --- the employer (platform host; the school's schema is entered here) ---------------------


def _inviting_employer(actor: Actor):
    """The HR user's organisation if it may invite: the one check, on first send and re-send."""
    if actor.role != Role.EMPLOYER:
        raise NotAllowed(_("只有用人单位 HR 可以发出邀约。"))
    if links.employer_for_user(actor.user) is None:
        raise NotAllowed(_("您的账号尚未关联用人单位。"))
    employer = links.verified_employer_for_user(actor.user)
    if employer is None:
        raise NotAllowed(_("单位尚未通过平台认证，暂不能发出邀约。"))
    return employer


def _refuse_if_signed(graduate) -> None:
    """One check of "already signed" before anything is created or sent."""
    if Agreement.objects.filter(graduate=graduate, state__in=SIGNED_STATES).exists():
        # The same words as "no such graduate" (CANNOT_INVITE, below).
        raise TransitionRefused(str(CANNOT_INVITE), code="graduate_signed")


def _force_employer_fields(content: dict[str, Any], employer) -> dict[str, Any]:
    # A directory employer's identity comes from the directory, not from whoever types it.
    content = dict(content)
    content["employer_name"] = employer.name
    content["credit_code"] = employer.credit_code
    for field in ("nature", "industry", "region_code"):
        if not content.get(field) and getattr(employer, field, ""):
            content[field] = getattr(employer, field)
    return content


# One refusal for "no graduate with this 学号 and 姓名" and "this graduate can't be invited"
# (signed elsewhere): the invitation form must not tell an employer who exists or who signed.
CANNOT_INVITE = _lazy(
    "无法向该毕业生发出邀约：请核对学号与姓名。如信息无误，该毕业生目前不能接收新的邀约。"
)


class InvitationRateLimited(NotAllowed):
    """Too many invitations created in the window (per employer, or at one school)."""


def _count_invitation_attempt(employer, school) -> None:
    """Every attempt counts, refused ones too: failures are what an oracle feeds on."""
    from django.conf import settings

    from core import ratelimit

    window = settings.INVITATION_RATE_WINDOW_SECONDS
    by_employer = ratelimit.hit(
        f"invitations:employer:{employer.pk}",
        limit=settings.INVITATION_RATE_PER_EMPLOYER,
        window=window,
    )
    by_school = ratelimit.hit(
        f"invitations:school:{school.pk}", limit=settings.INVITATION_RATE_PER_SCHOOL, window=window
    )
    if not (by_employer and by_school):
        raise InvitationRateLimited(
            _("发出邀约过于频繁，请稍后再试（每小时最多 %(n)d 份）。")
            % {"n": settings.INVITATION_RATE_PER_EMPLOYER}
        )


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
    employer = _inviting_employer(actor)
    _count_invitation_attempt(employer, school)
    with schema_context(school.schema_name), transaction.atomic():
        graduate = links.find_graduate(student_number, name)
        if graduate is None:
            raise ValidationError({"student_number": str(CANNOT_INVITE)})
        cleaned = clean_content(_force_employer_fields(content, employer))
        links.graduate_model().objects.select_for_update().filter(pk=graduate.pk).exists()
        try:
            _refuse_if_signed(graduate)
        except TransitionRefused as exc:
            raise ValidationError({"student_number": exc.messages}) from exc
        # Only the employer's own invitations count (as the partial unique index says): a
        # graduate's agreement naming this employer is not its invitation.
        existing = Agreement.objects.filter(
            graduate=graduate,
            employer_id__in=links.employer_id_family(employer.pk),
            origin=Origin.EMPLOYER,
            state__in=OPEN_STATES,
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
        audit.record(actor, AuditAction.CREATED, target=agreement, data={"origin": "employer"})
        links.sync_index(agreement, school=school)
        if send:
            _send(actor, agreement, Party.EMPLOYER)
        return agreement


def _send(actor: Actor, agreement: Agreement, party: Party) -> None:
    transition = plan(agreement, Action.SEND, party)
    _refuse_if_signed(agreement.graduate)
    validity = get_school_settings().invitation_validity_days
    now = timezone.now()
    _new_version(actor, agreement)
    agreement.sent_at = now
    agreement.expires_at = now + timedelta(days=validity)
    agreement.reminded_at = None
    agreement.accepted_version = None
    _apply(actor, agreement, transition)


def send_invitation(*, actor: Actor, school, agreement_id: int) -> Agreement:
    """Send a draft, or re-send a returned invitation: a new immutable version either way."""
    _inviting_employer(actor)
    with schema_context(school.schema_name), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        _send(actor, agreement, party)
        return agreement


UNCHANGED: Any = object()


def edit_agreement(
    *,
    actor: Actor,
    agreement_id: int,
    content: dict[str, Any],
    school=None,
    employer_id: Any = UNCHANGED,
) -> Agreement:
    """Change the working copy of a draft (or of a returned invitation, for the employer).

    A graduate's own draft may also switch its employer: another 云 entry, or none (typed in).
    """
    with _in_school(school), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party, ctx=_NO_CONTEXT)
        if (
            employer_id is not UNCHANGED
            and agreement.origin == Origin.GRADUATE
            and (employer_id or None) != agreement.employer_id
        ):
            _switch_employer(agreement, employer_id or None)
        if agreement.employer_id:
            employer = links.employer_by_id(agreement.employer_id)  # the survivor of a merge
            content = _force_employer_fields(content, employer)
            agreement.employer_name = employer.name
        cleaned = clean_content(content)
        old = agreement.draft_content
        agreement.draft_content = cleaned
        if agreement.origin == Origin.GRADUATE:
            agreement.employer_name = cleaned["employer_name"]
        _save(agreement)
        changed = sorted(k for k in cleaned if old.get(k) != cleaned.get(k))
        audit.record(actor, AuditAction.EDITED, target=agreement, data={"fields": changed})
        links.sync_index(agreement)
        return agreement


def _switch_employer(agreement: Agreement, employer_id: int | None) -> None:
    if employer_id is not None and links.employer_by_id(employer_id) is None:
        raise ValidationError({"employer_id": _("所选单位不存在，请重新选择。")})
    if agreement.employer_id:
        # The old employer's cross-school view must not keep a draft that is no longer theirs.
        from employers.models import AgreementIndexEntry

        AgreementIndexEntry.objects.filter(
            school_id=links.current_school().pk, agreement_id=agreement.pk
        ).delete()
    agreement.employer_id = employer_id


def withdraw_invitation(*, actor: Actor, school, agreement_id: int, reason: str = "") -> Agreement:
    with schema_context(school.schema_name), transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        _move(actor, agreement, Action.WITHDRAW, party, reason=reason)
        return agreement


def _in_school(school):
    return schema_context(school.schema_name) if school is not None else nullcontext()


# --- the graduate (school host) -------------------------------------------------------------


def accept_invitation(*, actor: Actor, agreement_id: int, version: int, password: str) -> Agreement:
    """应约: the graduate accepts one specific version, confirming with their password."""
    from accounts import password_checks

    # Outside the transaction: a wrong password stays counted as a failed login (axes).
    if actor.user is None or not password_checks.verify(actor, actor.user, password or ""):
        wrong = _("密码不正确，请重新输入登录密码以确认应约。")
        refusal = password_checks.refusal(actor, actor.user, wrong) if actor.user else wrong
        raise ValidationError({"password": refusal})
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        # The workflow refuses a wrong state first, then the graduate who may not bind now.
        transition = plan(agreement, Action.ACCEPT, party)
        if agreement.current_version is None or agreement.current_version.number != version:
            raise TransitionRefused(
                _("邀约内容已更新，请查看最新版本后再应约。"), code="stale_version"
            )
        if agreement.expires_at and agreement.expires_at <= timezone.now():
            raise TransitionRefused(_("邀约已过期，不能应约。"), code="expired")
        agreement.accepted_version = agreement.current_version
        _apply(actor, agreement, transition, data={"accepted_version": version})
        links.notify_reviewers(agreement.graduate, "college")
        return agreement


def return_invitation(*, actor: Actor, agreement_id: int, reason: str) -> Agreement:
    """打回: the graduate sends the invitation back to the employer with a reason."""
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        _move(actor, agreement, Action.RETURN, party, reason=reason)
        return agreement


def start_own_agreement(
    *, actor: Actor, content: dict[str, Any], employer_id: int | None = None
) -> Agreement:
    """学生发起签约: a draft the graduate edits, saves, adds proofs to and submits."""
    if actor.role != Role.GRADUATE:
        raise NotAllowed(_("只有毕业生本人可以发起签约。"))
    if not get_school_settings().allow_student_initiation:
        raise NotAllowed(_("学校尚未开放学生发起签约。"))
    graduate = links.graduate_for_user(actor.user)
    if graduate is None:
        raise NotAllowed(_("未找到您的毕业生信息。"))
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
        audit.record(actor, AuditAction.CREATED, target=agreement, data={"origin": "graduate"})
        links.sync_index(agreement)
        return agreement


def add_proof(*, actor: Actor, agreement_id: int, upload) -> ProofImage:
    """One proof-of-employment image (JPEG/PNG checked by content, at most nine per agreement)."""
    return add_proofs(actor=actor, agreement_id=agreement_id, uploads=[upload])[0]


def add_proofs(*, actor: Actor, agreement_id: int, uploads: list) -> list[ProofImage]:
    """Several proof images at once: all of them or none (at most nine per agreement)."""
    if not uploads:
        raise ValidationError({"image": _("请选择图片。")})
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party, ctx=_NO_CONTEXT)
        have = agreement.proofs.filter(removed=False).count()
        if have + len(uploads) > MAX_PROOFS:
            raise ValidationError(
                {
                    "image": _("证明材料最多 9 张：已有 %(have)d 张，最多还能上传 %(left)d 张。")
                    % {"have": have, "left": max(MAX_PROOFS - have, 0)}
                }
            )
        cleaned = []
        for upload in uploads:
            try:
                cleaned.append((upload, validate_upload(upload, kinds=IMAGES)))
            except ValidationError as exc:
                raise ValidationError(
                    {"image": [f"{upload.name}：{m}" for m in exc.messages]}
                ) from exc
        proofs = []
        for upload, clean in cleaned:
            proof = ProofImage(agreement=agreement, original_name=(upload.name or "")[:200])
            proof.image.save(clean.content.name, clean.content, save=False)
            proof.save()
            audit.record(actor, AuditAction.PROOF_ADDED, target=agreement, data={"proof": proof.pk})
            proofs.append(proof)
        return proofs


def delete_own_draft(*, actor: Actor, agreement_id: int, reason: str = "") -> None:
    """The graduate deletes their own 学生发起 draft (audited; the audit trail stays)."""
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party, ctx=_NO_CONTEXT)
        if agreement.origin != Origin.GRADUATE or party != Party.GRADUATE:
            raise NotAllowed(_("只能删除自己发起的签约草稿。"))
        audit.record(
            actor,
            AuditAction.DELETED,
            target=agreement,
            reason=reason.strip(),
            data={
                "employer_name": agreement.employer_name,
                "versions": agreement.versions.count(),
                "proofs": agreement.proofs.count(),
            },
        )
        if agreement.employer_id:
            from employers.models import AgreementIndexEntry

            AgreementIndexEntry.objects.filter(
                school_id=links.current_school().pk, agreement_id=agreement.pk
            ).delete()
        Agreement.objects.filter(pk=agreement.pk).update(
            current_version=None, accepted_version=None
        )
        for proof in agreement.proofs.all():
            proof.image.delete(save=False)
        agreement.proofs.all().delete()
        agreement.versions.all().delete()
        Agreement.objects.filter(pk=agreement.pk).delete()


def remove_proof(*, actor: Actor, agreement_id: int, proof_id: int) -> None:
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        plan(agreement, Action.EDIT, party, ctx=_NO_CONTEXT)
        proof = agreement.proofs.select_for_update().filter(pk=proof_id, removed=False).first()
        if proof is None:
            raise NotFound(_("图片不存在。"))
        name = proof.image.name
        proof.removed = True
        proof.image = ""  # the row (and the audit) remember it existed; nobody can open it
        proof.save(update_fields=["removed", "image"])
        audit.record(actor, AuditAction.PROOF_REMOVED, target=agreement, data={"proof": proof_id})
        transaction.on_commit(lambda: _delete_stored(name))


def _delete_stored(name: str) -> None:
    from django.core.files.storage import default_storage

    if name:
        default_storage.delete(name)


def submit_own_agreement(*, actor: Actor, agreement_id: int) -> Agreement:
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        transition = plan(agreement, Action.SUBMIT, party)
        if not get_school_settings().allow_student_initiation:
            raise NotAllowed(_("学校尚未开放学生发起签约。"))
        proofs = agreement.proofs.filter(removed=False).count()
        if not 1 <= proofs <= MAX_PROOFS:
            raise ValidationError({"image": _("请上传 1 至 9 张就业证明材料图片。")})
        agreement.accepted_version = _new_version(actor, agreement)
        agreement.last_reason = ""
        _apply(actor, agreement, transition)
        links.notify_reviewers(agreement.graduate, "college")
        return agreement


# --- reviews (school host) ---------------------------------------------------------------


def review_agreement(
    *, actor: Actor, agreement_id: int, approve: bool, reason: str = ""
) -> Agreement:
    """A college or school review decision; a rejection needs a reason and goes to the fixer.

    The rule picks the next state and the notices; signing also closes the graduate's other
    open invitations.
    """
    with transaction.atomic():
        agreement, party = _lock(actor, agreement_id)
        action = Action.APPROVE if approve else Action.REJECT
        transition = plan(agreement, action, party, reason=reason)
        if not approve and agreement.origin == Origin.EMPLOYER:
            agreement.accepted_version = None  # the employer edits and sends a new version
        if transition.target == State.SIGNED:
            agreement.signed_at = timezone.now()
        _apply(actor, agreement, transition, reason=reason)
        if transition.target == State.SCHOOL_REVIEW:
            links.notify_reviewers(agreement.graduate, "school")
        if transition.target == State.SIGNED:
            _on_signed(actor, agreement)
        return agreement


def _on_signed(actor: Actor, agreement: Agreement) -> None:
    """Inside the signing transaction: the 协议编号, the PDF once it commits, 毕业去向 10, the
    others closed."""
    from agreements import numbering, printing

    numbering.assign(agreement, school=links.current_school(), signed_at=agreement.signed_at)
    printing.render_after_commit(agreement.pk)
    destinations.record_signed_agreement(actor=actor, agreement=agreement)  # 毕业去向 10
    _close_others(actor, agreement)


def _close_others(actor: Actor, agreement: Agreement) -> None:
    reason = _("毕业生已与其他单位签约")
    others = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("graduate", "current_version")
        .filter(graduate=agreement.graduate, state__in=PRE_BINDING_STATES)
        .exclude(pk=agreement.pk)
        .order_by("pk")
    )
    for other in others:
        _move(actor, other, Action.CLOSE, Party.SYSTEM, reason=reason)


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
                new = plan(agreement, Action.EXPIRE, Party.SYSTEM, ctx=_NO_CONTEXT).target
                version = agreement.current_version.number if agreement.current_version_id else None
                entries.append(
                    audit.build(
                        actor,
                        AuditAction.EXPIRE,
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
            notices.invitations_expired(rows, school=school)
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
                notices.invitation_expiring(agreement)
            Agreement.objects.bulk_update(rows, ["reminded_at"])
            total += len(rows)
