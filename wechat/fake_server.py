"""A local fake of the WeChat official-account HTTP API, for tests and `make run`.

    python -m wechat.fake_server --port 8090 [--app wxAPPID:SECRET ...]

It speaks the endpoints we use with WeChat's JSON shapes and error codes:

- GET  /cgi-bin/token                    client_credential tokens (40013, 40125, 40002, 45009)
- POST /cgi-bin/message/template/send    template messages (40001, 42001, 40003, 43004, 40037,
                                          47001; `client_msg_id` de-duplicates like WeChat does)
- GET  /connect/oauth2/authorize         the web OAuth page; snsapi_base redirects silently
                                          when `?as=<wechat user>` says who is on the phone,
                                          otherwise it shows a page to pick one (demo)
- GET  /sns/oauth2/access_token          code → openid (40029 invalid code, 40163 code used)
- GET  /sns/userinfo                     48001 for snsapi_base tokens, as WeChat answers

Tokens expire (`expires_in`, default 7200 s); a new token leaves the previous one valid for
a grace period (WeChat: 5 minutes). Control endpoints under /_fake/ register apps, expire
tokens, unsubscribe users, inject faults (error codes, HTTP 500, slow answers, timeouts) and
list what was received. Only the standard library: it runs anywhere Python does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    48001: "api unauthorized",
}


def error(code: int) -> dict:
    return {"errcode": code, "errmsg": f"{ERRMSG.get(code, 'error')} rid: {secrets.token_hex(4)}"}


def openid_for(appid: str, who: str) -> str:
    """Stable per (official account, WeChat user), 28 characters like WeChat's."""
    digest = hashlib.sha256(f"{appid}|{who}".encode()).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode()[:27]


@dataclass
class App:
    appid: str
    secret: str
    templates: set[str] | None = None  # None: every template id is valid
    token_requests: int = 0


@dataclass
class Token:
    appid: str
    expires_at: float
    superseded_at: float | None = None


@dataclass
class Fault:
    """Applies to calls whose path ends with `endpoint` (e.g. "message/template/send")."""

    endpoint: str
    mode: str = "errcode"  # errcode | http500 | slow | timeout
    errcode: int = -1
    count: int | None = None  # next N matching calls; None → forever (with `rate`)
    rate: float = 1.0
    delay: float = 0.0
    appid: str | None = None


@dataclass
class State:
    apps: dict[str, App] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    token_ttl: int = 7200
    token_grace: float = 300.0
    token_daily_limit: int = 2000
    codes: dict[str, dict] = field(default_factory=dict)
    unsubscribed: set[tuple[str, str]] = field(default_factory=set)
    followers: set[tuple[str, str]] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)  # delivered template messages
    calls: list[dict] = field(default_factory=list)  # every API call and its answer
    dedup: dict[tuple[str, str, str], int] = field(default_factory=dict)
    next_msgid: int = 1000000001
    rng: random.Random = field(default_factory=lambda: random.Random(20260701))


