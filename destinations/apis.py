"""REST doors onto the same services and selectors as the pages (WeChat H5, mini-programs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from api.permissions import HasRole
from core.context import actor_from_request
from destinations import rules, selectors, services
from destinations.models import Destination


class IsGraduate(HasRole):
    roles = (Role.GRADUATE,)


class IsReviewer(HasRole):
    roles = (Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN)


class DestinationOut(serializers.ModelSerializer):
    code_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    student_number = serializers.CharField(source="graduate.student_number")
    graduate_name = serializers.CharField(source="graduate.name")

    class Meta:
        model = Destination
        fields = [
            "id",
            "student_number",
            "graduate_name",
            "code",
            "code_name",
            "code_versions",
            "status",
            "status_label",
            "source",
            "is_current",
            "employer_name",
            "credit_code",
            "nature",
            "industry",
            "region_code",
            "job_category",
            "remark",
            "reason",
            "created_at",
            "decided_at",
        ]

    def get_code_name(self, obj) -> str:
        return selectors.describe(obj)["code_name"]


class RegistrationIn(serializers.Serializer):
    code = serializers.CharField()
    employer_name = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    nature = serializers.CharField(required=False, allow_blank=True)
    industry = serializers.CharField(required=False, allow_blank=True)
    region_code = serializers.CharField(required=False, allow_blank=True)
    job_category = serializers.CharField(required=False, allow_blank=True)
    remark = serializers.CharField(required=False, allow_blank=True)
    proof = serializers.ListField(child=serializers.FileField(), required=False)


class ReviewIn(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MyDestinationApi(APIView):
    permission_classes = [IsGraduate]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        actor = actor_from_request(request)
        graduate = selectors.graduate_for(actor)
        current = selectors.current_of(graduate) if graduate else None
        pending = selectors.pending_of(graduate) if graduate else None
        return Response(
            {
                "current": DestinationOut(current).data if current else None,
                "pending": DestinationOut(pending).data if pending else None,
                "deadline": services.deadline_for(graduate).isoformat() if graduate else None,
                "open": bool(graduate and services.registration_open(graduate)),
                "codes": [
                    {
                        "code": r.code,
                        "name": r.name,
                        "category": r.category,
                        "fields": {f: r.label(f) for f in r.fields},
                        "proof": r.proof,
                    }
                    for r in rules.registrable_codes()
                ],
            }
        )

    @extend_schema(request=RegistrationIn, responses={201: DestinationOut})
    def post(self, request):
        actor = actor_from_request(request)
        graduate = selectors.graduate_for(actor)
        if graduate is None:
            raise PermissionDenied(_("未找到您的毕业生信息。"))
        data = RegistrationIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.submit_registration(
            actor=actor,
            graduate=graduate,
            data=data.validated_data,
            uploads=request.FILES.getlist("proof"),
        )
        return Response(DestinationOut(record).data, status=status.HTTP_201_CREATED)


class ReviewQueueApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses=DestinationOut(many=True))
    def get(self, request):
        qs = selectors.review_queue(actor_from_request(request))[:200]
        return Response(DestinationOut(qs, many=True).data)


class ReviewApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=ReviewIn, responses=DestinationOut)
    def post(self, request, pk: int):
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.review(
            actor=actor_from_request(request),
            destination_id=pk,
            approve=data.validated_data["approve"],
            reason=data.validated_data["reason"],
        )
        return Response(DestinationOut(record).data)


def _figures(f) -> dict:
    return {
        "graduates": f.graduates,
        "source_approved": f.approved,
        "in_review": f.in_review,
        "signed": f.signed,
        "signed_rate": f.signed_rate,
        "employed": f.employed,
        "further_study": f.further_study,
        "unplaced": f.unplaced,
        "unregistered": f.unregistered,
        "placed_rate": f.placed_rate,
    }


class StatisticsApi(APIView):
    """The dashboard's figures; every rate is over all graduates on the roster."""

    permission_classes = [IsReviewer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        data = selectors.statistics(actor_from_request(request))
        return Response(
            {
                "by_college": [
                    {
                        "college_id": r.college_id,
                        "college": r.label,
                        **_figures(r.figures),
                        "majors": [{"major": m.label, **_figures(m.figures)} for m in r.majors],
                    }
                    for r in data["rows"]
                ],
                "total": _figures(data["total"].figures),
                "by_code": data["by_code"],
                "signing_curve": [{"date": d.isoformat(), "signed": n} for d, n in data["curve"]],
            }
        )
