"""Downloads of the printed agreement (one PDF, a college's zip) and the agreements register.

Every download is audited in the school's audit log (who, when, from where, which variant).
The caller checks nothing itself: these functions find the actor's party to the agreement
and answer 404 for anyone who is not one.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Role
from agreements import links, numbering, printing, selectors
from agreements.models import Agreement, AgreementPaper, PaperState, State
from agreements.workflow import Party
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from core.spreadsheets import append_row, new_workbook, workbook_bytes

# States in which the printed agreement exists (it stays downloadable after a termination,
# its verification page then says 已解约).
PRINTABLE_STATES = (State.SIGNED, State.TERMINATION_REVIEW, State.TERMINATED)


@dataclass(frozen=True)
class Download:
    name: str  # storage name
    filename: str
    variant: str


def _printable(actor: Actor, agreement_id: int) -> tuple[Agreement, Party]:
    agreement, party = selectors.get_agreement(actor, agreement_id)
    if agreement.state not in PRINTABLE_STATES or not agreement.number:
        raise Http404(_("协议尚未签约成功，暂无协议书。"))
    return agreement, party


def download_pdf(actor: Actor, agreement_id: int, *, school=None) -> Download:
    """The stored PDF of a signed agreement for this actor (rendered now if missing), audited.

    school: the agreement's school when called from the platform host (HR); the schema is
    then entered here.
    """
    from agreements.services import _in_school

    with _in_school(school):
        agreement, party = _printable(actor, agreement_id)
        variant = printing.variant_for(party)
        paper = AgreementPaper.objects.select_related("version").get(agreement=agreement)
        name = printing.stored_pdf(agreement, variant, school=school, build_font=False, paper=paper)
        # On the paper row, not the agreement: downloads stay out of the parties' history.
        audit.record(
            actor,
            "agreement.pdf_downloaded",
            target=paper,
            data={
                "agreement": agreement.pk,
                "variant": variant,
                "party": party,
                "number": agreement.number,
            },
        )
        return Download(name=name, filename=printing.download_filename(agreement), variant=variant)


def college_queryset(actor: Actor, college_id: int) -> QuerySet[Agreement]:
    if actor.role not in (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN):
        raise NotAllowed(_("只有学校或院系管理员可以批量下载。"))
    if actor.role == Role.COLLEGE_ADMIN and college_id not in links.college_ids_for(actor.user):
        raise Http404(_("院系不存在。"))
    return (
        selectors.school_agreements(actor, college_id=college_id)
        .filter(state=State.SIGNED, number__isnull=False)
        .order_by("number")
    )


def college_zip(actor: Actor, college_id: int) -> tuple[bytes, int]:
    """The signed agreements of one college in one zip (the self-service print room)."""
    agreements = list(college_queryset(actor, college_id))
    variant = printing.FULL if actor.role == Role.SCHOOL_ADMIN else printing.MASKED
    buffer = io.BytesIO()
    # PDFs are compressed already: storing them keeps the zip fast.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for agreement in agreements:
            name = printing.stored_pdf(agreement, variant, build_font=False)
            with default_storage.open(name, "rb") as handle:
                archive.writestr(
                    f"{agreement.number}-{agreement.graduate.student_number}.pdf", handle.read()
                )
    audit.record(
        actor,
        "agreement.pdf_zip_downloaded",
        target_type="students.college",
        target_id=college_id,
        data={"count": len(agreements), "variant": variant},
    )
    return buffer.getvalue(), len(agreements)


def signed_for_graduate(actor: Actor) -> list[Agreement]:
    """我的协议书: the graduate's signed (or later terminated) agreements, newest first."""
    return [
        a
        for a in selectors.agreements_for_graduate(actor)
        .filter(state__in=PRINTABLE_STATES, number__isnull=False)
        .select_related("paper")
    ]


def paper_counts(actor: Actor) -> list[tuple[str, str, int]]:
    """The paper copies of the agreements the admin sees, by state (dashboard)."""
    from django.db.models import Count

    qs = AgreementPaper.objects.filter(
        agreement__in=selectors.school_agreements(actor).filter(state=State.SIGNED)
    )
    counts = dict(qs.values_list("paper_state").annotate(n=Count("id")).order_by())
    return [(str(s.label), s.value, counts.get(s.value, 0)) for s in PaperState]


def register_rows(actor: Actor) -> list[list]:
    """协议书台账: one row per numbered agreement the admin sees (ID numbers never in clear)."""
    qs = (
        selectors.school_agreements(actor)
        .filter(number__isnull=False)
        .select_related("graduate__major", "paper", "paper__version")
        .order_by("number")
    )
    rows = []
    for a in qs:
        paper = getattr(a, "paper", None)
        rows.append(
            [
                numbering.display(a.number),
                a.graduate.student_number,
                a.graduate.name,
                a.graduate.college.name,
                a.graduate.major.name,
                a.employer_name,
                (paper.version.content.get("position", "") if paper else ""),
                timezone.localtime(a.signed_at).strftime("%Y-%m-%d") if a.signed_at else "",
                a.get_state_display(),
                PaperState(paper.paper_state).label if paper else "",
                paper.lookups if paper else 0,
            ]
        )
    return rows


REGISTER_HEADER = [
    _l("协议编号"),
    _l("学号"),
    _l("姓名"),
    _l("学院"),
    _l("专业"),
    _l("用人单位"),
    _l("岗位"),
    _l("签约日期"),
    _l("协议状态"),
    _l("纸质协议"),
    _l("核验次数"),
]


def register_xlsx(actor: Actor) -> bytes:
    if actor.role not in (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN):
        raise NotAllowed(_("只有学校或院系管理员可以导出。"))
    book = new_workbook()
    sheet = book.create_sheet(_("协议书台账"))
    append_row(sheet, [str(h) for h in REGISTER_HEADER])
    for row in register_rows(actor):
        append_row(sheet, [str(v) if not isinstance(v, int) else v for v in row])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["F"].width = 30
    audit.record(actor, "agreement.register_exported", target_type="agreements.agreement")
    return workbook_bytes(book)
