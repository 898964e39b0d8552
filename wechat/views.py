"""Pages: the OAuth round trip, binding, unbinding, the credentials test, the fake's dev page."""

from __future__ import annotations

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role, User
from core import params
from core.context import actor_from_request
from core.forms import add_service_errors
from settings_per_school.selectors import get_school_settings
from wechat import oauth_flow, selectors, services
from wechat.client import SchoolOAuth, WeChatOAuthException
from wechat.errors import describe
from wechat.forms import BindForm, UnbindForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def _error(request, text: str, status: int = 400):
    return render(request, "wechat/error.html", {"error": text}, status=status)


def oauth_start(request):
    """The official account's menu (个人中心) points here; so does the login page in WeChat."""
    school = get_school_settings()
    next_url = _safe_next(request, request.GET.get("next"))
    if not school.wechat_app_id:
        query = urlencode({"password": 1, "next": next_url})
        return redirect(f"{reverse('accounts:login')}?{query}")
    state = oauth_flow.begin(request.session, next_url)
    callback = request.build_absolute_uri(reverse("wechat:callback"))
    return redirect(SchoolOAuth(school.wechat_app_id, "", callback, state).authorize_url)


def oauth_callback(request):
    try:
        next_url = oauth_flow.finish(request.session, request.GET.get("state", ""))
    except ValidationError as exc:
        return _error(request, exc.messages[0])
    code = request.GET.get("code", "")
    if not code:
        return _error(request, _("您没有同意授权，无法通过微信登录。"))
    school = get_school_settings()
    oauth = SchoolOAuth(school.wechat_app_id, school.wechat_app_secret, "", "")
    try:
        openid = oauth.openid_for_code(code)
    except WeChatOAuthException as exc:
        return _error(request, describe(exc.errcode, exc.errmsg) + _("，请从公众号菜单重新进入。"))
    except requests.RequestException as exc:
        return _error(request, describe(None, exc.__class__.__name__), status=502)
    user = selectors.user_for_openid(openid)
    if user is not None:
        oauth_flow.forget_openid(request.session)
        login(request, user, backend=BACKEND)
        return redirect(next_url)
    oauth_flow.remember_openid(
        request.session, openid=openid, app_id=school.wechat_app_id, next_url=next_url
    )
    return redirect("wechat:bind")


def bind(request):
    pending = oauth_flow.pending_openid(request.session)
    if pending is None:
        return redirect("wechat:login")
    form = BindForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        try:
            services.bind_openid(
                actor=actor_from_request(request),
                user=user,
                openid=pending["openid"],
                app_id=pending["app_id"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            oauth_flow.forget_openid(request.session)
            login(request, user, backend=BACKEND)
            messages.success(request, _("微信绑定成功，以后从公众号进入将自动登录。"))
            return redirect(_safe_next(request, pending.get("next")))
    return render(request, "wechat/bind.html", {"form": form})


@login_required
def my_wechat(request):
    return render(request, "wechat/mine.html", {"binding": selectors.binding_of(request.user)})


@login_required
@require_POST
def unbind_self(request):
    if services.unbind(actor=actor_from_request(request), user=request.user):
        messages.success(request, _("已解除微信绑定，将不再收到微信通知。"))
    return redirect("wechat:mine")


@role_required(Role.SCHOOL_ADMIN)
def admin_bindings(request):
    search = params.text(request, "q")
    rows = selectors.bindings(search)[:200]
    return render(
        request,
        "wechat/admin_bindings.html",
        {"rows": rows, "search": search, "form": UnbindForm()},
    )


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def admin_unbind(request, user_id: int):
    user = get_object_or_404(User, pk=user_id, role=Role.GRADUATE)
    form = UnbindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写解绑原因。"))
        return redirect("wechat:bindings")
    try:
        removed = services.unbind(
            actor=actor_from_request(request), user=user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if removed:
            messages.success(request, _("已解除 %(name)s 的微信绑定。") % {"name": user})
        else:
            messages.error(request, _("%(name)s 没有绑定微信。") % {"name": user})
    return redirect("wechat:bindings")


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def check_credentials(request):
    school = get_school_settings()
    ok, text = services.check_credentials(
        app_id=school.wechat_app_id, secret=school.wechat_app_secret
    )
    (messages.success if ok else messages.error)(request, text)
    return redirect("school-settings")


def fake_received(request):
    """Development only, operators only: what the fake WeChat server has received.

    It shows template messages with graduates' names and links, so DEBUG alone (a
    misconfigured server) is not enough: an anonymous visitor gets a 404 either way.
    """
    user = request.user
    if not settings.DEBUG or not (user.is_authenticated and user.role == Role.OPERATOR):
        raise Http404
    base = settings.WECHAT_API_BASE.rstrip("/")
    try:
        snapshot = requests.get(f"{base}/_fake/received", timeout=2).json()
        error = ""
    except (requests.RequestException, ValueError) as exc:
        snapshot, error = {"received": [], "calls": [], "token_requests": {}}, str(exc)
    received = list(reversed(snapshot["received"]))[:500]
    calls = list(reversed(snapshot["calls"]))[:200]
    return render(
        request,
        "wechat/fake_received.html",
        {
            "base": base,
            "error": error,
            "received": received,
            "calls": calls,
            "token_requests": snapshot.get("token_requests", {}),
        },
    )
