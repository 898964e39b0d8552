"""Pages and API share one exception -> status mapping (core.exceptions.http_status)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from core.exceptions import Conflict, ErrorCode, NotAllowed, NotFound, http_status
from core.middleware import ErrorStatusMiddleware


@pytest.mark.parametrize(
    "exc,status",
    [
        (NotAllowed("不行"), 403),
        (NotFound(), 404),
        (Conflict("状态已变", code=ErrorCode.STALE), 409),
        (ValidationError("已过期", code="expired"), 409),
        (ValidationError({"name": ["必填"]}), 400),
        (PermissionError(13, "Permission denied"), None),  # storage trouble: a real error
    ],
)
def test_one_mapping(exc, status):
    assert http_status(exc) == status


def _raise(exc):
    def view(request):
        raise exc

    return view


def test_an_uncaught_conflict_on_a_page_is_409_not_500(db):
    request = RequestFactory().post("/agreements/1/accept")
    exc = Conflict("邀约已过期", code=ErrorCode.EXPIRED)
    response = ErrorStatusMiddleware(_raise(exc)).process_exception(request, exc)
    assert response.status_code == 409


def test_an_uncaught_validation_error_under_api_is_json(db):
    request = RequestFactory().get("/api/v1/whatever")
    middleware = ErrorStatusMiddleware(lambda r: None)
    response = middleware.process_exception(request, ValidationError("输入有误"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "输入有误", "code": "invalid"}


def test_other_errors_are_left_to_django(db):
    request = RequestFactory().get("/students/")
    assert ErrorStatusMiddleware(lambda r: None).process_exception(request, KeyError("x")) is None
