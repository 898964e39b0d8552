"""Reads: who sees which agreements, their versions and history, the review queues, the dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from agreements import links
from agreements.content import diff_content, sections_for_display
from agreements.models import Agreement, AgreementVersion, Origin, State
from agreements.services import party_of
from agreements.workflow import ACTION_LABELS, Action, Party, allowed_actions
from core.context import Actor
from core.models import AuditLog

REVIEW_STATES = {
    Party.COLLEGE: (State.SUBMITTED, State.COLLEGE_REVIEW),
    Party.SCHOOL: (State.SCHOOL_REVIEW,),
}


def _base() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("graduate", "graduate__college", "current_version")


def get_agreement(actor: Actor, agreement_id: int) -> tuple[Agreement, Party]:
    """The agreement if the actor is a party to it; otherwise 404 (its existence stays private)."""
    agreement = _base().filter(pk=agreement_id).first()
    party = party_of(actor, agreement) if agreement is not None else None
    if agreement is None or party is None or _unsent_for_graduate(agreement, party):
        raise Http404(_("协议不存在。"))
    return agreement, party


def _unsent_for_graduate(agreement: Agreement, party: Party) -> bool:
    # An employer's draft is the employer's business until it is sent.
    return (
        party == Party.GRADUATE
        and agreement.origin == Origin.EMPLOYER
        and agreement.current_version_id is None
    )


def agreements_for_graduate(actor: Actor) -> QuerySet[Agreement]:
    graduate = links.graduate_for_user(actor.user)
    if graduate is None:
        return Agreement.objects.none()
    # An employer's unsent draft is the employer's business only.
    return (
        _base()
        .filter(graduate=graduate)
        .exclude(origin=Origin.EMPLOYER, state=State.DRAFT)
        .exclude(origin=Origin.EMPLOYER, current_version__isnull=True)
    )


def agreements_for_employer(employer_id: int) -> QuerySet[Agreement]:
    """One employer's agreements in the current school (the platform uses the public index)."""
    return _base().filter(employer_id=employer_id)


def review_queue(actor: Actor, *, college_id: int | None = None) -> QuerySet[Agreement]:
    if actor.role == Role.COLLEGE_ADMIN:
        qs = _base().filter(
            state__in=REVIEW_STATES[Party.COLLEGE],
            graduate__college_id__in=links.college_ids_for(actor.user),
        )
    elif actor.role == Role.SCHOOL_ADMIN:
        qs = _base().filter(state__in=REVIEW_STATES[Party.SCHOOL])
    else:
        return Agreement.objects.none()
    if college_id:
        qs = qs.filter(graduate__college_id=college_id)
    return qs.order_by("updated_at", "pk")


def school_agreements(
    actor: Actor, *, state: str = "", college_id: int | None = None, q: str = ""
) -> QuerySet[Agreement]:
    """Every agreement an admin may see: all for a school admin, their colleges' for a college admin."""
    qs = _base()
    if actor.role == Role.COLLEGE_ADMIN:
        qs = qs.filter(graduate__college_id__in=links.college_ids_for(actor.user))
    elif actor.role != Role.SCHOOL_ADMIN:
        return Agreement.objects.none()
    if state:
        qs = qs.filter(state=state)
    if college_id:
        qs = qs.filter(graduate__college_id=college_id)
    if q:
        qs = qs.filter(
            Q(graduate__name__contains=q)
            | Q(graduate__student_number=q)
            | Q(employer_name__contains=q)
        )
    return qs


def versions_with_diffs(agreement: Agreement) -> list[dict[str, Any]]:
    """Every version, newest first, each with what changed against the one before."""
    versions = list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))
    out = []
    previous = None
    for version in versions:
        out.append(
            {
                "version": version,
                "changes": diff_content(previous.content, version.content) if previous else [],
            }
        )
        previous = version
    return list(reversed(out))


def history(agreement: Agreement) -> list[dict[str, Any]]:
    """What happened, for every party: who (by role and name), when, why. No IPs here."""
    rows = AuditLog.objects.filter(
        target_type=agreement._meta.label_lower, target_id=str(agreement.pk)
    ).order_by("created_at", "id")
    role_labels = dict(Role.choices)
    out = []
    for row in rows:
        action = row.action.removeprefix("agreement.")
        label = ACTION_LABELS.get(action) if action in Action._value2member_map_ else None
        out.append(
            {
                "at": row.created_at,
                "action": str(label or _HISTORY_LABELS.get(action, action)),
                "role": str(role_labels.get(row.actor_role, _("系统"))),
                "actor": row.actor_username if row.actor_role != Role.GRADUATE else "",
                "reason": row.reason,
                "to": State(row.data["to"]).label if row.data.get("to") else "",
                "version": row.data.get("version"),
            }
        )
    return out


_HISTORY_LABELS = {
    "created": "创建",
    "edited": "修改内容",
    "proof_added": "上传证明材料",
    "proof_removed": "删除证明材料",
}


