"""Writes on employers: registration, members, verification, edits, merges, the directory.

Every write that touches a name also updates its search keys and the bigram counts in the
same transaction, so the directory search is never behind the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.services import create_user
from codetables.selectors import normalize as normalize_code
from codetables.selectors import region_code_for
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from core.masking import mask_person_name, mask_phone
from core.uploads import IMAGES, validate_upload
from employers.credit_code import validate_credit_code
from employers.models import (
    TIER_PENDING,
    TIER_VERIFIED,
    AgreementIndexEntry,
    Employer,
    Industry,
    Membership,
    Nature,
    Status,
    posting_rank,
)
from employers.search_keys import keys_for
from employers.selectors import membership_of

EDITABLE_FIELDS = (
    "name",
    "credit_code",
    "nature",
    "industry",
    "province",
    "city",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)
# What HR may change themselves; the name and the code are what the licence proves.
HR_EDITABLE_FIELDS = ("address", "contact_name", "contact_phone", "contact_email")
PII_FIELDS = {"contact_phone"}
MAX_NAME = 200


def tier_for(status: str) -> int | None:
    return {Status.VERIFIED: TIER_VERIFIED, Status.PENDING: TIER_PENDING}.get(status)


# --- validation shared by every front door (pages, API, import) ---------------------------


def clean_employer_fields(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate employer fields; raise one ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    def present(field: str) -> bool:
        return field in data or not partial

    if present("name"):
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("请填写单位名称。")]
        elif len(name) > MAX_NAME:
            errors["name"] = [_("单位名称不能超过 200 个字符。")]
        elif len(name) < 2:
            errors["name"] = [_("单位名称至少 2 个字。")]
        cleaned["name"] = name
    if present("credit_code"):
        try:
            cleaned["credit_code"] = validate_credit_code(data.get("credit_code"))
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    if present("nature"):
        # Old vocabulary keys (private, state_owned …) and names are read as their codes.
        nature = normalize_code("unit_nature", data.get("nature"))
        if nature not in Nature.values:
            errors["nature"] = [_("请选择单位性质。")]
        cleaned["nature"] = nature
    if present("industry"):
        industry = normalize_code("unit_industry", data.get("industry"))
        if industry not in Industry.values:
            errors["industry"] = [_("请选择所属行业（国民经济行业分类门类）。")]
        cleaned["industry"] = industry
    for field, limit in (("province", 20), ("city", 40), ("address", 200), ("contact_name", 50)):
        if present(field):
            value = " ".join(str(data.get(field) or "").split())
            if len(value) > limit:
                errors[field] = [_("不能超过 %(limit)d 个字符。") % {"limit": limit}]
            cleaned[field] = value
    if present("contact_phone"):
        phone = "".join(str(data.get("contact_phone") or "").split())
        if phone and not (len(phone) <= 20 and phone.replace("-", "").replace("+", "").isdigit()):
            errors["contact_phone"] = [_("联系电话只能包含数字、“-”和“+”。")]
        cleaned["contact_phone"] = phone
    if present("contact_email"):
        email = str(data.get("contact_email") or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["contact_email"] = [_("邮箱地址格式不正确。")]
        cleaned["contact_email"] = email
    if errors:
        raise ValidationError(errors)
    return cleaned


def _duplicate_message(existing: Employer) -> ValidationError:
    existing = resolve_merged(existing)
    return ValidationError(
        {
            "credit_code": [
                _(
                    "统一社会信用代码 %(code)s 的单位“%(name)s”已在平台注册，请勿重复注册。"
                    "如需加入该单位，请联系该单位已注册的 HR（单位管理员）登录平台，"
                    "在“我的单位 → 单位成员”中为您开通账号；联系不上时可联系平台运营协助。"
                )
                % {"code": existing.credit_code, "name": existing.name}
            ]
        },
        code="duplicate",
    )


def resolve_merged(employer: Employer) -> Employer:
    """Follow merges to the organisation that survives."""
    seen = set()
    while employer.merged_into_id and employer.pk not in seen:
        seen.add(employer.pk)
        employer = Employer.objects.get(pk=employer.merged_into_id)
    return employer


# --- search keys --------------------------------------------------------------------------


def _count_bigrams(added: Iterable[str], removed: Iterable[str]) -> None:
    """Adjust the bigram counts; rows are locked in sorted order so concurrent writers can't deadlock."""
    delta: dict[str, int] = {}
    for bigram in added:
        delta[bigram] = delta.get(bigram, 0) + 1
    for bigram in removed:
        delta[bigram] = delta.get(bigram, 0) - 1
    changes = sorted((b, d) for b, d in delta.items() if d)
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO employers_bigramcount AS c (bigram, employers)
            SELECT b, d FROM unnest(%s::varchar[], %s::int[]) AS t(b, d) ORDER BY b
            ON CONFLICT (bigram) DO UPDATE SET employers = GREATEST(c.employers + EXCLUDED.employers, 0)
            """,
            [[b for b, _d in changes], [d for _b, d in changes]],
        )


def _set_name(employer: Employer, name: str, *, tally: tuple[list, list] | None = None) -> None:
    """Set the name and its search keys; count the bigrams now, or into `tally` for a batch."""
    old = list(employer.name_bigrams or []) if employer.pk else []
    for key, value in keys_for(name).items():
        setattr(employer, key, value)
    employer.name = name
    if tally is None:
        _count_bigrams(employer.name_bigrams, old)
    else:
        tally[0].extend(employer.name_bigrams)
        tally[1].extend(old)


def _search_state(employer: Employer) -> tuple[tuple[str, ...], int | None]:
    """What the postings hold for this employer now (nothing before its first save)."""
    if employer.pk is None:
        return (), None
    return tuple(employer.name_bigrams or ()), posting_rank(
        employer.search_tier, employer.name_length
    )


def _sync_postings(employer: Employer, before: tuple[tuple[str, ...], int | None]) -> None:
    """Replace the employer's postings when its name or searchability changed.

    Old rows are found by their full primary key (bigram, rank, id): point lookups even
    for bigrams that a million names share.
    """
    after = _search_state(employer)
    if after == before:
        return
    with connection.cursor() as cursor:
        old_grams, old_rank = before
        if old_rank is not None and old_grams:
            cursor.execute(
                "DELETE FROM employers_namebigram "
                "WHERE bigram = ANY(%s) AND rank = %s AND employer_id = %s",
                [list(old_grams), old_rank, employer.pk],
            )
        new_grams, new_rank = after
        if new_rank is not None and new_grams:
            cursor.execute(
                "INSERT INTO employers_namebigram (bigram, rank, employer_id) "
                "SELECT unnest(%s::varchar[]), %s, %s",
                [list(new_grams), new_rank, employer.pk],
            )


def _insert_postings(employers: list[Employer]) -> None:
    """Postings of freshly inserted employers, in one statement."""
    grams, ranks, ids = [], [], []
    for employer in employers:
        rank = posting_rank(employer.search_tier, employer.name_length)
        if rank is None:
            continue
        for gram in employer.name_bigrams:
            grams.append(gram)
            ranks.append(rank)
            ids.append(employer.pk)
    if grams:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO employers_namebigram (bigram, rank, employer_id) "
                "SELECT * FROM unnest(%s::varchar[], %s::smallint[], %s::bigint[])",
                [grams, ranks, ids],
            )


def _save(employer: Employer, before: tuple[tuple[str, ...], int | None]) -> None:
    employer.save()
    _sync_postings(employer, before)


def _set_status(employer: Employer, status: str) -> None:
    employer.status = status
    employer.search_tier = tier_for(status)


# --- registration and members -------------------------------------------------------------


def _store_licence(employer: Employer, licence) -> None:
    clean = validate_upload(licence, kinds=IMAGES)
    employer.licence.save(clean.content.name, clean.content, save=False)


@transaction.atomic
def register_employer(
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    employer: dict[str, Any],
    licence,
) -> Membership:
    """A new HR account and its organisation, waiting for an operator's verification."""
    errors: dict[str, list[str]] = {}
    try:
        fields = clean_employer_fields(employer)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        fields = {}
    if licence is None:
        errors["licence"] = [_("请上传营业执照照片。")]
    else:
        try:
            clean_licence = validate_upload(licence, kinds=IMAGES)
        except ValidationError as exc:
            errors["licence"] = exc.messages
    if "credit_code" in fields:
        existing = Employer.objects.filter(credit_code=fields["credit_code"]).first()
        if existing:
            errors.update(_duplicate_message(existing).message_dict)
    if errors:
        raise ValidationError(errors)

    user = _create_hr_user(actor, username, password, display_name)

    org = Employer(status=Status.PENDING)
    for field, value in fields.items():
        if field != "name":
            setattr(org, field, value)
    _set_status(org, Status.PENDING)
    try:
        with transaction.atomic():
            _set_name(org, fields["name"])
            org.licence.save(clean_licence.content.name, clean_licence.content, save=False)
            _save(org, ((), None))
    except IntegrityError:
        # Another registration with this code committed between our check and our insert;
        # the licence stored a moment ago belongs to nothing.
        if org.licence:
            org.licence.delete(save=False)
        raise _duplicate_message(Employer.objects.get(credit_code=fields["credit_code"])) from None
    membership = Membership.objects.create(employer=org, user=user, is_admin=True)
    audit.record(
        actor,
        "employer.registered",
        target=org,
        data={"credit_code": org.credit_code, "name": org.name, "hr": user.username},
    )
    return membership


