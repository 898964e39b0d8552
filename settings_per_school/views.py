import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from core.context import actor_from_request
from core.forms import add_service_errors
from core.masking import mask_secret
from settings_per_school.forms import SchoolSettingsForm
from settings_per_school.selectors import get_school_settings
from settings_per_school.services import update_school_settings


@role_required(Role.SCHOOL_ADMIN)
def settings_page(request):
    current = get_school_settings()
    secret_hint = mask_secret(current.wechat_app_secret)
    form = SchoolSettingsForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            update_school_settings(actor=actor_from_request(request), changes=form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("设置已保存。"))
            return redirect("school-settings")
    return render(request, "school/settings.html", {"form": form, "secret_hint": secret_hint})


@require_GET
def logo(request):
    """The school's logo is shown on its public pages; everything else in storage is private."""
    current = get_school_settings()
    if not current.logo:
        raise Http404
    content_type = mimetypes.guess_type(current.logo.name)[0] or ""
    if not content_type.startswith("image/"):  # stored before logos were re-encoded
        raise Http404
    response = FileResponse(current.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
