"""Writes for colleges, staff, graduates' accounts and roster imports. 生源核查 is in verification.py."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import create_user, end_other_access
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from students import roster_files, selectors
from students.identity import id_number_index
from students.models import College, Graduate, Major, RosterImport, VerificationState
from students.roster import MAX_REPORTED_ERRORS, RosterFileError, RowError, parse_roster
from students.verification import EDITABLE_FIELDS, snapshot

logger = logging.getLogger(__name__)
S = VerificationState
BATCH = 2000
# A re-import may still update these; a submitted or approved record is left alone.
UPDATABLE_STATES = frozenset({S.IMPORTED, S.VERIFYING, S.REJECTED})
SCHOOL_FIELDS = (
    "name",
    "gender",
    "class_name",
    "education_level",
    "graduation_year",
)

ProgressFn = Callable[[str, int, int], None]


def require_school_admin(actor: Actor) -> None:
    if actor.via != "cli" and actor.role != Role.SCHOOL_ADMIN:
        raise NotAllowed(_("只有校级管理员可以进行此操作。"))


# ---- colleges and staff -------------------------------------------------------------------


def _clean_college_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("请填写学院名称。")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("学院名称最多 100 个字符。")]})
    return name


@transaction.atomic
def create_college(*, actor: Actor, name: str, code: str = "") -> College:
    require_school_admin(actor)
    name = _clean_college_name(name)
    if College.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("学院“%(name)s”已存在。") % {"name": name}]})
    college = College.objects.create(name=name, code=(code or "").strip()[:32])
    audit.record(actor, "college.created", target=college, data={"name": name})
    return college


@transaction.atomic
def update_college(*, actor: Actor, college: College, name: str, code: str = "") -> College:
    require_school_admin(actor)
    name = _clean_college_name(name)
    if College.objects.filter(name=name).exclude(pk=college.pk).exists():
        raise ValidationError({"name": [_("学院“%(name)s”已存在。") % {"name": name}]})
    old = college.name
    college.name, college.code = name, (code or "").strip()[:32]
    college.save()
    audit.record(actor, "college.updated", target=college, data={"from": old, "to": name})
    return college


def _colleges(college_ids: Iterable[int]) -> list[College]:
    ids = {int(i) for i in college_ids}
    found = list(College.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"colleges": [_("所选学院不存在。")]})
    return found


@transaction.atomic
def create_staff(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    college_ids: Iterable[int] = (),
) -> User:
    """A college admin (bound to colleges) or another school admin; must change the password."""
    require_school_admin(actor)
    if role not in {Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN}:
        raise ValidationError({"role": [_("只能创建院系管理员或校级管理员。")]})
    colleges = _colleges(college_ids)
    if role == Role.COLLEGE_ADMIN and not colleges:
        raise ValidationError({"colleges": [_("院系管理员至少要负责一个学院。")]})
    user = create_user(
        actor=actor,
        username=username,
        password=password,
        role=role,
        display_name=(display_name or "").strip()[:100],
        must_change_password=True,
    )
    if role == Role.COLLEGE_ADMIN:
        user.admin_colleges.set(colleges)
    audit.record(
        actor, "staff.colleges_set", target=user, data={"colleges": [c.pk for c in colleges]}
    )
    return user


@transaction.atomic
def set_staff_colleges(*, actor: Actor, user: User, college_ids: Iterable[int]) -> User:
    require_school_admin(actor)
    if user.role != Role.COLLEGE_ADMIN:
        raise ValidationError({"colleges": [_("只有院系管理员需要绑定学院。")]})
    colleges = _colleges(college_ids)
    if not colleges:
        raise ValidationError({"colleges": [_("院系管理员至少要负责一个学院。")]})
    User.objects.select_for_update().get(pk=user.pk)
    user.admin_colleges.set(colleges)
    audit.record(
        actor, "staff.colleges_set", target=user, data={"colleges": [c.pk for c in colleges]}
    )
    return user


@transaction.atomic
def reset_graduate_password(*, actor: Actor, graduate: Graduate) -> None:
    """Back to the initial password (last six of the ID number), to be changed at next login."""
    require_school_admin(actor)
    user = User.objects.select_for_update().get(pk=graduate.user_id)
    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor, "graduate.password_reset", target=graduate)
    # Whoever knew the old password (and bound their WeChat with it) is out now.
    end_other_access(actor=actor, user=user, reason="password_reset")


# ---- roster import ------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # 学号 of records already submitted
    new_colleges: list[str] = field(default_factory=list)
    new_majors: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.row_count,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "skipped_numbers": self.skipped[:200],
            "new_colleges": self.new_colleges,
            "new_majors": self.new_majors,
            "applied": self.applied,
        }


def _chunks(items: list, size: int = 5000) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Plan:
    create: list[dict] = field(default_factory=list)
    update: list[tuple[Graduate, dict]] = field(default_factory=list)


def _plan(rows: list[dict], outcome: ImportOutcome) -> _Plan:
    """Check the rows against the database and decide what each one does."""
    numbers = [r["student_number"] for r in rows if r.get("student_number")]
    existing: dict[str, Graduate] = {}
    for chunk in _chunks(numbers):
        for g in (
            Graduate.objects.filter(student_number__in=chunk)
            .select_related("user")
            # A graduate submitting meanwhile waits for us, or we see the submission.
            .select_for_update(of=("self",))
        ):
            existing[g.student_number] = g
    by_index: dict[tuple[str, int], str] = {}
    indexes = [id_number_index(r["id_number"]) for r in rows if r.get("id_number")]
    for chunk in _chunks(indexes):
        for number, index, year in Graduate.objects.filter(id_number_index__in=chunk).values_list(
            "student_number", "id_number_index", "graduation_year"
        ):
            by_index[(index, year)] = number
    staff_names: set[str] = set()
    for chunk in _chunks([n.lower() for n in numbers]):
        staff_names.update(
            User.objects.annotate(lower=Lower("username"))
            .filter(lower__in=chunk)
            .exclude(role=Role.GRADUATE)
            .values_list("lower", flat=True)
        )

    plan = _Plan()
    for row in rows:
        number, id_number = row.get("student_number"), row.get("id_number")
        if not number or not id_number:
            continue  # already reported
        row["_index"] = index = id_number_index(id_number)
        line = row["_row"]
        if number.lower() in staff_names:
            outcome.errors.append(RowError(line, "学号", _("学号与已有的教师账号重名。")))
            continue
        owner = by_index.get((index, row.get("graduation_year")))
        if owner and owner != number:
            outcome.errors.append(
                RowError(
                    line,
                    "身份证号",
                    _("该身份证号已属于系统中学号为 %(number)s 的毕业生。") % {"number": owner},
                )
            )
            continue
        graduate = existing.get(number)
        if graduate is None:
            plan.create.append(row)
        elif graduate.id_number_index != index:
            outcome.errors.append(
                RowError(
                    line,
                    "学号",
                    _("学号 %(number)s 已存在，且身份证号与系统中的不同；同一学号不能属于两个人。")
                    % {"number": number},
                )
            )
        elif graduate.state not in UPDATABLE_STATES:
            outcome.skipped.append(number)
        else:
            plan.update.append((graduate, row))
    return plan


def _college_and_major_names(rows: list[dict], outcome: ImportOutcome) -> None:
    colleges = set(College.objects.values_list("name", flat=True))
    majors = set(Major.objects.values_list("college__name", "name"))
    new_colleges: dict[str, None] = {}
    new_majors: dict[str, None] = {}
    for row in rows:
        college, major = row.get("college"), row.get("major")
        if college and college not in colleges:
            new_colleges[college] = None
        if college and major and (college, major) not in majors:
            new_majors[f"{college} / {major}"] = None
    outcome.new_colleges, outcome.new_majors = list(new_colleges), list(new_majors)


def _ensure_colleges_and_majors(rows: list[dict]) -> tuple[dict, dict]:
    names = {r["college"] for r in rows}
    College.objects.bulk_create(
        [College(name=n) for n in sorted(names)], ignore_conflicts=True, batch_size=BATCH
    )
    colleges = {c.name: c for c in College.objects.filter(name__in=names)}
    pairs = {(r["college"], r["major"]) for r in rows}
    Major.objects.bulk_create(
        [Major(college=colleges[c], name=m) for c, m in sorted(pairs)],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    majors = {
        (m.college.name, m.name): m
        for m in Major.objects.filter(college__in=colleges.values()).select_related("college")
    }
    return colleges, majors


def _imported_values(row: dict, present: set[str]) -> dict:
    return {f: snapshot(f, row.get(f)) for f in EDITABLE_FIELDS if f in present}


def _apply(
    plan: _Plan, rows: list[dict], present: set[str], outcome: ImportOutcome, progress: ProgressFn
) -> None:
    total = len(plan.create) + len(plan.update)
    colleges, majors = _ensure_colleges_and_majors(rows)
    done = 0

    for chunk in _chunks(plan.create, BATCH):
        users = User.objects.bulk_create(
            [
                User(
                    username=r["student_number"],
                    role=Role.GRADUATE,
                    display_name=r["name"],
                    must_change_password=True,
                    # Unusable: the initial password is checked against the ID number
                    # (students.backends) until the graduate sets their own.
                    password=make_password(None),
                )
                for r in chunk
            ]
        )
        graduates = []
        for user, r in zip(users, chunk, strict=True):
            values = {f: r[f] for f in EDITABLE_FIELDS if f in present}
            graduates.append(
                Graduate(
                    user=user,
                    student_number=r["student_number"],
                    id_number=r["id_number"],
                    id_number_index=r["_index"],
                    college=colleges[r["college"]],
                    major=majors[(r["college"], r["major"])],
                    imported_values=_imported_values(r, present),
                    **{f: r[f] for f in SCHOOL_FIELDS if f in r},
                    **values,
                )
            )
        Graduate.objects.bulk_create(graduates)
        outcome.created += len(chunk)
        done += len(chunk)
        progress("import", done, total)

    changed_graduates: list[Graduate] = []
    changed_users: list[User] = []
    update_fields = {"college", "major", "imported_values", *SCHOOL_FIELDS, *EDITABLE_FIELDS}
    for graduate, r in plan.update:
        before = {
            f: snapshot(f, getattr(graduate, f)) for f in update_fields - {"college", "major"}
        }
        before_ids = (graduate.college_id, graduate.major_id)
        for f in SCHOOL_FIELDS:
            if f in r:
                setattr(graduate, f, r[f])
        graduate.college = colleges[r["college"]]
        graduate.major = majors[(r["college"], r["major"])]
        for f in EDITABLE_FIELDS:
            # What the graduate corrected stays theirs; the imported baseline still moves.
            if f in present and f not in (graduate.corrected_fields or []):
                setattr(graduate, f, r[f])
        graduate.imported_values = {**graduate.imported_values, **_imported_values(r, present)}
        after = {f: snapshot(f, getattr(graduate, f)) for f in update_fields - {"college", "major"}}
        if before == after and before_ids == (graduate.college_id, graduate.major_id):
            outcome.unchanged += 1
        else:
            outcome.updated += 1
            changed_graduates.append(graduate)
            if graduate.user.display_name != graduate.name:
                graduate.user.display_name = graduate.name
                changed_users.append(graduate.user)
        done += 1
        if done % BATCH == 0:
            progress("import", done, total)
    for chunk in _chunks(changed_graduates, BATCH):
        Graduate.objects.bulk_update(chunk, sorted(update_fields))
    for chunk in _chunks(changed_users, BATCH):
        User.objects.bulk_update(chunk, ["display_name"])
    progress("import", total, total)


def _lock_school_roster() -> None:
    # One roster import at a time per school: the second waits, then sees the first's rows.
    key = zlib.crc32(f"roster-import:{connection.schema_name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def import_roster(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> ImportOutcome:
    """Check a roster and, unless `dry_run` or anything is wrong, apply all of it or nothing."""
    require_school_admin(actor)
    progress = progress or (lambda phase, done, total: None)
    outcome = ImportOutcome()
    try:
        parsed = parse_roster(data, filename, progress=lambda n: progress("check", n, 0))
    except RosterFileError as exc:
        outcome.errors.append(RowError(0, exc.column, exc.message))
        return outcome
    outcome.row_count = len(parsed.rows)
    outcome.errors.extend(parsed.errors)
    with transaction.atomic():
        _lock_school_roster()
        plan = _plan(parsed.rows, outcome)
        _college_and_major_names(parsed.rows, outcome)
        outcome.errors.sort(key=lambda e: (e.row, e.column))
        if outcome.errors or dry_run:
            outcome.created, outcome.updated = len(plan.create), len(plan.update)
            return outcome
        _apply(plan, parsed.rows, parsed.present, outcome, progress)
        outcome.applied = True
        audit.record(
            actor,
            "roster.imported",
            target_type="students.roster",
            target_id=filename[:64],
            data=outcome.summary() | {"skipped_numbers": []},
        )
    return outcome


# ---- roster imports from the page (checked, then applied, by Celery tasks) -----------------


def report_progress(import_id: Any, phase: str, done: int, total: int) -> None:
    from django.core.cache import cache

    try:
        cache.set(
            selectors.progress_key(import_id), {"phase": phase, "done": done, "total": total}, 3600
        )
    except Exception:  # progress is a nicety; the import itself must not fail for it
        pass


@transaction.atomic
def start_roster_import(*, actor: Actor, upload: Any) -> RosterImport:
    """Keep the uploaded file and queue its check; nothing is imported before confirmation."""
    from students import tasks

    require_school_admin(actor)
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith((".xlsx", ".csv")):
        raise ValidationError({"file": [_("只支持 .xlsx 或 .csv 文件。")]})
    if upload.size > settings.ROSTER_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("文件太大（最大 %(mb)d MB）。")
                    % {"mb": settings.ROSTER_UPLOAD_MAX_BYTES // 2**20}
                ]
            }
        )
    roster_import = RosterImport(created_by=actor.user, original_name=name[:255])
    roster_files.store(roster_import, upload)
    roster_import.save()
    audit.record(actor, "roster.uploaded", target=roster_import, data={"file": name[:255]})
    transaction.on_commit(
        lambda: _enqueue(tasks.check_roster, roster_import, RosterImport.Status.FAILED)
    )
    return roster_import


def _enqueue(task: Any, roster_import: RosterImport, status_if_down: str) -> None:
    """Queue a roster task after commit; with the broker down, say so instead of spinning."""
    try:
        task.delay(str(roster_import.pk))
    except Exception:
        logger.warning("could not queue %s", task.name, exc_info=True)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=status_if_down,
            errors=[{"row": 0, "column": "", "message": _("后台任务暂时不可用，请稍后重试。")}],
        )
        if status_if_down != RosterImport.Status.READY:  # nothing will read the file now
            roster_files.delete(roster_import)


@transaction.atomic
def confirm_roster_import(*, actor: Actor, roster_import: RosterImport) -> RosterImport:
    from students import tasks

    require_school_admin(actor)
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if locked.status != RosterImport.Status.READY:
        raise ValidationError(
            _("该导入当前状态为“%(status)s”，不能确认导入。")
            % {"status": locked.get_status_display()}
        )
    locked.status = RosterImport.Status.IMPORTING
    locked.save(update_fields=["status"])
    audit.record(actor, "roster.confirmed", target=locked, data={"file": locked.original_name})
    # Broker down: back to "ready", so the admin can simply confirm again.
    transaction.on_commit(lambda: _enqueue(tasks.apply_roster, locked, RosterImport.Status.READY))
    return locked


def run_roster_import(import_id: str, *, apply: bool) -> RosterImport:
    """The body of both tasks: check (preview) or apply the stored file, recording the result."""
    from django.utils import timezone

    roster_import = RosterImport.objects.select_related("created_by").get(pk=import_id)
    actor = Actor(user=roster_import.created_by, via="task", user_agent="roster-import")
    Status = RosterImport.Status
    try:
        data = roster_files.read(roster_import)
        outcome = import_roster(
            actor=actor,
            data=data,
            filename=roster_import.original_name,
            dry_run=not apply,
            progress=lambda phase, done, total: report_progress(import_id, phase, done, total),
        )
    except Exception:
        # Nothing was written (the import is one transaction); say so instead of spinning.
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=Status.FAILED,
            errors=[
                {
                    "row": 0,
                    "column": "",
                    "message": _("导入时发生内部错误，未写入任何数据，请重新上传。"),
                }
            ],
        )
        roster_files.delete(roster_import)
        raise
    if outcome.errors:
        roster_import.status = Status.INVALID
    else:
        roster_import.status = Status.DONE if apply else Status.READY
    roster_import.row_count = outcome.row_count
    roster_import.error_count = len(outcome.errors)
    roster_import.errors = [e.as_dict() for e in outcome.errors[:MAX_REPORTED_ERRORS]]
    roster_import.summary = outcome.summary()
    roster_import.finished_at = timezone.now() if apply or outcome.errors else None
    roster_import.save()
    if roster_import.status != Status.READY:  # done, or refused by its check: not needed again
        roster_files.delete(roster_import)
    return roster_import


@transaction.atomic
def discard_roster_import(*, actor: Actor, roster_import: RosterImport) -> RosterImport:
    """The admin gives up on an upload that was not imported: its file is deleted."""
    require_school_admin(actor)
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    Status = RosterImport.Status
    if locked.status in {Status.IMPORTING, Status.DONE}:
        raise ValidationError(
            _("该导入当前状态为“%(status)s”，不能放弃。") % {"status": locked.get_status_display()}
        )
    if locked.status not in {Status.DISCARDED, Status.EXPIRED}:
        locked.status = Status.DISCARDED
        locked.save(update_fields=["status"])
        audit.record(actor, "roster.discarded", target=locked, data={"file": locked.original_name})
    roster_files.delete_after_commit(locked)
    return locked
