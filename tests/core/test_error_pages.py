"""Styled Chinese error pages on both hosts, never Django's bare English ones."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.utils import client_for, host_of, logged_in_client

ENGLISH = ("Forbidden", "Not Found", "Server Error", "CSRF", "Bad Request")


def _chinese(page: str) -> None:
    for word in ENGLISH:
        assert word not in page, word


@pytest.mark.parametrize("host", ["platform", "school"])
def test_404_and_403_are_chinese(host, school_a):
    school = school_a if host == "school" else None
    client = client_for(school)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    _chinese(missing.content.decode())


def test_403_for_the_wrong_role_is_chinese(school_a):
    from tests.utils import ADMIN_PASSWORD

    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    refused = admin.get("/students/me/")  # a graduate's page
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "无权访问" in page and "<title>" in page
    _chinese(page)


def test_csrf_failure_is_chinese(school_a):
    client = Client(HTTP_HOST=host_of(school_a), enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page
    _chinese(page)


def test_500_page_is_chinese_without_a_request_context(rf):
    from core.error_pages import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "服务暂时不可用" in response.content.decode()
    _chinese(response.content.decode())


def test_400_page_is_chinese(rf):
    from core.error_pages import bad_request

    response = bad_request(rf.get("/"))
    assert response.status_code == 400 and "请求有误" in response.content.decode()
