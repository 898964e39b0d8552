"""schemathesis over our OpenAPI against a live server, as anonymous, graduate and school admin
(school host), and anonymous on the platform host.

Every operation of the school host's schema gets SCHEMATHESIS_MAX_EXAMPLES generated requests
(default 10; derandomized, so CI runs are repeatable) for each role; the test fails on any
5xx or dropped connection and lists them all. Runs in a throwaway school, which the fuzzer may
scribble over. A few minutes on a 2-core machine; raise the examples locally for a deeper run.
"""

from __future__ import annotations

import os
import re
import threading
import time

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django_tenants.utils import schema_context

from tests.factories.students import NEW_PASSWORD, graduate, import_rows, roster_row
from tests.utils import ADMIN_PASSWORD

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# Operations that would end the fuzzer's own session rather than test anything.
SKIPPED = re.compile(r"/auth/(logout|tokens)")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def live(committed_school):
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield committed_school, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def token(base: str, host: str, username: str, password: str) -> str:
    response = requests.post(
        f"{base}/api/v1/auth/token",
        json={"username": username, "password": password},
        headers={"Host": host},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


def role_headers(school, base: str) -> dict[str, dict[str, str]]:
    from accounts.services import change_password
    from tests.factories.students import actor_for

    import_rows(school, [roster_row(i) for i in range(1, 6)])
    g = graduate(school, "2022000001")
    with schema_context(school.schema_name):
        change_password(
            actor=actor_for(g.user),
            user=g.user,
            old_password=g.id_number[-6:],
            new_password=NEW_PASSWORD,
        )
    host = f"{school.subdomain}.localhost"
    return {
        "anonymous": {"Host": host},
        "graduate": {
            "Host": host,
            "Authorization": f"Token {token(base, host, '2022000001', NEW_PASSWORD)}",
        },
        "school_admin": {
            "Host": host,
            "Authorization": f"Token {token(base, host, 'admin', ADMIN_PASSWORD)}",
        },
    }


def openapi(urlconf: str = "saas_platform.urls_tenant"):
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(raw)


def fuzz(operation, base: str, headers: dict[str, str], failures: list[str], role: str) -> int:
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings

    calls = 0

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        nonlocal calls
        calls += 1
        try:
            response = case.call(base_url=base, headers=dict(headers), timeout=30)
        except requests.RequestException as exc:
            failures.append(f"{role} {operation.method.upper()} {case.formatted_path}: {exc!r}")
            return
        if response.status_code >= 500:
            query = f"?{case.query}" if case.query else ""
            failures.append(
                f"{role} {operation.method.upper()} {case.formatted_path}{query} "
                f"body={str(case.body)[:120]!r} -> {response.status_code} {response.text[:200]!r}"
            )

    run()
    return calls


def test_no_server_errors_for_three_roles(live):
    school, base = live
    roles = role_headers(school, base)
    schema = openapi()
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if SKIPPED.search(operation.path):
            continue
        for role, headers in roles.items():
            started = time.monotonic()
            made = fuzz(operation, base, headers, failures, role)
            calls += made
            if os.environ.get("SCHEMATHESIS_VERBOSE"):
                print(
                    f"{role:12} {operation.method.upper():6} {operation.path}: {made} in {time.monotonic() - started:.1f}s"
                )
    # The platform host's API (employers, the directory), as an anonymous visitor.
    for result in openapi("saas_platform.urls_public").get_all_operations():
        operation = result.ok()
        if not SKIPPED.search(operation.path):
            calls += fuzz(operation, base, {"Host": "localhost"}, failures, "platform-anonymous")
    assert calls > 100
    assert failures == [], f"{len(failures)} server errors in {calls} requests:\n" + "\n".join(
        failures
    )
