"""The error contract shared by pages and API: what a refusal is, and which HTTP status it gets.

Services raise these (never the builtin ``PermissionError``, an ``OSError`` a storage failure
also raises, nor ``Http404``, a page concept):

- ``NotAllowed``  -> 403: this person may never do this.
- ``NotFound``    -> 404: no such object for this person (someone else's is "not found" too).
- ``Conflict``    -> 409: allowed in general, but not in the object's current state.
- a Django ``ValidationError`` -> 400: the input is wrong; unless its code is a conflict code
  (``TransitionRefused`` of the agreements workflow carries ``stale_version``, ``expired`` ...),
  then 409.

``http_status()`` is the one mapping; the DRF exception handler (api/exceptions.py) and the
page middleware (``ErrorStatusMiddleware``) both use it. Every answer carries a ``code`` from
``ErrorCode`` so clients never parse the Chinese text.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _


class ErrorCode(StrEnum):
    """Every ``code`` an error answer may carry (documented in the OpenAPI as an enum)."""

    # 400
    INVALID = "invalid"  # the input fails validation; ``errors`` says where
    BAD_PARAMETER = "bad_parameter"  # a query parameter is malformed (see core/params.py)
    REASON_REQUIRED = "reason_required"  # returns, rejections and refusals need a reason
    # 401 / 403 / 404 / 405 / 429
    NOT_AUTHENTICATED = "not_authenticated"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"  # change the initial password first
    AUTHENTICATION_FAILED = "authentication_failed"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    LOCKED = "locked"
    # 409: the object's state forbids it now; reload and look again
    CONFLICT = "conflict"
    BAD_STATE = "bad_state"  # the agreement's state does not allow this action
    STATE = "state"  # an employer/生源/delivery is not in a state that allows this
    STALE = "stale"  # the 生源 record changed since it was looked at
    STALE_VERSION = "stale_version"  # the invitation changed since the graduate looked at it
    EXPIRED = "expired"  # the invitation (or login request) expired
    BINDING_EXISTS = "binding_exists"  # the graduate already has an agreement in review/signed
    GRADUATE_SIGNED = "graduate_signed"  # the graduate has signed elsewhere
    CANNOT_SIGN = "cannot_sign"  # the graduate's 生源 is not approved yet
    COOLDOWN = "cooldown"  # within the working-day cooldown after a termination
    ALLOWANCE_USED = "allowance_used"  # the graduate has used up the school's terminations
    NOT_NOW = "not_now"  # termination is closed now, or outside the school's window
    DUPLICATE = "duplicate"  # the same thing exists already (invitation, employer, username)
    USER_BOUND = "user_bound"  # the account is bound to another WeChat
    OPENID_TAKEN = "openid_taken"  # the WeChat is bound to another account
    SERVER_ERROR = "server_error"


CONFLICT_CODES = frozenset(
    {
        ErrorCode.CONFLICT,
        ErrorCode.BAD_STATE,
        ErrorCode.STATE,
        ErrorCode.STALE,
        ErrorCode.STALE_VERSION,
        ErrorCode.EXPIRED,
        ErrorCode.BINDING_EXISTS,
        ErrorCode.GRADUATE_SIGNED,
        ErrorCode.CANNOT_SIGN,
        ErrorCode.COOLDOWN,
        ErrorCode.ALLOWANCE_USED,
        ErrorCode.NOT_NOW,
        ErrorCode.DUPLICATE,
        ErrorCode.USER_BOUND,
        ErrorCode.OPENID_TAKEN,
    }
)


class NotAllowed(PermissionDenied):
    """403. A ``PermissionDenied``, so Django's own 403 page handling applies to pages."""

    code = ErrorCode.NOT_ALLOWED

    def __init__(self, message: str | None = None):
        super().__init__(message or _("您无权执行此操作。"))


class NotFound(Http404):
    """404. An ``Http404``, so a page that does not catch it still gets the 404 page."""

    code = ErrorCode.NOT_FOUND

    def __init__(self, message: str | None = None):
        super().__init__(message or _("您要找的内容不存在。"))


class Conflict(ValidationError):
    """409. A ``ValidationError`` too, so forms and pages that show messages keep doing so."""

    def __init__(self, message, code: str = ErrorCode.CONFLICT, params=None):
        super().__init__(message, code=str(code), params=params)


class BadParameter(ValidationError):
    """400 for a malformed query parameter (raised by core/params.py)."""

    def __init__(self, name: str, message: str):
        super().__init__({name: [message]}, code=ErrorCode.BAD_PARAMETER)
        self.code = ErrorCode.BAD_PARAMETER  # a dict error keeps no code by itself


def error_code(exc: BaseException) -> str | None:
    """The contract code of a validation error or domain refusal (None if it has none)."""
    code = getattr(exc, "code", None)
    if code is None and isinstance(exc, ValidationError):
        codes = (
            {getattr(e, "code", None) for e in exc.error_list}
            if hasattr(exc, "error_list")
            else set()
        )
        if len(codes) == 1:
            code = codes.pop()
    return str(code) if code else None


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, Conflict) or (
        isinstance(exc, ValidationError) and error_code(exc) in CONFLICT_CODES
    )


def http_status(exc: BaseException) -> int | None:
    """The status for a refusal raised by a service; None for anything else (a real error)."""
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Http404):
        return 404
    if isinstance(exc, ValidationError):
        return 409 if is_conflict(exc) else 400
    return None


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the violated constraint, as PostgreSQL reports it (never a text search)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None)


API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def json_error(status: int, code: str, detail: str, errors: dict | None = None):
    """The API's error body, for the few answers given outside DRF (unknown routes and hosts)."""
    from django.http import JsonResponse

    body: dict = {"detail": detail, "code": str(code)}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def api_not_found(request, *args, **kwargs):
    """Every unknown route under /api/, on every host: JSON, never the HTML 404 page."""
    return json_error(404, ErrorCode.NOT_FOUND, _("接口不存在：%(path)s") % {"path": request.path})
