"""HTTP client for the amoCRM / Kommo REST API v4.

* one ``requests.Session`` with a pooled, keep-alive adapter;
* retries with exponential backoff and jitter on 429 / 5xx / connection errors / timeouts, done by
  urllib3's :class:`~urllib3.util.retry.Retry` (subclassed only so that every retry also passes the
  rate limiter and is counted);
* a client-side sliding-window rate limiter kept under the documented per-integration limit of 7 requests
  per second (6 in any 1.1 s), shared by first attempts and retries, and by a sync restarted after a kill
  (its window is kept in the store's lock file);
* pagination by ``page``/``limit`` following ``_links.next``, stopping on 204, a short page or no ``next``;
* auth: a long-lived token (``AMOCRM_ACCESS_TOKEN``) or OAuth2 (code exchange once, then single-use
  rotating refresh tokens kept in a 0600 token file written atomically; refreshes serialized by a lock).

No token ever reaches a log line or an exception message: messages pass through :func:`scrub`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import random
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger("crmreports.amocrm")

DEFAULT_RATE = 7.0  # requests per second per integration (Kommo /docs/limitations)
PAGE_LIMIT = 250  # max page size for leads, notes, tasks, users, unsorted
EVENTS_LIMIT = 100  # max page size for events (a larger limit silently gives 50)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DOMAINS = ("amocrm.ru", "kommo.com", "amocrm.com")

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret so that :func:`scrub` removes it from any text."""
    if value and len(value) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def scrub(text: str) -> str:
    """Replace every registered secret in ``text`` by ``***``."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "***")
    return text


class AmoCRMError(RuntimeError):
    """An API call failed for good. The message never contains a token."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(scrub(message))
        self.status = status


class AuthError(AmoCRMError):
    """Authentication failed and cannot be fixed by a refresh; the message says what to do."""


class _BodyError(AmoCRMError):
    """The connection broke while the response body was read (retried by :meth:`AmoCRMClient.get`)."""


class BlockedError(AmoCRMError):
    """HTTP 403: the account or IP is blocked (e.g. after too many requests). Retrying prolongs it."""


def base_url_for(subdomain: str, domain: str = "amocrm.ru") -> str:
    subdomain = subdomain.strip().lower()
    if not subdomain or "/" in subdomain or "." in subdomain:
        raise ValueError(f"invalid subdomain {subdomain!r}: give only the account name, e.g. 'mycompany'")
    return f"https://{subdomain}.{domain}"


# --------------------------------------------------------------------------------------------- limiter


class RateLimiter:
    """At most ``capacity`` acquisitions in any window of ``period + margin`` seconds (sliding window,
    thread-safe), ``capacity`` being ``rate × period`` less ``headroom``.

    It never sleeps while the window has room, so a client that keeps it busy runs at its capacity. The
    margin is kept because what the server counts is arrivals, not acquisitions: a request delayed on its
    way (CPU load, a new connection) bunches up with the next ones. At the default 7 requests/s: 6 requests
    in any 1.1 s (5.5 requests/s), so a server second sees 8 requests only if one is held back 0.1 s
    longer than another, and 7 (the limit itself) only with similar delays.

    ``restore`` and ``on_acquire`` let the window outlive the process: the sync keeps the acquisitions'
    times (wall clock) in the store's lock file, and a restarted sync starts with them.
    """

    def __init__(
        self, rate: float = DEFAULT_RATE, period: float = 1.0, margin: float = 0.1, headroom: int | None = None
    ):
        if rate <= 0:
            raise ValueError("rate must be positive")
        per_period = int(rate * period)
        if headroom is None:
            headroom = 1 if per_period >= 2 else 0
        self.capacity = max(1, per_period - headroom) if rate * period >= 1 else 1
        self.period = (period if rate * period >= 1 else 1.0 / rate) + margin
        self._times: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0
        self.on_acquire: Callable[[list[float]], None] | None = None  # gets the window's times, wall clock

    def restore(self, wall_times: Iterable[float]) -> None:
        """Seed the window with acquisitions made earlier (wall-clock seconds), e.g. by a killed process."""
        now_mono, now_wall = time.monotonic(), time.time()
        with self._lock:
            past = sorted(now_mono - (now_wall - float(w)) for w in wall_times if now_wall - float(w) < self.period)
            merged = sorted([*past, *self._times])[-self.capacity :]
            self._times = deque(merged)

    def history(self) -> list[float]:
        """The acquisitions still inside the window, as wall-clock seconds."""
        with self._lock:
            return self._wall()

    def _wall(self) -> list[float]:
        offset = time.time() - time.monotonic()
        return [round(t + offset, 4) for t in self._times]

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                while self._times and now - self._times[0] >= self.period:
                    self._times.popleft()
                if len(self._times) < self.capacity:
                    self._times.append(now)
                    if self.on_acquire is not None:
                        self.on_acquire(self._wall())
                    return
                wait = self.period - (now - self._times[0])
            wait = max(wait, 0.0005)
            self.waited += wait
            time.sleep(wait)


