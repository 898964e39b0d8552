"""Pages. Thin: every rule is in services / verification, every read in selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role, User
from core import audit, params
from core import review_queue as review_queue_nav
from core.context import actor_from_request
from core.exceptions import NotAllowed
from core.forms import add_service_errors, post_data
from core.spreadsheets import xlsx_response
from students import exports, reviewers, selectors, services, verification, visibility
from students.forms import (
    CollegeForm,
    CorrectionForm,
    ReviewForm,
    RosterUploadForm,
    StaffCollegesForm,
    StaffForm,
)
from students.models import College, RosterImport, VerificationState

STAFF = (Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN)
GRADUATE_ACTIONS = {
    "start": verification.start,
    "submit": verification.submit,
    "withdraw": verification.withdraw,
}
ACTION_DONE = {
    "start": _lazy("已开始核验，请修改有误的信息。"),
    "submit": _lazy("已提交，等待学院审核。"),
    "withdraw": _lazy("已撤回，可以继续修改。"),
}


def _error_message(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        text = "；".join(exc.messages)
    else:
        text = str(exc)
    messages.error(request, text)


# ---- the graduate ---------------------------------------------------------------------------


@role_required(Role.GRADUATE)
def my_record(request):
    graduate = selectors.graduate_of(request.user)
    if graduate is None:
        return render(request, "students/no_record.html")
    if request.method == "POST":
        action = GRADUATE_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("未知的操作。"))
        else:
            try:
                action(actor=actor_from_request(request), graduate=graduate)
            except (ValidationError, NotAllowed) as exc:
                _error_message(request, exc)
            else:
                messages.success(request, ACTION_DONE[request.POST["action"]])
                if request.POST["action"] == "start":
                    return redirect("students:my_edit")
        return redirect("students:my_record")
    return render(
        request,
        "students/my_record.html",
        {
            "graduate": graduate,
            "groups": selectors.record_groups(graduate, for_staff=False),
            "editable": set(verification.EDITABLE_FIELDS),
            "changes": selectors.changes(graduate, for_staff=False),
            "can_sign": selectors.can_sign(graduate),
            "S": VerificationState,
        },
    )


@role_required(Role.GRADUATE)
def my_edit(request):
    graduate = selectors.graduate_of(request.user)
    if graduate is None:
        return redirect("students:my_record")
    if graduate.state != VerificationState.VERIFYING:
        messages.error(request, _("当前状态不能修改，请先点击“开始核验”。"))
        return redirect("students:my_record")
    form = CorrectionForm(post_data(request), instance=graduate)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            verification.save_corrections(
                actor=actor_from_request(request), graduate=graduate, changes=changes
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。确认无误后请点击“提交审核”。"))
            return redirect("students:my_record")
    return render(request, "students/my_edit.html", {"form": form, "graduate": graduate})


# ---- staff: lists, detail, review ------------------------------------------------------------


@role_required(*STAFF)
def graduate_list(request):
    filters = {
        "q": params.text(request, "q"),
        "college_id": params.integer(request, "college"),
        "state": params.choice(request, "state", VerificationState.values),
    }
    qs = selectors.search_graduates(request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    colleges = selectors.visible_colleges(request.user)
    return render(
        request,
        "students/graduate_list.html",
        {
            "page": page,
            "params": filters,
            "colleges": colleges,
            "states": VerificationState.choices,
            "counts": selectors.state_counts(selectors.visible_graduates(request.user)),
        },
    )


QUEUE_FILTERS = ("college", "q")


def _queue(request, params):
    filters = review_queue_nav.filters_of(params, QUEUE_FILTERS)
    qs = selectors.review_queue(
        request.user,
        college_id=review_queue_nav.college_id(filters),
        q=filters.get("q", ""),
    )
    return qs, filters


def _queue_position(request, pk: int, params):
    qs, filters = _queue(request, params)
    return review_queue_nav.position_in(
        qs,
        pk,
        detail_url=lambda i: reverse("students:graduate_detail", args=[i]),
        list_url=reverse("students:review_queue"),
        filters=filters,
    )


@role_required(*STAFF)
def graduate_detail(request, pk: int):
    graduate = selectors.get_visible_graduate(request.user, pk)
    form = ReviewForm(post_data(request), initial={"revision": graduate.revision})
    params = QueryDict(request.POST.get("queue", "")) if request.method == "POST" else request.GET
    can_review = selectors.can_review(request.user, graduate)
    queue = _queue_position(request, pk, params) if can_review else None
    if request.method == "POST":
        if form.is_valid():
            decide = (
                verification.approve
                if form.cleaned_data["decision"] == "approve"
                else verification.reject
            )
            try:
                decide(
                    actor=actor_from_request(request),
                    graduate=graduate,
                    reason=form.cleaned_data["reason"],
                    expected_revision=form.cleaned_data["revision"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_service_errors(form, exc)
                else:  # decided meanwhile: the form may be gone, so say it on top
                    _error_message(request, exc)
                    return redirect("students:graduate_detail", pk=pk)
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(request, _("审核结果已保存。"))
                # On to the next one in the same filters; the queue when none is left.
                following = queue.next_url if queue else ""
                if not following:
                    waiting, filters = _queue(request, params)
                    following = review_queue_nav.next_after_decision(
                        waiting,
                        detail_url=lambda i: reverse("students:graduate_detail", args=[i]),
                        filters=filters,
                    )
                return redirect(following or reverse("students:review_queue"))
    not_reviewer = ""
    if (
        request.user.role == Role.SCHOOL_ADMIN
        and graduate.state == VerificationState.SUBMITTED
        and not can_review
    ):
        not_reviewer = reviewers.who_must_review(graduate)
    return render(
        request,
        "students/graduate_detail.html",
        {
            "graduate": graduate,
            "groups": selectors.record_groups(graduate, for_staff=True, viewer=request.user),
            "changes": selectors.changes(graduate, viewer=request.user),
            "history": selectors.history(graduate),
            "can_review": can_review,
            "not_reviewer": not_reviewer,
            "queue": queue,
            "form": form,
            "action_url": request.path,
        },
    )


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def reset_password(request, pk: int):
    graduate = selectors.get_visible_graduate(request.user, pk)
    services.reset_graduate_password(actor=actor_from_request(request), graduate=graduate)
    messages.success(request, _("密码已重置为身份证号后六位，学生下次登录时须修改。"))
    return redirect("students:graduate_detail", pk=pk)


@role_required(*STAFF)
def review_queue(request):
    qs, filters = _queue(request, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if request.user.role == Role.SCHOOL_ADMIN:
        colleges = reviewers.colleges_without_reviewer()
    else:
        colleges = request.user.admin_colleges.all()
    return render(
        request,
        "students/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(filters),
            "colleges": colleges,
            "school_admin_scope": request.user.role == Role.SCHOOL_ADMIN,
        },
    )


@role_required(*STAFF)
def roster_export(request):
    """Masked by default; POST with a reason gives the phones the viewer may see, audited.

    The filters are in the query string for both (the POST form's action carries them).
    """
    qs = selectors.search_graduates(
        request.user,
        state=params.choice(request, "state", VerificationState.values),
        college_id=params.integer(request, "college"),
    )
    clear_for = None
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        if not reason or not visibility.may_export_in_clear(request.user):
            messages.error(request, _("导出完整手机号须填写用途。"))
            return redirect("students:graduate_list")
        audit.record(
            actor_from_request(request),
            "graduate.export_in_clear",
            target_type="students.graduate",
            reason=reason,
            data={"state": request.GET.get("state", ""), "college": request.GET.get("college", "")},
        )
        clear_for = request.user
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        exports.roster_workbook(qs.iterator(chunk_size=2000), clear_for=clear_for),
        f"roster-{stamp}.xlsx",
    )


# ---- school admin: imports, colleges, staff ---------------------------------------------------


@role_required(Role.SCHOOL_ADMIN)
def roster_template(request):
    return xlsx_response(exports.template_workbook(), "roster-template.xlsx")


@role_required(Role.SCHOOL_ADMIN)
def imports(request):
    form = RosterUploadForm(post_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            roster_import = services.start_roster_import(
                actor=actor_from_request(request), upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("students:import_detail", pk=roster_import.pk)
    recent = RosterImport.objects.select_related("created_by")[:20]
    return render(request, "students/imports.html", {"form": form, "recent": recent})


@role_required(Role.SCHOOL_ADMIN)
def import_detail(request, pk):
    roster_import = get_object_or_404(RosterImport, pk=pk)
    if request.method == "POST":
        action = (
            services.discard_roster_import
            if request.POST.get("action") == "discard"
            else services.confirm_roster_import
        )
        try:
            action(actor=actor_from_request(request), roster_import=roster_import)
        except ValidationError as exc:
            _error_message(request, exc)
        return redirect("students:import_detail", pk=pk)
    return render(request, "students/import_detail.html", {"imp": roster_import})


@role_required(Role.SCHOOL_ADMIN)
def import_status(request, pk):
    roster_import = get_object_or_404(RosterImport, pk=pk)
    return JsonResponse(selectors.import_status(roster_import))


@role_required(Role.SCHOOL_ADMIN)
def colleges(request):
    form = CollegeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_college(actor=actor_from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("学院已添加。"))
            return redirect("students:colleges")
    return render(
        request,
        "students/colleges.html",
        {"form": form, "colleges": selectors.colleges_with_counts()},
    )


@role_required(Role.SCHOOL_ADMIN)
def college_edit(request, pk: int):
    college = get_object_or_404(College, pk=pk)
    form = CollegeForm(post_data(request), initial={"name": college.name, "code": college.code})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_college(
                actor=actor_from_request(request), college=college, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("students:colleges")
    return render(request, "students/college_edit.html", {"form": form, "college": college})


@role_required(Role.SCHOOL_ADMIN)
def staff(request):
    form = StaffForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_staff(
                actor=actor_from_request(request),
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                role=form.cleaned_data["role"],
                display_name=form.cleaned_data["display_name"],
                college_ids=form.cleaned_data["colleges"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("账号已创建，首次登录时须修改密码。"))
            return redirect("students:staff")
    return render(request, "students/staff.html", {"form": form, "staff": selectors.staff_users()})


@role_required(Role.SCHOOL_ADMIN)
def staff_edit(request, pk: int):
    user = get_object_or_404(User, pk=pk, role=Role.COLLEGE_ADMIN)
    form = StaffCollegesForm(
        post_data(request),
        initial={"colleges": list(user.admin_colleges.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_staff_colleges(
                actor=actor_from_request(request),
                user=user,
                college_ids=form.cleaned_data["colleges"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("students:staff")
    return render(request, "students/staff_edit.html", {"form": form, "staff_user": user})
