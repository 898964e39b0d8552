from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class PasswordChangeRequiredMiddleware:
    """Pages: a user who must change their password sees nothing else until they have.

    The API is guarded by accounts.authentication, which knows token users too.
    """

    ALWAYS_ALLOWED = ("/static/", "/api/", "/healthz", "/accounts/logout/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            target = reverse("accounts:password_change")
            path = request.path
            if path != target and not path.startswith(self.ALWAYS_ALLOWED):
                query = (
                    urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                )
                return redirect(f"{target}?{query}" if query else target)
        return self.get_response(request)