def _create_hr_user(actor: Actor, username: str, password: str, display_name: str, **extra: Any):
    """accounts.create_user, with its errors put on the field they are about."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError({"display_name": [_("请填写姓名。")]})
    try:
        with transaction.atomic():
            return create_user(
                actor=actor,
                username=username,
                password=password,
                role=Role.EMPLOYER,
                display_name=display_name,
                **extra,
            )
    except ValidationError as exc:
        codes = {getattr(error, "code", "") for error in exc.error_list}
        field = "username" if codes & {"invalid", "duplicate"} else "password"
        raise ValidationError({field: exc.messages}) from None


def _require_member(actor: Actor, *, admin: bool = False) -> Membership:
    membership = membership_of(actor.user)
    if membership is None:
        raise NotAllowed(_("只有用人单位 HR 可以执行此操作。"))
    if admin and not membership.is_admin:
        raise NotAllowed(_("只有本单位的单位管理员可以执行此操作。"))
    return membership


@transaction.atomic
def add_member(
    *, actor: Actor, username: str, password: str, display_name: str, is_admin: bool = False
) -> Membership:
    """An HR colleague joins the actor's own organisation (the way to "join" an existing one)."""
    own = _require_member(actor, admin=True)
    employer = Employer.objects.select_for_update().get(pk=own.employer_id)
    user = _create_hr_user(actor, username, password, display_name, must_change_password=True)
    membership = Membership.objects.create(employer=employer, user=user, is_admin=is_admin)
    audit.record(actor, "employer.member_added", target=employer, data={"hr": user.username})
    return membership


