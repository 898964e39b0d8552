"""Real PostgreSQL and Redis (embedded ones unless DATABASE_URL/REDIS_URL say otherwise)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.utils import OPERATOR_PASSWORD, new_school, recycle_school


def pytest_configure(config):
    """Fixtures hash thousands of passwords: a fast hasher keeps the suite quick.

    Production hashing is not weakened: settings.py keeps its hashers, and a test of
    hashing itself overrides this with `settings.PASSWORD_HASHERS`.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The two test schools serve the whole suite: a per-school invitation limit would trip
    # over the suite itself (tests/security/ checks the limit with its own values).
    settings.INVITATION_RATE_PER_SCHOOL = 1_000_000
    # Every test client is 127.0.0.1: the anonymous rate limits would count the whole suite
    # as one visitor. tests/core/test_flood.py sets its own.
    settings.ANON_API_RATE = settings.ANON_PAGE_RATE = "1000000/min"


def _clear_platform_counters() -> None:
    """Counters shared by all schools (per-IP login failures, invitation limits) of an
    earlier run would otherwise leak into this one."""
    from django.core.cache import caches

    try:
        client = caches["platform"]._cache.get_client(write=True)
        for key in client.scan_iter("platform:*"):
            client.delete(key)
    except Exception:  # noqa: BLE001 - Redis down: the tests that need it will say so
        pass


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database, with two schools and an operator built through the real services.

    pytest-django only creates the test database when a collected test asks for `db`;
    tests that use `committed` alone would then write to the development database. This
    always creates it.
    """
    from django.test.utils import setup_databases, teardown_databases

    from accounts.models import User
    from accounts.services import create_operator
    from core.context import cli_actor
    from saas_platform.celery import app
    from tenants import pool
    from tenants.models import School

    app.control.purge()  # tasks queued by an earlier, interrupted run
    _clear_platform_counters()
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose, interactive=False, aliases={"default"}
        )
        assert connection.settings_dict["NAME"].startswith("test_")
        for subdomain, code, name in (
            ("alpha", "10001", "阿尔法大学"),
            ("beta", "10002", "贝塔大学"),
        ):
            if not School.objects.filter(subdomain=subdomain).exists():
                new_school(subdomain=subdomain, code=code, name=name)
        if not User.objects.filter(username="operator").exists():
            create_operator(
                actor=cli_actor("tests"), username="operator", password=OPERATOR_PASSWORD
            )
        pool.refill(1)
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            # Server and worker threads keep persistent connections; end them so the test
            # database can be dropped.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_platform_counters():
    """Every test client is 127.0.0.1: one test's failed logins or throttled calls must not
    lock the next test out (the counters span every school by design)."""
    _clear_platform_counters()


@pytest.fixture
def school_a(db):
    from tenants.models import School

    return School.objects.get(subdomain="alpha")


@pytest.fixture
def school_b(db):
    from tenants.models import School

    return School.objects.get(subdomain="beta")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access without a wrapping transaction: for browser and race tests.

    Whatever such a test creates is committed; it must clean up after itself
    (see `committed_school`).
    """
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture
def committed_school(committed):
    school = new_school()
    yield school
    recycle_school(school)  # emptied and back in the pool: the next committed test skips a migrate


# --- WeChat (wechat/, notifications/): the fake WeChat API server ---


@pytest.fixture(scope="session")
def fake_wechat_server():
    """`python -m wechat.fake_server` on a free loopback port for the whole session."""
    from saas_platform.devservices import free_port
    from wechat.fake_control import start_fake_server

    port = free_port()
    process = start_fake_server(port)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(5)


@pytest.fixture
def fake_wechat(fake_wechat_server, settings):
    """A fresh fake WeChat, every WeChat URL pointing at it, and an empty token cache."""
    from notifications import delivery
    from wechat.client import token_redis
    from wechat.fake_control import FakeWeChatControl

    settings.WECHAT_API_BASE = fake_wechat_server
    settings.WECHAT_OPEN_BASE = fake_wechat_server
    settings.WECHAT_TIMEOUT_SECONDS = 2.0
    control = FakeWeChatControl(fake_wechat_server)
    control.reset()
    redis_client = token_redis()
    for key in redis_client.scan_iter("wechat-token*"):
        redis_client.delete(key)
    delivery.clear_clients()
    yield control
    delivery.clear_clients()
