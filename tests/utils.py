"""Helpers the tests share: schools built through the real onboarding, clients per host."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test import Client
from django_tenants.utils import quote_schema_name, schema_context

from core.context import cli_actor
from tenants.models import School
from tenants.naming import domain_for
from tenants.services import onboard_school

ADMIN_PASSWORD = "School#Admin-2026"
OPERATOR_PASSWORD = "Platform#Ops-2026"


def new_school(
    subdomain: str | None = None, code: str | None = None, name: str | None = None
) -> School:
    suffix = uuid.uuid4().hex[:8]
    subdomain = subdomain or f"t{suffix}"
    return onboard_school(
        actor=cli_actor("tests"),
        name=name or f"测试大学{suffix}",
        code=code or str(int(uuid.uuid4().int % 90000) + 10000),
        subdomain=subdomain,
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        admin_must_change_password=False,  # tests log in as this admin straight away
    )


def drop_school(school: School) -> None:
    """Test clean-up for committed schools (the product never deletes a school's data)."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(school.schema_name)} CASCADE")
    school.domains.all().delete()
    School.objects.filter(pk=school.pk).delete()


def recycle_school(school: School) -> None:
    """Committed-test clean-up that keeps the migrated schema: emptied, back in the pool.

    Migrating a new schema costs 3–4 s; emptying this one costs a TRUNCATE. Tables migrate
    itself fills (content types, permissions) are kept.
    """
    from tenants import pool

    connection.set_schema_to_public()
    name = school.schema_name
    keep = SEEDED_TABLES
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [name])
        tables = [row[0] for row in cursor.fetchall() if row[0] not in keep]
        if tables:
            quoted = ", ".join(f"{quote_schema_name(name)}.{quote_schema_name(t)}" for t in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    # Public rows about this school (domains, the employers' index, notices) go with it.
    for relation in School._meta.related_objects:
        relation.related_model._base_manager.filter(**{relation.field.name: school}).delete()
    spare_name = f"spare_{uuid.uuid4().hex[:16]}"
    pool.rename_schema(name, spare_name)
    School.objects.filter(pk=school.pk).update(
        schema_name=spare_name,
        is_spare=True,
        is_active=True,
        name="",
        code=None,
        subdomain=None,
        onboarded_at=None,
    )


# What migrate itself fills (no migration seeds data): kept, the rest is emptied.
SEEDED_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def host_of(school: School | None) -> str:
    return domain_for(school.subdomain) if school else "localhost"


def client_for(school: School | None) -> Client:
    """A test client that talks to one school's host (or the platform site for None)."""
    return Client(HTTP_HOST=host_of(school))


def school_admin(school: School):
    from accounts.models import User

    with schema_context(school.schema_name):
        return User.objects.get(username="admin")


def logged_in_client(school: School | None, username: str, password: str) -> Client:
    client = client_for(school)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_schema_to_public()
    return client
