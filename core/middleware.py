import uuid

from core.context import request_id_var
from core.logging import scrub_log_text


class RequestContextMiddleware:
    """Tags the request with an id that every log line and Sentry event carries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A client's own id is logged unscrubbed later, so it is scrubbed here, once.
        request_id = scrub_log_text(request.META.get("HTTP_X_REQUEST_ID", "")[:64])
        request_id = request_id or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