def detail(actor: Actor, agreement: Agreement, party: Party) -> dict[str, Any]:
    """Everything a detail page or API answer shows, for this party."""
    current = agreement.current_version
    shown = current.content if current else agreement.draft_content
    return {
        "agreement": agreement,
        "party": party,
        "actions": {a.value for a in allowed_actions(agreement, party)},
        "sections": sections_for_display(shown),
        "draft_sections": sections_for_display(agreement.draft_content)
        if agreement.state in (State.DRAFT, State.RETURNED)
        else None,
        "versions": versions_with_diffs(agreement),
        "history": history(agreement),
        "proofs": list(agreement.proofs.filter(removed=False)),
    }


def state_counts(qs: QuerySet[Agreement]) -> dict[str, int]:
    counts = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    return {state.value: counts.get(state.value, 0) for state in State}


def dashboard(actor: Actor) -> dict[str, Any]:
    """Counts by state and, per college, 签约率 = signed graduates / graduates whose 生源 is approved."""
    agreements = school_agreements(actor)
    by_state = state_counts(agreements)
    colleges = links.colleges_for_dashboard(actor)
    approved = links.approved_graduate_counts_by_college([c.pk for c in colleges])
    signed = dict(
        agreements.filter(state=State.SIGNED)
        .values_list("graduate__college_id")
        .annotate(n=Count("graduate_id", distinct=True))
        .order_by()
    )
    in_review = dict(
        agreements.filter(state__in=(State.SUBMITTED, State.COLLEGE_REVIEW, State.SCHOOL_REVIEW))
        .values_list("graduate__college_id")
        .annotate(n=Count("graduate_id", distinct=True))
        .order_by()
    )
    rows = []
    for college in colleges:
        n_approved = approved.get(college.pk, 0)
        n_signed = signed.get(college.pk, 0)
        rows.append(
            {
                "college": college,
                "approved": n_approved,
                "in_review": in_review.get(college.pk, 0),
                "signed": n_signed,
                "rate": (n_signed / n_approved) if n_approved else 0.0,
            }
        )
    total_approved = sum(r["approved"] for r in rows)
    total_signed = sum(r["signed"] for r in rows)
    return {
        "by_state": [(State(s).label, s, n) for s, n in by_state.items()],
        "by_college": rows,
        "total": {
            "approved": total_approved,
            "in_review": sum(r["in_review"] for r in rows),
            "signed": total_signed,
            "rate": (total_signed / total_approved) if total_approved else 0.0,
        },
    }


def dashboard_xlsx(actor: Actor) -> bytes:
    """The dashboard as an .xlsx workbook (two sheets: by college, by state)."""
    from core.spreadsheets import append_row, new_workbook, workbook_bytes

    data = dashboard(actor)
    book = new_workbook()
    sheet = book.create_sheet(_("按院系"))
    append_row(sheet, [_("院系"), _("生源已审核人数"), _("审核中"), _("已签约"), _("签约率")])
    for row in data["by_college"]:
        append_row(
            sheet,
            [row["college"].name, row["approved"], row["in_review"], row["signed"], row["rate"]],
        )
        sheet.cell(row=sheet.max_row, column=5).number_format = "0.0%"
    total = data["total"]
    append_row(
        sheet, [_("合计"), total["approved"], total["in_review"], total["signed"], total["rate"]]
    )
    sheet.cell(row=sheet.max_row, column=5).number_format = "0.0%"
    sheet.column_dimensions["A"].width = 28
    states = book.create_sheet(_("按状态"))
    append_row(states, [_("状态"), _("协议数")])
    for label, _value, n in data["by_state"]:
        append_row(states, [str(label), n])
    return workbook_bytes(book)


def prefill_for_employer(actor: Actor, school) -> dict[str, Any]:
    """A new invitation's sections: the employer profile, then the offer it last sent here.

    An HR hiring twenty graduates types the offer once; the graduate-specific parts are
    the graduate's own, so nothing from another graduate's agreement is copied but the offer.
    """
    from django_tenants.utils import schema_context

    employer = links.employer_for_user(actor.user)
    if employer is None:
        return {}
    content: dict[str, Any] = {
        "employer_name": employer.name,
        "credit_code": employer.credit_code,
        "nature": getattr(employer, "nature", "") or "",
        "industry": getattr(employer, "industry", "") or "",
        "employer_address": getattr(employer, "address", "") or "",
        "contact_name": getattr(actor.user, "display_name", "") or "",
        "contact_phone": getattr(employer, "contact_phone", "") or "",
    }
    with schema_context(school.schema_name):
        last = (
            Agreement.objects.filter(employer_id=employer.pk, current_version__isnull=False)
            .select_related("current_version")
            .order_by("-sent_at", "-pk")
            .first()
        )
        if last is not None:
            content.update(
                {
                    k: v
                    for k, v in last.current_version.content.items()
                    if k not in ("employer_name", "credit_code")
                }
            )
    return content
