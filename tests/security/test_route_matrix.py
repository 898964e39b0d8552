"""Every route of both URLconfs × every role × GET and POST, each cell's class written once.

Roles on a school's host: anonymous, the graduate (party to the agreement), the college
admin of the graduate's college and of another college, the school admin; on the platform
site: anonymous, HR of the agreement's employer, HR of another employer, HR of an employer
still pending verification, the operator. Each host is also tried with the session cookie
of the other host's users (HR and operator on the school host, graduate and school admin
on the platform site): they must be treated exactly as anonymous.

A cell's class: ok (2xx), login (redirect to the login page), redirect (any other), or the
status code. Routes in MATRIX that are missing from the URLconfs, and routes of the URLconfs
that MATRIX doesn't classify, fail `test_every_route_is_classified`: a new route fails until
someone decides who may reach it.

`SEC_MATRIX_PRINT=1 pytest tests/security/test_route_matrix.py -k print -s` prints the
observed table in this file's notation (to review, never to paste blindly).
"""

from __future__ import annotations

import os

import pytest

from tests.security import matrix_cast as m
from tests.security.matrix_table import PUBLIC_TABLE, TENANT_TABLE

# The table lives in matrix_table.py ("*=X" is a row's default; "role=X" overrides it).
MATRIX: dict[str, dict[str, tuple[str, str]]] = {m.TENANT: TENANT_TABLE, m.PUBLIC: PUBLIC_TABLE}

RELOGIN_AFTER = {"accounts/logout/", "api/v1/auth/logout"}


def matches(expected: str, observed: str) -> bool:
    return expected == observed


def parse(spec: str, roles: tuple[str, ...]) -> dict[str, str]:
    parts = dict(token.split("=", 1) for token in spec.split())
    default = parts.pop("*", None)
    unknown = set(parts) - set(roles)
    assert not unknown, f"unknown roles {unknown} in {spec!r}"
    out = {role: parts.get(role, default) for role in roles}
    assert all(out.values()), f"{spec!r} leaves a role unclassified"
    return out


def compress(row: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for value in row.values():
        counts[value] = counts.get(value, 0) + 1
    default = max(counts, key=lambda v: (counts[v], v == "ok"))
    rest = " ".join(f"{role}={value}" for role, value in row.items() if value != default)
    return f"*={default}" + (f" {rest}" if rest else "")


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = m.build()
        yield built
        m.teardown(built)


def _roles(urlconf: str) -> tuple[str, ...]:
    return m.TENANT_ROLES if urlconf == m.TENANT else m.PUBLIC_ROLES


def observe(cast, urlconf: str, route: str, method: str) -> dict[str, str]:
    url = cast.url(urlconf, route)
    out = {}
    for role in _roles(urlconf):
        client = cast.client(role, urlconf)
        response = client.get(url) if method == "GET" else client.post(url)
        out[role] = m.classify(response)
        if route in RELOGIN_AFTER and role != "anon":
            cast.login(role)
    for role in m.CROSS_ROLES[urlconf]:
        client = cast.cross_client(role, urlconf)
        response = client.get(url) if method == "GET" else client.post(url)
        out[f"cross:{role}"] = m.classify(response)
    return out


def unclassified(urlconf: str, table: dict) -> tuple[list[str], list[str]]:
    """(routes of the URLconf the table doesn't classify, table rows whose route is gone)."""
    routes = set(m.patterns(urlconf))
    return sorted(routes - set(table)), sorted(set(table) - routes)


def test_every_route_is_classified():
    for urlconf in (m.TENANT, m.PUBLIC):
        missing, gone = unclassified(urlconf, MATRIX[urlconf])
        assert not missing, f"unclassified routes of {urlconf}: {missing}"
        assert not gone, f"classified but gone from {urlconf}: {gone}"


def test_a_new_route_fails_until_it_is_classified():
    import sys
    import types

    from django.urls import include, path

    module = types.ModuleType("tests.security._urls_with_a_new_route")
    module.urlpatterns = [
        path("", include(m.TENANT)),
        path("brand-new/<int:pk>/", lambda request, pk: None),
    ]
    sys.modules[module.__name__] = module
    try:
        missing, gone = unclassified(module.__name__, MATRIX[m.TENANT])
    finally:
        del sys.modules[module.__name__]
    assert missing == ["brand-new/<int:pk>/"] and not gone


CELLS = [
    (urlconf, route)
    for urlconf in (m.TENANT, m.PUBLIC)
    for route in m.patterns(urlconf)
    if route in MATRIX[urlconf]
]


@pytest.mark.parametrize(
    ("urlconf", "route"), CELLS, ids=[f"{c.rsplit('_', 1)[-1]}:{r or '/'}" for c, r in CELLS]
)
def test_route_answers_each_role_as_written(cast, urlconf, route):
    get_spec, post_spec = MATRIX[urlconf][route]
    problems = []
    for method, spec in (("GET", get_spec), ("POST", post_spec)):
        expected = parse(spec, _roles(urlconf))
        observed = observe(cast, urlconf, route, method)
        for role, cls in expected.items():
            if not matches(cls, observed[role]):
                problems.append(f"{method} as {role}: expected {cls}, got {observed[role]}")
        for role in m.CROSS_ROLES[urlconf]:
            if not matches(expected["anon"], observed[f"cross:{role}"]):
                problems.append(
                    f"{method} with {role}'s cookie from the other host: expected "
                    f"{expected['anon']} (anonymous), got {observed[f'cross:{role}']}"
                )
        errors = [role for role, cls in observed.items() if cls == "500"]
        assert not errors, f"{method} /{route}: a server error for {errors}"
    assert not problems, f"/{route}:\n  " + "\n  ".join(problems)


@pytest.mark.skipif(not os.environ.get("SEC_MATRIX_PRINT"), reason="prints the observed table")
def test_print_observed_table(cast):
    for urlconf in (m.TENANT, m.PUBLIC):
        print(f"\n# {urlconf}")
        for route in m.patterns(urlconf):
            rows = []
            for method in ("GET", "POST"):
                observed = observe(cast, urlconf, route, method)
                rows.append(compress({r: observed[r] for r in _roles(urlconf)}))
                cross = {k: v for k, v in observed.items() if k.startswith("cross:")}
                if any(v != observed["anon"] for v in cross.values()):
                    rows[-1] += f"  # CROSS {cross}"
            print(f'    "{route}": ("{rows[0]}", "{rows[1]}"),')