class FakeWeChat:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = State()

    # ---- helpers (call with the lock held) ----
    def _fault_for(self, path: str, appid: str | None) -> Fault | None:
        for fault in list(self.state.faults):
            if not path.endswith(fault.endpoint):
                continue
            if fault.appid and fault.appid != appid:
                continue
            if fault.count is not None and fault.count <= 0:
                continue
            if fault.rate < 1.0 and self.state.rng.random() >= fault.rate:
                continue
            if fault.count is not None:
                fault.count -= 1
            return fault
        return None

    def _token_app(self, token: str) -> tuple[str | None, int]:
        info = self.state.tokens.get(token)
        if info is None:
            return None, 40001
        now = time.time()
        if info.expires_at <= now:
            return info.appid, 42001
        if info.superseded_at is not None and info.superseded_at + self.state.token_grace <= now:
            return info.appid, 40001
        return info.appid, 0

    # ---- API ----
    def token(self, q: dict) -> dict:
        if q.get("grant_type") != "client_credential":
            return error(40002)
        app = self.state.apps.get(q.get("appid", ""))
        if app is None:
            return error(40013)
        if q.get("secret") != app.secret:
            return error(40125)
        app.token_requests += 1
        if app.token_requests > self.state.token_daily_limit:
            return error(45009)
        now = time.time()
        for info in self.state.tokens.values():
            if info.appid == app.appid and info.superseded_at is None:
                info.superseded_at = now
        token = secrets.token_urlsafe(96)[:128]
        self.state.tokens[token] = Token(app.appid, now + self.state.token_ttl)
        return {"access_token": token, "expires_in": self.state.token_ttl}

    def template_send(self, q: dict, body: bytes) -> dict:
        appid, code = self._token_app(q.get("access_token", ""))
        if not q.get("access_token"):
            return error(41001)
        if code:
            return error(code)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return error(47001)
        touser = payload.get("touser", "")
        template_id = payload.get("template_id", "")
        if not isinstance(payload.get("data"), dict):
            return error(47001)
        if (appid, touser) not in self.state.followers:
            return error(40003)
        if (appid, touser) in self.state.unsubscribed:
            return error(43004)
        app = self.state.apps[appid]
        if not template_id or (app.templates is not None and template_id not in app.templates):
            return error(40037)
        client_msg_id = str(payload.get("client_msg_id") or "")
        if client_msg_id:
            key = (appid, touser, client_msg_id)
            if key in self.state.dedup:  # WeChat: one message per openid + client_msg_id
                return {"errcode": 0, "errmsg": "ok", "msgid": self.state.dedup[key]}
        msgid = self.state.next_msgid
        self.state.next_msgid += 1
        if client_msg_id:
            self.state.dedup[(appid, touser, client_msg_id)] = msgid
        self.state.received.append(
            {
                "msgid": msgid,
                "at": time.time(),
                "appid": appid,
                "touser": touser,
                "template_id": template_id,
                "url": payload.get("url", ""),
                "data": payload["data"],
                "client_msg_id": client_msg_id,
            }
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def authorize(self, q: dict) -> tuple[int, dict, str]:
        appid = q.get("appid", "")
        redirect_uri = q.get("redirect_uri", "")
        if appid not in self.state.apps:
            return 200, {}, _page("参数错误", "appid 无效（40013）。")
        if q.get("response_type") != "code" or q.get("scope") not in (
            "snsapi_base",
            "snsapi_userinfo",
        ):
            return 200, {}, _page("参数错误", "scope 参数错误或没有 scope 权限（10005）。")
        if not redirect_uri.startswith(("http://", "https://")):
            return 200, {}, _page("参数错误", "redirect_uri 参数错误（10003）。")
        who = q.get("as", "").strip()
        if not who:
            return 200, {}, _chooser(q)
        openid = openid_for(appid, who)
        self.state.followers.add((appid, openid))
        code = secrets.token_urlsafe(24)
        self.state.codes[code] = {
            "appid": appid,
            "openid": openid,
            "scope": q["scope"],
            "expires_at": time.time() + 300,
            "used": False,
        }
        sep = "&" if "?" in redirect_uri else "?"
        target = f"{redirect_uri}{sep}{urlencode({'code': code, 'state': q.get('state', '')})}"
        return 302, {"Location": target}, ""

    def oauth_access_token(self, q: dict) -> dict:
        if q.get("grant_type") != "authorization_code":
            return error(40002)
        app = self.state.apps.get(q.get("appid", ""))
        if app is None:
            return error(40013)
        if q.get("secret") != app.secret:
            return error(40125)
        info = self.state.codes.get(q.get("code", ""))
        if info is None or info["appid"] != app.appid or info["expires_at"] < time.time():
            return error(40029)
        if info["used"]:
            return error(40163)
        info["used"] = True
        token = "sns-" + secrets.token_urlsafe(48)
        self.state.codes["token:" + token] = {"openid": info["openid"], "scope": info["scope"]}
        return {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": "r-" + secrets.token_urlsafe(48),
            "openid": info["openid"],
            "scope": info["scope"],
        }

    def userinfo(self, q: dict) -> dict:
        info = self.state.codes.get("token:" + q.get("access_token", ""))
        if info is None:
            return error(40001)
        if info["openid"] != q.get("openid"):
            return error(40003)
        if info["scope"] != "snsapi_userinfo":
            return error(48001)
        return {
            "openid": info["openid"],
            "nickname": "微信用户",
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": "",
            "privilege": [],
        }

    # ---- control ----
    def control(self, path: str, payload: dict) -> dict:
        s = self.state
        if path == "reset":
            rng = s.rng
            self.state = State(rng=rng)
            self.state.rng.seed(payload.get("seed", 20260701))
        elif path == "apps":
            templates = payload.get("templates")
            s.apps[payload["appid"]] = App(
                payload["appid"], payload["secret"], set(templates) if templates else None
            )
        elif path == "config":
            for key in ("token_ttl", "token_grace", "token_daily_limit"):
                if key in payload:
                    setattr(s, key, payload[key])
        elif path == "expire_tokens":
            now = time.time()
            for info in s.tokens.values():
                if payload.get("appid") in (None, info.appid):
                    info.expires_at = min(info.expires_at, now)
        elif path == "follow":
            openid = payload.get("openid") or openid_for(payload["appid"], payload["as"])
            s.followers.add((payload["appid"], openid))
            s.unsubscribed.discard((payload["appid"], openid))
            return {"openid": openid}
        elif path == "unsubscribe":
            s.unsubscribed.add((payload["appid"], payload["openid"]))
        elif path == "faults":
            if payload.get("clear"):
                s.faults.clear()
            for spec in payload.get("add", []):
                s.faults.append(Fault(**spec))
        else:
            raise KeyError(path)
        return {"ok": True}

    def snapshot(self, q: dict) -> dict:
        s = self.state
        appid = q.get("appid")
        received = [m for m in s.received if appid in (None, m["appid"])]
        return {
            "received": received,
            "calls": [c for c in s.calls if appid in (None, c.get("appid"))][-2000:],
            "token_requests": {a.appid: a.token_requests for a in s.apps.values()},
        }


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=zh-CN><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><body style='font-family:sans-serif;padding:16px'>"
        f"<h3>{html.escape(title)}</h3>{body}</body></html>"
    )


