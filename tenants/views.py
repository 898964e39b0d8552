from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.models import Role
from core.context import actor_from_request
from core.forms import add_service_errors
from settings_per_school.selectors import get_school_settings
from tenants import selectors, services
from tenants.forms import OnboardSchoolForm


def platform_home(request):
    return render(request, "platform/home.html")


def school_home(request):
    from core.context import actor_from_request
    from tenants.home import pending_for

    pending = pending_for(actor_from_request(request)) if request.user.is_authenticated else []
    return render(
        request, "school/home.html", {"settings": get_school_settings(), "pending": pending}
    )


def _port(request) -> str:
    host = request.get_host()
    return ":" + host.rsplit(":", 1)[1] if ":" in host else ""


@role_required(Role.OPERATOR)
def operator_schools(request):
    port = _port(request)
    schools = [
        (school, selectors.primary_url(school, request.scheme, port))
        for school in selectors.school_list()
    ]
    return render(request, "platform/schools.html", {"schools": schools})


@role_required(Role.OPERATOR)
def operator_onboard(request):
    form = OnboardSchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.onboard_school(actor=actor_from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("学校“%(name)s”已开通：%(url)s 。校级管理员首次登录时须修改密码。")
                % {
                    "name": school.name,
                    "url": selectors.primary_url(school, request.scheme, _port(request)),
                },
            )
            return redirect("operator-schools")
    return render(
        request,
        "platform/onboard.html",
        {"form": form, "platform_domain": settings.PLATFORM_DOMAIN},
    )
