"""REST endpoints of the printed agreement: PDF, zip, register, paper copy, public verification."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import paper, print_services, selectors, verify
from agreements.apis import IsEmployer, IsReviewer, IsSchoolParty, _school
from agreements.links import current_school
from agreements.models import AgreementPaper
from agreements.printing import REGISTER_XLSX_NAME, signed_link
from core.context import actor_from_request, client_ip
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY, description="协议书 PDF（跟随 302 跳转后得到）"
    ),
    302: OpenApiResponse(description="跳转到短时有效的签名下载地址"),
    404: OpenApiResponse(description="协议不存在或尚未签约成功"),
}


class PaperOut(serializers.Serializer):
    number = serializers.CharField()
    paper_state = serializers.CharField()
    paper_state_display = serializers.CharField()
    reason = serializers.CharField()
    scan_uploaded_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.ListField(child=serializers.CharField())


def _paper_out(agreement, party) -> dict:
    record = AgreementPaper.objects.filter(agreement=agreement).first()
    if record is None:
        raise NotFound(_("协议尚未签约成功，暂无纸质协议。"))
    return {
        "number": agreement.number,
        "paper_state": record.paper_state,
        "paper_state_display": record.get_paper_state_display(),
        "reason": record.paper_reason,
        "scan_uploaded_at": record.scan_uploaded_at,
        "received_at": record.received_at,
        "actions": sorted(a.value for a in paper.allowed_paper_actions(agreement, record, party)),
    }


SCAN_REQUEST = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"scan": {"type": "string", "format": "binary"}},
        "required": ["scan"],
    }
}


def _scan_of(request):
    upload = request.FILES.get("scan")
    if upload is None:
        raise ValidationError({"scan": _("请选择盖章协议的扫描件或照片。")})
    return upload


class AgreementPdfApi(APIView):
    """协议书 PDF of a signed agreement (graduate, the college's admins, school admins)."""

    permission_classes = [IsSchoolParty]

    @extend_schema(responses=PDF_RESPONSES)
    def get(self, request, pk: int):
        download = print_services.download_pdf(actor_from_request(request), pk)
        return redirect(signed_link(request, download.name))


class PaperApi(APIView):
    permission_classes = [IsSchoolParty]

    @extend_schema(responses=PaperOut)
    def get(self, request, pk: int):
        agreement, party = selectors.get_agreement(actor_from_request(request), pk)
        return Response(_paper_out(agreement, party))


class PaperScanApi(APIView):
    """The graduate uploads the stamped agreement (PDF, JPEG or PNG)."""

    permission_classes = [IsSchoolParty]
    parser_classes = [MultiPartParser]

    @extend_schema(request=SCAN_REQUEST, responses=PaperOut)
    def post(self, request, pk: int):
        actor = actor_from_request(request)
        paper.upload_scan(actor=actor, agreement_id=pk, upload=_scan_of(request))
        agreement, party = selectors.get_agreement(actor, pk)
        return Response(_paper_out(agreement, party))


class PaperReceiveApi(APIView):
    """纸质协议已收回 (school admin)."""

    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses=PaperOut)
    def post(self, request, pk: int):
        actor = actor_from_request(request)
        paper.mark_received(actor=actor, agreement_id=pk)
        agreement, party = selectors.get_agreement(actor, pk)
        return Response(_paper_out(agreement, party))


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(label=_("原因"), max_length=1000)


class PaperRejectApi(APIView):
    """Reject the uploaded scan with a reason (school admin)."""

    permission_classes = [IsReviewer]

    @extend_schema(request=ReasonIn, responses=PaperOut)
    def post(self, request, pk: int):
        s = ReasonIn(data=request.data)
        s.is_valid(raise_exception=True)
        actor = actor_from_request(request)
        paper.reject_scan(actor=actor, agreement_id=pk, reason=s.validated_data["reason"])
        agreement, party = selectors.get_agreement(actor, pk)
        return Response(_paper_out(agreement, party))