@transaction.atomic
def update_own_employer(*, actor: Actor, changes: dict[str, Any], licence=None) -> Employer:
    """HR fixes contact details; a rejected organisation resubmits with a new licence."""
    own = _require_member(actor)
    employer = Employer.objects.select_for_update().get(pk=own.employer_id)
    before = _search_state(employer)
    allowed = set(HR_EDITABLE_FIELDS)
    if employer.status == Status.REJECTED:
        allowed |= {"name", "nature", "industry", "province", "city"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("不能修改此项。") for field in sorted(unknown)})
    diff = _apply_changes(employer, clean_employer_fields(changes, partial=True))
    if licence is not None:
        _store_licence(employer, licence)
        diff["licence"] = {"from": "", "to": employer.licence.name}
    if employer.status == Status.REJECTED:
        _set_status(employer, Status.PENDING)
        employer.reject_reason = ""
        diff["status"] = {"from": Status.REJECTED, "to": Status.PENDING}
    _save(employer, before)
    if diff:
        audit.record(actor, "employer.updated_by_hr", target=employer, data=diff)
    return employer


def _audit_value(field: str, value: Any) -> Any:
    return mask_phone(value) if field in PII_FIELDS else value


def _apply_changes(
    employer: Employer, cleaned: dict[str, Any], *, tally: tuple[list, list] | None = None
) -> dict[str, Any]:
    diff = {}
    for field, value in cleaned.items():
        old = getattr(employer, field)
        if old == value:
            continue
        if field == "name":
            _set_name(employer, value, tally=tally)
        else:
            setattr(employer, field, value)
        diff[field] = {"from": _audit_value(field, old), "to": _audit_value(field, value)}
    return diff


# --- operators ----------------------------------------------------------------------------


def _require_operator(actor: Actor) -> None:
    if actor.via != "cli" and actor.role != Role.OPERATOR:
        raise NotAllowed(_("只有平台运营人员可以执行此操作。"))


def _locked(employer_id: int) -> Employer:
    try:
        return Employer.objects.select_for_update().get(pk=employer_id)
    except Employer.DoesNotExist:
        raise ValidationError(_("该用人单位不存在。"), code="not_found") from None


@transaction.atomic
def verify_employer(*, actor: Actor, employer_id: int) -> Employer:
    _require_operator(actor)
    employer = _locked(employer_id)
    before = _search_state(employer)
    if employer.status != Status.PENDING:
        raise ValidationError(
            _("该单位当前状态为“%(status)s”，不能认证。"),
            params={"status": employer.get_status_display()},
            code="state",
        )
    _set_status(employer, Status.VERIFIED)
    employer.in_directory = True
    employer.verified_at = timezone.now()
    employer.reject_reason = ""
    _save(employer, before)
    audit.record(actor, "employer.verified", target=employer)
    from employer_inbox.services import post_platform_notice

    post_platform_notice(
        employer_id=employer.pk,
        event="employer_verified",
        title=_("单位认证已通过"),
        body=_("%(name)s 已通过平台认证，现在可以向各校毕业生发出邀约了。")
        % {"name": employer.name},
    )
    return employer


