from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.forms import LoginForm, PasswordChangeForm
from accounts.services import change_password
from core.context import actor_from_request
from core.forms import add_service_errors, post_data


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request):
    form = PasswordChangeForm(post_data(request))
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        try:
            change_password(
                actor=actor_from_request(request),
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,  # this browser stays logged in; every other one is out
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("密码已修改。"))
            return redirect(next_url)
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "next": next_url, "forced": request.user.must_change_password},
    )
