"""Pages of the printed agreement: 我的协议书, downloads, the print room, the paper copy.

Thin doors onto agreements.print_services / agreements.paper. A download redirects to a
short-lived signed URL of the stored PDF (core.uploads), after the permission check.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from agreements import paper, print_services, printing
from agreements.forms import ReasonForm
from agreements.printing import REGISTER_XLSX_NAME, signed_link
from core.context import actor_from_request
from core.spreadsheets import xlsx_response
from settings_per_school.selectors import get_school_settings

SCHOOL_ROLES = (Role.GRADUATE, Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)
ADMINS = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


def _fail(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, str(exc))


# --- school host -------------------------------------------------------------------------


@role_required(Role.GRADUATE)
def mine(request):
    """我的协议书: the signed agreements, each with 打印/下载 and the number of copies."""
    actor = actor_from_request(request)
    settings = get_school_settings()
    labels, copies = printing.copies_of(settings)
    return render(
        request,
        "agreements/print/mine.html",
        {
            "agreements": print_services.signed_for_graduate(actor),
            "copies": len(labels) if labels[0] else copies,
            "labels": [label for label in labels if label],
        },
    )


@role_required(*SCHOOL_ROLES)
def pdf(request, pk: int):
    download = print_services.download_pdf(actor_from_request(request), pk)
    return redirect(signed_link(request, download.name))


@require_POST
@role_required(Role.GRADUATE)
def scan_upload(request, pk: int):
    upload = request.FILES.get("scan")
    try:
        if upload is None:
            raise ValidationError(_("请选择盖章协议的扫描件或照片。"))
        paper.upload_scan(actor=actor_from_request(request), agreement_id=pk, upload=upload)
        messages.success(request, _("盖章协议已上传，等待学校核对。"))
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
    return redirect("agreements:detail", pk=pk)


@role_required(*SCHOOL_ROLES)
def scan(request, pk: int):
    name = paper.scan_for_download(actor=actor_from_request(request), agreement_id=pk)
    return redirect(signed_link(request, name))


@require_POST
@role_required(Role.SCHOOL_ADMIN)
def receive(request, pk: int):
    try:
        paper.mark_received(actor=actor_from_request(request), agreement_id=pk)
        messages.success(request, _("已确认纸质协议收回。"))
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
    return redirect("agreements:detail", pk=pk)


@require_POST
@role_required(Role.SCHOOL_ADMIN)
def reject(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回须填写原因。"))
        return redirect("agreements:detail", pk=pk)
    try:
        paper.reject_scan(
            actor=actor_from_request(request), agreement_id=pk, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已退回盖章件，上传人将看到原因。"))
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
    return redirect("agreements:detail", pk=pk)


@role_required(*ADMINS)
def print_room(request):
    """打印室: per college, the signed agreements in one zip, and the register export."""
    from agreements import links

    actor = actor_from_request(request)
    colleges = links.colleges_for_dashboard(actor)
    rows = [
        {"college": c, "count": print_services.college_queryset(actor, c.pk).count()}
        for c in colleges
    ]
    return render(
        request,
        "agreements/print/room.html",
        {"rows": rows, "papers": print_services.paper_counts(actor)},
    )


@role_required(*ADMINS)
def college_zip(request, college_id: int):
    data, _count = print_services.college_zip(actor_from_request(request), college_id)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="college-{college_id}-agreements.zip"'
    return response


@role_required(*ADMINS)
def register_export(request):
    return xlsx_response(
        print_services.register_xlsx(actor_from_request(request)), REGISTER_XLSX_NAME
    )


# --- platform host: the employer's HR -----------------------------------------------------


def _school_or_404(subdomain: str):
    from agreements.views import _school_or_404 as school_or_404

    return school_or_404(subdomain)


@role_required(Role.EMPLOYER)
def employer_pdf(request, school: str, pk: int):
    the_school = _school_or_404(school)
    download = print_services.download_pdf(actor_from_request(request), pk, school=the_school)
    return redirect(signed_link(request, download.name, school=the_school))


@require_POST
@role_required(Role.EMPLOYER)
def employer_scan_upload(request, school: str, pk: int):
    the_school = _school_or_404(school)
    upload = request.FILES.get("scan")
    try:
        if upload is None:
            raise ValidationError(_("请选择盖章协议的扫描件或照片。"))
        paper.upload_scan(
            actor=actor_from_request(request), agreement_id=pk, upload=upload, school=the_school
        )
        messages.success(request, _("盖章协议已上传，等待学校核对。"))
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
    return redirect("employer-agreements:detail", school=school, pk=pk)
