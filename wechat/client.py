"""The one way to talk to WeChat: wechatpy clients whose HTTP goes to WECHAT_API_BASE.

wechatpy hard-codes https://api.weixin.qq.com/ in places; rather than patching it, each
client gets a requests session with an adapter that rewrites that prefix to the configured
base (the fake server in development and tests) and applies our timeout to every call.
Access tokens live in Redis, one per AppID, shared by every worker and web process.
"""

from __future__ import annotations

import logging
import time
from functools import cache

import redis
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException
from wechatpy.session import SessionStorage

logger = logging.getLogger(__name__)

WECHAT_API_ORIGIN = "https://api.weixin.qq.com/"
WECHAT_OPEN_ORIGIN = "https://open.weixin.qq.com/"
# Codes meaning "this access token is no good": refresh and retry once.
TOKEN_ERRORS = {40001, 40014, 42001}
TOKEN_MARGIN_SECONDS = 300  # refresh a little before WeChat's expires_in


class RebaseAdapter(HTTPAdapter):
    """Sends https://api.weixin.qq.com/… to `base` and gives every call a timeout."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__(pool_connections=4, pool_maxsize=8, max_retries=0)
        self.base = base if base.endswith("/") else base + "/"
        self.timeout = timeout

    def send(self, request, **kwargs):
        if request.url.startswith(WECHAT_API_ORIGIN):
            request.url = self.base + request.url[len(WECHAT_API_ORIGIN) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def wechat_session() -> requests.Session:
    session = requests.Session()
    adapter = RebaseAdapter(settings.WECHAT_API_BASE, settings.WECHAT_TIMEOUT_SECONDS)
    # Mounted on the real origin (rewritten) and on the configured base (timeout only).
    session.mount(WECHAT_API_ORIGIN, adapter)
    session.mount(adapter.base, adapter)
    return session


@cache
def _token_redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)


def token_redis() -> redis.Redis:
    return _token_redis(settings.WECHAT_TOKEN_REDIS_URL)


class SharedTokenStorage(SessionStorage):
    """wechatpy's session storage on Redis, global (not per school schema): keyed by AppID.

    When Redis is unreachable it behaves as an empty cache, so a web request (the
    "test the credentials" button) still works; workers would fetch a token per call.
    """

    prefix = "wechat-token"

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def key_name(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key, default=None):
        try:
            value = self.redis.get(self.key_name(key))
        except redis.RedisError:
            return default
        return value.decode() if value is not None else default

    def set(self, key, value, ttl=None):
        if value is None:
            return
        if ttl:
            ttl = max(int(ttl) - TOKEN_MARGIN_SECONDS, 60)
        try:
            self.redis.set(self.key_name(key), value, ex=ttl)
        except redis.RedisError:
            logger.warning("wechat token cache unavailable")

    def delete(self, key):
        try:
            self.redis.delete(self.key_name(key))
        except redis.RedisError:
            pass


class SchoolWeChatClient(WeChatClient):
    """wechatpy's client with our HTTP session, shared token cache and bounded token retry."""

    def __init__(self, appid: str, secret: str, storage: SessionStorage | None = None) -> None:
        # auto_retry off: wechatpy's own retry on 40001/42001 recurses without a bound.
        super().__init__(
            appid,
            secret,
            session=storage or SharedTokenStorage(token_redis()),
            timeout=settings.WECHAT_TIMEOUT_SECONDS,
            auto_retry=False,
        )
        self._http = wechat_session()

    def fetch_access_token(self):
        """One refresh per AppID at a time across all workers; late comers reuse its token."""
        storage = self.session
        lock = None
        if isinstance(storage, SharedTokenStorage):
            try:
                lock = storage.redis.lock(
                    f"wechat-token-lock:{self.appid}", timeout=15, blocking_timeout=10
                )
                if not lock.acquire():
                    lock = None
            except redis.RedisError:
                lock = None
        try:
            stale = getattr(self, "_stale_token", None)
            current = storage.get(self.access_token_key)
            if current and current != stale:
                self.expires_at = int(time.time()) + 600
                return {"access_token": current}
            return super().fetch_access_token()
        finally:
            if lock is not None:
                try:
                    lock.release()
                except redis.RedisError:
                    pass

    def call_with_token(self, method: str, endpoint: str, **kwargs) -> dict:
        """An API call; an expired or replaced token is refreshed and the call retried once."""
        token = self.access_token
        try:
            return self._request(method, endpoint, params={"access_token": token}, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
        self._stale_token = token
        self.fetch_access_token()
        token = self.session.get(self.access_token_key) or self._last_token
        return self._request(method, endpoint, params={"access_token": token}, **kwargs)

    def _fetch_access_token(self, url, params):
        result = super()._fetch_access_token(url, params)
        self._last_token = result["access_token"]
        return result

    @property
    def access_token(self):
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key) or self._last_token

    def send_template(
        self, *, openid: str, template_id: str, data: dict, url: str, client_msg_id: str
    ) -> dict:
        payload = {
            "touser": openid,
            "template_id": template_id,
            "data": data,
            "client_msg_id": client_msg_id,  # WeChat sends once per openid + client_msg_id
        }
        if url:
            payload["url"] = url
        return self.call_with_token("post", "message/template/send", data=payload)

    def fresh_token(self) -> str:
        """Fetch a new token now (the credentials test); it becomes the shared one."""
        self._stale_token = self.session.get(self.access_token_key)
        self.session.delete(self.access_token_key)
        super().fetch_access_token()
        return self._last_token


def client_for(appid: str, secret: str) -> SchoolWeChatClient:
    return SchoolWeChatClient(appid, secret)


class SchoolOAuth(WeChatOAuth):
    """snsapi_base web OAuth; the authorize page and API calls go to the configured bases."""

    def __init__(self, appid: str, secret: str, redirect_uri: str, state: str) -> None:
        super().__init__(appid, secret, redirect_uri, scope="snsapi_base", state=state)
        self._http = wechat_session()

    @property
    def authorize_url(self) -> str:
        base = settings.WECHAT_OPEN_BASE.rstrip("/") + "/"
        url = super().authorize_url
        if url.startswith(WECHAT_OPEN_ORIGIN):
            url = base + url[len(WECHAT_OPEN_ORIGIN) :]
        return url

    def openid_for_code(self, code: str) -> str:
        return self.fetch_access_token(code)["openid"]


__all__ = [
    "SchoolOAuth",
    "SchoolWeChatClient",
    "WeChatClientException",
    "WeChatOAuthException",
    "client_for",
]
