"""Shared start-up for benchmark scripts: a dedicated database on the configured server."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def use_bench_database(name: str, fresh: bool = True) -> None:
    """Point Django at database `name` on the same server as DATABASE_URL (created if needed).

    A benchmark plays many employers and visitors from one loopback address: the abuse limits
    (invitations per employer and school, anonymous requests per IP) are lifted for it, here
    and in the servers it starts (they inherit the environment).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    for name_, value in (
        ("INVITATION_RATE_PER_EMPLOYER", "1000000000"),
        ("INVITATION_RATE_PER_SCHOOL", "1000000000"),
        ("ANON_API_RATE", "1000000000/min"),
        ("ANON_PAGE_RATE", "1000000000/min"),
    ):
        os.environ.setdefault(name_, value)
    from saas_platform import devservices

    devservices.bootstrap()
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    params = {
        "dbname": "postgres",
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or config.get("OPTIONS", {}).get("host"),
        "port": config["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"]
    base, _, query = url.partition("?")
    os.environ["DATABASE_URL"] = (
        base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")
    )
    import django

    django.setup()


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
