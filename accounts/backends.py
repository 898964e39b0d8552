from django.core.exceptions import PermissionDenied

from accounts import throttle


class IpThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every attempt from an IP over its failure limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if throttle.ip_blocked(request):
            request.login_ip_throttled = True
            raise PermissionDenied  # stops django.contrib.auth.authenticate here
        return None

    def get_user(self, user_id):
        return None
