from django.shortcuts import get_object_or_404
from django_tenants.utils import schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolAdmin
from core.context import actor_from_request
from core.masking import mask_secret
from settings_per_school.models import ReviewLevels, Starter
from settings_per_school.selectors import get_school_settings, public_flags
from settings_per_school.services import update_school_settings
from tenants.selectors import active_schools


class SchoolSettingsOutput(serializers.Serializer):
    school_name = serializers.CharField()
    allow_student_initiation = serializers.BooleanField()
    allow_termination = serializers.BooleanField()
    termination_guidance = serializers.CharField()
    student_initiated_needs_school_review = serializers.BooleanField()
    invitation_validity_days = serializers.IntegerField()
    termination_cooldown_working_days = serializers.IntegerField()
    termination_starter = serializers.ChoiceField(choices=Starter.choices)
    termination_employer_consent_required = serializers.BooleanField()
    termination_review_levels = serializers.ChoiceField(choices=ReviewLevels.choices)
    terminations_allowed = serializers.IntegerField()
    termination_window_from = serializers.DateField(allow_null=True)
    termination_window_to = serializers.DateField(allow_null=True)
    termination_publicity_days = serializers.IntegerField()
    print_copies = serializers.IntegerField()
    print_copy_labels = serializers.ListField(child=serializers.CharField())
    wechat_app_id = serializers.CharField()
    wechat_app_secret_set = serializers.SerializerMethodField()
    wechat_app_secret_hint = serializers.SerializerMethodField()
    wechat_templates = serializers.DictField(child=serializers.CharField())
    has_logo = serializers.SerializerMethodField()
    has_seal = serializers.SerializerMethodField()

    def get_wechat_app_secret_set(self, obj) -> bool:
        return bool(obj.wechat_app_secret)

    def get_wechat_app_secret_hint(self, obj) -> str:
        return mask_secret(obj.wechat_app_secret)

    def get_has_logo(self, obj) -> bool:
        return bool(obj.logo)

    def get_has_seal(self, obj) -> bool:
        return bool(obj.seal)


class SchoolSettingsInput(serializers.Serializer):
    """Shape only; the rules live in settings_per_school.services."""

    school_name = serializers.CharField(max_length=100, required=False)
    allow_student_initiation = serializers.BooleanField(required=False)
    allow_termination = serializers.BooleanField(required=False)
    termination_guidance = serializers.CharField(required=False, allow_blank=True)
    student_initiated_needs_school_review = serializers.BooleanField(required=False)
    invitation_validity_days = serializers.IntegerField(required=False)
    termination_cooldown_working_days = serializers.IntegerField(required=False)
    termination_starter = serializers.ChoiceField(choices=Starter.choices, required=False)
    termination_employer_consent_required = serializers.BooleanField(required=False)
    termination_review_levels = serializers.ChoiceField(
        choices=ReviewLevels.choices, required=False
    )
    terminations_allowed = serializers.IntegerField(required=False)
    termination_window_from = serializers.DateField(required=False, allow_null=True)
    termination_window_to = serializers.DateField(required=False, allow_null=True)
    termination_publicity_days = serializers.IntegerField(required=False)
    print_copies = serializers.IntegerField(required=False)
    print_copy_labels = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=10
    )
    wechat_app_id = serializers.CharField(max_length=32, required=False, allow_blank=True)
    wechat_app_secret = serializers.CharField(required=False, allow_blank=True, write_only=True)
    wechat_templates = serializers.DictField(child=serializers.CharField(), required=False)
    logo = serializers.ImageField(required=False)
    seal = serializers.ImageField(required=False)


class SchoolSettingsApi(APIView):
    permission_classes = [IsSchoolAdmin]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=SchoolSettingsOutput)
    def get(self, request):
        return Response(SchoolSettingsOutput(get_school_settings()).data)

    @extend_schema(request=SchoolSettingsInput, responses=SchoolSettingsOutput)
    def patch(self, request):
        serializer = SchoolSettingsInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = update_school_settings(
            actor=actor_from_request(request), changes=dict(serializer.validated_data)
        )
        return Response(SchoolSettingsOutput(settings).data)


class PublicFlagsOutput(serializers.Serializer):
    school_name = serializers.CharField()
    allow_student_initiation = serializers.BooleanField()
    allow_termination = serializers.BooleanField()
    termination_guidance = serializers.CharField()
    termination_starter = serializers.ChoiceField(choices=Starter.choices)
    terminations_allowed = serializers.IntegerField()
    termination_cooldown_working_days = serializers.IntegerField()
    termination_window_from = serializers.DateField(allow_null=True)
    termination_window_to = serializers.DateField(allow_null=True)
    invitation_validity_days = serializers.IntegerField()
    print_copies = serializers.IntegerField()
    has_logo = serializers.BooleanField()


class PublicFlagsApi(APIView):
    """What any graduate, employer or anonymous page needs to know about the school."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PublicFlagsOutput)
    def get(self, request):
        return Response(public_flags(get_school_settings()))


class SchoolPublicFlagsApi(APIView):
    """The same flags on the platform host, for employers working with many schools."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PublicFlagsOutput)
    def get(self, request, subdomain: str):
        school = get_object_or_404(active_schools(), subdomain=subdomain)
        with schema_context(school.schema_name):
            return Response(public_flags(get_school_settings()))
