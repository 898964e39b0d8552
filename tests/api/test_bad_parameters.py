"""Issue 9 finding 14: malformed input is a 400 or 404 with a Chinese message, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.factories import agreements as f
from tests.utils import OPERATOR_PASSWORD, logged_in_client

NUL = "%00"

SCHOOL_ADMIN_GETS = [
    f"/api/v1/students/graduates?q=a{NUL}",
    f"/api/v1/agreements?q={NUL}",
    f"/api/v1/employers/search?q={NUL}",
    f"/api/v1/students/export.xlsx?state={NUL}",
    f"/students/?q={NUL}",
    f"/agreements/?q={NUL}",
    f"/wechat/bindings/?q={NUL}",
    f"/notifications/deliveries/?status={NUL}",
]


@pytest.fixture
def admin(cast):
    return logged_in_client(cast.tenant, "admin", f.ADMIN_PASSWORD)


@pytest.mark.parametrize("url", SCHOOL_ADMIN_GETS)
def test_a_nul_byte_anywhere_is_a_400(admin, url):
    r = admin.get(url)
    assert r.status_code == 400, url
    if url.startswith("/api/"):
        assert r.json()["code"] == "bad_parameter"
        assert "空字符" in r.json()["detail"]


def test_a_nul_byte_on_the_platform_host_is_a_400(db):
    ops = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    for url in (f"/api/v1/operator/employers?q={NUL}", f"/operator/employers/?q={NUL}"):
        assert ops.get(url).status_code == 400, url


def test_a_nul_byte_in_a_json_body_is_a_400(admin):
    r = admin.post(
        "/api/v1/students/colleges",
        json.dumps({"name": "计算机\u0000学院"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_parameter"


@pytest.mark.parametrize(
    "url,name",
    [
        ("/api/v1/students/export.xlsx?college=abc", "college"),
        ("/api/v1/students/graduates?year=20x6", "year"),
        ("/api/v1/agreements?college=99999999999", "college"),
        ("/api/v1/agreements?state=nonsense", "state"),
    ],
)
def test_a_malformed_parameter_says_which_one(admin, url, name):
    r = admin.get(url)
    assert r.status_code == 400, url
    assert r.json()["code"] == "bad_parameter"
    assert name in r.json()["errors"] and "“" + name + "”" in r.json()["errors"][name][0]


def test_the_export_page_with_a_bad_college_is_a_400(admin):
    assert admin.get("/students/export.xlsx?college=abc").status_code == 400


def test_unbinding_as_a_school_admin_is_no_server_error(admin):
    r = admin.post("/wechat/unbind/")
    assert r.status_code == 302  # nothing was bound: back to the page


def test_retrying_an_unknown_delivery_is_a_404(admin):
    assert admin.post("/notifications/deliveries/999/retry/").status_code == 404
    r = admin.post("/api/v1/notifications/deliveries/999/retry")
    assert r.status_code == 404 and r.json()["detail"] == "该条发送记录不存在。"


@pytest.mark.parametrize(
    "url",
    [
        "/agreements/review/?college=99999999999",  # past PostgreSQL's integer: was a 500
        "/students/review/?college=99999999999",
        "/agreements/review/?college=abc",
    ],
)
def test_a_review_queue_college_filter_out_of_range_is_a_400(admin, url):
    r = admin.get(url)
    assert r.status_code == 400, (url, r.status_code)
    assert "返回上一页" in r.content.decode()  # the Chinese 400 page, not a traceback
