"""Finding 16: behind a proxy, the client IP is what our proxies saw, never what the client wrote."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from core.context import client_ip
from tests.factories.students import import_rows, make_id_number, roster_row
from tests.utils import host_of

PROXY = "10.0.0.5"  # the load balancer, the TCP peer of every request


def forged_client(school, real_ip: str, forged: str) -> Client:
    """A client that writes its own X-Forwarded-For; our one proxy appends the real address."""
    return Client(
        HTTP_HOST=host_of(school),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{forged}, {real_ip}",
    )


def request_with(remote: str, forwarded: str | None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # client wrote 1.2.3.4
        (1, "1.2.3.4, 5.6.7.8, 198.51.100.7", "198.51.100.7"),
        (1, "garbage, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # CDN then load balancer
        (2, "198.51.100.7", PROXY),  # bypassed the CDN: judged by its peer
        (1, None, PROXY),
    ],
)
def test_the_right_most_untrusted_hop_is_the_client(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_with(PROXY, forwarded)) == expected


@pytest.fixture
def imported(school_a):
    import_rows(school_a, [roster_row(61)])
    return school_a


def test_forged_headers_do_not_escape_the_per_ip_login_limit(imported, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    real = f"203.0.113.{uuid.uuid4().int % 250}"
    for i in range(3):  # a fresh forged address each try, as the attacker would
        forged_client(imported, real, f"6.6.6.{i}").post(
            "/api/v1/auth/token",
            {"username": f"2022{900 + i:06d}", "password": "123456"},
            content_type="application/json",
        )
    refused = forged_client(imported, real, "7.7.7.7").post(
        "/api/v1/auth/token",
        {"username": "2022000061", "password": make_id_number(61)[-6:]},
        content_type="application/json",
    )
    assert refused.status_code == 429 and "该网络的登录失败次数过多" in refused.json()["detail"]
    with schema_context(imported.schema_name):
        from axes.models import AccessAttempt

        addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert real in addresses and not any(a.startswith("6.6.6.") for a in addresses)


def test_the_audit_log_records_the_real_address(imported, settings):
    from core.models import AuditLog
    from tests.factories.students import NEW_PASSWORD

    settings.TRUSTED_PROXY_COUNT = 1
    real = "203.0.113.77"
    client = forged_client(imported, real, "6.6.6.6")
    token = client.post(
        "/api/v1/auth/token",
        {"username": "2022000061", "password": make_id_number(61)[-6:]},
        content_type="application/json",
    ).json()["token"]
    changed = client.post(
        "/api/v1/auth/password",
        {"old_password": make_id_number(61)[-6:], "new_password": NEW_PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert changed.status_code == 200, changed.content
    with schema_context(imported.schema_name):
        entry = AuditLog.objects.filter(action="user.password_changed").latest("pk")
    assert entry.ip == real
