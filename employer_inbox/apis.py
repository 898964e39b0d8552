from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import PaginatedListMixin, paginated
from api.permissions import IsEmployer
from api.serializers import MarkedOut
from core.exceptions import NotAllowed
from employer_inbox import selectors, services
from employers.selectors import membership_of


class NoticeOut(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    school = serializers.CharField(source="school.subdomain", allow_null=True, default=None)
    school_name = serializers.CharField(source="school.name", allow_null=True, default=None)
    agreement_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class EmployerNoticesApi(PaginatedListMixin, APIView):
    """The employer's in-app notices (returned, expired, closed, review decisions, signed)."""

    permission_classes = [IsEmployer]

    def _employer(self, request):
        membership = membership_of(request.user)
        employer = membership.employer if membership is not None else None
        if employer is None:
            raise NotAllowed(_("您的账号尚未关联用人单位。"))
        return employer

    @extend_schema(responses=NoticeOut(many=True))
    def get(self, request):
        notices = selectors.notices_for(self._employer(request).pk)
        return paginated(self, request, notices, NoticeOut)

    @extend_schema(request=None, responses=MarkedOut)
    def post(self, request):
        """Mark every notice read."""
        count = services.mark_all_read(employer_id=self._employer(request).pk)
        return Response(MarkedOut({"marked": count}).data)
