"""REST endpoints: the same services as the pages."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from api.pagination import PaginatedListMixin, Pagination, paginated
from api.permissions import IsEmployer, IsOperator
from codetables.selectors import normalize as normalize_code
from core import params
from core.context import actor_from_request
from core.exceptions import NotAllowed, NotFound
from core.uploads import signed_url
from employers import selectors, services
from employers.models import Employer, Industry, Nature, Status
from tenants.selectors import active_schools


class EmployerOutput(serializers.ModelSerializer):
    is_verified = serializers.BooleanField(read_only=True)
    region = serializers.CharField(read_only=True)
    nature_display = serializers.CharField(source="get_nature_display", read_only=True)
    industry_display = serializers.CharField(source="get_industry_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    has_licence = serializers.SerializerMethodField()

    class Meta:
        model = Employer
        fields = (
            "id",
            "name",
            "credit_code",
            "nature",
            "nature_display",
            "industry",
            "industry_display",
            "province",
            "city",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
            "status_display",
            "is_verified",
            "in_directory",
            "reject_reason",
            "merged_into",
            "has_licence",
            "created_at",
            "verified_at",
        )

    def get_has_licence(self, obj) -> bool:
        return bool(obj.licence)


class EmployerFieldsInput(serializers.Serializer):
    """Shape only: employers.services validates."""

    name = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    nature = serializers.CharField(required=False, allow_blank=True)
    industry = serializers.CharField(required=False, allow_blank=True)
    province = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.CharField(required=False, allow_blank=True)


class CodeChoiceField(serializers.ChoiceField):
    """A national code; the old vocabulary (private, I …) is read as its code, as on the page."""

    def __init__(self, *, table: str, **kwargs) -> None:
        self.table = table
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(normalize_code(self.table, data) or data)


class RegistrationInput(EmployerFieldsInput):
    """multipart/form-data: the licence is an uploaded image (JPG or PNG)."""

    name = serializers.CharField(label=_("单位名称"), max_length=200)
    credit_code = serializers.CharField(label=_("统一社会信用代码"), max_length=30)
    nature = CodeChoiceField(label=_("单位性质"), choices=Nature.choices, table="unit_nature")
    industry = CodeChoiceField(label=_("单位行业"), choices=Industry.choices, table="unit_industry")
    username = serializers.CharField(label=_("账号"))
    password = serializers.CharField(label=_("密码"), trim_whitespace=False, write_only=True)
    display_name = serializers.CharField(label=_("姓名"))
    licence = serializers.FileField(
        label=_("营业执照"), error_messages={"required": _("请上传营业执照照片。")}
    )


class MemberOutput(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    is_admin = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class MemberInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)
    display_name = serializers.CharField()
    is_admin = serializers.BooleanField(required=False, default=False)


class SearchResult(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    nature = serializers.CharField()
    nature_display = serializers.CharField()
    industry = serializers.CharField()
    industry_display = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    cloud = serializers.BooleanField()
    verified = serializers.BooleanField()


class EmployerSearchApi(APIView):
    """Suggestions while typing an employer's name (every host, anonymous allowed)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="名称片段、拼音首字母、全拼或信用代码前缀"),
            OpenApiParameter("limit", int, description="最多返回条数（1–50，默认 10）"),
            OpenApiParameter("include_unverified", bool, description="仅平台运营可用"),
        ],
        responses=inline_serializer("EmployerSearch", {"results": SearchResult(many=True)}),
    )
    def get(self, request):
        limit = params.integer(request, "limit", 10, high=1000)
        # Only operators may see unverified entries; everyone else gets public fields of verified ones.
        include_unverified = (
            params.flag(request, "include_unverified")
            and request.user.is_authenticated
            and request.user.role == Role.OPERATOR
            and getattr(request, "school", None) is None
        )
        results = selectors.search_employers(
            params.text(request, "q"), limit=limit, include_unverified=include_unverified
        )
        return Response({"results": results})


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [MultiPartParser]  # the licence is a file

    @extend_schema(request=RegistrationInput, responses={201: EmployerOutput})
    def post(self, request):
        serializer = RegistrationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        membership = services.register_employer(
            actor=actor_from_request(request),
            username=data.pop("username"),
            password=data.pop("password"),
            display_name=data.pop("display_name"),
            licence=data.pop("licence", None),
            employer=data,
        )
        return Response(EmployerOutput(membership.employer).data, status=status.HTTP_201_CREATED)


def _own(request):
    membership = selectors.membership_of(request.user)
    if membership is None:
        raise NotAllowed(_("您的账号尚未关联用人单位。"))
    return membership


class MyEmployerApi(APIView):
    permission_classes = [IsEmployer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=EmployerOutput)
    def get(self, request):
        return Response(EmployerOutput(_own(request).employer).data)

    @extend_schema(request=EmployerFieldsInput, responses=EmployerOutput)
    def patch(self, request):
        serializer = EmployerFieldsInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        employer = services.update_own_employer(
            actor=actor_from_request(request),
            changes=dict(serializer.validated_data),
            licence=request.FILES.get("licence"),
        )
        return Response(EmployerOutput(employer).data)


