"""The one DRF exception handler: every error answer is {"detail", "code", "errors"?} in Chinese.

The status comes from core.exceptions.http_status (the mapping pages use too); ``code`` is one
of core.exceptions.ErrorCode so a client branches on it, never on the Chinese text.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ErrorCode, error_code, http_status

INVALID_DETAIL = gettext_lazy("提交的数据有误，请按提示修改。")


def _validation_answer(exc: DjangoValidationError) -> Response:
    status_code = http_status(exc)
    code = error_code(exc)
    if code not in ErrorCode._value2member_map_:
        code = None  # a field-level code (too_big, checksum...): the answer says "invalid"
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
        detail = str(INVALID_DETAIL)
    else:
        errors = {"non_field_errors": exc.messages}
        detail = " ".join(exc.messages) if status_code == 409 else str(INVALID_DETAIL)
    if status_code == 409:
        return Response(
            {"detail": detail, "code": str(code or ErrorCode.CONFLICT), "errors": errors},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(
        {"detail": detail, "code": str(code or ErrorCode.INVALID), "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return _validation_answer(exc)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("您要找的内容不存在。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {
            "detail": str(INVALID_DETAIL),
            "code": str(ErrorCode.INVALID),
            "errors": data,
        }
        return response
    if isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "")
        response.data = {"detail": str(detail), "code": _drf_code(str(code))}
    return response


_DRF_CODES = {
    "permission_denied": ErrorCode.NOT_ALLOWED,
    "not_found": ErrorCode.NOT_FOUND,
    "not_authenticated": ErrorCode.NOT_AUTHENTICATED,
    "password_change_required": ErrorCode.PASSWORD_CHANGE_REQUIRED,
    "authentication_failed": ErrorCode.AUTHENTICATION_FAILED,
    "method_not_allowed": ErrorCode.METHOD_NOT_ALLOWED,
    "unsupported_media_type": ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    "throttled": ErrorCode.THROTTLED,
    "locked": ErrorCode.LOCKED,
    "parse_error": ErrorCode.INVALID,
    "not_acceptable": ErrorCode.INVALID,
}


def _drf_code(code: str) -> str:
    # Only documented codes leave the API: anything else DRF names is a refusal of input. A
    # plain str: every renderer (the schema view's YAML one too) must be able to write it.
    return str(
        _DRF_CODES.get(code) or (code if code in ErrorCode._value2member_map_ else "invalid")
    )
