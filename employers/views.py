"""Pages: HR registration and home, the operators' verification queue, the school lookup demo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from core import params
from core.context import actor_from_request
from core.forms import add_service_errors
from core.uploads import signed_url
from employers import selectors, services
from employers.forms import (
    EmployerEditForm,
    EmployerLookupForm,
    MemberForm,
    MergeForm,
    RegistrationForm,
    RejectForm,
)
from employers.models import Employer, Status
from tenants.selectors import active_schools


def register(request):
    if request.user.is_authenticated:
        return redirect("employers:mine" if request.user.role == Role.EMPLOYER else "home")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.register_employer(
                actor=actor_from_request(request),
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                employer=form.employer_data(),
                licence=form.cleaned_data["licence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，请等待平台审核单位信息（通常 1 个工作日内）。"))
            return redirect("employers:mine")
    return render(request, "employers/register.html", {"form": form})


def _own_membership(request):
    membership = selectors.membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    return membership


@role_required(Role.EMPLOYER)
def mine(request):
    membership = _own_membership(request)
    employer = membership.employer
    member_form = MemberForm(request.POST or None) if membership.is_admin else None
    if request.method == "POST" and member_form is not None and member_form.is_valid():
        try:
            services.add_member(actor=actor_from_request(request), **member_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(member_form, exc)
        else:
            messages.success(request, _("已为同事开通账号。"))
            return redirect("employers:mine")
    school = None
    subdomain = params.text(request, "school")
    if subdomain:
        school = active_schools().filter(subdomain=subdomain).first()
    state = params.text(request, "state") or None
    dashboard = selectors.employer_dashboard(employer, school=school, state=state)
    return render(
        request,
        "employers/mine.html",
        {
            "employer": employer,
            "membership": membership,
            "members": employer.memberships.select_related("user"),
            "member_form": member_form,
            "dashboard": dashboard,
            "selected_school": school,
            "selected_state": state or "",
        },
    )


@role_required(Role.EMPLOYER)
def edit_mine(request):
    membership = _own_membership(request)
    employer = membership.employer
    rejected = employer.status == Status.REJECTED
    fields = services.HR_EDITABLE_FIELDS
    if rejected:
        fields = ("name", "nature", "industry", "province", "city", *fields)
    initial = {name: getattr(employer, name) for name in fields}
    form = EmployerEditForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        fields=fields,
        allow_licence=rejected,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_own_employer(
                actor=actor_from_request(request),
                changes={k: v for k, v in form.changes().items() if v != initial.get(k)},
                licence=form.cleaned_data.get("licence"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已重新提交审核。") if rejected else _("单位信息已保存。"))
            return redirect("employers:mine")
    return render(
        request,
        "employers/edit.html",
        {"form": form, "employer": employer, "rejected": rejected},
    )


@require_GET
def licence(request, employer_id: int):
    """Permission check here; the file itself comes from a short-lived signed URL."""
    employer = selectors.get_employer(employer_id)
    if (
        employer is None
        or not employer.licence
        or not selectors.can_see_licence(request.user, employer)
    ):
        raise Http404
    return redirect(signed_url(request, employer.licence.name))


# --- operators ----------------------------------------------------------------------------


@role_required(Role.OPERATOR)
def operator_list(request):
    status = params.choice(request, "status", [*Status.values, "all"], Status.PENDING)
    q = params.text(request, "q")
    employers = selectors.employer_list(None if status == "all" else status, q)[:200]
    if status == Status.PENDING and not q:
        employers = selectors.employer_queue()[:200]
    return render(
        request,
        "employers/operator_list.html",
        {"employers": employers, "status": status, "q": q, "statuses": Status.choices},
    )


@role_required(Role.OPERATOR)
def operator_detail(request, employer_id: int):
    employer = selectors.get_employer(employer_id)
    if employer is None:
        raise Http404
    fields = services.EDITABLE_FIELDS
    edit_form = EmployerEditForm(
        request.POST if request.POST.get("action") == "edit" else None,
        initial={name: getattr(employer, name) for name in fields},
        fields=fields,
    )
    if request.method == "POST" and request.POST.get("action") == "edit" and edit_form.is_valid():
        changes = {k: v for k, v in edit_form.changes().items() if v != getattr(employer, k)}
        try:
            services.update_employer(
                actor=actor_from_request(request), employer_id=employer.pk, changes=changes
            )
        except ValidationError as exc:
            add_service_errors(edit_form, exc)
        else:
            messages.success(request, _("单位信息已保存。"))
            return redirect("employers:operator-detail", employer_id=employer.pk)
    return render(
        request,
        "employers/operator_detail.html",
        {
            "employer": employer,
            "edit_form": edit_form,
            "reject_form": RejectForm(),
            "merge_form": MergeForm(),
            "members": employer.memberships.select_related("user"),
        },
    )


@role_required(Role.OPERATOR)
@require_POST
def operator_verify(request, employer_id: int):
    try:
        employer = services.verify_employer(
            actor=actor_from_request(request), employer_id=employer_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已认证“%(name)s”。") % {"name": employer.name})
    return redirect("employers:operator-list")


@role_required(Role.OPERATOR)
@require_POST
def operator_reject(request, employer_id: int):
    form = RejectForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        employer = services.reject_employer(
            actor=actor_from_request(request), employer_id=employer_id, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("employers:operator-detail", employer_id=employer_id)
    messages.success(request, _("已驳回“%(name)s”。") % {"name": employer.name})
    return redirect("employers:operator-list")


@role_required(Role.OPERATOR)
@require_POST
def operator_merge(request, employer_id: int):
    form = MergeForm(request.POST)
    target_text = form.data.get("target", "").strip()
    target = None
    if target_text.isdigit() and len(target_text) < 18:
        target = selectors.get_employer(int(target_text))
    elif target_text:
        target = Employer.objects.filter(credit_code=target_text.upper()).first()
    if target is None:
        messages.error(request, _("未找到要合并到的单位，请填写其编号或统一社会信用代码。"))
        return redirect("employers:operator-detail", employer_id=employer_id)
    try:
        kept = services.merge_employers(
            actor=actor_from_request(request),
            source_id=employer_id,
            target_id=target.pk,
            reason=form.data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("employers:operator-detail", employer_id=employer_id)
    messages.success(request, _("已合并到“%(name)s”。") % {"name": kept.name})
    return redirect("employers:operator-detail", employer_id=kept.pk)


# --- school hosts -------------------------------------------------------------------------


def lookup(request):
    """The employer name field with its 云 autocomplete, as a school's agreement form uses it."""
    from settings_per_school.selectors import get_school_settings

    return render(
        request,
        "employers/lookup.html",
        {"settings": get_school_settings(), "form": EmployerLookupForm()},
    )
