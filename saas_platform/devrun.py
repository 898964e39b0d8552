"""`make run`: embedded services, migrations, the demo, then web + worker + beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from saas_platform import devservices

PORT = int(os.environ.get("PORT", "8000"))


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def banner() -> str:
    from saas_platform.demo import DEMO_OPERATOR, DEMO_SCHOOLS

    lines = [
        "",
        "网签 is running. Ctrl-C stops everything.",
        f"  Platform site (operators): http://localhost:{PORT}/   login {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}",
    ]
    for name, _code, subdomain, username, password in DEMO_SCHOOLS:
        lines.append(
            f"  {name}: http://{subdomain}.localhost:{PORT}/   school admin {username} / {password}"
        )
    from agreements.management.commands.seed_demo_agreements import DEMO_GRADUATE, DEMO_HR

    lines.append(
        f"  Employer HR (platform site): {DEMO_HR[0]} / {DEMO_HR[1]};  graduate with an "
        f"invitation (syxy): {DEMO_GRADUATE[0]} / {DEMO_GRADUATE[1]}"
    )
    lines += [
        f"  API docs: http://localhost:{PORT}/api/v1/docs/   health: http://localhost:{PORT}/healthz",
        f"  Data: {devservices.data_dir()}   (DATABASE_URL={os.environ['DATABASE_URL']})",
        "",
    ]
    return "\n".join(lines)


def children() -> dict[str, list[str]]:
    celery = [sys.executable, "-m", "celery", "-A", "saas_platform"]
    return {
        "web": [sys.executable, "manage.py", "runserver", f"0.0.0.0:{PORT}"],
        "worker": [*celery, "worker", "-l", "warning", "--concurrency", "2"],
        "beat": [
            *celery,
            "beat",
            "-l",
            "warning",
            "--schedule",
            str(devservices.data_dir() / "celerybeat-schedule"),
        ],
    }


def wait_until_stopped(procs: dict[str, subprocess.Popen]) -> None:
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping", file=sys.stderr)
                stopping = True
        time.sleep(0.5)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    devservices.bootstrap()  # this process owns the embedded services; children join them
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    manage("seed_demo_students")
    manage("seed_demo_agreements")
    manage("fill_schema_pool")
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, command in children().items():
            procs[name] = subprocess.Popen(command)
        time.sleep(1.5)
        print(banner(), flush=True)
        wait_until_stopped(procs)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print("stopped.")
    return 0  # atexit handlers stop the embedded Redis and PostgreSQL


if __name__ == "__main__":
    sys.exit(main())
