"""Debian's PgBouncer in front of the configured PostgreSQL, for tests and bench-scale.

Production puts PgBouncer (or RDS Proxy) in transaction mode between the web/worker tiers and
PostgreSQL. Here `start()` launches one on a loopback port against the embedded server (or
whatever DATABASE_URL names) so the tenancy can be proven and measured behind it. Nothing in
`make run` or the test suite needs it otherwise.

    python -m saas_platform.pgbouncer      # prints a DATABASE_URL through it; Ctrl-C stops it
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from saas_platform.devservices import free_port, port_open

BINARIES = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")


def binary() -> str | None:
    for path in BINARIES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("pgbouncer")


@dataclass
class PgBouncer:
    process: subprocess.Popen
    port: int
    directory: Path
    dbname: str
    user: str

    def url(self, dbname: str | None = None) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{dbname or self.dbname}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "safe shutdown"
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(
    database_url: str,
    pool_mode: str = "transaction",
    pool_size: int = 4,
    max_client_conn: int = 1000,
) -> PgBouncer:
    """Start PgBouncer in `pool_mode` in front of `database_url`'s server (trust auth, loopback)."""
    import environ

    exe = binary()
    if exe is None:
        raise RuntimeError("pgbouncer is not installed: run `make system-deps` (Debian: pgbouncer)")
    config = environ.Env.db_url_config(database_url)
    host = config["HOST"] or config.get("OPTIONS", {}).get("host") or "127.0.0.1"
    server_port = config["PORT"] or 5432
    user = config["USER"] or "postgres"
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="wangqian-pgbouncer-"))
    directory.chmod(0o777)  # PgBouncer refuses to run as root; it drops to the server's user
    (directory / "userlist.txt").write_text(f'"{user}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={host} port={server_port}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {directory / 'userlist.txt'}\n"
        f"pool_mode = {pool_mode}\n"
        f"default_pool_size = {pool_size}\n"
        f"max_client_conn = {max_client_conn}\n"
        "max_db_connections = 0\n"
        "server_reset_query =\n"
        # psycopg/libpq send these at start-up; PgBouncer must not refuse the client.
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
        "log_connections = 0\n"
        "log_disconnections = 0\n"
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (directory / name).chmod(0o644)
    command = [exe, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # The embedded server's socket directory is private to its own user: run as that one.
        socket_dir = Path(host) if host.startswith("/") else None
        owner = pwd.getpwuid(socket_dir.stat().st_uid).pw_name if socket_dir else "postgres"
        command[1:1] = ["-u", owner]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            log = directory / "pgbouncer.log"
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"pgbouncer did not start:\n{text[-2000:]}")
        time.sleep(0.05)
    return PgBouncer(process, port, directory, config["NAME"], user)


if __name__ == "__main__":
    from saas_platform import devservices

    devservices.bootstrap()
    bouncer = start(os.environ["DATABASE_URL"])
    print(f"DATABASE_URL={bouncer.url()}  (transaction pooling; Ctrl-C stops it)", flush=True)
    try:
        bouncer.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        bouncer.stop()