class MyMembersApi(APIView):
    permission_classes = [IsEmployer]

    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request):
        members = _own(request).employer.memberships.select_related("user")
        return Response(MemberOutput(members, many=True).data)

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def post(self, request):
        serializer = MemberInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.add_member(
            actor=actor_from_request(request), **serializer.validated_data
        )
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


class AgreementIndexOutput(serializers.Serializer):
    school = serializers.CharField(source="school.name")
    school_subdomain = serializers.CharField(source="school.subdomain")
    agreement_id = serializers.IntegerField()
    graduate_name = serializers.CharField()
    position = serializers.CharField()
    state = serializers.CharField()
    updated_at = serializers.DateTimeField()


class SchoolCountsOutput(serializers.Serializer):
    school = serializers.CharField(help_text="学校子域名")
    school_id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    states = serializers.DictField(child=serializers.IntegerField())


class EmployerDashboardOutput(serializers.Serializer):
    """One page of the employer's agreements, with the counts over all of them."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AgreementIndexOutput(many=True)
    by_school = SchoolCountsOutput(many=True)
    by_state = serializers.DictField(child=serializers.IntegerField())


class MyAgreementsApi(APIView):
    """Everything this employer has going on in every school (from the public index), paged."""

    permission_classes = [IsEmployer]

    @extend_schema(
        parameters=[
            OpenApiParameter("school", str, description="学校子域名"),
            OpenApiParameter("state", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=EmployerDashboardOutput,
    )
    def get(self, request):
        employer = _own(request).employer
        school = None
        subdomain = params.text(request, "school")
        if subdomain:
            school = active_schools().filter(subdomain=subdomain).first()
            if school is None:
                raise NotFound(_("学校不存在。"))
        entries = selectors.employer_index(employer, school, params.text(request, "state"))
        paginator = Pagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return Response(
            EmployerDashboardOutput(
                {
                    "count": paginator.page.paginator.count,
                    "next": paginator.get_next_link(),
                    "previous": paginator.get_previous_link(),
                    "results": page,
                    **selectors.employer_index_summary(employer),
                }
            ).data
        )


class LicenceApi(APIView):
    """302 to a short-lived signed URL of the licence image (its HR or an operator)."""

    @extend_schema(responses={302: None})
    def get(self, request, employer_id: int):
        employer = selectors.get_employer(employer_id)
        if (
            employer is None
            or not employer.licence
            or not selectors.can_see_licence(request.user, employer)
        ):
            raise Http404
        return HttpResponseRedirect(signed_url(request, employer.licence.name))


# --- operators ----------------------------------------------------------------------------


class OperatorEmployerListApi(PaginatedListMixin, APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("q", str)],
        responses=EmployerOutput(many=True),
    )
    def get(self, request):
        status_filter = params.choice(request, "status", Status.values) or None
        qs = (
            selectors.employer_queue()
            if status_filter == Status.PENDING
            else selectors.employer_list(status_filter, params.text(request, "q"))
        )
        return paginated(self, request, qs, EmployerOutput)


class OperatorEmployerDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=EmployerOutput)
    def get(self, request, employer_id: int):
        return Response(EmployerOutput(get_object_or_404(Employer, pk=employer_id)).data)

    @extend_schema(request=EmployerFieldsInput, responses=EmployerOutput)
    def patch(self, request, employer_id: int):
        serializer = EmployerFieldsInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        employer = services.update_employer(
            actor=actor_from_request(request),
            employer_id=employer_id,
            changes=dict(serializer.validated_data),
        )
        return Response(EmployerOutput(employer).data)


class OperatorVerifyApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=EmployerOutput)
    def post(self, request, employer_id: int):
        get_object_or_404(Employer, pk=employer_id)
        employer = services.verify_employer(
            actor=actor_from_request(request), employer_id=employer_id
        )
        return Response(EmployerOutput(employer).data)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class OperatorRejectApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=RejectInput, responses=EmployerOutput)
    def post(self, request, employer_id: int):
        get_object_or_404(Employer, pk=employer_id)
        serializer = RejectInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        employer = services.reject_employer(
            actor=actor_from_request(request),
            employer_id=employer_id,
            reason=serializer.validated_data["reason"],
        )
        return Response(EmployerOutput(employer).data)


class MergeInput(serializers.Serializer):
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OperatorMergeApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=MergeInput, responses=EmployerOutput)
    def post(self, request):
        serializer = MergeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        employer = services.merge_employers(
            actor=actor_from_request(request),
            source_id=serializer.validated_data["source"],
            target_id=serializer.validated_data["target"],
            reason=serializer.validated_data["reason"],
        )
        return Response(EmployerOutput(employer).data)
