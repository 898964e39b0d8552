"""Termination pages (thin doors onto agreements.termination and its selectors)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from accounts.decorators import role_required
from accounts.models import Role
from agreements import selectors, termination
from agreements import termination_selectors as ts
from agreements.models import TerminationProof
from agreements.workflow import context_for
from core.context import actor_from_request
from tenants.selectors import school_list

REVIEWERS = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


class ApplyForm(forms.Form):
    explanation = forms.CharField(
        label=_l("解约说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("写明解约原因和与对方协商的情况。"),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_l("原因（不同意或不通过时必填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _fail(request, exc: Exception) -> None:
    messages.error(
        request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    )


def _apply_page(request, *, agreement, party, back, school=None):
    ctx = context_for(agreement)
    refusal = ts.apply_refusal(agreement, party, ctx)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            termination.apply_termination(
                actor=actor_from_request(request),
                agreement_id=agreement.pk,
                explanation=form.cleaned_data["explanation"],
                images=request.FILES.getlist("images"),
                school=school,
            )
        except (ValidationError, PermissionError) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("解约申请已提交。"))
            return redirect(back)
    return render(
        request,
        "agreements/termination_apply.html",
        {
            "agreement": agreement,
            "refusal": refusal,
            "form": form,
            "rules": ts.rules_summary(agreement.graduate),
            "back": back,
            "base": "base.html" if school is not None else "school/base.html",
        },
    )


# --- school host ----------------------------------------------------------------------------


@role_required(Role.GRADUATE)
def apply(request, pk: int):
    agreement, party = selectors.get_agreement(actor_from_request(request), pk)
    return _apply_page(
        request,
        agreement=agreement,
        party=party,
        back=reverse("agreements:detail", kwargs={"pk": agreement.pk}),
    )


def _decide(request, pk: int, call, back) -> object:
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        call(form.cleaned_data.get("reason", ""))
    except (ValidationError, PermissionError) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已提交。"))
    return redirect(back)


@require_POST
@role_required(Role.GRADUATE)
def consent(request, pk: int):
    agree = request.POST.get("decision") == "consent"
    return _decide(
        request,
        pk,
        lambda reason: termination.decide_consent(
            actor=actor_from_request(request), agreement_id=pk, consent=agree, reason=reason
        ),
        reverse("agreements:detail", kwargs={"pk": pk}),
    )


@require_POST
@role_required(Role.GRADUATE)
def withdraw(request, pk: int):
    return _decide(
        request,
        pk,
        lambda reason: termination.withdraw_termination(
            actor=actor_from_request(request), agreement_id=pk
        ),
        reverse("agreements:detail", kwargs={"pk": pk}),
    )


@require_POST
@role_required(*REVIEWERS)
def review(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    return _decide(
        request,
        pk,
        lambda reason: termination.review_termination(
            actor=actor_from_request(request), agreement_id=pk, approve=approve, reason=reason
        ),
        reverse("agreements:detail", kwargs={"pk": pk}),
    )


@role_required(Role.GRADUATE, *REVIEWERS)
def proof(request, pk: int, proof_id: int):
    """Termination proofs stay with the school: the graduate and reviewers see them."""
    agreement, _party = selectors.get_agreement(actor_from_request(request), pk)
    item = get_object_or_404(TerminationProof, pk=proof_id, termination__agreement=agreement)
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(*REVIEWERS)
def queue(request):
    actor = actor_from_request(request)
    return render(
        request,
        "agreements/termination_queue.html",
        {"terminations": ts.review_queue(actor)[:200], "counts": ts.counts(actor)},
    )


# --- platform host: employer HR -------------------------------------------------------------


def _school_or_404(subdomain: str):
    school = school_list().filter(subdomain=subdomain).first()
    if school is None:
        raise Http404(_("学校不存在。"))
    return school


@role_required(Role.EMPLOYER)
def employer_apply(request, school: str, pk: int):
    the_school = _school_or_404(school)
    with schema_context(the_school.schema_name):
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        return _apply_page(
            request,
            agreement=agreement,
            party=party,
            back=reverse("employer-agreements:detail", kwargs={"school": school, "pk": pk}),
            school=the_school,
        )


@require_POST
@role_required(Role.EMPLOYER)
def employer_consent(request, school: str, pk: int):
    the_school = _school_or_404(school)
    agree = request.POST.get("decision") == "consent"
    return _decide(
        request,
        pk,
        lambda reason: termination.decide_consent(
            actor=actor_from_request(request),
            agreement_id=pk,
            consent=agree,
            reason=reason,
            school=the_school,
        ),
        reverse("employer-agreements:detail", kwargs={"school": school, "pk": pk}),
    )


@require_POST
@role_required(Role.EMPLOYER)
def employer_withdraw(request, school: str, pk: int):
    the_school = _school_or_404(school)
    return _decide(
        request,
        pk,
        lambda reason: termination.withdraw_termination(
            actor=actor_from_request(request), agreement_id=pk, school=the_school
        ),
        reverse("employer-agreements:detail", kwargs={"school": school, "pk": pk}),
    )