@transaction.atomic
def reject_employer(*, actor: Actor, employer_id: int, reason: str) -> Employer:
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写未通过的原因，HR 会看到它并据此修改。")]})
    employer = _locked(employer_id)
    before = _search_state(employer)
    if employer.status != Status.PENDING:
        raise ValidationError(
            _("该单位当前状态为“%(status)s”，不能驳回。"),
            params={"status": employer.get_status_display()},
            code="state",
        )
    _set_status(employer, Status.REJECTED)
    employer.reject_reason = reason
    _save(employer, before)
    audit.record(actor, "employer.rejected", target=employer, reason=reason)
    from employer_inbox.services import post_platform_notice

    post_platform_notice(
        employer_id=employer.pk,
        event="employer_rejected",
        title=_("单位认证未通过"),
        body=_("原因：%(reason)s。请在“我的单位”修改后重新提交。") % {"reason": reason},
    )
    return employer


@transaction.atomic
def update_employer(*, actor: Actor, employer_id: int, changes: dict[str, Any]) -> Employer:
    """An operator corrects an entry (any field, including name and credit code)."""
    _require_operator(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("不能修改此项。") for field in sorted(unknown)})
    employer = _locked(employer_id)
    before = _search_state(employer)
    if employer.status == Status.MERGED:
        raise ValidationError(_("已合并的单位不能再修改，请修改合并后的单位。"), code="state")
    cleaned = clean_employer_fields(changes, partial=True)
    code = cleaned.get("credit_code")
    if code and code != employer.credit_code:
        other = Employer.objects.filter(credit_code=code).exclude(pk=employer.pk).first()
        if other:
            raise ValidationError(
                {
                    "credit_code": [
                        _("该代码已属于单位“%(name)s”（编号 %(id)d），如为同一单位请合并。")
                        % {"name": other.name, "id": other.pk}
                    ]
                }
            )
    diff = _apply_changes(employer, cleaned)
    _save(employer, before)
    if diff:
        audit.record(actor, "employer.updated", target=employer, data=diff)
    return employer


