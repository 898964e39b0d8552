"""REST endpoints for agreements: thin, every write goes through agreements.services."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from agreements import selectors, services
from agreements.models import Agreement, State
from api.permissions import HasRole
from core.context import actor_from_request
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from tenants.models import School

DASHBOARD_XLSX_NAME = "agreements-dashboard.xlsx"


class IsGraduate(HasRole):
    roles = (Role.GRADUATE,)


class IsReviewer(HasRole):
    roles = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


class IsEmployer(HasRole):
    roles = (Role.EMPLOYER,)


class IsSchoolParty(HasRole):
    roles = (Role.GRADUATE, Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


def summary(agreement: Agreement) -> dict[str, Any]:
    graduate = agreement.graduate
    return {
        "id": agreement.pk,
        "origin": agreement.origin,
        "state": agreement.state,
        "state_display": agreement.get_state_display(),
        "number": agreement.number,
        "employer_id": agreement.employer_id,
        "employer_name": agreement.employer_name,
        "graduate": {
            "name": graduate.name,
            "student_number": graduate.student_number,
            "college": getattr(graduate.college, "name", ""),
        },
        "version": agreement.current_version.number if agreement.current_version_id else None,
        "position": (agreement.current_version.content if agreement.current_version_id else {}).get(
            "position", agreement.draft_content.get("position", "")
        ),
        "sent_at": agreement.sent_at,
        "expires_at": agreement.expires_at,
        "signed_at": agreement.signed_at,
        "last_reason": agreement.last_reason,
        "updated_at": agreement.updated_at,
    }


def full(request, agreement: Agreement, party) -> dict[str, Any]:
    data = selectors.detail(actor_from_request(request), agreement, party)
    out = summary(agreement)
    out.update(
        {
            "actions": sorted(data["actions"]),
            "content": agreement.current_version.content if agreement.current_version_id else {},
            "draft_content": agreement.draft_content
            if agreement.state in (State.DRAFT, State.RETURNED)
            else None,
            "accepted_version": agreement.accepted_version.number
            if agreement.accepted_version_id
            else None,
            "versions": [
                {
                    "number": v["version"].number,
                    "created_at": v["version"].created_at,
                    "created_by_role": v["version"].created_by_role,
                    "changes": v["changes"],
                }
                for v in data["versions"]
            ],
            "history": [
                {k: (str(v) if k in ("action", "role", "to") else v) for k, v in h.items()}
                for h in data["history"]
            ],
            "proofs": [
                {"id": p.pk, "url": f"/agreements/{agreement.pk}/proofs/{p.pk}"}
                for p in data["proofs"]
            ],
        }
    )
    return out


def _page(request, qs, view) -> Response:
    paginator = view.paginator
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response([summary(a) for a in page])


class ContentField(serializers.DictField):
    """The agreement sections as one object (field names as in the pages); validated by services."""


# Response shapes, for the OpenAPI description only (answers are built by summary()/full()).
class GraduateOut(serializers.Serializer):
    name = serializers.CharField()
    student_number = serializers.CharField()
    college = serializers.CharField(required=False)


class AgreementOut(serializers.Serializer):
    id = serializers.IntegerField()
    origin = serializers.ChoiceField(choices=["employer", "graduate"])
    state = serializers.ChoiceField(choices=State.choices)
    state_display = serializers.CharField()
    number = serializers.CharField(allow_null=True, help_text="协议编号（签约成功时分配）")
    employer_id = serializers.IntegerField(allow_null=True)
    employer_name = serializers.CharField()
    graduate = GraduateOut()
    version = serializers.IntegerField(allow_null=True)
    position = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    last_reason = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ChangeOut(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class VersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by_role = serializers.CharField()
    changes = ChangeOut(many=True)


class HistoryOut(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    role = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    to = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class ProofOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()


class AgreementDetailOut(AgreementOut):
    actions = serializers.ListField(child=serializers.CharField())
    content = serializers.DictField()
    draft_content = serializers.DictField(allow_null=True)
    accepted_version = serializers.IntegerField(allow_null=True)
    versions = VersionOut(many=True)
    history = HistoryOut(many=True)
    proofs = ProofOut(many=True)
    school = serializers.CharField(required=False)


# --- school host ----------------------------------------------------------------------------


class AgreementListApi(APIView):
    permission_classes = [IsSchoolParty]
    from rest_framework.pagination import PageNumberPagination

    paginator = PageNumberPagination()

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
                state=request.query_params.get("state", ""),
                college_id=_int(request.query_params.get("college")),
                q=request.query_params.get("q", "").strip(),
            )
        return _page(request, qs, self)

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


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


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
        return Response({"id": proof.pk, "url": f"/agreements/{pk}/proofs/{proof.pk}"}, 201)


class ProofDeleteApi(APIView):
    permission_classes = [IsGraduate]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, proof_id: int):
        services.remove_proof(actor=actor_from_request(request), agreement_id=pk, proof_id=proof_id)
        return Response(status=204)


class ReviewQueueApi(APIView):
    permission_classes = [IsReviewer]
    from rest_framework.pagination import PageNumberPagination

    paginator = PageNumberPagination()

    @extend_schema(responses=AgreementOut(many=True))
    def get(self, request):
        qs = selectors.review_queue(
            actor_from_request(request), college_id=_int(request.query_params.get("college"))
        )
        return _page(request, qs, self)


class DashboardApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        data = selectors.dashboard(actor_from_request(request))
        return Response(
            {
                "by_state": [
                    {"state": s, "label": str(label), "count": n}
                    for label, s, n in data["by_state"]
                ],
                "by_college": [
                    {
                        "college_id": r["college"].pk,
                        "college": r["college"].name,
                        "approved": r["approved"],
                        "in_review": r["in_review"],
                        "signed": r["signed"],
                        "rate": round(r["rate"], 4),
                    }
                    for r in data["by_college"]
                ],
                "total": {**data["total"], "rate": round(data["total"]["rate"], 4)},
            }
        )


class DashboardExportApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        return xlsx_response(
            selectors.dashboard_xlsx(actor_from_request(request)), DASHBOARD_XLSX_NAME
        )


# --- platform host (employer HR) ------------------------------------------------------------


def _school(subdomain: str) -> School:
    from tenants.selectors import school_list

    return get_object_or_404(school_list().filter(is_active=True), subdomain=subdomain)


class InvitationSerializer(serializers.Serializer):
    school = serializers.SlugField(label=_("学校"))
    student_number = serializers.CharField(label=_("学号"), max_length=32)
    name = serializers.CharField(label=_("姓名"), max_length=50)
    content = ContentField()
    send = serializers.BooleanField(default=True)


class EmployerInvitationsApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=InvitationSerializer, responses={201: AgreementDetailOut})
    def post(self, request):
        """Invite a graduate identified by 学号 and 姓名 (both must match)."""
        s = InvitationSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        school = _school(d["school"])
        agreement = services.create_invitation(
            actor=actor_from_request(request),
            school=school,
            student_number=d["student_number"],
            name=d["name"],
            content=d["content"],
            send=d["send"],
        )
        return Response(_employer_full(request, school, agreement.pk), status=201)


def _employer_full(request, school: School, pk: int) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    with schema_context(school.schema_name):
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        data = full(request, agreement, party)
    data["school"] = school.subdomain
    # An employer sees the graduate's name and 学号 it typed, nothing more.
    data["graduate"] = {
        "name": data["graduate"]["name"],
        "student_number": data["graduate"]["student_number"],
    }
    data["proofs"] = []
    return data


class EmployerPrefillApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(
        parameters=[OpenApiParameter("school", str, description="学校子域名")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        school = _school(request.query_params.get("school", ""))
        return Response(selectors.prefill_for_employer(actor_from_request(request), school))


class EmployerAgreementApi(APIView):
    permission_classes = [IsEmployer]

    class ContentSerializer(serializers.Serializer):
        content = ContentField()

    @extend_schema(responses=AgreementDetailOut)
    def get(self, request, school: str, pk: int):
        return Response(_employer_full(request, _school(school), pk))

    @extend_schema(request=ContentSerializer, responses=AgreementDetailOut)
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

    @extend_schema(request=None, responses=AgreementDetailOut)
    def post(self, request, school: str, pk: int):
        the_school = _school(school)
        services.send_invitation(
            actor=actor_from_request(request), school=the_school, agreement_id=pk
        )
        return Response(_employer_full(request, the_school, pk))


class EmployerWithdrawApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(request=ReasonSerializer, responses=AgreementDetailOut)
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