def _chooser(q: dict) -> str:
    hidden = "".join(
        f"<input type=hidden name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in q.items()
        if k != "as"
    )
    return _page(
        "模拟微信授权（本地假服务）",
        "<p>真实微信中，snsapi_base 授权是静默的：公众号直接拿到该微信用户的 openid。"
        "这里请说明“手机上是哪个微信用户”。</p>"
        f"<form method=get action='/connect/oauth2/authorize'>{hidden}"
        "<label>微信用户（任意名字，同名即同一 openid）<br>"
        "<input name=as value='wx-user-1' style='font-size:16px;padding:8px'></label><br><br>"
        "<button type=submit style='font-size:16px;padding:8px 16px'>以该微信用户进入</button>"
        "</form>",
    )


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: str | dict, headers: dict | None = None) -> None:
        if isinstance(body, dict):
            data = json.dumps(body, ensure_ascii=False).encode()
            ctype = "application/json; encoding=utf-8"
        else:
            data = body.encode()
            ctype = "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _query(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return parts.path.rstrip("/") or "/", query

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path, q = self._query()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake = self.server.fake
        if path.startswith("/_fake"):
            return self._control(method, path[len("/_fake") :].strip("/"), q, body)
        appid = q.get("appid")
        with fake.lock:
            if not appid and q.get("access_token"):
                appid = fake._token_app(q["access_token"])[0]
            fault = fake._fault_for(path, appid)
        if fault and fault.mode in ("slow", "timeout"):
            time.sleep(fault.delay)
            if fault.mode == "timeout":
                # The request was lost (no answer); the client's timeout fires first.
                self.close_connection = True
                return
        if fault and fault.mode == "http500":
            self._record(path, appid, "http500")
            return self._send(500, "<html><body>502 Bad Gateway</body></html>")
        if fault and fault.mode == "errcode":
            self._record(path, appid, fault.errcode)
            return self._send(200, error(fault.errcode))
        with fake.lock:
            if path == "/cgi-bin/token":
                answer = fake.token(q)
            elif path == "/cgi-bin/message/template/send" and method == "POST":
                answer = fake.template_send(q, body)
            elif path == "/connect/oauth2/authorize":
                status, headers, page = fake.authorize(q)
                self._record(path, appid, status)
                return self._send(status, page, headers)
            elif path == "/sns/oauth2/access_token":
                answer = fake.oauth_access_token(q)
            elif path == "/sns/userinfo":
                answer = fake.userinfo(q)
            else:
                return self._send(404, error(-1))
        self._record(path, appid, answer.get("errcode", 0))
        self._send(200, answer)

    def _record(self, path: str, appid: str | None, result) -> None:
        with self.server.fake.lock:
            self.server.fake.state.calls.append(
                {"at": time.time(), "path": path, "appid": appid, "result": result}
            )

    def _control(self, method: str, path: str, q: dict, body: bytes) -> None:
        fake = self.server.fake
        with fake.lock:
            if method == "GET" and path in ("", "received"):
                return self._send(200, fake.snapshot(q))
            try:
                payload = json.loads(body or b"{}")
                return self._send(200, fake.control(path, payload))
            except (KeyError, TypeError, ValueError) as exc:
                return self._send(400, {"error": f"{exc.__class__.__name__}: {exc}"})


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.fake = FakeWeChat()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake WeChat API (local development and tests)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--app", action="append", default=[], help="APPID:SECRET (repeatable)")
    args = parser.parse_args(argv)
    server = FakeServer((args.host, args.port))
    for spec in args.app:
        appid, _, secret = spec.partition(":")
        server.fake.control("apps", {"appid": appid, "secret": secret})
    print(f"fake WeChat API on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
