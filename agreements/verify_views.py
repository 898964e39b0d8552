"""/verify/ on a school's host: public, no login; see agreements.verify."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from agreements import verify
from agreements.links import current_school
from core.context import client_ip


def _limited(request):
    return render(request, "agreements/verify/limited.html", status=429)


def _answer(request, result, *, code: str = ""):
    if result is None:
        # Nothing about what exists: the same page for every unknown code.
        return render(request, "agreements/verify/form.html", {"not_found": True}, status=404)
    return render(request, "agreements/verify/result.html", {"v": result})


@never_cache
def verify_form(request):
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, "agreements/verify/form.html", {})
    if not verify.allow(client_ip(request)):
        return _limited(request)
    return _answer(request, verify.lookup(code=code, school=current_school()), code=code)


@never_cache
def verify_token(request, token: str):
    if not verify.allow(client_ip(request)):
        return _limited(request)
    return _answer(request, verify.lookup(token=token, school=current_school()))
