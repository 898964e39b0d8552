"""Query parameters, read the same way by pages and API: a malformed one is a 400, never a 500.

`NulByteMiddleware` refuses a NUL byte anywhere in the query string, a form body or a JSON body
(PostgreSQL cannot store one in text, so it would surface as a DataError deep in a query).
The typed readers below raise `BadParameter` (a ValidationError: 400 on pages and in the API,
see core/exceptions.py) saying which parameter is wrong, in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.exceptions import BadParameter, ErrorCode, is_api_path, json_error

PG_INT_MAX = 2**31 - 1
MAX_TEXT = 200


def _query(request) -> object:
    # A DRF Request's query_params is its HttpRequest's GET; take either.
    return getattr(request, "query_params", None) or request.GET


def text(request, name: str, default: str = "", *, max_length: int = MAX_TEXT) -> str:
    """A free-text parameter (a search box), stripped."""
    value = _query(request).get(name, default)
    if not isinstance(value, str):
        return default
    if _has_control(value):
        raise BadParameter(name, _("“%(name)s”中含有无效字符。") % {"name": name})
    value = value.strip()
    if len(value) > max_length:
        raise BadParameter(
            name, _("“%(name)s”最长 %(n)d 个字符。") % {"name": name, "n": max_length}
        )
    return value


def integer(
    request, name: str, default: int | None = None, *, low: int = 1, high: int = PG_INT_MAX
) -> int | None:
    """A whole-number parameter (an id, a year, a limit); empty means `default`."""
    return integer_value(name, _query(request).get(name, ""), default, low=low, high=high)


def integer_value(
    name: str, raw: object, default: int | None = None, *, low: int = 1, high: int = PG_INT_MAX
) -> int | None:
    """`integer()` for a value already taken out of a request (e.g. filters a form carried)."""
    raw = raw.strip() if isinstance(raw, str) else ""
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, _("“%(name)s”应为整数。") % {"name": name}) from None
    if not low <= value <= high:
        raise BadParameter(
            name,
            _("“%(name)s”应在 %(low)d 到 %(high)d 之间。")
            % {"name": name, "low": low, "high": high},
        )
    return value


def choice(request, name: str, choices: Iterable[str], default: str = "") -> str:
    """One of a fixed vocabulary (a state filter); empty means `default`."""
    value = text(request, name, default)
    allowed = [str(c) for c in choices]
    if value and value not in allowed:
        raise BadParameter(
            name,
            _("“%(name)s”应为以下之一：%(values)s。")
            % {"name": name, "values": "、".join(allowed)},
        )
    return value or default


def flag(request, name: str) -> bool:
    return text(request, name).lower() in ("1", "true", "yes", "on")


def _has_control(value: str) -> bool:
    # NUL breaks PostgreSQL; the other C0 controls (tab and newline aside) are never typed.
    return any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value)


class NulByteMiddleware:
    """A NUL byte in any parameter or JSON body is refused with 400 before a view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if self._has_nul(request):
            message = _("请求中含有无效字符（空字符），请检查后重试。")
            if is_api_path(request.path):
                return json_error(400, ErrorCode.BAD_PARAMETER, message)
            from django.urls import get_resolver

            handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
            response = handler(request, BadParameter("request", message))
            response.status_code = 400
            return response
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type.startswith("application/x-www-form-urlencoded"):
                return any("\x00" in v for vs in request.POST.lists() for v in vs[1]) or any(
                    "\x00" in k for k in request.POST
                )
            if content_type.startswith("application/json"):
                return b"\\u0000" in request.body or b"\x00" in request.body
        return False
