"""REST endpoints for agreements: thin, every write goes through agreements.services."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from agreements import selectors, services
from agreements.models import Agreement, State
from agreements.serializers import (
    AgreementDetailOut,
    AgreementOut,
    ContentField,
    DashboardOut,
    EmployerAgreementDetailOut,
    ProofOut,
)
from api.pagination import PaginatedListMixin, paginated
from api.permissions import IsEmployer, IsGraduate, IsReviewer, IsSchoolParty
from core import params
from core.context import actor_from_request
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from tenants.models import School


def full(request, agreement: Agreement, party) -> dict[str, Any]:
    data = selectors.detail(actor_from_request(request), agreement, party)
    return AgreementDetailOut(agreement, context={"detail": data}).data


# --- school host ----------------------------------------------------------------------------


class AgreementListApi(PaginatedListMixin, APIView):
    permission_classes = [IsSchoolParty]

    class StartSerializer(serializers.Serializer):
        employer_id = serializers.IntegerField(required=False, allow_null=True)
        content = ContentField()

    @extend_schema(responses=AgreementOut(many=True))
    def get(self, request):
        actor = actor_from_request(request)
        if request.user.role == Role.GRADUATE:
            qs = selectors.agreements_for_graduate(actor)
        else:
            qs = selectors.school_agreements(
                actor,
                state=params.choice(request, "state", State.values),
                college_id=params.integer(request, "college"),
                q=params.text(request, "q"),
            )
        return paginated(self, request, qs, AgreementOut)

    @extend_schema(request=StartSerializer, responses={201: AgreementDetailOut})
    def post(self, request):
        """学生发起签约: create a draft."""
        s = self.StartSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        agreement = services.start_own_agreement(
            actor=actor_from_request(request),
            content=s.validated_data["content"],
            employer_id=s.validated_data.get("employer_id"),
        )
        agreement, party = selectors.get_agreement(actor_from_request(request), agreement.pk)
        return Response(full(request, agreement, party), status=201)


class AgreementDetailApi(APIView):
    permission_classes = [IsSchoolParty]

    class ContentSerializer(serializers.Serializer):
        content = ContentField()

    @extend_schema(responses=AgreementDetailOut)
    def get(self, request, pk: int):
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        return Response(full(request, agreement, party))

    @extend_schema(request=ContentSerializer, responses=AgreementDetailOut)
    def put(self, request, pk: int):
        """Save the graduate's draft."""
        s = self.ContentSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        actor = actor_from_request(request)
        services.edit_agreement(actor=actor, agreement_id=pk, content=s.validated_data["content"])
        agreement, party = selectors.get_agreement(actor, pk)
        return Response(full(request, agreement, party))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """The graduate deletes their own 学生发起 draft (audited)."""
        services.delete_own_draft(
            actor=actor_from_request(request),
            agreement_id=pk,
            reason=str(request.query_params.get("reason", ""))[:500],
        )
        return Response(status=204)


class _ActionApi(APIView):
    serializer_class: type[serializers.Serializer] | None = None

    def act(self, request, pk: int, data: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        data: dict = {}
        if self.serializer_class is not None:
            s = self.serializer_class(data=request.data)
            s.is_valid(raise_exception=True)
            data = s.validated_data
        self.act(request, pk, data)
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        return Response(full(request, agreement, party))


class AcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField(label=_("版本"))
    password = serializers.CharField(label=_("登录密码"), trim_whitespace=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("原因"), allow_blank=True, max_length=1000)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("是否通过"))
    reason = serializers.CharField(
        label=_("意见"), allow_blank=True, required=False, default="", max_length=1000
    )


class AcceptApi(_ActionApi):
    """应约 (the graduate re-enters their password)."""

    permission_classes = [IsGraduate]
    serializer_class = AcceptSerializer

    @extend_schema(request=AcceptSerializer, responses=AgreementDetailOut)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk, data):
        services.accept_invitation(
            actor=actor_from_request(request),
            agreement_id=pk,
            version=data["version"],
            password=data["password"],
        )


class ReturnApi(_ActionApi):
    """打回 with a mandatory reason."""

    permission_classes = [IsGraduate]
    serializer_class = ReasonSerializer

    @extend_schema(request=ReasonSerializer, responses=AgreementDetailOut)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk, data):
        services.return_invitation(
            actor=actor_from_request(request), agreement_id=pk, reason=data["reason"]
        )


class SubmitApi(_ActionApi):
    permission_classes = [IsGraduate]

    @extend_schema(request=None, responses=AgreementDetailOut)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk, data):
        services.submit_own_agreement(actor=actor_from_request(request), agreement_id=pk)


