"""The error contract a client codes against: status by kind of refusal, a `code`, Chinese text."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction

from api.exceptions import exception_handler
from core.exceptions import ErrorCode, constraint_name
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import client_for, logged_in_client


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _grad(cast, graduate):
    return logged_in_client(cast.tenant, graduate.user.username, f.GRADUATE_PASSWORD)


def test_state_conflicts_are_409_with_the_workflow_code(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
    grad = _grad(cast, graduate)
    url = f"/api/v1/agreements/{a.pk}/accept"
    r = _post(grad, url, {"version": 7, "password": f.GRADUATE_PASSWORD})
    assert r.status_code == 409
    assert r.json()["code"] == ErrorCode.STALE_VERSION
    assert "最新版本" in r.json()["detail"]  # the reason, in Chinese, for the person
    assert _post(grad, url, {"version": 1, "password": f.GRADUATE_PASSWORD}).status_code == 200
    again = _post(grad, url, {"version": 1, "password": f.GRADUATE_PASSWORD})
    assert again.status_code == 409 and again.json()["code"] == ErrorCode.BAD_STATE


def test_bad_input_is_400_with_field_errors(cast, employer):
    graduate = cast.graduates[0]
    with f.in_school(cast.tenant):
        a = flows.invite(cast, employer, graduate)
    r = _post(_grad(cast, graduate), f"/api/v1/agreements/{a.pk}/accept", {"version": "x"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == ErrorCode.INVALID
    assert {"version", "password"} <= set(body["errors"])


def test_refusals_are_403_and_strangers_404(cast, employer):
    pending = f.make_employer(verified=False)
    hr = logged_in_client(None, pending.hr.username, f.HR_PASSWORD)
    graduate = cast.graduates[0]
    r = _post(
        hr,
        "/api/v1/employer/invitations",
        {
            "school": cast.tenant.subdomain,
            "student_number": graduate.student_number,
            "name": graduate.name,
            "content": f.offer(),
        },
    )
    assert r.status_code == 403
    assert r.json() == {"detail": "单位尚未通过平台认证，暂不能发出邀约。", "code": "not_allowed"}
    r = _grad(cast, graduate).get("/api/v1/agreements/999999")
    assert r.status_code == 404 and r.json()["code"] == ErrorCode.NOT_FOUND
    r = _post(_grad(cast, graduate), "/api/v1/agreements/1/review", {"approve": True})
    assert r.status_code == 403 and r.json()["code"] == ErrorCode.NOT_ALLOWED


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/me/", "/api/", "/api/v2/me"])
def test_unknown_api_routes_answer_json_on_every_host(cast, path):
    for client in (client_for(None), client_for(cast.tenant)):
        r = client.get(path)
        assert r.status_code == 404 and r["Content-Type"] == "application/json"
        assert r.json()["code"] == "not_found" and "接口不存在" in r.json()["detail"]
    r = client_for(None).get(path, HTTP_HOST="no-such-school.localhost")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_wrong_method_is_json_405(cast):
    client = logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)
    r = client.delete("/api/v1/me")
    assert r.status_code == 405 and r.json()["code"] == ErrorCode.METHOD_NOT_ALLOWED


def test_a_storage_permission_error_is_not_a_403():
    """The builtin PermissionError is an OSError (a bucket, a path): a server error, not a refusal."""
    assert exception_handler(PermissionError(13, "Permission denied", "/srv/media/x"), {}) is None


def test_constraints_are_recognised_by_name(db):
    from tenants.models import Domain

    existing = Domain.objects.first()
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Domain.objects.create(domain=existing.domain, tenant=existing.tenant)
    assert constraint_name(exc.value) == "tenants_domain_domain_key"


def test_every_code_an_answer_carries_is_documented(cast, employer):
    """A service's own code (here "same") is not a contract code: the answer says invalid."""
    from tests.utils import OPERATOR_PASSWORD

    ops = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    pk = employer.org.pk
    bad = _post(ops, "/api/v1/operator/employers/merge", {"source": pk, "target": pk})
    assert bad.status_code == 400
    assert bad.json()["code"] == ErrorCode.INVALID
    assert bad.json()["errors"] == {"non_field_errors": ["不能把单位合并到它自己。"]}
