"""Reads: who sees which agreements, their versions and history, the review queues, the dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Role
from agreements import links
from agreements.content import SECTIONS, diff_content, sections_for_display
from agreements.models import Agreement, AgreementVersion
from agreements.notices import history_label
from agreements.parties import party_of
from agreements.workflow import (
    EDITABLE_STATES,
    IN_COLLEGE_REVIEW,
    IN_REVIEW_STATES,
    IN_SCHOOL_REVIEW,
    SIGNED_STATES,
    Origin,
    Party,
    State,
    allowed_actions,
    context_for,
)
from core.context import Actor
from core.exceptions import NotFound
from core.models import AuditLog

DASHBOARD_XLSX_NAME = "agreements-dashboard.xlsx"


def _base() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("graduate", "graduate__college", "current_version")


def get_agreement(actor: Actor, agreement_id: int) -> tuple[Agreement, Party]:
    """The agreement if the actor is a party to it; otherwise 404 (its existence stays private)."""
    agreement = _base().filter(pk=agreement_id).first()
    party = party_of(actor, agreement) if agreement is not None else None
    if agreement is None or party is None or _unsent_for_graduate(agreement, party):
        raise NotFound(_("协议不存在。"))
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
    # A graduate's unsubmitted draft naming the employer is not the employer's to see; the
    # ids a school stored for a merged-away employer are the survivor's.
    return (
        _base()
        .filter(employer_id__in=links.employer_id_family(employer_id))
        .exclude(origin=Origin.GRADUATE, current_version__isnull=True)
    )


def review_queue(
    actor: Actor, *, college_id: int | None = None, q: str = "", origin: str = ""
) -> QuerySet[Agreement]:
    if actor.role == Role.COLLEGE_ADMIN:
        qs = _base().filter(
            state__in=IN_COLLEGE_REVIEW,
            graduate__college_id__in=links.college_ids_for(actor.user),
        )
    elif actor.role == Role.SCHOOL_ADMIN:
        qs = _base().filter(state__in=IN_SCHOOL_REVIEW)
    else:
        return Agreement.objects.none()
    if college_id:
        qs = qs.filter(graduate__college_id=college_id)
    if origin in Origin.values:
        qs = qs.filter(origin=origin)
    if q:
        qs = qs.filter(
            Q(graduate__name__contains=q)
            | Q(graduate__student_number=q)
            | Q(employer_name__contains=q)
        )
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


def changes_since_previous(versions: list[dict[str, Any]]) -> list[dict]:
    """What the newest version changed against the one before (shown above 确认应约)."""
    return versions[0]["changes"] if len(versions) > 1 else []


# How an actor is named to someone outside the school's staff (HR, the graduate): by
# function, never by login name (a login name is half of a credential).
_OUTSIDER_NAMES = {
    Role.COLLEGE_ADMIN: _l("学院审核"),
    Role.SCHOOL_ADMIN: _l("学校审核"),
}


def _actor_name(row: AuditLog, agreement: Agreement, for_outsider: bool) -> str:
    if row.actor_role == Role.GRADUATE:
        # A graduate's login is their 学号: show their name, which every party knows.
        return agreement.graduate.name
    if not for_outsider:
        return row.actor_username
    if row.actor_role == Role.EMPLOYER:
        return agreement.employer_name
    return str(_OUTSIDER_NAMES.get(row.actor_role, ""))


def history(agreement: Agreement, *, for_outsider: bool = True) -> list[dict[str, Any]]:
    """What happened, for every party: who (by role and name), when, why. No IPs here.

    Only the school's staff see staff login names; employers and graduates see functions.
    """
    rows = AuditLog.objects.filter(
        target_type=agreement._meta.label_lower, target_id=str(agreement.pk)
    ).order_by("created_at", "id")
    role_labels = dict(Role.choices)
    out = []
    for row in rows:
        out.append(
            {
                "at": row.created_at,
                "action": history_label(row.action),
                "role": str(role_labels.get(row.actor_role, _("系统"))),
                "actor": _actor_name(row, agreement, for_outsider),
                "reason": row.reason,
                "to": State(row.data["to"]).label if row.data.get("to") else "",
                "version": row.data.get("version"),
            }
        )
    return out


# An employer named in a graduate's own (submitted) agreement sees its part only: the
# job and its own details, not the graduate's archive and hukou addresses or other terms.
EMPLOYER_SECTIONS_OF_GRADUATE_AGREEMENT = ("job", "employer")
_EMPLOYER_FIELDS_OF_GRADUATE_AGREEMENT = frozenset(
    name
    for key, _t, names in SECTIONS
    if key in EMPLOYER_SECTIONS_OF_GRADUATE_AGREEMENT
    for name in names
)


def employer_sees_part_only(agreement: Agreement, party: Party) -> bool:
    return party == Party.EMPLOYER and agreement.origin == Origin.GRADUATE


def visible_content(agreement: Agreement, party: Party, content: dict | None) -> dict | None:
    """`content` as this party may see it (an employer on a graduate's agreement: its part)."""
    if content is None or not employer_sees_part_only(agreement, party):
        return content
    return {k: v for k, v in content.items() if k in _EMPLOYER_FIELDS_OF_GRADUATE_AGREEMENT}


def detail(actor: Actor, agreement: Agreement, party: Party) -> dict[str, Any]:
    """Everything a detail page or API answer shows, for this party."""
    from agreements import termination_selectors

    current = agreement.current_version
    shown = current.content if current else agreement.draft_content
    ctx = context_for(agreement)
    part_only = employer_sees_part_only(agreement, party)
    sections = sections_for_display(shown)
    versions = versions_with_diffs(agreement)
    if part_only:
        sections = [s for s in sections if s["key"] in EMPLOYER_SECTIONS_OF_GRADUATE_AGREEMENT]
        for v in versions:
            v["changes"] = [
                c for c in v["changes"] if c["field"] in _EMPLOYER_FIELDS_OF_GRADUATE_AGREEMENT
            ]
    actions = {a.value for a in allowed_actions(agreement, party, ctx)}
    not_offered: list = []
    if party == Party.GRADUATE:
        # Offer only what can succeed now, and say why the rest is not offered.
        from agreements import offers

        actions, not_offered = offers.graduate_detail_offers(agreement, actions)
    return {
        **termination_selectors.panel(agreement, party, actions, ctx),
        "agreement": agreement,
        "party": party,
        "actions": actions,
        "not_offered": not_offered,
        "sections": sections,
        "part_only": part_only,
        "content": visible_content(agreement, party, current.content if current else None),
        # The graduate's working copy is theirs alone.
        "draft_content": agreement.draft_content
        if agreement.state in EDITABLE_STATES and not part_only
        else None,
        "draft_sections": sections_for_display(agreement.draft_content)
        if agreement.state in EDITABLE_STATES and not part_only
        else None,
        "versions": versions,
        "history": history(agreement, for_outsider=party in (Party.EMPLOYER, Party.GRADUATE)),
        "proofs": list(agreement.proofs.filter(removed=False)),
    }


def proof_of(agreement: Agreement, proof_id: int):
    """A proof image still attached to the agreement; a removed one is a 404 for everyone."""
    from agreements.models import ProofImage

    proof = ProofImage.objects.filter(pk=proof_id, agreement=agreement, removed=False).first()
    if proof is None or not proof.image:
        raise NotFound(_("图片不存在。"))
    return proof


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
        agreements.filter(state__in=SIGNED_STATES)
        .values_list("graduate__college_id")
        .annotate(n=Count("graduate_id", distinct=True))
        .order_by()
    )
    in_review = dict(
        agreements.filter(state__in=IN_REVIEW_STATES)
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
    from agreements import termination_selectors

    return {
        "terminations": termination_selectors.counts(actor),
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
    from agreements.print_services import paper_counts  # the printed agreements' paper copies

    papers = book.create_sheet(_("纸质协议"))
    append_row(papers, [_("纸质协议"), _("协议数")])
    for label, _value, n in paper_counts(actor):
        append_row(papers, [label, n])
    return workbook_bytes(book)


# What an employer's earlier offer may lend a new invitation: the job terms, nothing else.
PREFILL_JOB_FIELDS = tuple(next(names for key, _t, names in SECTIONS if key == "job"))


def prefill_for_employer(actor: Actor, school) -> dict[str, Any]:
    """A new invitation's sections: the employer's own profile and its last SENT offer's job terms.

    An HR hiring twenty graduates types the offer once. Nothing else is copied: the archive
    and hukou section and other terms belong to one graduate, and an agreement a graduate
    started (which merely names this employer) is never a source.
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
            Agreement.objects.filter(
                employer_id=employer.pk,
                origin=Origin.EMPLOYER,
                sent_at__isnull=False,
                current_version__isnull=False,
            )
            .select_related("current_version")
            .order_by("-sent_at", "-pk")
            .first()
        )
        if last is not None:
            offer = last.current_version.content
            content.update({k: offer[k] for k in PREFILL_JOB_FIELDS if k in offer})
    return content
