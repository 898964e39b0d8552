"""`migrate` for the whole fleet, skipping schools that have nothing to apply.

A plain run migrates the public schema, then reads every tenant schema's applied
migrations in one query and hands only the outdated ones to django-tenants.
Runs targeting one schema, app or migration, or using --fake/--plan/--check/
--prune, are django-tenants' own.
"""

from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import (
    GET_EXECUTOR_FUNCTION,
    MigrateSchemasCommand,
)
from django_tenants.utils import get_public_schema_name

from tenants.migration_state import outdated_schemas
from tenants.selectors import tenant_schema_names

TARGETED = (
    "app_label",
    "migration_name",
    "schema_name",
    "fake",
    "fake_initial",
    "plan",
    "prune",
    "check_unapplied",
)


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        if any(options.get(option) for option in TARGETED):
            return super().handle(*args, **options)
        SyncCommon.handle(self, *args, **options)
        executor = GET_EXECUTOR_FUNCTION(codename=self.executor)(self.args, self.options)
        if self.sync_public:
            executor.run_migrations(tenants=[get_public_schema_name()])
        if self.sync_tenant:
            schemas = tenant_schema_names()
            outdated = outdated_schemas(schemas)
            if int(options.get("verbosity", 1)) >= 1:
                self.stdout.write(
                    f"{len(schemas)} school schemas: {len(schemas) - len(outdated)} up to date, "
                    f"{len(outdated)} to migrate"
                )
            if outdated:
                executor.run_migrations(tenants=outdated)
