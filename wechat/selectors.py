from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from wechat.models import WechatBinding


def user_for_openid(openid: str) -> User | None:
    binding = WechatBinding.objects.select_related("user").filter(openid=openid).first()
    if binding is None or not binding.user.is_active:
        return None
    return binding.user


def binding_of(user) -> WechatBinding | None:
    return WechatBinding.objects.filter(user=user).first()


def bindings(search: str = "") -> QuerySet[WechatBinding]:
    rows = WechatBinding.objects.select_related("user").order_by("-created_at")
    if search:
        rows = rows.filter(
            Q(user__username__icontains=search) | Q(user__display_name__icontains=search)
        )
    return rows
