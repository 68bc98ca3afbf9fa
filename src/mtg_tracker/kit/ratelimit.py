"""Rate limiting for every request: GCRA budgets per principal or client address.

GCRA (the generic cell rate algorithm, a token bucket that stores one number per key: the theoretical
arrival time, TAT) is used because it needs a single read and write per request, so the Redis variant
is one small Lua script and the memory variant a dict entry. ``per_minute`` is the sustained rate and
``burst`` the number of requests a fresh key may make at once.

The limiter must never be the reason a request fails: when Redis is unreachable it allows the request
(fail open) and warns at most once per interval, and a failing identity look-up degrades to the client
address. Counting is per budget (default, search, auth, import, order), so a search does not spend the
default budget.

One process without Redis keeps its budgets in memory; with ``--workers N`` or several instances, set
``MTG_REDIS_URL`` so that every process spends the same budget.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from cachetools import TTLCache
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtg_tracker.config import RateLimitSettings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.errors import error_body
from mtg_tracker.kit.http import IPNetwork, parse_networks
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.middleware import client_ip_var, request_id_var

log = get_logger("mtg_tracker.ratelimit")

BUDGETS = ("default", "search", "auth", "import", "order", "forecast")
EXEMPT_PATHS = frozenset({"/health", "/healthz", "/ready", "/readyz", "/health/detailed", "/metrics"})
KEY_PREFIX = "mtg:rl:"
# Float arithmetic on TATs (epoch seconds in Redis: ~1e-7 s resolution) accumulates tiny errors; a
# request arriving exactly on its slot must pass. One microsecond is far below any real interval.
_EPSILON = 1e-6

Clock = Callable[[], float]
Identify = Callable[[Scope], Awaitable[str | None]]
Route = tuple[str, re.Pattern[str], str | None]


@dataclass(frozen=True, slots=True)
class Budget:
    name: str
    per_minute: int
    burst: int

    @property
    def interval(self) -> float:
        """Seconds one request costs: the gap between requests at the sustained rate."""
        return 60.0 / self.per_minute


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    tat: float  # the TAT to store (unchanged when refused: a refused request costs nothing)
    remaining: int
    retry_after: float  # seconds until the next request would pass; 0 when allowed
    reset_after: float  # seconds until the budget is full again


def gcra(tat: float | None, now: float, interval: float, burst: int) -> Decision:
    """The GCRA decision for one request, pure so that it is tested by a table and mirrored in Lua.

    ``tat`` is the stored theoretical arrival time (None for a key never seen or expired).
    """
    base = now if tat is None or tat < now else tat
    new_tat = base + interval
    allow_at = new_tat - burst * interval
    diff = now - allow_at
    if diff < -_EPSILON:
        return Decision(False, base, 0, allow_at - now, base - now)
    remaining = min(burst - 1, max(0, math.floor(diff / interval + _EPSILON)))
    return Decision(True, new_tat, remaining, 0.0, new_tat - now)


# The same arithmetic as gcra(), atomically next to the data. ARGV[3] empty = use the Redis server's
# clock, so that instances with skewed clocks still agree. Floats travel as strings: Lua truncates
# numbers returned to the client to integers.
_LUA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local eps = 1e-6
local tat = tonumber(redis.call('GET', KEYS[1]))
local base = now
if tat ~= nil and tat > now then base = tat end
local new_tat = base + interval
local allow_at = new_tat - burst * interval
local diff = now - allow_at
if diff < -eps then
  return {0, 0, string.format('%.6f', allow_at - now), string.format('%.6f', base - now)}
end
local remaining = math.floor(diff / interval + eps)
if remaining > burst - 1 then remaining = burst - 1 end
if remaining < 0 then remaining = 0 end
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return {1, remaining, '0', string.format('%.6f', new_tat - now)}
"""
_LUA_SHA = hashlib.sha1(_LUA.encode(), usedforsecurity=False).hexdigest()


class Backend(Protocol):
    async def check(self, key: str, budget: Budget) -> Decision | None:
        """None = no decision could be made (backend down): the caller lets the request through."""
        ...

    async def close(self) -> None: ...


class MemoryBackend:
    """Budgets of this process only. Bounded: under a flood of distinct keys the least recently used
    ones are dropped (their owners get a fresh budget) rather than growing without limit."""

    def __init__(self, *, max_keys: int = 100_000, max_ttl: float = 3600.0, clock: Clock = time.monotonic) -> None:
        # Entries expire once no TAT can still be in the future; max_ttl covers the slowest budget.
        self._tats: TTLCache[str, float] = TTLCache(maxsize=max_keys, ttl=max_ttl, timer=clock)
        self._clock = clock

    async def check(self, key: str, budget: Budget) -> Decision:
        # No await between read and write: atomic on the event loop.
        decision = gcra(self._tats.get(key), self._clock(), budget.interval, budget.burst)
        if decision.allowed:
            self._tats[key] = decision.tat
        return decision

    async def close(self) -> None:
        self._tats.clear()


