"""REST endpoints: the same services and selectors as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from api.pagination import PaginatedListMixin, paginated
from api.permissions import IsGraduate, IsSchoolAdmin, IsStaff
from core import params
from core.context import actor_from_request
from core.masking import mask_phone
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from students import exports, selectors, services, verification, visibility
from students.models import College, Graduate, RosterImport, VerificationState
from students.verification import EDITABLE_FIELDS

# ---- output shapes --------------------------------------------------------------------------


class GraduateListOutput(serializers.Serializer):
    """Staff lists: ID numbers and phones masked, always."""

    id = serializers.IntegerField()
    student_number = serializers.CharField()
    name = serializers.CharField()
    gender = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")
    college = serializers.CharField(source="college.name")
    major = serializers.CharField(source="major.name")
    class_name = serializers.CharField()
    education_level = serializers.CharField()
    graduation_year = serializers.IntegerField()
    mobile = serializers.SerializerMethodField()
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    submitted_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField()

    def get_mobile(self, obj) -> str:
        return mask_phone(obj.mobile)


class RecordFields(serializers.Serializer):
    ethnicity = serializers.CharField()
    political_status = serializers.CharField()
    origin = serializers.CharField()
    email = serializers.CharField()
    home_address = serializers.CharField()
    enrolment_date = serializers.DateField(allow_null=True)
    study_length = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    training_mode = serializers.CharField()
    sponsor_unit = serializers.CharField()
    archive_moves = serializers.BooleanField(allow_null=True)
    archive_unit = serializers.CharField()
    archive_address = serializers.CharField()
    archive_postcode = serializers.CharField()
    archive_phone = serializers.SerializerMethodField()

    def get_archive_phone(self, obj) -> str:
        return mask_phone(obj.archive_phone)


class ChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    imported = serializers.CharField()
    current = serializers.CharField()


class GraduateDetailOutput(GraduateListOutput, RecordFields):
    """One graduate for staff: phones in clear for their reviewer (students/visibility.py)."""

    decision_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    changes = serializers.SerializerMethodField()

    def _viewer(self):
        return self.context.get("viewer")

    def get_mobile(self, obj) -> str:
        return visibility.phone_for(self._viewer(), obj, obj.mobile)

    def get_archive_phone(self, obj) -> str:
        return visibility.phone_for(self._viewer(), obj, obj.archive_phone)

    def get_changes(self, obj) -> list[dict]:
        return ChangeOutput(selectors.changes(obj, viewer=self._viewer()), many=True).data


class MyRecordOutput(GraduateDetailOutput):
    """The graduate's own record: ID number masked; their editable phones in full."""

    mobile = serializers.CharField()
    editable_fields = serializers.SerializerMethodField()
    can_sign = serializers.SerializerMethodField()

    def get_mobile(self, obj) -> str:
        return obj.mobile

    def get_archive_phone(self, obj) -> str:
        return obj.archive_phone

    def get_changes(self, obj) -> list[dict]:
        return ChangeOutput(selectors.changes(obj, for_staff=False), many=True).data

    def get_editable_fields(self, obj) -> list[str]:
        return list(EDITABLE_FIELDS)

    def get_can_sign(self, obj) -> bool:
        return selectors.can_sign(obj)


# ---- the graduate ---------------------------------------------------------------------------


def _my_graduate(request) -> Graduate:
    graduate = selectors.graduate_of(request.user)
    if graduate is None:
        raise NotFound("学校尚未导入您的生源信息。")
    return graduate


class MyRecordApi(APIView):
    permission_classes = [IsGraduate]

    @extend_schema(responses=MyRecordOutput)
    def get(self, request):
        return Response(MyRecordOutput(_my_graduate(request)).data)

    @extend_schema(
        request=inline_serializer(
            "Corrections", {f: serializers.CharField(required=False) for f in EDITABLE_FIELDS}
        ),
        responses=MyRecordOutput,
        description="修改可编辑的字段（仅在“核验中”状态）。学号、姓名、身份证号等不可修改。",
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["请提交 JSON 对象。"]})
        graduate = verification.save_corrections(
            actor=actor_from_request(request),
            graduate=_my_graduate(request),
            changes=dict(request.data),
        )
        return Response(MyRecordOutput(graduate).data)