@transaction.atomic
def merge_employers(*, actor: Actor, source_id: int, target_id: int, reason: str = "") -> Employer:
    """Fold a duplicate (source) into the entry that stays (target).

    Members and cross-school index rows move to the target; the source row stays, marked
    merged and pointing at the target, so any id stored elsewhere (a school's agreements)
    still resolves through `resolve_merged`.
    """
    _require_operator(actor)
    if source_id == target_id:
        raise ValidationError(_("不能把单位合并到它自己。"), code="same")
    # Lock both in id order: two merges of the same pair can't deadlock.
    locked = {
        e.pk: e
        for e in Employer.objects.select_for_update()
        .filter(pk__in=[source_id, target_id])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(_("该用人单位不存在。"), code="not_found")
    source, target = locked[source_id], locked[target_id]
    source_before, target_before = _search_state(source), _search_state(target)
    if Status.MERGED in (source.status, target.status):
        raise ValidationError(_("已合并过的单位不能再合并。"), code="state")
    moved_members = Membership.objects.filter(employer=source).update(employer=target)
    moved_index = AgreementIndexEntry.objects.filter(employer=source).update(employer=target)
    # The HR users moved: their inbox moves with them.
    from employer_inbox.models import Notice

    moved_notices = Notice.objects.filter(employer=source).update(employer=target)
    Employer.objects.filter(merged_into=source).update(merged_into=target)
    if source.status == Status.VERIFIED and target.status == Status.PENDING:
        _set_status(target, Status.VERIFIED)
        target.verified_at = source.verified_at
    target.in_directory = target.in_directory or source.in_directory
    for field in ("address", "contact_name", "contact_phone", "contact_email", "province", "city"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if not target.licence and source.licence:
        target.licence = source.licence.name
    _save(target, target_before)
    _set_status(source, Status.MERGED)
    source.merged_into = target
    _save(source, source_before)
    data = {
        "source": source.pk,
        "source_name": source.name,
        "source_credit_code": source.credit_code,
        "members_moved": moved_members,
        "agreements_moved": moved_index,
        "notices_moved": moved_notices,
    }
    audit.record(actor, "employer.merged", target=target, reason=reason, data=data)
    audit.record(
        actor, "employer.merged_away", target=source, reason=reason, data={"into": target.pk}
    )
    return target


# --- the directory import -----------------------------------------------------------------


def import_directory(
    *, actor: Actor, rows: list[dict[str, Any]], progress=None, batch: int = 500
) -> dict[str, int]:
    """Create or update directory entries by credit code, all in one transaction.

    `rows` are already validated (employers.directory_import). Re-importing the same file
    changes nothing but `updated_at`.
    """
    _require_operator(actor)
    created = updated = 0
    with transaction.atomic():
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            existing = {
                e.credit_code: e
                for e in Employer.objects.select_for_update().filter(
                    credit_code__in=[r["credit_code"] for r in chunk]
                )
            }
            new = []
            tally: tuple[list, list] = ([], [])
            for row in chunk:
                # 单位性质/行业代码, whichever vocabulary the caller used.
                row = {
                    **row,
                    "nature": normalize_code("unit_nature", row["nature"]),
                    "industry": normalize_code("unit_industry", row["industry"]),
                }
                employer = existing.get(row["credit_code"])
                before = _search_state(employer) if employer else ((), None)
                if employer is None:
                    employer = Employer(credit_code=row["credit_code"], in_directory=True)
                    _set_status(employer, Status.VERIFIED)
                    employer.verified_at = timezone.now()
                    for field in ("nature", "industry", "province", "city"):
                        setattr(employer, field, row[field])
                    employer.region_code = region_code_for(employer.province, employer.city)
                    _set_name(employer, row["name"], tally=tally)
                    new.append(employer)
                    continue
                diff = _apply_changes(
                    employer,
                    {f: row[f] for f in ("name", "nature", "industry", "province", "city")},
                    tally=tally,
                )
                if diff or not employer.in_directory:
                    employer.in_directory = True
                    _save(employer, before)
                    updated += 1
            Employer.objects.bulk_create(new)
            _insert_postings(new)
            _count_bigrams(*tally)
            created += len(new)
            if progress:
                progress(min(start + batch, len(rows)), len(rows))
        audit.record(
            actor,
            "employer.directory_imported",
            target_type="employers.employer",
            data={"rows": len(rows), "created": created, "updated": updated},
        )
    return {"created": created, "updated": updated}


# --- the cross-school index (written by the agreements issue) -----------------------------


def update_agreement_index_states(
    *, school, states: dict[int, str], updated_at: dt.datetime
) -> set[int]:
    """A state-only change of many agreements of one school: one UPDATE per state.

    Returns the agreement ids the index knew (the others need a full upsert).
    """
    by_state: dict[str, list[int]] = {}
    for agreement_id, state in states.items():
        by_state.setdefault(state, []).append(agreement_id)
    known: set[int] = set()
    for state, ids in by_state.items():
        entries = AgreementIndexEntry.objects.filter(
            school_id=getattr(school, "pk", school), agreement_id__in=ids
        )
        known.update(entries.values_list("agreement_id", flat=True))
        entries.update(state=state, updated_at=updated_at)
    return known


def upsert_agreement_index(
    *,
    employer_id: int,
    school,
    agreement_id: int,
    graduate_name: str,
    state: str,
    position: str = "",
    updated_at: dt.datetime | None = None,
    student_number: str = "",
    known_to_employer: bool = False,
) -> AgreementIndexEntry:
    """Record where an agreement stands, for its employer's cross-school view.

    Call it inside the agreement's own transaction (from the school's schema: the table
    lives in public, which is on every school's search_path). The graduate's name is
    stored masked unless `known_to_employer` (the HR typed 学号 and 姓名 to invite them); the
    学号 only then. A merged employer id is followed to the surviving one.
    """
    employer = resolve_merged(Employer.objects.get(pk=employer_id))
    entry = AgreementIndexEntry(
        school_id=getattr(school, "pk", school),
        agreement_id=agreement_id,
        employer=employer,
        graduate_name=graduate_name if known_to_employer else mask_person_name(graduate_name),
        student_number=(student_number or "")[:32] if known_to_employer else "",
        position=(position or "")[:100],
        state=state,
        updated_at=updated_at or timezone.now(),
    )
    # INSERT … ON CONFLICT: concurrent first writes of one agreement can't collide.
    AgreementIndexEntry.objects.bulk_create(
        [entry],
        update_conflicts=True,
        unique_fields=["school", "agreement_id"],
        update_fields=[
            "employer",
            "graduate_name",
            "student_number",
            "position",
            "state",
            "updated_at",
        ],
    )
    return entry