class ReviewApi(_ActionApi):
    """A college or school review decision (a rejection needs a reason)."""

    permission_classes = [IsReviewer]
    serializer_class = ReviewSerializer

    @extend_schema(request=ReviewSerializer, responses=AgreementDetailOut)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk, data):
        services.review_agreement(
            actor=actor_from_request(request),
            agreement_id=pk,
            approve=data["approve"],
            reason=data.get("reason", ""),
        )


class ProofApi(APIView):
    permission_classes = [IsGraduate]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"image": {"type": "string", "format": "binary"}},
            }
        },
        responses={201: ProofOut},
    )
    def post(self, request, pk: int):
        upload = request.FILES.get("image")
        if upload is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"image": _("请选择图片。")})
        proof = services.add_proof(
            actor=actor_from_request(request), agreement_id=pk, upload=upload
        )
        return Response(ProofOut(proof).data, 201)


class ProofDeleteApi(APIView):
    permission_classes = [IsGraduate]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, proof_id: int):
        services.remove_proof(actor=actor_from_request(request), agreement_id=pk, proof_id=proof_id)
        return Response(status=204)


class ReviewQueueApi(PaginatedListMixin, APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses=AgreementOut(many=True))
    def get(self, request):
        qs = selectors.review_queue(
            actor_from_request(request), college_id=params.integer(request, "college")
        )
        return paginated(self, request, qs, AgreementOut)


class DashboardApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses=DashboardOut)
    def get(self, request):
        return Response(DashboardOut(selectors.dashboard(actor_from_request(request))).data)


class DashboardExportApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        return xlsx_response(
            selectors.dashboard_xlsx(actor_from_request(request)), selectors.DASHBOARD_XLSX_NAME
        )


# --- platform host (employer HR) ------------------------------------------------------------


def _school(subdomain: str) -> School:
    from tenants.selectors import active_schools

    return get_object_or_404(active_schools(), subdomain=subdomain)


class InvitationSerializer(serializers.Serializer):
    school = serializers.SlugField(label=_("学校"))
    student_number = serializers.CharField(label=_("学号"), max_length=32)
    name = serializers.CharField(label=_("姓名"), max_length=50)
    content = ContentField()
    send = serializers.BooleanField(default=True)


class EmployerInvitationsApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=InvitationSerializer, responses={201: EmployerAgreementDetailOut})
    def post(self, request):
        """Invite a graduate identified by 学号 and 姓名 (both must match)."""
        s = InvitationSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        school = _school(d["school"])
        try:
            agreement = services.create_invitation(
                actor=actor_from_request(request),
                school=school,
                student_number=d["student_number"],
                name=d["name"],
                content=d["content"],
                send=d["send"],
            )
        except services.InvitationRateLimited as exc:
            raise Throttled(detail=str(exc)) from exc
        return Response(_employer_full(request, school, agreement.pk), status=201)


def _employer_full(request, school: School, pk: int) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    with schema_context(school.schema_name):
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        data = selectors.detail(actor_from_request(request), agreement, party)
        return EmployerAgreementDetailOut(
            agreement, context={"detail": data, "school": school}
        ).data


class EmployerPrefillApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(
        parameters=[OpenApiParameter("school", str, description="学校子域名")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        school = _school(params.text(request, "school"))
        return Response(selectors.prefill_for_employer(actor_from_request(request), school))


class EmployerAgreementApi(APIView):
    permission_classes = [IsEmployer]

    class ContentSerializer(serializers.Serializer):
        content = ContentField()

    @extend_schema(responses=EmployerAgreementDetailOut)
    def get(self, request, school: str, pk: int):
        return Response(_employer_full(request, _school(school), pk))

    @extend_schema(request=ContentSerializer, responses=EmployerAgreementDetailOut)
    def put(self, request, school: str, pk: int):
        """Edit a draft or returned invitation (send it again with …/send)."""
        s = self.ContentSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        the_school = _school(school)
        services.edit_agreement(
            actor=actor_from_request(request),
            agreement_id=pk,
            content=s.validated_data["content"],
            school=the_school,
        )
        return Response(_employer_full(request, the_school, pk))


class EmployerSendApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=None, responses=EmployerAgreementDetailOut)
    def post(self, request, school: str, pk: int):
        the_school = _school(school)
        services.send_invitation(
            actor=actor_from_request(request), school=the_school, agreement_id=pk
        )
        return Response(_employer_full(request, the_school, pk))


class EmployerWithdrawApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=ReasonSerializer, responses=EmployerAgreementDetailOut)
    def post(self, request, school: str, pk: int):
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        the_school = _school(school)
        services.withdraw_invitation(
            actor=actor_from_request(request),
            school=the_school,
            agreement_id=pk,
            reason=s.validated_data["reason"],
        )
        return Response(_employer_full(request, the_school, pk))
