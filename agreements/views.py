"""Pages. Thin: each POST calls one service; the detail page offers what the workflow allows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from accounts.decorators import role_required
from accounts.models import Role
from agreements import links, offers, selectors, services, termination_selectors
from agreements.content import EMPLOYER_FIELDS, SECTIONS, AgreementContentForm
from agreements.forms import (
    AcceptForm,
    DeleteDraftForm,
    InvitationForm,
    OptionalReasonForm,
    OwnAgreementForm,
    ProofForm,
    ReasonForm,
    ReviewForm,
)
from agreements.models import Origin, State
from agreements.workflow import Party
from core import params
from core import review_queue as review_queue_nav
from core.context import actor_from_request
from core.exceptions import NotAllowed
from core.forms import add_service_errors, post_data
from settings_per_school.selectors import get_school_settings
from tenants.selectors import active_schools

SCHOOL_ROLES = (Role.GRADUATE, Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)
REVIEWERS = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


def _sections(form) -> list[dict]:
    return [
        {"title": title, "fields": [form[name] for name in names]} for _k, title, names in SECTIONS
    ]


def _content_of(form: AgreementContentForm) -> dict:
    # The raw posted values: services validate them with the same form.
    return {name: form.data.get(name) for name in AgreementContentForm.base_fields} | {
        name: form.data.get(name) == "on" for name in ("archive_moves", "hukou_moves")
    }


def _fail(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, str(exc))


# --- school host -------------------------------------------------------------------------


@role_required(*SCHOOL_ROLES)
def agreement_list(request):
    actor = actor_from_request(request)
    if request.user.role == Role.GRADUATE:
        settings = get_school_settings()
        return render(
            request,
            "agreements/graduate_list.html",
            {
                "agreements": selectors.agreements_for_graduate(actor),
                "settings": settings,
                "start_blocker": offers.start_blocker(
                    links.graduate_for_user(request.user), settings
                ),
                "cooldown": termination_selectors.graduate_cooldown(actor),
            },
        )
    state = params.choice(request, "state", State.values)
    qs = selectors.school_agreements(actor, state=state, q=params.text(request, "q"))
    return render(
        request,
        "agreements/admin_list.html",
        {"agreements": qs[:200], "states": State.choices, "state": state, "total": qs.count()},
    )


QUEUE_FILTERS = ("college", "q", "origin")


def _queue(request, params) -> tuple:
    """The reviewer's queue under the filters in `params` (GET on the list, carried along)."""
    filters = review_queue_nav.filters_of(params, QUEUE_FILTERS)
    qs = selectors.review_queue(
        actor_from_request(request),
        college_id=review_queue_nav.college_id(filters),
        q=filters.get("q", ""),
        origin=filters.get("origin", ""),
    )
    return qs, filters


def _queue_position(request, pk: int, params):
    qs, filters = _queue(request, params)
    return review_queue_nav.position_in(
        qs,
        pk,
        detail_url=lambda i: reverse("agreements:detail", args=[i]),
        list_url=reverse("agreements:review-queue"),
        filters=filters,
    )


@role_required(*REVIEWERS)
def review_queue(request):
    qs, filters = _queue(request, request.GET)
    query = urlencode(filters)
    return render(
        request,
        "agreements/review_queue.html",
        {
            "agreements": qs[:200],
            "total": qs.count(),
            "filters": filters,
            "query": query,
            "colleges": links.colleges_for_dashboard(actor_from_request(request)),
            "origins": Origin.choices,
        },
    )