@dataclass
class Stats:
    requests: int = 0
    retries: int = 0
    refreshes: int = 0
    by_status: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def status(self, code: int) -> None:
        with self._lock:
            self.by_status[code] = self.by_status.get(code, 0) + 1


class LimitedRetry(Retry):
    """urllib3 Retry whose backoff also applies to the first retry, and whose every retry passes the
    shared rate limiter and is counted. Everything else (what to retry, Retry-After, caps) is urllib3's."""

    limiter: RateLimiter | None = None
    stats: Stats | None = None
    backoff_min_429: float = 0.0

    def new(self, **kw: Any) -> LimitedRetry:
        new = super().new(**kw)
        new.limiter, new.stats, new.backoff_min_429 = self.limiter, self.stats, self.backoff_min_429
        return new

    def get_backoff_time(self) -> float:
        n = len(self.history)
        if n == 0:
            return 0.0
        value = self.backoff_factor * (2 ** (n - 1))
        if self.backoff_jitter:
            value += random.random() * self.backoff_jitter
        if self.history[-1].status == 429:  # amoCRM sends no Retry-After; wait at least this long
            value = max(value, self.backoff_min_429)
        return float(max(0.0, min(self.backoff_max, value)))

    def sleep(self, response=None) -> None:
        if self.stats is not None:
            self.stats.add("retries")
            self.stats.add("requests")
        last = self.history[-1] if self.history else None
        if last is not None:
            log.debug("retry %d after %s", len(self.history), last.status or type(last.error).__name__)
        super().sleep(response)
        if self.limiter is not None:
            self.limiter.acquire()


class _LimitedAdapter(HTTPAdapter):
    def __init__(self, limiter: RateLimiter, stats: Stats, **kw):
        self._limiter, self._stats = limiter, stats
        super().__init__(**kw)

    def send(self, request, **kw):  # noqa: D401 - requests API
        self._limiter.acquire()
        self._stats.add("requests")
        return super().send(request, **kw)


# ------------------------------------------------------------------------------------------------ auth


