from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import PaginatedListMixin, paginated
from api.permissions import IsOperator
from core.context import actor_from_request
from tenants import selectors, services


class SchoolOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    subdomain = serializers.CharField()
    schema_name = serializers.CharField()
    onboarded_at = serializers.DateTimeField()


class OnboardInput(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    subdomain = serializers.CharField()
    admin_username = serializers.CharField()
    admin_password = serializers.CharField(trim_whitespace=False, write_only=True)


class SchoolListApi(PaginatedListMixin, APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=SchoolOutput(many=True))
    def get(self, request):
        return paginated(
            self, request, selectors.school_list().order_by("name", "pk"), SchoolOutput
        )

    @extend_schema(request=OnboardInput, responses={201: SchoolOutput})
    def post(self, request):
        serializer = OnboardInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        school = services.onboard_school(
            actor=actor_from_request(request), **serializer.validated_data
        )
        return Response(SchoolOutput(school).data, status=201)
