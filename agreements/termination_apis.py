"""Termination REST endpoints: thin doors onto agreements.termination (school and platform)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_tenants.utils import schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import selectors, termination
from agreements import termination_selectors as ts
from agreements.apis import IsEmployer, IsGraduate, IsReviewer, IsSchoolParty, _school
from agreements.models import Termination
from core.context import actor_from_request


class TerminationOut(serializers.Serializer):
    id = serializers.IntegerField()
    agreement_id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    applicant = serializers.CharField()
    level = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField()
    consent_online = serializers.BooleanField(allow_null=True)
    consented_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    publicity_ends_on = serializers.DateField(allow_null=True)
    proofs = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


def out(t: Termination) -> dict[str, Any]:
    return {
        "id": t.pk,
        "agreement_id": t.agreement_id,
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "applicant": t.applicant,
        "level": t.level,
        "explanation": t.explanation,
        "consent_online": t.consent_online,
        "consented_at": t.consented_at,
        "reason": t.reason,
        "publicity_ends_on": t.publicity_ends_on,
        "proofs": t.proofs.count(),
        "created_at": t.created_at,
        "decided_at": t.decided_at,
    }


class TerminationStatusOut(serializers.Serializer):
    agreement_state = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    apply_refusal = serializers.CharField(allow_null=True)
    cooldown = serializers.CharField(allow_null=True)
    cooldown_available_from = serializers.DateField(allow_null=True)
    cooldown_estimated = serializers.BooleanField(allow_null=True)
    guidance = serializers.CharField()
    terminations = TerminationOut(many=True)


def status(request, agreement_id: int) -> dict[str, Any]:
    agreement, party = selectors.get_agreement(actor_from_request(request), agreement_id)
    data = selectors.detail(actor_from_request(request), agreement, party)
    cooldown = data["cooldown"]
    return {
        "agreement_state": agreement.state,
        "actions": sorted(data["termination_actions"]),
        "apply_refusal": data["apply_refusal"],
        "cooldown": cooldown.message if cooldown and cooldown.active else None,
        "cooldown_available_from": cooldown.available_from if cooldown else None,
        "cooldown_estimated": cooldown.estimated if cooldown else None,
        "guidance": ts.rules_summary(agreement.graduate)["guidance"],
        "terminations": [out(t) for t in data["terminations"]],
    }


class ApplyIn(serializers.Serializer):
    explanation = serializers.CharField(label=_("解约说明"), max_length=2000)
    images = serializers.ListField(
        child=serializers.ImageField(), min_length=1, max_length=9, label=_("证明材料")
    )


class DecisionIn(serializers.Serializer):
    agree = serializers.BooleanField(label=_("是否同意/通过"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


def _apply(request, pk: int, school=None) -> None:
    # Shape only (the service checks the images' content); files come as repeated `images`.
    data = {"explanation": request.data.get("explanation", ""), "images": []}
    s = ApplyIn(data={**data, "images": request.FILES.getlist("images")})
    s.is_valid(raise_exception=True)
    termination.apply_termination(
        actor=actor_from_request(request),
        agreement_id=pk,
        explanation=s.validated_data["explanation"],
        images=request.FILES.getlist("images"),
        school=school,
    )


def _decision(request) -> dict:
    s = DecisionIn(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


# --- school host ----------------------------------------------------------------------------


class TerminationApi(APIView):
    """GET: the agreement's terminations and what this party may do; POST: apply (multipart)."""

    permission_classes = [IsSchoolParty]
    parser_classes = [MultiPartParser]

    @extend_schema(responses=TerminationStatusOut)
    def get(self, request, pk: int):
        return Response(status(request, pk))

    @extend_schema(request={"multipart/form-data": ApplyIn}, responses=TerminationStatusOut)
    def post(self, request, pk: int):
        _apply(request, pk)
        return Response(status(request, pk), status=201)


class TerminationConsentApi(APIView):
    permission_classes = [IsGraduate]

    @extend_schema(request=DecisionIn, responses=TerminationStatusOut)
    def post(self, request, pk: int):
        d = _decision(request)
        termination.decide_consent(
            actor=actor_from_request(request),
            agreement_id=pk,
            consent=d["agree"],
            reason=d["reason"],
        )
        return Response(status(request, pk))


class TerminationWithdrawApi(APIView):
    permission_classes = [IsGraduate]

    @extend_schema(request=None, responses=TerminationStatusOut)
    def post(self, request, pk: int):
        termination.withdraw_termination(actor=actor_from_request(request), agreement_id=pk)
        return Response(status(request, pk))


class TerminationReviewApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=DecisionIn, responses=TerminationStatusOut)
    def post(self, request, pk: int):
        d = _decision(request)
        termination.review_termination(
            actor=actor_from_request(request),
            agreement_id=pk,
            approve=d["agree"],
            reason=d["reason"],
        )
        return Response(status(request, pk))


class TerminationQueueApi(APIView):
    permission_classes = [IsReviewer]
    paginator = PageNumberPagination()

    @extend_schema(responses=TerminationOut(many=True))
    def get(self, request):
        qs = ts.review_queue(actor_from_request(request))
        page = self.paginator.paginate_queryset(qs, request, view=self)
        return self.paginator.get_paginated_response([out(t) for t in page])


# --- platform host: employer HR -------------------------------------------------------------


class EmployerTerminationApi(APIView):
    permission_classes = [IsEmployer]
    parser_classes = [MultiPartParser]

    @extend_schema(responses=TerminationStatusOut)
    def get(self, request, school: str, pk: int):
        with schema_context(_school(school).schema_name):
            return Response(status(request, pk))

    @extend_schema(request={"multipart/form-data": ApplyIn}, responses=TerminationStatusOut)
    def post(self, request, school: str, pk: int):
        the_school = _school(school)
        _apply(request, pk, school=the_school)
        with schema_context(the_school.schema_name):
            return Response(status(request, pk), status=201)


class EmployerTerminationConsentApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=DecisionIn, responses=TerminationStatusOut)
    def post(self, request, school: str, pk: int):
        the_school = _school(school)
        d = _decision(request)
        termination.decide_consent(
            actor=actor_from_request(request),
            agreement_id=pk,
            consent=d["agree"],
            reason=d["reason"],
            school=the_school,
        )
        with schema_context(the_school.schema_name):
            return Response(status(request, pk))


class EmployerTerminationWithdrawApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=None, responses=TerminationStatusOut)
    def post(self, request, school: str, pk: int):
        the_school = _school(school)
        termination.withdraw_termination(
            actor=actor_from_request(request), agreement_id=pk, school=the_school
        )
        with schema_context(the_school.schema_name):
            return Response(status(request, pk))
