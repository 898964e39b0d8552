"""`make run`: embedded services, migrations, the demo, then web + worker + beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from saas_platform import devservices

PORT = int(os.environ.get("PORT", "8000"))
WECHAT_FAKE_PORT = int(os.environ.get("WECHAT_FAKE_PORT", "8090"))


def start_wechat_fake() -> subprocess.Popen | None:
    """The fake WeChat API (wechat/fake_server.py), unless WECHAT_API_BASE points elsewhere."""
    if os.environ.get("WECHAT_API_BASE"):
        return None
    from wechat.fake_control import start_fake_server

    port = WECHAT_FAKE_PORT
    if devservices.port_open(port):  # taken (another checkout's demo): any free port will do
        port = devservices.free_port()
    fake = start_fake_server(port)
    # Children inherit these: every WeChat call and the OAuth page go to the fake.
    os.environ["WECHAT_API_BASE"] = f"http://127.0.0.1:{port}/"
    os.environ["WECHAT_OPEN_BASE"] = f"http://localhost:{port}/"
    os.environ.setdefault("SITE_PORT", str(PORT))
    return fake


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def banner() -> str:
    from saas_platform.demo import story_lines

    lines = [
        "",
        "网签 is running. Ctrl-C stops everything. The demo story, every login and what it can do:",
        *story_lines(PORT),
        "  云 autocomplete: 学生发起签约 on a school site (any demo graduate without an agreement)",
        f"  API docs: http://localhost:{PORT}/api/v1/docs/   health: http://localhost:{PORT}/healthz",
        f"  Fake WeChat: {os.environ.get('WECHAT_API_BASE', '-')}   what it received: "
        f"http://localhost:{PORT}/dev/wechat/   OAuth walk: http://syxy.localhost:{PORT}/wechat/login/",
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
    manage("seed_demo_employers")  # the 云 directory and a demo HR account (employers app)
    manage("seed_demo_agreements")
    manage("fill_schema_pool")
    procs: dict[str, subprocess.Popen] = {}
    try:
        wechat_fake = start_wechat_fake()
        if wechat_fake is not None:
            procs["wechat-fake"] = wechat_fake
            manage("seed_wechat_demo")
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