def _graduate_action(name: str, fn):
    class _Api(APIView):
        permission_classes = [IsGraduate]

        @extend_schema(request=None, responses=MyRecordOutput, operation_id=f"my_record_{name}")
        def post(self, request):
            graduate = fn(actor=actor_from_request(request), graduate=_my_graduate(request))
            return Response(MyRecordOutput(graduate).data)

    _Api.__name__ = f"MyRecord{name.title()}Api"
    return _Api


MyRecordStartApi = _graduate_action("start", verification.start)
MyRecordSubmitApi = _graduate_action("submit", verification.submit)
MyRecordWithdrawApi = _graduate_action("withdraw", verification.withdraw)


# ---- staff ----------------------------------------------------------------------------------


class GraduateListApi(PaginatedListMixin, APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="学号开头或姓名"),
            OpenApiParameter("college", int),
            OpenApiParameter("state", str),
            OpenApiParameter("year", int),
        ],
        responses=GraduateListOutput(many=True),
    )
    def get(self, request):
        qs = selectors.search_graduates(
            request.user,
            q=params.text(request, "q"),
            college_id=params.integer(request, "college"),
            state=params.choice(request, "state", VerificationState.values),
            year=params.integer(request, "year", high=9999),
        )
        return paginated(self, request, qs, GraduateListOutput)


class GraduateDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=GraduateDetailOutput)
    def get(self, request, pk: int):
        graduate = selectors.get_visible_graduate(request.user, pk)
        return Response(GraduateDetailOutput(graduate, context={"viewer": request.user}).data)


class ReviewQueueApi(PaginatedListMixin, APIView):
    # College admins: their colleges; school admins: colleges without a college admin.
    permission_classes = [IsStaff]

    @extend_schema(responses=GraduateListOutput(many=True))
    def get(self, request):
        return paginated(self, request, selectors.review_queue(request.user), GraduateListOutput)


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    revision = serializers.IntegerField(required=False, help_text="审核时看到的版本；已变化则拒绝")


def _decision_api(name: str, fn):
    class _Api(APIView):
        # Who may decide is students.reviewers.may_review_source (the service asks it).
        permission_classes = [IsStaff]

        @extend_schema(
            request=DecisionInput, responses=GraduateDetailOutput, operation_id=f"graduate_{name}"
        )
        def post(self, request, pk: int):
            serializer = DecisionInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            graduate = fn(
                actor=actor_from_request(request),
                graduate=selectors.get_visible_graduate(request.user, pk),
                reason=serializer.validated_data["reason"],
                expected_revision=serializer.validated_data.get("revision"),
            )
            return Response(GraduateDetailOutput(graduate, context={"viewer": request.user}).data)

    _Api.__name__ = f"Graduate{name.title()}Api"
    return _Api


GraduateApproveApi = _decision_api("approve", verification.approve)
GraduateRejectApi = _decision_api("reject", verification.reject)


class GraduateResetPasswordApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk: int):
        services.reset_graduate_password(
            actor=actor_from_request(request),
            graduate=selectors.get_visible_graduate(request.user, pk),
        )
        return Response(status=204)


class RosterExportApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): bytes})
    def get(self, request):
        qs = selectors.search_graduates(
            request.user,
            state=params.choice(request, "state", VerificationState.values),
            college_id=params.integer(request, "college"),
        )
        return xlsx_response(exports.roster_workbook(qs.iterator(chunk_size=2000)), "roster.xlsx")


# ---- imports --------------------------------------------------------------------------------


class ImportStatusOutput(serializers.Serializer):
    id = serializers.CharField()
    file = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    finished = serializers.BooleanField()
    progress = serializers.DictField()
    row_count = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    summary = serializers.DictField()


