from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolAdmin
from api.serializers import MarkedOut, UnreadOut
from core import params
from core.context import actor_from_request
from notifications import outbox, selectors, services
from notifications.models import DeliveryStatus, Message


class MessageOutput(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "event", "title", "body", "data", "url", "created_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class MessageListApi(ListAPIView):
    """The signed-in user's 站内信, newest first."""

    serializer_class = MessageOutput

    def get_queryset(self):
        return selectors.inbox(self.request.user)


class UnreadCountApi(APIView):
    @extend_schema(responses=UnreadOut)
    def get(self, request):
        return Response(UnreadOut({"unread": selectors.unread_count(request.user)}).data)


class MarkReadApi(APIView):
    @extend_schema(request=None, responses=MessageOutput)
    def post(self, request, pk: int):
        try:
            message = services.mark_read(user=request.user, message_id=pk)
        except Message.DoesNotExist:
            raise Http404 from None
        return Response(MessageOutput(message).data)


class MarkAllReadApi(APIView):
    @extend_schema(request=None, responses=MarkedOut)
    def post(self, request):
        return Response(MarkedOut({"marked": services.mark_all_read(user=request.user)}).data)


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    updated_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    event = serializers.CharField(source="message.event")
    title = serializers.CharField(source="message.title")
    username = serializers.CharField(source="message.user.username")


class DeliveryListApi(ListAPIView):
    """School admins: WeChat deliveries by status (default: failed, with the reason)."""

    permission_classes = [IsSchoolAdmin]
    serializer_class = DeliveryOutput

    def get_queryset(self):
        status = params.choice(self.request, "status", DeliveryStatus.values, DeliveryStatus.FAILED)
        return selectors.deliveries(status)


class DeliveryRetryApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=None, responses=DeliveryOutput)
    def post(self, request, pk: int):
        row = outbox.retry_failed(actor=actor_from_request(request), delivery_id=pk)
        services.enqueue_delivery(row.pk)
        return Response(DeliveryOutput(row).data)
