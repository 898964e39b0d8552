"""Finding 8: a flood of anonymous clients neither exhausts PostgreSQL nor starves other schools.

A real threaded server (a thread per request, as runserver) on a loopback port; 24 parallel
anonymous clients hammer one school's public endpoint while a monitor counts the test
database's connections in pg_stat_activity.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection

CLIENTS = 24
PUBLIC_API = "/api/v1/school/public-settings"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


POOL_SIZE = 4  # far fewer than the clients: the bound must come from the pool


@pytest.fixture
def small_pool(committed):
    """This process's connections through a psycopg pool of POOL_SIZE, as settings.py
    configures it for `make run` and production (DB_POOL_MAX_SIZE), then as before."""
    settings_dict = connection.settings_dict
    options = settings_dict["OPTIONS"]
    before = dict(options.get("pool") or {}), settings_dict["CONN_MAX_AGE"]

    def rebuild(pool: dict, max_age: int) -> None:
        connection.close()
        connection.close_pool()
        if pool:
            options["pool"] = pool
        else:
            options.pop("pool", None)
        settings_dict["CONN_MAX_AGE"] = max_age

    rebuild({"min_size": 1, "max_size": POOL_SIZE, "timeout": 10.0, "max_idle": 60.0}, 0)
    yield POOL_SIZE
    rebuild(*before)


@pytest.fixture
def server(small_pool):
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class ConnectionMonitor(threading.Thread):
    """Polls pg_stat_activity on its own connection (not counted) and keeps the maximum."""

    def __init__(self):
        super().__init__(daemon=True)
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.conn = psycopg.connect(**params, autocommit=True)
        self.database = connection.settings_dict["NAME"]
        self.stop = threading.Event()
        # Connections other tests' threads (live servers, in-process workers) still hold in
        # a full run are not this flood's: the bound is on what the flood adds.
        self.baseline = self.count()
        self.peak = 0

    def count(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.database],
        ).fetchone()[0]

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self.count())
            self.stop.wait(0.02)


@pytest.fixture
def monitor():
    watcher = ConnectionMonitor()
    watcher.start()
    yield watcher
    watcher.stop.set()
    watcher.join()
    watcher.conn.close()


def get(port: int, subdomain: str, path: str, ip: str) -> int:
    host = f"{subdomain}.localhost" if subdomain else "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": f"{host}:{port}", "X-Forwarded-For": f"10.66.0.1, {ip}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def flood(port: int, ip: str, requests_each: int, path: str = PUBLIC_API) -> list[int]:
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [
            pool.submit(lambda: [get(port, "alpha", path, ip) for _ in range(requests_each)])
            for _ in range(CLIENTS)
        ]
        return [status for future in futures for status in future.result()]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the flood and the bystander are told apart by address
    return settings


def bound() -> int:
    # The process's pool (the server threads and this test share it), plus one spare.
    return POOL_SIZE + 1


def test_a_flood_holds_a_bounded_number_of_connections(server, monitor, behind_proxy):
    attacker = f"198.51.100.{uuid.uuid4().int % 200 + 1}"
    with ThreadPoolExecutor(max_workers=1) as side:
        running = side.submit(flood, server, attacker, 8)
        # While the flood runs, another school's visitor is served.
        bystander = get(server, "beta", PUBLIC_API, "203.0.113.10")
        statuses = running.result()
    assert bystander == 200
    assert set(statuses) == {200} and len(statuses) == CLIENTS * 8
    assert 0 < (monitor.peak - monitor.baseline) <= bound(), monitor.peak - monitor.baseline
    assert monitor.count() - monitor.baseline <= bound()  # and nothing piles up afterwards
    assert get(server, "beta", "/accounts/login/", "203.0.113.10") == 200


def test_anonymous_floods_are_throttled_platform_wide(server, monitor, behind_proxy):
    behind_proxy.ANON_API_RATE = behind_proxy.ANON_PAGE_RATE = "30/min"
    attacker = f"198.51.100.{uuid.uuid4().int % 200 + 1}"
    statuses = flood(server, attacker, 5)
    allowed = statuses.count(200)
    # A fixed one-minute window: at most two windows' worth if the flood straddles a minute.
    assert 0 < allowed <= 60 and statuses.count(429) == len(statuses) - allowed
    # The same address is refused on another school's host as well, pages included ...
    assert get(server, "beta", PUBLIC_API, attacker) == 429
    pages = [get(server, "beta", "/accounts/login/", attacker) for _ in range(31)]
    assert pages[-1] == 429
    # ... while everyone else is served, on both schools.
    for subdomain in ("alpha", "beta"):
        assert get(server, subdomain, PUBLIC_API, "203.0.113.11") == 200
        assert get(server, subdomain, "/accounts/login/", "203.0.113.11") == 200
    assert (monitor.peak - monitor.baseline) <= bound()