class RosterImportApi(APIView):
    permission_classes = [IsSchoolAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "RosterUpload", {"file": serializers.FileField()}
            )
        },
        responses={202: ImportStatusOutput},
        description="上传名单并排队检查（预览）；检查通过后 POST …/confirm 才真正导入。",
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["请选择要上传的 .xlsx 或 .csv 文件。"]})
        roster_import = services.start_roster_import(
            actor=actor_from_request(request), upload=upload
        )
        roster_import.refresh_from_db()
        return Response(selectors.import_status(roster_import), status=202)


class RosterImportDetailApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(responses=ImportStatusOutput)
    def get(self, request, pk):
        return Response(selectors.import_status(get_object_or_404(RosterImport, pk=pk)))

    @extend_schema(
        request=None,
        responses=ImportStatusOutput,
        description="放弃一次未导入的上传：状态变为“已放弃”，上传的文件立即删除。",
    )
    def delete(self, request, pk):
        roster_import = services.discard_roster_import(
            actor=actor_from_request(request),
            roster_import=get_object_or_404(RosterImport, pk=pk),
        )
        return Response(selectors.import_status(roster_import))


class RosterImportConfirmApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=None, responses={202: ImportStatusOutput})
    def post(self, request, pk):
        roster_import = services.confirm_roster_import(
            actor=actor_from_request(request),
            roster_import=get_object_or_404(RosterImport, pk=pk),
        )
        roster_import.refresh_from_db()
        return Response(selectors.import_status(roster_import), status=202)


# ---- colleges and staff ---------------------------------------------------------------------


class CollegeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


class CollegeInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class CollegeListApi(PaginatedListMixin, APIView):
    def get_permissions(self):
        return [IsStaff()] if self.request.method == "GET" else [IsSchoolAdmin()]

    @extend_schema(responses=CollegeOutput(many=True))
    def get(self, request):
        colleges = selectors.visible_colleges(request.user)
        return paginated(self, request, colleges, CollegeOutput)

    @extend_schema(request=CollegeInput, responses={201: CollegeOutput})
    def post(self, request):
        serializer = CollegeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        college = services.create_college(
            actor=actor_from_request(request), **serializer.validated_data
        )
        return Response(CollegeOutput(college).data, status=201)


class CollegeDetailApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=CollegeInput, responses=CollegeOutput)
    def patch(self, request, pk: int):
        college = get_object_or_404(College, pk=pk)
        serializer = CollegeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        college = services.update_college(
            actor=actor_from_request(request), college=college, **serializer.validated_data
        )
        return Response(CollegeOutput(college).data)


class StaffOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    colleges = serializers.SerializerMethodField()

    def get_colleges(self, obj) -> list[int]:
        return [c.pk for c in obj.admin_colleges.all()]


class StaffInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False)
    role = serializers.ChoiceField(choices=[Role.COLLEGE_ADMIN, Role.SCHOOL_ADMIN])
    display_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    colleges = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class StaffListApi(PaginatedListMixin, APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(responses=StaffOutput(many=True))
    def get(self, request):
        return paginated(self, request, selectors.staff_users(), StaffOutput)

    @extend_schema(request=StaffInput, responses={201: StaffOutput})
    def post(self, request):
        serializer = StaffInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.create_staff(
            actor=actor_from_request(request),
            username=data["username"],
            password=data["password"],
            role=data["role"],
            display_name=data["display_name"],
            college_ids=data["colleges"],
        )
        return Response(StaffOutput(user).data, status=201)


class StaffCollegesInput(serializers.Serializer):
    colleges = serializers.ListField(child=serializers.IntegerField())


class StaffDetailApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=StaffCollegesInput, responses=StaffOutput)
    def patch(self, request, pk: int):
        user = get_object_or_404(User, pk=pk, role=Role.COLLEGE_ADMIN)
        serializer = StaffCollegesInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.set_staff_colleges(
            actor=actor_from_request(request),
            user=user,
            college_ids=serializer.validated_data["colleges"],
        )
        return Response(StaffOutput(user).data)