class RedisBackend:
    """Budgets shared by every instance through one Lua script per request (EVALSHA, loading the script
    when Redis answers NOSCRIPT after a restart or SCRIPT FLUSH). Keys expire when their budget is full."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = KEY_PREFIX,
        clock: Clock | None = None,
        warn_interval: float = 60.0,
        timeout: float = 0.25,
        client: Any | None = None,
    ) -> None:
        import redis.asyncio as redis

        self._redis: Any = client or redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._prefix = prefix
        self._clock = clock
        self._warn_interval = warn_interval
        self._last_warning: float | None = None

    async def check(self, key: str, budget: Budget) -> Decision | None:
        from redis.exceptions import NoScriptError

        now = "" if self._clock is None else repr(self._clock())
        args = (self._prefix + key, repr(budget.interval), str(budget.burst), now)
        try:
            try:
                reply = await self._redis.evalsha(_LUA_SHA, 1, *args)
            except NoScriptError:
                reply = await self._redis.eval(_LUA, 1, *args)
        except Exception as exc:  # noqa: BLE001 - fail open: an outage of Redis must not become an outage of the API
            self._warn(exc)
            return None
        allowed, remaining, retry_after, reset_after = reply
        return Decision(
            allowed=bool(int(allowed)),
            tat=math.nan,  # lives in Redis
            remaining=int(remaining),
            retry_after=float(retry_after),
            reset_after=float(reset_after),
        )

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if self._last_warning is None or now - self._last_warning >= self._warn_interval:
            self._last_warning = now
            log.warning("rate_limit_backend_unavailable", error=f"{type(exc).__name__}: {exc}", fail_open=True)

    async def close(self) -> None:
        await self._redis.aclose()


def budgets_from_settings(settings: RateLimitSettings) -> dict[str, Budget]:
    return {
        "default": Budget("default", settings.per_minute, settings.burst),
        "search": Budget("search", settings.search_per_minute, settings.search_burst),
        "auth": Budget("auth", settings.auth_per_minute, settings.auth_burst),
        "import": Budget("import", settings.import_per_minute, settings.import_burst),
        "order": Budget("order", settings.order_per_minute, settings.order_burst),
        "forecast": Budget("forecast", settings.forecast_per_minute, settings.forecast_burst),
    }


class RateLimitMiddleware:
    """Pure ASGI, inside RequestContextMiddleware so that the request id and the (proxy-aware) client
    address are known, and so that a 429 still gets the access log, metrics and security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: RateLimitSettings,
        redis_url: str | None = None,
        identify: Identify | None = None,
        routes: Sequence[Route] = (),
        backend: Backend | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.app = app
        self.budgets = budgets_from_settings(settings)
        for name, _, _ in routes:
            if name not in self.budgets:
                raise ValueError(f"unknown rate-limit budget {name!r}; known: {', '.join(BUDGETS)}")
        self.routes = [(name, pattern, method.upper() if method else None) for name, pattern, method in routes]
        self.identify = identify
        self.allowlist: list[IPNetwork] = parse_networks(settings.allowlist)
        if backend is not None:
            self.backend = backend
        elif redis_url:
            self.backend = RedisBackend(redis_url, clock=clock)
        else:
            slowest = max(b.burst * b.interval for b in self.budgets.values())
            self.backend = MemoryBackend(max_ttl=slowest + 1.0, clock=clock or time.monotonic)

    async def close(self) -> None:
        await self.backend.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing_on_shutdown(send))
            return
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        address = client_ip_var.get() or (scope["client"][0] if scope.get("client") else None)
        if address is not None and self._allowlisted(address):
            await self.app(scope, receive, send)
            return
        budget = self._budget(scope)
        key = f"{budget.name}:{await self._identity(scope, budget, address)}"
        decision = await self.backend.check(key, budget)
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"ratelimit-limit", str(budget.burst).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(max(0, math.ceil(decision.reset_after - _EPSILON))).encode()),
        ]
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(budget.name).inc()
            await self._refuse(send, headers, budget, max(1, math.ceil(decision.retry_after - _EPSILON)))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _budget(self, scope: Scope) -> Budget:
        path, method = scope["path"], scope["method"]
        for name, pattern, wanted in self.routes:
            if (wanted is None or wanted == method) and pattern.search(path):
                return self.budgets[name]
        return self.budgets["default"]

    async def _identity(self, scope: Scope, budget: Budget, address: str | None) -> str:
        # Login attempts come before any principal exists, and a stolen token must not widen them.
        if budget.name != "auth" and self.identify is not None:
            try:
                principal = await self.identify(scope)
            except Exception:  # a broken look-up costs the caller its own budget, not a 500
                log.warning("rate_limit_identify_failed", exc_info=True)
                principal = None
            if principal:
                return principal
        return f"ip:{address or 'unknown'}"

    def _allowlisted(self, address: str) -> bool:
        if not self.allowlist:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.allowlist)

    @staticmethod
    async def _refuse(send: Send, headers: list[tuple[bytes, bytes]], budget: Budget, retry_after: int) -> None:
        details = (
            f"Too many requests: the {budget.name} budget allows {budget.per_minute} per minute "
            f"(bursts of {budget.burst}). Retry in {retry_after} s."
        )
        body = orjson.dumps(
            error_body(status=429, code="rate_limited", details=details, request_id=request_id_var.get())
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _closing_on_shutdown(self, send: Send) -> Send:
        """Close the backend when the app's lifespan ends: Starlette builds middleware lazily, so the
        lifespan function has no handle on this instance."""

        async def wrapped(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                try:
                    await self.close()
                except Exception:  # shutdown continues whatever the backend says
                    log.warning("rate_limit_backend_close_failed", exc_info=True)
            await send(message)

        return wrapped
