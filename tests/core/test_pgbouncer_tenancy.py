"""Tenancy behind Debian's PgBouncer in transaction mode: no query ever runs in another school.

PgBouncer here shares a handful of server connections among many clients, handing a server
connection to whichever client starts the next transaction. django-tenants' session-level
`SET search_path` (kept across requests) then leaks: the first test shows it does, so the
rest prove something. Our backend (core/db_backend) sends the path inside every transaction.
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django_tenants.postgresql_backend.base import DatabaseWrapper as DjangoTenantsWrapper
from django_tenants.utils import schema_context

from core.db_backend.base import DatabaseWrapper
from core.models import AuditLog
from saas_platform import pgbouncer
from settings_per_school.models import SchoolSettings
from tenants.models import School
from tests.utils import host_of

SETTINGS_SQL = "SELECT school_name FROM settings_per_school_schoolsettings"


def _bouncer(pool_size: int):
    if pgbouncer.binary() is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer missing: infra/system-deps.sh installs it")
        pytest.skip("pgbouncer is not installed (make system-deps)")
    url = os.environ["DATABASE_URL"]
    bouncer = pgbouncer.start(url, pool_mode="transaction", pool_size=pool_size)
    return bouncer


@pytest.fixture(scope="module")
def one_server_connection():
    bouncer = _bouncer(pool_size=1)
    yield bouncer
    bouncer.stop()


@pytest.fixture(scope="module")
def few_server_connections():
    bouncer = _bouncer(pool_size=3)
    yield bouncer
    bouncer.stop()


def through(bouncer) -> dict:
    """The test database's settings, pointed at PgBouncer."""
    settings_dict = dict(connection.settings_dict)
    settings_dict.update(HOST="127.0.0.1", PORT=str(bouncer.port), USER=bouncer.user)
    settings_dict["OPTIONS"] = {}
    return settings_dict


@pytest.fixture
def schools(committed):
    found = {}
    for school in School.objects.filter(subdomain__in=["alpha", "beta"]):
        with schema_context(school.schema_name):
            found[school.schema_name] = (school, SchoolSettings.objects.get().school_name)
    connection.set_schema_to_public()
    return found


def read_as(wrapper, school) -> str:
    wrapper.set_tenant(school)
    with wrapper.cursor() as cursor:
        cursor.execute(SETTINGS_SQL)
        return cursor.fetchone()[0]


def test_session_search_path_leaks_through_transaction_pooling(one_server_connection, schools):
    """The hazard is real: django-tenants' own backend reads the other school's row."""
    (school_a, name_a), (school_b, name_b) = list(schools.values())
    first = DjangoTenantsWrapper(through(one_server_connection), "leaky_a")
    second = DjangoTenantsWrapper(through(one_server_connection), "leaky_b")
    try:
        assert read_as(first, school_a) == name_a
        assert read_as(second, school_b) == name_b
        # `first` trusts the path it set earlier; the one server connection now has b's.
        with first.cursor() as cursor:
            cursor.execute(SETTINGS_SQL)
            assert cursor.fetchone()[0] == name_b
    finally:
        first.close()
        second.close()


def test_our_backend_reads_its_own_school_on_a_shared_server_connection(
    one_server_connection, schools
):
    (school_a, name_a), (school_b, name_b) = list(schools.values())
    first = DatabaseWrapper(through(one_server_connection), "pooled_a")
    second = DatabaseWrapper(through(one_server_connection), "pooled_b")
    try:
        assert read_as(first, school_a) == name_a
        assert read_as(second, school_b) == name_b
        for _ in range(3):
            with first.cursor() as cursor:
                cursor.execute(SETTINGS_SQL)
                assert cursor.fetchone()[0] == name_a
            with second.cursor() as cursor:
                cursor.execute(SETTINGS_SQL)
                assert cursor.fetchone()[0] == name_b
        # Inside a transaction too, and after one: the server connection goes back clean.
        first.set_autocommit(False)
        with first.cursor() as cursor:
            cursor.execute(SETTINGS_SQL)
            assert cursor.fetchone()[0] == name_a
            cursor.execute("SHOW search_path")
            assert school_a.schema_name in cursor.fetchone()[0]
        first.commit()
        first.set_autocommit(True)
        with second.cursor() as cursor:
            cursor.execute("SELECT current_setting('search_path')")
            assert school_a.schema_name not in cursor.fetchone()[0]
    finally:
        first.close()
        second.close()


def test_concurrent_requests_and_tasks_alternating_schools_stay_in_their_schema(
    few_server_connections, schools
):
    """24 threads share 3 server connections: pages and task-like work, two schools each."""
    run = uuid.uuid4().hex[:12]
    entries = list(schools.values())
    threads, iterations = 24, 20
    wrong_reads: list[str] = []
    errors: list[BaseException] = []
    original = connections.__dict__.get("settings")
    connections.__dict__["settings"] = {"default": through(few_server_connections)}

    def work(index: int) -> None:
        try:
            for n in range(iterations):
                school, name = entries[(index + n) % len(entries)]
                # A request, routed by its host name as in production.
                answer = Client(HTTP_HOST=host_of(school)).get("/api/v1/school/public-settings")
                if answer.json().get("school_name") != name:
                    wrong_reads.append(f"request {school.schema_name}: {answer.json()}")
                # A task: tenant-schemas-celery runs each one in its school's schema context.
                with schema_context(school.schema_name):
                    AuditLog.objects.create(
                        action="pgbouncer_probe", target_id=school.schema_name, reason=run
                    )
                    if SchoolSettings.objects.get().school_name != name:
                        wrong_reads.append(f"task {school.schema_name}")
                    from django.db import transaction

                    with transaction.atomic():
                        AuditLog.objects.create(
                            action="pgbouncer_probe", target_id=school.schema_name, reason=run
                        )
                        if SchoolSettings.objects.get().school_name != name:
                            wrong_reads.append(f"atomic task {school.schema_name}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    try:
        workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
    finally:
        if original is None:
            connections.__dict__.pop("settings", None)
        else:
            connections.__dict__["settings"] = original

    assert not errors, errors[:3]
    assert wrong_reads == []
    total = 0
    for school, _name in entries:
        with schema_context(school.schema_name):
            probes = AuditLog.objects.filter(action="pgbouncer_probe", reason=run)
            assert probes.exclude(target_id=school.schema_name).count() == 0  # none misplaced
            total += probes.count()
            probes.delete()
    assert total == threads * iterations * 2
