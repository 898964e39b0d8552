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


class ErrorStatusMiddleware:
    """Pages: a service refusal nobody caught gets its contract status, not a 500.

    PermissionDenied (NotAllowed) and Http404 (NotFound) Django already turns into the 403/404
    pages; a ValidationError (bad input, a bad query parameter, a state conflict) becomes the
    400 page with status 400 or 409 (core.exceptions.http_status, the mapping the API uses).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import ValidationError
        from django.urls import get_resolver

        from core.exceptions import ErrorCode, error_code, http_status, is_api_path, json_error

        if not isinstance(exception, ValidationError):
            return None
        status = http_status(exception)
        if is_api_path(request.path):
            return json_error(
                status, error_code(exception) or ErrorCode.INVALID, " ".join(exception.messages)
            )
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
        response = handler(request, exception)
        response.status_code = status
        return response
