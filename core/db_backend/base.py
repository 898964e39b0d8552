"""django-tenants' PostgreSQL backend, safe behind a transaction-mode pooler and cheap per request.

Tenancy: the schema travels with every transaction, never with the session.
  django-tenants issues a session-level `SET search_path` and (TENANT_LIMIT_SET_CALLS)
  trusts it for as long as the connection lives. Behind PgBouncer or RDS Proxy in
  transaction mode each transaction may run on a different server connection, so that
  session setting is left on a server connection that the pooler hands to the next
  client: one school's query could run in another school's schema. Here each
  transaction carries its own `SET LOCAL search_path`, sent in the same network message
  as its first statement (a multi-statement simple query is one implicit transaction):
  - autocommit (Django's default, every statement its own transaction): every
    statement is prefixed; no extra round trip, no extra statement Django sees;
  - inside `atomic()`: only the transaction's first statement, and again after a
    schema switch or a savepoint rollback (which undoes a SET LOCAL).
  The path ends with the transaction, so no server connection is ever left in a school's
  schema, pooled or not: `make run` and tests use the same code without a pooler.
  Named (server-side) cursors cannot carry a prefix; they get a session-level SET as before
  and must be turned off behind a pooler (DISABLE_SERVER_SIDE_CURSORS, see settings).

Introspection: Django lists tables with `pg_table_is_visible()` over all of `pg_class`;
  with a thousand schools that is 300k+ rows and ~190 ms a call, several calls per schema
  migrated. We ask for the one namespace instead.
"""

from __future__ import annotations

import contextlib
import re
import weakref

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.base import Cursor as DjangoClientCursor
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from django.db.backends.postgresql.introspection import TableInfo
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection
from django_tenants.utils import quote_schema_name
from psycopg import ClientCursor, sql
from psycopg.pq import TransactionStatus

IDLE, INTRANS = TransactionStatus.IDLE, TransactionStatus.INTRANS
# Statements PostgreSQL refuses inside a transaction block (so no prefix): they get a
# session-level SET first instead, which is sound on a direct connection only. Migrations
# run over a direct connection (DATABASE_DIRECT_URL), never through the pooler.
NO_TRANSACTION = re.compile(
    r"\s*(?:(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE)\b|VACUUM\b|ALTER\s+SYSTEM\b"
    r"|.*\bCONCURRENTLY\b)",
    re.IGNORECASE | re.DOTALL,
)
NO_TRANSACTION_STARTS = ("CREATE", "DROP", "VACUUM", "ALTER", "REINDEX")


class SchemaIntrospection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor):
        cursor.execute(
            """
            SELECT c.relname,
                   CASE WHEN c.relispartition THEN 'p'
                        WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END,
                   obj_description(c.oid, 'pg_class')
            FROM pg_catalog.pg_class c
            WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v')
              AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s)
            """,
            [self.connection.schema_name],
        )
        return [TableInfo(*row) for row in cursor.fetchall()]


class TenantCursor(DjangoClientCursor):
    """A client-side-binding cursor that puts the tenant's path into each transaction."""

    def _path_to_send(self) -> str | None:
        backend = self._backend()
        if backend is None or backend.tenant_path_sql is None:
            return None
        status = self.connection.info.transaction_status
        if status == IDLE:
            # A new transaction: psycopg opens it here (or the statement is one on its own).
            path = backend.tenant_path_sql
        elif status == INTRANS and backend.transaction_path != backend.tenant_path_sql:
            path = backend.tenant_path_sql
        else:  # already set for this transaction, or failed/busy: send the statement as is
            return None
        if not self.connection.autocommit:
            backend.transaction_path = path
        return path

    def execute(self, query, params=None, **kwargs):
        if isinstance(query, str) and _outside_transactions(query):
            if self.connection.info.transaction_status == IDLE:
                self._set_session_path()
            return super().execute(query, params, **kwargs)
        path = self._path_to_send()
        if path is None:
            return super().execute(query, params, **kwargs)
        if isinstance(query, str):
            prefixed = (path.replace("%", "%%") if params is not None else path) + "; " + query
        elif isinstance(query, bytes):
            prefixed = path.encode() + b"; " + query
        else:
            prefixed = sql.Composed([sql.SQL(path.replace("%", "%%") + "; "), query])
        try:
            super().execute(prefixed, params, **kwargs)
        except BaseException:
            self._forget_path()
            raise
        self.nextset()  # past the SET's result to the statement's own
        return self

    def executemany(self, query, params_seq, **kwargs):
        # Runs in a pipeline (extended protocol): no multi-statement prefix possible.
        with self._own_transaction() as path:
            if path is not None:
                super().execute(path)
            return super().executemany(query, params_seq, **kwargs)

    @contextlib.contextmanager
    def copy(self, statement, *args, **kwargs):
        with self._own_transaction() as path:
            if path is not None:
                super().execute(path)
            with super().copy(statement, *args, **kwargs) as copy:
                yield copy

    @contextlib.contextmanager
    def _own_transaction(self):
        """The path as a separate statement, in a transaction that also holds the work."""
        path = self._path_to_send()
        if path is not None and self.connection.autocommit:
            with self.connection.transaction():
                yield path
        else:
            yield path

    def _set_session_path(self) -> None:
        backend = self._backend()
        if backend is not None and backend.tenant_path_sql is not None:
            super().execute(backend.tenant_path_sql.replace("SET LOCAL", "SET", 1))

    def _backend(self):
        ref = getattr(self.connection, "_wangqian_backend", None)
        return ref() if ref is not None else None

    def _forget_path(self) -> None:
        backend = self._backend()
        if backend is not None:
            backend.transaction_path = None


def _outside_transactions(query: str) -> bool:
    head = query.lstrip()[:7].upper()
    return head.startswith(NO_TRANSACTION_STARTS) and NO_TRANSACTION.match(query) is not None


class DatabaseWrapper(TenantDatabaseWrapper):
    # The `SET LOCAL search_path = …` for the current tenant (None until a tenant is set),
    # and the one already in force in the open transaction.
    tenant_path_sql: str | None = None
    transaction_path: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = SchemaIntrospection(self)

    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = TenantCursor
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection._wangqian_backend = weakref.ref(self)
        self.transaction_path = None
        return connection

    def set_tenant(self, tenant, include_public=True):
        super().set_tenant(tenant, include_public)
        paths = ", ".join(quote_schema_name(s) for s in self._get_cursor_search_paths())
        self.tenant_path_sql = f"SET LOCAL search_path = {paths}"

    def _cursor(self, name=None):
        if not self.schema_name:
            raise ImproperlyConfigured("Database schema not set: call set_schema()/set_tenant().")
        # Skip django-tenants' session-level SET: TenantCursor sends the path per transaction.
        cursor = PostgresDatabaseWrapper._cursor(self, name=name)
        if name:
            self._set_session_path()
        return cursor

    def _set_session_path(self) -> None:
        """For a named cursor's DECLARE, which cannot be prefixed (direct connections only)."""
        paths = ", ".join(quote_schema_name(s) for s in self._get_cursor_search_paths())
        with ClientCursor(self.connection) as cursor:
            cursor.execute(f"SET search_path = {paths}")

    def _commit(self):
        self.transaction_path = None
        return super()._commit()

    def _rollback(self):
        self.transaction_path = None
        return super()._rollback()

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self.transaction_path = None  # ROLLBACK TO SAVEPOINT may have undone our SET LOCAL

    def close(self):
        self.transaction_path = None
        super().close()