class CollegeZipApi(APIView):
    """A college's signed agreements as one zip of PDFs (the print room)."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, college_id: int):
        data, _count = print_services.college_zip(actor_from_request(request), college_id)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="college-{college_id}-agreements.zip"'
        )
        return response


class RegisterExportApi(APIView):
    """协议书台账: numbered agreements with their paper state (.xlsx)."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        return xlsx_response(
            print_services.register_xlsx(actor_from_request(request)), REGISTER_XLSX_NAME
        )


class VerificationOut(serializers.Serializer):
    number = serializers.CharField()
    school = serializers.CharField()
    employer = serializers.CharField()
    graduate = serializers.CharField(help_text="脱敏姓名")
    position = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=[verify.VALID, verify.TERMINATED])
    status_label = serializers.CharField()


def _verified(request, **kwargs) -> Response:
    if not verify.allow(client_ip(request)):
        raise Throttled()
    result = verify.lookup(school=current_school(), **kwargs)
    if result is None:
        raise NotFound()
    return Response(result.as_dict())


class VerifyTokenApi(APIView):
    """Public: the printed agreement behind a QR code's token (rate limited, no login)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="verify_by_token", responses={200: VerificationOut, 404: None, 429: None}
    )
    def get(self, request, token: str):
        return _verified(request, token=token)


class VerifyCodeApi(APIView):
    """Public: the printed agreement behind a typed short code (rate limited, no login)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="verify_by_code",
        parameters=[OpenApiParameter("code", str, required=True, description="10 位验证码")],
        responses={200: VerificationOut, 404: None, 429: None},
    )
    def get(self, request):
        return _verified(request, code=request.query_params.get("code", ""))


# --- platform host (employer HR) ------------------------------------------------------------


class EmployerPdfApi(APIView):
    """The signed agreement's PDF for the employer's HR (ID number masked)."""

    permission_classes = [IsEmployer]

    @extend_schema(responses=PDF_RESPONSES)
    def get(self, request, school: str, pk: int):
        the_school = _school(school)
        download = print_services.download_pdf(actor_from_request(request), pk, school=the_school)
        return redirect(signed_link(request, download.name, school=the_school))


class EmployerPaperScanApi(APIView):
    """The employer's HR uploads the stamped agreement."""

    permission_classes = [IsEmployer]
    parser_classes = [MultiPartParser]

    @extend_schema(request=SCAN_REQUEST, responses=PaperOut)
    def post(self, request, school: str, pk: int):
        from django_tenants.utils import schema_context

        the_school = _school(school)
        actor = actor_from_request(request)
        paper.upload_scan(actor=actor, agreement_id=pk, upload=_scan_of(request), school=the_school)
        with schema_context(the_school.schema_name):
            agreement, party = selectors.get_agreement(actor, pk)
            return Response(_paper_out(agreement, party))


tenant_patterns = [
    path("agreements/<int:pk>/pdf", AgreementPdfApi.as_view(), name="api-agreement-pdf"),
    path("agreements/<int:pk>/paper", PaperApi.as_view(), name="api-agreement-paper"),
    path("agreements/<int:pk>/paper/scan", PaperScanApi.as_view(), name="api-agreement-scan"),
    path(
        "agreements/<int:pk>/paper/receive",
        PaperReceiveApi.as_view(),
        name="api-agreement-paper-receive",
    ),
    path(
        "agreements/<int:pk>/paper/reject",
        PaperRejectApi.as_view(),
        name="api-agreement-paper-reject",
    ),
    path(
        "agreements/print/colleges/<int:college_id>.zip",
        CollegeZipApi.as_view(),
        name="api-agreements-college-zip",
    ),
    path("agreements/register.xlsx", RegisterExportApi.as_view(), name="api-agreements-register"),
    path("verify", VerifyCodeApi.as_view(), name="api-verify-code"),
    path("verify/<str:token>", VerifyTokenApi.as_view(), name="api-verify-token"),
]
public_patterns = [
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/pdf",
        EmployerPdfApi.as_view(),
        name="api-employer-agreement-pdf",
    ),
    path(
        "employer/schools/<slug:school>/agreements/<int:pk>/paper/scan",
        EmployerPaperScanApi.as_view(),
        name="api-employer-agreement-scan",
    ),
]