@role_required(*SCHOOL_ROLES)
def agreement_detail(request, pk: int):
    actor = actor_from_request(request)
    agreement, party = selectors.get_agreement(actor, pk)
    context = selectors.detail(actor, agreement, party)
    if party == Party.GRADUATE:
        context["changes_since"] = selectors.changes_since_previous(context["versions"])
    if "approve" in context["actions"]:
        context["queue"] = _queue_position(request, pk, request.GET)
        context["review_url"] = reverse("agreements:review", args=[pk])
    context.update(
        {
            "delete_form": DeleteDraftForm(),
            "accept_form": AcceptForm(
                initial={"version": getattr(agreement.current_version, "number", 0)}
            ),
            "reason_form": ReasonForm(),
            "review_form": ReviewForm(),
            "proof_form": ProofForm(),
            "settings": get_school_settings(),
        }
    )
    return render(request, "agreements/detail.html", context)


def _act(request, pk: int, call) -> HttpResponse:
    try:
        call()
    except (ValidationError, NotAllowed) as exc:
        _fail(request, exc)
    return redirect("agreements:detail", pk=pk)


@require_POST
@role_required(Role.GRADUATE)
def accept(request, pk: int):
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入登录密码确认应约。"))
        return redirect("agreements:detail", pk=pk)

    def call():
        services.accept_invitation(
            actor=actor_from_request(request),
            agreement_id=pk,
            version=form.cleaned_data["version"],
            password=form.cleaned_data["password"],
        )
        messages.success(request, _("已应约，协议已提交院系审核。"))

    return _act(request, pk, call)


