from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from api.permissions import IsSchoolAdmin
from core.context import actor_from_request
from settings_per_school.selectors import get_school_settings
from wechat import selectors, services


class BindingOutput(serializers.Serializer):
    bound = serializers.BooleanField()
    bound_at = serializers.DateTimeField(allow_null=True)


class MyBindingApi(APIView):
    """The signed-in graduate's WeChat binding: see it, or remove it."""

    @extend_schema(responses=BindingOutput)
    def get(self, request):
        binding = selectors.binding_of(request.user)
        return Response(
            {"bound": binding is not None, "bound_at": getattr(binding, "created_at", None)}
        )

    @extend_schema(responses=BindingOutput)
    def delete(self, request):
        services.unbind(actor=actor_from_request(request), user=request.user)
        return Response({"bound": False, "bound_at": None})


class AdminUnbindInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AdminUnbindApi(APIView):
    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=AdminUnbindInput, responses=BindingOutput)
    def post(self, request, user_id: int):
        data = AdminUnbindInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=user_id, role=Role.GRADUATE).first()
        if user is None:
            raise Http404
        services.unbind(
            actor=actor_from_request(request), user=user, reason=data.validated_data["reason"]
        )
        return Response({"bound": False, "bound_at": None})


class CheckCredentialsOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class CheckCredentialsApi(APIView):
    """Fetch an access token with the saved AppID / AppSecret; WeChat's answer in Chinese."""

    permission_classes = [IsSchoolAdmin]

    @extend_schema(request=None, responses=CheckCredentialsOutput)
    def post(self, request):
        school = get_school_settings()
        ok, detail = services.check_credentials(
            app_id=school.wechat_app_id, secret=school.wechat_app_secret
        )
        return Response({"ok": ok, "detail": detail})
