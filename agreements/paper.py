"""The stamped paper copy after printing: its small state machine and every write to it.

  awaiting ─upload─▶ uploaded ─reject─▶ rejected ─upload─▶ uploaded
  awaiting / uploaded / rejected ─receive─▶ received   (纸质协议已收回; the paper may come
                                                         back without a scan)

The graduate or the employer's HR uploads a scan or photo (PDF/JPEG/PNG, checked by
core.uploads); a school admin marks the paper received or rejects the scan with a reason.
Same locks as every agreement write (graduate, then agreement, then this row), audited,
in one transaction.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agreements import links
from agreements.models import AgreementPaper, PaperState, State
from agreements.workflow import Party, TransitionRefused
from core import audit
from core.context import Actor
from core.exceptions import NotAllowed
from core.uploads import IMAGES_AND_PDF, validate_upload


class PaperAction(StrEnum):
    UPLOAD = "upload"
    RECEIVE = "receive"
    REJECT = "reject"


PAPER_ACTION_LABELS = {
    PaperAction.UPLOAD: _l("上传盖章协议"),
    PaperAction.RECEIVE: _l("确认纸质协议已收回"),
    PaperAction.REJECT: _l("退回盖章件"),
}

# action -> (who, from which paper states, to which state)
RULES: dict[PaperAction, tuple[frozenset[Party], frozenset[str], PaperState]] = {
    PaperAction.UPLOAD: (
        frozenset({Party.GRADUATE, Party.EMPLOYER}),
        frozenset({PaperState.AWAITING, PaperState.UPLOADED, PaperState.REJECTED}),
        PaperState.UPLOADED,
    ),
    PaperAction.RECEIVE: (
        frozenset({Party.SCHOOL}),
        frozenset({PaperState.AWAITING, PaperState.UPLOADED, PaperState.REJECTED}),
        PaperState.RECEIVED,
    ),
    PaperAction.REJECT: (
        frozenset({Party.SCHOOL}),
        frozenset({PaperState.UPLOADED}),
        PaperState.REJECTED,
    ),
}


def allowed_paper_actions(agreement, paper: AgreementPaper | None, party: Party | None) -> set:
    if paper is None or agreement.state != State.SIGNED:
        return set()
    return {
        action
        for action, (parties, sources, _target) in RULES.items()
        if party in parties and paper.paper_state in sources
    }


def _plan(agreement, paper: AgreementPaper | None, action: PaperAction, party) -> PaperState:
    parties, sources, target = RULES[action]
    label = PAPER_ACTION_LABELS[action]
    if party not in parties:
        raise NotAllowed(_("您无权%(action)s。") % {"action": label})
    if paper is None or agreement.state != State.SIGNED:
        raise TransitionRefused(_("协议尚未签约成功，没有纸质协议。"), code="not_signed")
    if paper.paper_state not in sources:
        raise TransitionRefused(
            _("纸质协议当前为“%(state)s”，不能%(action)s。")
            % {"state": PaperState(paper.paper_state).label, "action": label},
            code="bad_paper_state",
        )
    return target


def _locked(actor: Actor, agreement_id: int):
    from agreements.services import _lock

    agreement, party = _lock(actor, agreement_id)
    paper = AgreementPaper.objects.select_for_update().filter(agreement=agreement).first()
    return agreement, party, paper


def _in_school(school):
    from agreements.services import _in_school as in_school

    return in_school(school)


def _move(actor, agreement, paper, action, old, new, *, reason: str = "", data=None) -> None:
    audit.record(
        actor,
        f"agreement.paper_{action}",
        target=agreement,
        reason=reason,
        # Not "from"/"to": those name agreement states in the history.
        data={"paper_from": old, "paper_to": new, **(data or {})},
    )


def scan_for_download(*, actor: Actor, agreement_id: int) -> str:
    """The stored scan's name for a school party (audited, like every download)."""
    from django.http import Http404

    from agreements.selectors import get_agreement

    agreement, _party = get_agreement(actor, agreement_id)
    paper = AgreementPaper.objects.filter(agreement=agreement).first()
    if paper is None or not paper.scan:
        raise Http404(_("尚未上传盖章协议。"))
    audit.record(
        actor,
        "agreement.paper_scan_downloaded",
        target=paper,
        data={"agreement": agreement.pk},
    )
    return paper.scan.name


def upload_scan(*, actor: Actor, agreement_id: int, upload, school=None) -> AgreementPaper:
    """The graduate or the employer's HR uploads the stamped agreement (scan or photo)."""
    with _in_school(school), transaction.atomic():
        agreement, party, paper = _locked(actor, agreement_id)
        target = _plan(agreement, paper, PaperAction.UPLOAD, party)
        try:
            clean = validate_upload(upload, kinds=IMAGES_AND_PDF)
        except ValidationError as exc:
            raise ValidationError({"scan": exc.messages}) from exc
        old = paper.paper_state
        paper.scan.save(clean.content.name, clean.content, save=False)
        paper.scan_kind = clean.kind
        paper.scan_uploaded_at = timezone.now()
        paper.scan_uploaded_role = actor.role
        paper.paper_state = target
        paper.paper_reason = ""
        paper.save()
        _move(actor, agreement, paper, PaperAction.UPLOAD, old, target, data={"kind": clean.kind})
        return paper


def mark_received(*, actor: Actor, agreement_id: int) -> AgreementPaper:
    """纸质协议已收回 (school admin)."""
    with transaction.atomic():
        agreement, party, paper = _locked(actor, agreement_id)
        target = _plan(agreement, paper, PaperAction.RECEIVE, party)
        old = paper.paper_state
        paper.paper_state = target
        paper.paper_reason = ""
        paper.received_at = timezone.now()
        paper.save()
        _move(actor, agreement, paper, PaperAction.RECEIVE, old, target)
        links.notify(
            user=agreement.graduate.user,
            event="paper_received",
            title=_("纸质协议已收回"),
            body=_("学校已收回您与 %(employer)s 的纸质三方协议。")
            % {"employer": agreement.employer_name},
            url=f"/agreements/{agreement.pk}/",
        )
        return paper


def reject_scan(*, actor: Actor, agreement_id: int, reason: str) -> AgreementPaper:
    """The scan is unreadable or unstamped: back to whoever uploads, with the reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        agreement, party, paper = _locked(actor, agreement_id)
        target = _plan(agreement, paper, PaperAction.REJECT, party)
        if not reason:
            raise TransitionRefused({"reason": _("请填写退回原因。")}, code="reason_required")
        old = paper.paper_state
        paper.paper_state = target
        paper.paper_reason = reason
        paper.save()
        _move(actor, agreement, paper, PaperAction.REJECT, old, target, reason=reason)
        body = _("您上传的盖章协议被退回：%(reason)s。请重新上传。") % {"reason": reason}
        links.notify(
            user=agreement.graduate.user,
            event="paper_rejected",
            title=_("盖章协议被退回"),
            body=body,
            url=f"/agreements/{agreement.pk}/",
        )
        links.notify_employer(
            agreement, event="paper_rejected", title=_("盖章协议被退回"), body=body
        )
        return paper
