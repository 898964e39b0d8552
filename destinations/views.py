"""Pages. Thin: each POST calls one service; reads come from the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.models import Role
from agreements import termination_selectors
from core.context import actor_from_request
from core.forms import add_service_errors, post_data
from core.spreadsheets import xlsx_response
from destinations import charts, exports, rules, selectors, services
from destinations.forms import (
    AdminRegistrationForm,
    DeadlineForm,
    ExportForm,
    RegistrationForm,
    ReviewForm,
)
from destinations.models import Proof, Status
from students.models import Graduate

REVIEWERS = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)
STATS_XLSX_NAME = "destination-statistics.xlsx"
NATIONAL_XLSX_NAME = "graduate-destinations.xlsx"


def _requirements() -> dict:
    """Each code's fields, their labels and the proof, for the form's script (json_script)."""
    return {
        r.code: {
            "fields": list(r.fields),
            "proof": r.proof,
            "labels": {f: r.label(f) for f in r.fields},
        }
        for r in rules.registrable_codes()
    } | {"10": {"fields": list(rules.FIELDS), "proof": "", "labels": {}}}


def _submit(request, graduate: Graduate, form) -> bool:
    """Validate and call the service; False (with the errors on the form) when refused."""
    if not form.is_valid():
        return False
    try:
        services.submit_registration(
            actor=actor_from_request(request),
            graduate=graduate,
            data=form.cleaned_data,
            uploads=request.FILES.getlist("proof"),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return False
    return True


@role_required(Role.GRADUATE, Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)
def mine(request):
    """The graduate's destination: current record, pending registration, history, the form."""
    actor = actor_from_request(request)
    if actor.role != Role.GRADUATE:
        return redirect("destinations:dashboard")
    graduate = selectors.graduate_for(actor)
    if graduate is None:
        raise PermissionDenied
    form = RegistrationForm(post_data(request))
    if request.method == "POST" and _submit(request, graduate, form):
        messages.success(request, _("已提交毕业去向登记，等待学院审核。"))
        return redirect("destinations:mine")
    current = selectors.current_of(graduate)
    pending = selectors.pending_of(graduate)
    is_open = services.registration_open(graduate)
    signed = current is not None and current.source == "agreement"
    return render(
        request,
        "destinations/mine.html",
        {
            "graduate": graduate,
            "form": form,
            "current": selectors.describe(current) if current else None,
            "pending": selectors.describe(pending) if pending else None,
            "history": [
                selectors.describe(d)
                for d in selectors.history_of(graduate)
                if not d.is_current and d.status != "pending"
            ],
            "deadline": services.deadline_for(graduate),
            "is_open": is_open,
            "signed": signed,
            "can_register": is_open and pending is None and not signed,
            "requirements": _requirements(),
        },
    )


@role_required(*REVIEWERS)
def review_queue(request):
    actor = actor_from_request(request)
    return render(
        request,
        "destinations/review_queue.html",
        {"records": [selectors.describe(d) for d in selectors.review_queue(actor)[:200]]},
    )


@role_required(Role.GRADUATE, *REVIEWERS)
def detail(request, pk: int):
    actor = actor_from_request(request)
    record = selectors.get_destination(actor, pk)
    form = ReviewForm(post_data(request))
    if request.method == "POST":
        if actor.role not in REVIEWERS:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.review(
                    actor=actor,
                    destination_id=record.pk,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("审核结果已保存。"))
                return redirect("destinations:review")
    return render(
        request,
        "destinations/detail.html",
        {
            "d": selectors.describe(record),
            "record": record,
            "form": form,
            "can_review": actor.role in REVIEWERS and record.status == Status.PENDING,
            "history": selectors.history(record),
        },
    )


@role_required(Role.GRADUATE, *REVIEWERS)
def proof(request, pk: int, proof_id: int):
    """Served through the app: only the graduate and their reviewers see it."""
    record = selectors.get_destination(actor_from_request(request), pk)
    item = get_object_or_404(Proof, pk=proof_id, destination=record)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(Role.SCHOOL_ADMIN)
def find_graduate(request):
    """学号 → that graduate's destination page (school admins record and correct there)."""
    number = (request.GET.get("student_number") or "").strip()
    graduate = Graduate.objects.filter(student_number=number).first() if number else None
    if graduate is None:
        messages.error(request, _("未找到学号为“%(number)s”的毕业生。") % {"number": number})
        return redirect("destinations:dashboard")
    return redirect("destinations:record", graduate_id=graduate.pk)


@role_required(Role.SCHOOL_ADMIN)
def record_for_graduate(request, graduate_id: int):
    """A school admin records or corrects a graduate's destination (also after the deadline)."""
    graduate = get_object_or_404(
        Graduate.objects.select_related("college", "major"), pk=graduate_id
    )
    form = AdminRegistrationForm(post_data(request))
    if request.method == "POST" and _submit(request, graduate, form):
        messages.success(request, _("毕业去向已登记。"))
        return redirect("destinations:record", graduate_id=graduate.pk)
    current = selectors.current_of(graduate)
    return render(
        request,
        "destinations/record.html",
        {
            "graduate": graduate,
            "form": form,
            "requirements": _requirements(),
            "current": selectors.describe(current) if current else None,
            "history": [selectors.describe(d) for d in selectors.history_of(graduate)],
        },
    )


@role_required(*REVIEWERS)
def dashboard(request):
    actor = actor_from_request(request)
    data = selectors.statistics(actor)
    total = data["total"].figures
    rows = data["rows"]
    context = {
        **data,
        "rates_chart": charts.rate_bars(
            [(r.label, r.figures.placed_rate) for r in rows], label=_("各院系去向落实率")
        ),
        "signed_chart": charts.rate_bars(
            [(r.label, r.figures.signed_rate) for r in rows], label=_("各院系签约率")
        ),
        "curve_chart": charts.curve(data["curve"], label=_("签约进度"), total=total.graduates),
        "codes_chart": charts.count_bars(
            [(f"{c['code']} {c['name']}".strip(), c["count"]) for c in data["by_code"]],
            label=_("毕业去向分布"),
        ),
        "is_school_admin": actor.role == Role.SCHOOL_ADMIN,
        # The agreements' own season panels: terminations and the paper copies.
        "terminations": termination_selectors.counts(actor),
    }
    return render(request, "destinations/dashboard.html", context)


@role_required(*REVIEWERS)
def dashboard_export(request):
    return xlsx_response(exports.statistics_xlsx(actor_from_request(request)), STATS_XLSX_NAME)


@role_required(*REVIEWERS)
def national_export(request):
    actor = actor_from_request(request)
    form = ExportForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            content = exports.national_export(
                actor=actor,
                full_id_numbers=form.cleaned_data["full_id_numbers"],
                password=form.cleaned_data["password"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            return xlsx_response(content, NATIONAL_XLSX_NAME)
    return render(
        request,
        "destinations/export.html",
        {"form": form, "is_school_admin": actor.role == Role.SCHOOL_ADMIN},
    )


@role_required(Role.SCHOOL_ADMIN)
def deadline(request):
    current = services.registration_settings().deadline
    form = DeadlineForm(post_data(request), initial={"deadline": current})
    if request.method == "POST" and form.is_valid():
        services.set_deadline(
            actor=actor_from_request(request), deadline=form.cleaned_data["deadline"]
        )
        messages.success(request, _("截止日期已保存。"))
        return redirect("destinations:deadline")
    return render(request, "destinations/deadline.html", {"form": form})