@require_POST
@role_required(Role.GRADUATE)
def return_(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("打回须填写原因。"))
        return redirect("agreements:detail", pk=pk)

    def call():
        services.return_invitation(
            actor=actor_from_request(request), agreement_id=pk, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已打回，单位将看到您填写的原因。"))

    return _act(request, pk, call)


@require_POST
@role_required(*REVIEWERS)
def review(request, pk: int):
    form = ReviewForm(request.POST)
    params = QueryDict(request.POST.get("queue", ""))
    back = reverse("agreements:detail", args=[pk]) + ("?" + params.urlencode() if params else "")
    if not form.is_valid():
        messages.error(request, _("请选择审核结论。"))
        return redirect(back)
    position = _queue_position(request, pk, params)
    try:
        services.review_agreement(
            actor=actor_from_request(request),
            agreement_id=pk,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
        return redirect(back)
    messages.success(request, _("审核结果已保存。"))
    # On to the next waiting agreement, inside the same filters; the list when none is left.
    queue, filters = _queue(request, params)
    following = position.next_url if position.next_url else ""
    if not following:
        following = review_queue_nav.next_after_decision(
            queue, detail_url=lambda i: reverse("agreements:detail", args=[i]), filters=filters
        )
    return redirect(following or position.list_url)


@require_POST
@role_required(Role.GRADUATE)
def submit(request, pk: int):
    def call():
        services.submit_own_agreement(actor=actor_from_request(request), agreement_id=pk)
        messages.success(request, _("已提交，等待院系审核。"))

    return _act(request, pk, call)


@role_required(Role.GRADUATE)
def own_new(request):
    settings = get_school_settings()
    if not settings.allow_student_initiation:
        return render(request, "agreements/not_open.html", status=403)
    blocker = offers.start_blocker(links.graduate_for_user(request.user), settings)
    if blocker is not None:
        # Say why before the graduate fills in the whole form, with where to go instead.
        return render(request, "agreements/not_open.html", {"blocker": blocker}, status=200)
    form = OwnAgreementForm(post_data(request))
    if request.method == "POST":
        try:
            agreement = services.start_own_agreement(
                actor=actor_from_request(request),
                content=_content_of(form),
                employer_id=_int(request.POST.get("employer_id")),
            )
        except ValidationError as exc:
            form.is_valid()
            add_service_errors(form, exc)
        except NotAllowed as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("已保存草稿。请上传就业证明材料后提交。"))
            return redirect("agreements:detail", pk=agreement.pk)
    return render(
        request,
        "agreements/own_form.html",
        {"form": form, "sections": _sections(form), "employer_fields": EMPLOYER_FIELDS},
    )


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@role_required(Role.GRADUATE)
def own_edit(request, pk: int):
    actor = actor_from_request(request)
    agreement, _party = selectors.get_agreement(actor, pk)
    if request.method == "POST":
        form = OwnAgreementForm(request.POST)
        try:
            services.edit_agreement(
                actor=actor,
                agreement_id=pk,
                content=_content_of(form),
                employer_id=_int(request.POST.get("employer_id")),
            )
        except ValidationError as exc:
            form.is_valid()
            add_service_errors(form, exc)
        except NotAllowed as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("agreements:detail", pk=pk)
    else:
        form = OwnAgreementForm(
            initial={**agreement.draft_content, "employer_id": agreement.employer_id}
        )
    return render(
        request,
        "agreements/own_form.html",
        {
            "form": form,
            "sections": _sections(form),
            "agreement": agreement,
            "employer_fields": EMPLOYER_FIELDS,
        },
    )


@require_POST
@role_required(Role.GRADUATE)
def proof_upload(request, pk: int):
    uploads = request.FILES.getlist("image")
    if not uploads:
        messages.error(request, _("请选择要上传的图片（可一次选择多张）。"))
        return redirect("agreements:detail", pk=pk)

    def call():
        proofs = services.add_proofs(
            actor=actor_from_request(request), agreement_id=pk, uploads=uploads
        )
        messages.success(request, _("已上传 %(n)d 张图片。") % {"n": len(proofs)})

    return _act(request, pk, call)


@require_POST
@role_required(Role.GRADUATE)
def delete_draft(request, pk: int):
    form = DeleteDraftForm(request.POST)
    form.is_valid()
    try:
        services.delete_own_draft(
            actor=actor_from_request(request),
            agreement_id=pk,
            reason=form.cleaned_data.get("reason", ""),
        )
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
        return redirect("agreements:detail", pk=pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("agreements:list")


@require_POST
@role_required(Role.GRADUATE)
def proof_remove(request, pk: int, proof_id: int):
    return _act(
        request,
        pk,
        lambda: services.remove_proof(
            actor=actor_from_request(request), agreement_id=pk, proof_id=proof_id
        ),
    )


@role_required(*SCHOOL_ROLES)
def proof_image(request, pk: int, proof_id: int):
    """Served through the app so only the agreement's parties can see it (storage is private)."""
    agreement, _party = selectors.get_agreement(actor_from_request(request), pk)
    # A removed proof is gone for everyone (the audit log keeps that it existed).
    proof = selectors.proof_of(agreement, proof_id)
    response = FileResponse(proof.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(*REVIEWERS)
def dashboard(request):
    # The season's statistics (all graduates as the denominator) live in destinations.
    return redirect("destinations:dashboard")


@role_required(*REVIEWERS)
def dashboard_export(request):
    return redirect("destinations:dashboard-export")


# --- platform host: employer HR ------------------------------------------------------------


def _schools():
    return active_schools().order_by("name")


def _school_or_404(subdomain: str):
    return get_object_or_404(_schools(), subdomain=subdomain)


@role_required(Role.EMPLOYER)
def employer_list(request):
    employer = links.employer_for_user(request.user)
    if employer is None:
        raise PermissionDenied
    schools = list(_schools())
    school = next((s for s in schools if s.subdomain == params.text(request, "school")), None)
    state = params.choice(request, "state", State.values)
    entries = links.employer_dashboard(employer, school=school, state=state or None)
    for entry in entries:
        entry.state_label = State(entry.state).label if entry.state in State.values else entry.state
    return render(
        request,
        "agreements/employer_list.html",
        {
            "employer": employer,
            "entries": entries,
            "schools": schools,
            "school": school,
            "state": state,
            "states": State.choices,
        },
    )


@role_required(Role.EMPLOYER)
def employer_new(request):
    employer = links.employer_for_user(request.user)
    if employer is None:
        raise PermissionDenied
    if not employer.is_verified:
        # Say it before the HR types a whole offer the service would refuse.
        return render(request, "agreements/employer_unverified.html", {"employer": employer})
    schools = list(_schools())
    actor = actor_from_request(request)
    if request.method == "POST":
        form = InvitationForm(request.POST, schools=schools)
        school = next((s for s in schools if s.subdomain == request.POST.get("school")), None)
        if school is None:
            form.is_valid()
            form.add_error("school", _("请选择学校。"))
        else:
            try:
                agreement = services.create_invitation(
                    actor=actor,
                    school=school,
                    student_number=request.POST.get("student_number", ""),
                    name=request.POST.get("graduate_name", ""),
                    content=_content_of(form),
                    send=request.POST.get("send") != "0",
                )
            except ValidationError as exc:
                form.is_valid()
                add_service_errors(form, exc)
            except NotAllowed as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("邀约已发出。"))
                return redirect(
                    "employer-agreements:detail", school=school.subdomain, pk=agreement.pk
                )
    else:
        school = next((s for s in schools if s.subdomain == params.text(request, "school")), None)
        initial = selectors.prefill_for_employer(actor, school) if school else {}
        form = InvitationForm(
            initial={**initial, "school": getattr(school, "subdomain", "")}, schools=schools
        )
    return render(
        request,
        "agreements/employer_form.html",
        {
            "form": form,
            "employer": employer,
            "who": [form["school"], form["student_number"], form["graduate_name"]],
            "sections": _sections(form),
        },
    )


@role_required(Role.EMPLOYER)
def employer_detail(request, school: str, pk: int):
    the_school = _school_or_404(school)
    actor = actor_from_request(request)
    with schema_context(the_school.schema_name):
        agreement, party = selectors.get_agreement(actor, pk)
        context = selectors.detail(actor, agreement, party)
        context["proofs"] = []  # proof images stay with the school
        return render(
            request,
            "agreements/employer_detail.html",
            {**context, "school": the_school, "withdraw_form": OptionalReasonForm()},
        )


@role_required(Role.EMPLOYER)
def employer_edit(request, school: str, pk: int):
    the_school = _school_or_404(school)
    actor = actor_from_request(request)
    with schema_context(the_school.schema_name):
        agreement, _party = selectors.get_agreement(actor, pk)
        draft = dict(agreement.draft_content)
    if request.method == "POST":
        form = AgreementContentForm(request.POST)
        try:
            services.edit_agreement(
                actor=actor, agreement_id=pk, content=_content_of(form), school=the_school
            )
            if request.POST.get("send") == "1":
                services.send_invitation(actor=actor, school=the_school, agreement_id=pk)
        except ValidationError as exc:
            form.is_valid()
            add_service_errors(form, exc)
        except NotAllowed as exc:
            _fail(request, exc)
        else:
            messages.success(
                request, _("已重新发送邀约。") if request.POST.get("send") == "1" else _("已保存。")
            )
            return redirect("employer-agreements:detail", school=school, pk=pk)
    else:
        form = AgreementContentForm(initial=draft)
    return render(
        request,
        "agreements/employer_edit.html",
        {"form": form, "sections": _sections(form), "school": the_school, "agreement": agreement},
    )


@require_POST
@role_required(Role.EMPLOYER)
def employer_send(request, school: str, pk: int):
    the_school = _school_or_404(school)
    try:
        services.send_invitation(
            actor=actor_from_request(request), school=the_school, agreement_id=pk
        )
        messages.success(request, _("邀约已发出。"))
    except (ValidationError, NotAllowed) as exc:
        _fail(request, exc)
    return redirect("employer-agreements:detail", school=school, pk=pk)


@require_POST
@role_required(Role.EMPLOYER)
def employer_withdraw(request, school: str, pk: int):
    the_school = _school_or_404(school)
    form = OptionalReasonForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_invitation(
            actor=actor_from_request(request),
            school=the_school,
            agreement_id=pk,
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("邀约已撤回。"))
    except (ValidationError, NotAllowed) as exc:
        _fail(request, exc)
    return redirect("employer-agreements:detail", school=school, pk=pk)
