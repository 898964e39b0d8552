"""Which school schemas have migrations to apply, found without visiting each schema.

django-tenants' migrate visits every tenant (≈0.9 s each for a no-op); at a
thousand schools a deploy stalls for a quarter of an hour. One query reads every
schema's `django_migrations` at once, and only schemas missing something are
handed to the migration executor.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import quote_schema_name

BATCH = 250


def tenant_app_labels() -> set[str]:
    names = set(settings.TENANT_APPS)
    return {config.label for config in apps.get_app_configs() if config.name in names}


def expected_migrations() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """Every tenant-app migration on disk, with what each squashed one replaces."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = tenant_app_labels()
    return {
        key: tuple(tuple(r) for r in (loader.graph.nodes[key].replaces or ()))
        for key in loader.graph.nodes
        if key[0] in labels
    }


def is_up_to_date(applied: set[tuple[str, str]], expected: dict) -> bool:
    return all(
        key in applied or (replaces and all(r in applied for r in replaces))
        for key, replaces in expected.items()
    )


def applied_migrations(schema_names: list[str]) -> dict[str, set[tuple[str, str]]]:
    """Applied migrations of many schemas, in a few queries whatever their number."""
    applied: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with connection.cursor() as cursor:
        # pg_class is indexed by (relname, relnamespace): this does not scan the catalogue.
        cursor.execute(
            """
            SELECT n.nspname FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)
            """,
            [list(schema_names)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(with_table), BATCH):
            chunk = with_table[start : start + BATCH]
            sql = " UNION ALL ".join(
                f"SELECT %s, app, name FROM {quote_schema_name(name)}.django_migrations"  # noqa: S608 (quoted identifiers)
                for name in chunk
            )
            cursor.execute(sql, chunk)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    return {name: applied.get(name, set()) for name in schema_names}


def outdated_schemas(schema_names: list[str]) -> list[str]:
    expected = expected_migrations()
    applied = applied_migrations(schema_names)
    return [name for name in schema_names if not is_up_to_date(applied[name], expected)]
