"""Driving the fake WeChat server (wechat/fake_server.py) over HTTP: tests, bench, demo."""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import requests


class FakeWeChatControl:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()

    def _post(self, path: str, payload: dict | None = None) -> dict:
        response = self.http.post(f"{self.base}/_fake/{path}", json=payload or {}, timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self, seed: int = 20260701) -> None:
        self._post("reset", {"seed": seed})

    def add_app(self, appid: str, secret: str, templates: list[str] | None = None) -> None:
        self._post("apps", {"appid": appid, "secret": secret, "templates": templates})

    def configure(self, **options) -> None:
        self._post("config", options)

    def expire_tokens(self, appid: str | None = None) -> None:
        self._post("expire_tokens", {"appid": appid} if appid else {})

    def follow(self, appid: str, who: str) -> str:
        return self._post("follow", {"appid": appid, "as": who})["openid"]

    def unsubscribe(self, appid: str, openid: str) -> None:
        self._post("unsubscribe", {"appid": appid, "openid": openid})

    def faults(self, *specs: dict, clear: bool = True) -> None:
        self._post("faults", {"clear": clear, "add": list(specs)})

    def snapshot(self, appid: str | None = None) -> dict:
        params = {"appid": appid} if appid else {}
        response = self.http.get(f"{self.base}/_fake/received", params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def received(self, appid: str | None = None) -> list[dict]:
        return self.snapshot(appid)["received"]

    def calls(self, appid: str | None = None, path: str = "") -> list[dict]:
        return [c for c in self.snapshot(appid)["calls"] if c["path"].endswith(path)]

    def authorize(self, authorize_url: str, who: str) -> dict:
        """What WeChat does on the phone: the silent snsapi_base redirect back with a code."""
        response = self.http.get(
            authorize_url.split("#", 1)[0], params={"as": who}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
        query = {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}
        return {"location": location, **query}


def start_fake_server(port: int) -> subprocess.Popen:
    """`python -m wechat.fake_server --port N`, waiting until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wechat.fake_server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/_fake/received", timeout=0.5)
            return process
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the fake WeChat server did not start") from None
            time.sleep(0.05)