class TokenStore:
    """OAuth2 tokens in a JSON file with 0600 permissions, replaced atomically; refreshes are serialized
    across threads and processes by a lock file next to it."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).expanduser()
        self._thread_lock = threading.RLock()

    def load(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise AuthError(
                f"token file {self.path} is unreadable ({type(exc).__name__}); delete it and "
                "authorize again with --auth-code"
            ) from None
        for key in ("access_token", "refresh_token"):
            register_secret(data.get(key))
        return data

    def save(self, tokens: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(dict(tokens), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    @contextlib.contextmanager
    def locked(self):
        with self._thread_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock_path = self.path.with_name(self.path.name + ".lock")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


class Auth:
    """Supplies the bearer token. ``refresh()`` returns True if a new token is available."""

    def token(self, client: AmoCRMClient) -> str:
        raise NotImplementedError

    def refresh(self, client: AmoCRMClient, failed_token: str) -> bool:
        return False


class StaticTokenAuth(Auth):
    """A long-lived token (private integration), e.g. from ``AMOCRM_ACCESS_TOKEN``."""

    def __init__(self, token: str):
        if not token:
            raise AuthError("empty access token")
        self._token = token
        register_secret(token)

    def token(self, client):
        return self._token

    def refresh(self, client, failed_token):
        raise AuthError(
            "the access token was rejected (HTTP 401); it may be expired or revoked. Issue a new "
            "long-lived token in the integration's settings and set AMOCRM_ACCESS_TOKEN."
        )


class OAuth2Auth(Auth):
    """OAuth2 authorization code flow with single-use rotating refresh tokens kept in a :class:`TokenStore`."""

    EARLY = 60  # refresh this many seconds before expiry

    def __init__(
        self, client_id: str, client_secret: str, redirect_uri: str, store: TokenStore, auth_code: str | None = None
    ):
        missing = [
            n
            for n, v in (
                ("AMOCRM_CLIENT_ID", client_id),
                ("AMOCRM_CLIENT_SECRET", client_secret),
                ("AMOCRM_REDIRECT_URI", redirect_uri),
            )
            if not v
        ]
        if missing:
            raise AuthError(f"OAuth2 needs {', '.join(missing)}")
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.store = store
        self.auth_code = auth_code
        register_secret(client_secret)
        register_secret(auth_code)
        self._tokens: dict | None = None

    def _post(self, client: AmoCRMClient, body: dict) -> dict:
        resp = client.request(
            "POST", "/oauth2/access_token", json_body=body, authenticated=False, allow_status=(400, 401, 403)
        )
        if resp is None or resp.status_code != 200:
            detail = ""
            with contextlib.suppress(Exception):
                data = resp.json()
                detail = data.get("hint") or data.get("detail") or data.get("title") or ""
            status = None if resp is None else resp.status_code
            raise AuthError(
                f"token request ({body['grant_type']}) failed with HTTP {status}" + (f": {detail}" if detail else ""),
                status,
            )
        data = resp.json()
        for key in ("access_token", "refresh_token"):
            if not data.get(key):
                raise AuthError(f"the token endpoint returned no {key}")
            register_secret(data[key])
        now = int(time.time())
        return {
            "token_type": data.get("token_type", "Bearer"),
            "access_token": data["access_token"],
            "refresh_token": data["refresh_token"],
            "expires_at": now + int(data.get("expires_in") or 86400),
            "obtained_at": now,
        }

    def exchange_code(self, client: AmoCRMClient, code: str) -> None:
        register_secret(code)
        with self.store.locked():
            tokens = self._post(
                client,
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                },
            )
            self.store.save(tokens)
            self._tokens = tokens
        log.info("authorization code exchanged; tokens saved to %s", self.store.path)

    def token(self, client):
        if self._tokens is None:
            self._tokens = self.store.load()
        if self._tokens is None:
            if self.auth_code:
                code, self.auth_code = self.auth_code, None
                self.exchange_code(client, code)
            else:
                raise AuthError(
                    f"no OAuth2 tokens in {self.store.path}: authorize the integration and run "
                    "once with --auth-code CODE (the code from the redirect, valid 20 minutes)"
                )
        if int(self._tokens.get("expires_at") or 0) - self.EARLY <= time.time():
            self.refresh(client, self._tokens["access_token"])
        return self._tokens["access_token"]

    def refresh(self, client, failed_token):
        with self.store.locked():
            current = self.store.load() or self._tokens or {}
            if (
                current.get("access_token")
                and current["access_token"] != failed_token
                and int(current.get("expires_at") or 0) - self.EARLY > time.time()
            ):
                self._tokens = current  # another process or thread refreshed already
                return True
            refresh_token = current.get("refresh_token")
            if not refresh_token:
                raise AuthError(f"no refresh token in {self.store.path}: authorize again with --auth-code CODE")
            try:
                tokens = self._post(
                    client,
                    {
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                        "grant_type": "refresh_token",
                        "refresh_token": refresh_token,
                        "redirect_uri": self.redirect_uri,
                    },
                )
            except AuthError as exc:
                raise AuthError(
                    f"refreshing the OAuth2 token failed ({exc}). The refresh token is single-use and expires "
                    "after 3 months unused; authorize the integration again in amoCRM and run "
                    f"`crmreports sync --auth-code CODE` (token file: {self.store.path})",
                    exc.status,
                ) from None
            self.store.save(tokens)
            self._tokens = tokens
            client.stats.add("refreshes")
            log.info("access token refreshed")
            return True


# ---------------------------------------------------------------------------------------------- client


@dataclass
class Page:
    items: list
    number: int
    data: dict


class AmoCRMClient:
    """A small, safe client for the v4 API. ``get``/``pages`` are what the sync uses."""

    def __init__(
        self,
        base_url: str,
        auth: Auth | None,
        *,
        rate: float = DEFAULT_RATE,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 6,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        backoff_jitter: float = 0.5,
        backoff_min_429: float = 1.0,
        body_retries: int = 3,
        user_agent: str = "crmreports-sync/0.1",
    ):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"invalid base URL {base_url!r}; expected e.g. https://mycompany.amocrm.ru")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self.auth = auth
        self.timeout = timeout
        self.stats = Stats()
        self.limiter = RateLimiter(rate)
        retry = LimitedRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        retry.limiter, retry.stats, retry.backoff_min_429 = self.limiter, self.stats, backoff_min_429
        self._retry = retry
        self.body_retries = body_retries
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/hal+json, application/json"})
        adapter = _LimitedAdapter(self.limiter, self.stats, max_retries=retry, pool_connections=4, pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- low level

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def request(
        self,
        method: str,
        path: str,
        params: Mapping | list | None = None,
        json_body: Any = None,
        authenticated: bool = True,
        allow_status: tuple = (),
    ) -> requests.Response | None:
        """One call with auth, retries and the limiter; returns None for 204. Errors raise AmoCRMError."""
        url = self._url(path)
        refreshed = False
        while True:
            headers = {}
            token = None
            if authenticated and self.auth is not None:
                token = self.auth.token(self)
                headers["Authorization"] = f"Bearer {token}"
            try:
                resp = self.session.request(
                    method, url, params=params, json=json_body, headers=headers, timeout=self.timeout
                )
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
                raise _BodyError(
                    f"{method} {urlsplit(url).path}: broken response body ({type(exc).__name__})"
                ) from None
            except requests.RequestException as exc:
                raise AmoCRMError(
                    f"{method} {urlsplit(url).path} failed after retries: {type(exc).__name__}: {exc}"
                ) from None
            self.stats.status(resp.status_code)
            if resp.status_code == 401 and authenticated and self.auth is not None and not refreshed:
                resp.close()
                log.info("HTTP 401 on %s; refreshing the token once", urlsplit(url).path)
                self.auth.refresh(self, token)
                refreshed = True
                continue
            if resp.status_code == 204:
                return None
            if resp.status_code < 300 or resp.status_code in allow_status:
                return resp
            raise self._error(method, url, resp)

    def _error(self, method: str, url: str, resp: requests.Response) -> AmoCRMError:
        path = urlsplit(url).path
        detail = ""
        with contextlib.suppress(Exception):
            data = resp.json()
            detail = data.get("detail") or data.get("title") or ""
        if resp.status_code == 401:
            return AuthError(
                f"{method} {path}: HTTP 401 Unauthorized after a token refresh"
                + (f" ({detail})" if detail else "")
                + "; check the integration's access",
                401,
            )
        if resp.status_code == 403:
            return BlockedError(
                f"{method} {path}: HTTP 403 Forbidden: the account or this IP is blocked (too "
                "many requests, or an IP whitelist). Do not retry; contact amoCRM support.",
                403,
            )
        if resp.status_code in RETRY_STATUSES:
            return AmoCRMError(
                f"{method} {path}: HTTP {resp.status_code} persisted after {self._retry.total} retries",
                resp.status_code,
            )
        return AmoCRMError(
            f"{method} {path}: HTTP {resp.status_code}" + (f": {detail}" if detail else ""), resp.status_code
        )

    def get(self, path: str, params: Mapping | list | None = None) -> dict | None:
        """GET a JSON document; None for 204. A body that is not valid JSON (or a connection cut while
        reading it) is retried with the same urllib3 Retry schedule."""
        retry = self._retry.new(total=self.body_retries, read=self.body_retries, status=0, connect=0)
        url = self._url(path)
        while True:
            try:
                resp = self.request("GET", url, params)
                if resp is None:
                    return None
                return resp.json()
            except (ValueError, _BodyError) as exc:
                from urllib3.exceptions import ProtocolError

                try:
                    retry = retry.increment("GET", url, error=ProtocolError(type(exc).__name__))
                except Exception:
                    raise AmoCRMError(
                        f"GET {urlsplit(url).path}: no valid JSON response after {self.body_retries} retries"
                    ) from None
                log.debug("bad response body on %s (%s); retrying", urlsplit(url).path, type(exc).__name__)
                self.stats.add("retries")
                time.sleep(retry.get_backoff_time())  # the next request passes the limiter in the adapter

    # -- pagination

    def pages(
        self, path: str, key: str, params: Mapping | None = None, limit: int = PAGE_LIMIT, start_page: int = 1
    ) -> Iterator[Page]:
        """Yield pages of ``_embedded[key]`` following ``_links.next``.

        Stops on HTTP 204, on a page shorter than ``limit`` or without ``next``. Never trusts ``next``
        alone: amoCRM sends it on the last full page too, and the next request answers 204.
        """
        query = [(k, v) for k, v in (params.items() if isinstance(params, Mapping) else (params or []))]
        query = [(k, v) for k, v in query if k not in ("page", "limit")]
        url: str | None = self._url(path)
        req_params: list | None = query + [("page", start_page), ("limit", limit)]
        number = start_page
        while url:
            data = self.get(url, req_params)
            if data is None:
                return
            items = (data.get("_embedded") or {}).get(key) or []
            yield Page(items=items, number=number, data=data)
            nxt = ((data.get("_links") or {}).get("next") or {}).get("href")
            if not items or len(items) < limit or not nxt:
                return
            nxt_parts = urlsplit(self._url(nxt))
            # never send the token to another host: follow the link's path and query on our own origin
            url = self._origin + nxt_parts.path
            req_params = parse_qsl(nxt_parts.query, keep_blank_values=True)
            number = next((int(v) for k, v in req_params if k == "page" and str(v).isdigit()), number + 1)
