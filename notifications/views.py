from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from core import params
from core.context import actor_from_request
from notifications import outbox, selectors, services
from notifications.models import DeliveryStatus, Message


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
def detail(request, pk: int):
    try:
        message = services.mark_read(user=request.user, message_id=pk)
    except Message.DoesNotExist:
        return render(request, "errors/404.html", status=404)
    return render(request, "notifications/detail.html", {"message": message})


@login_required
@require_POST
def read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")


@role_required(Role.SCHOOL_ADMIN)
def deliveries(request):
    status = params.choice(request, "status", DeliveryStatus.values, DeliveryStatus.FAILED)
    page = Paginator(selectors.deliveries(status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page,
            "status": status,
            "counts": selectors.delivery_counts(),
            "statuses": DeliveryStatus.choices,
        },
    )


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def retry_delivery(request, pk: int):
    try:
        row = outbox.retry_failed(actor=actor_from_request(request), delivery_id=pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        services.enqueue_delivery(row.pk)
        messages.success(request, _("已重新排队发送。"))
    return redirect("notifications:deliveries")
