"""The rate limiter: the pure GCRA decision, both backends, and the middleware through the real app."""

from __future__ import annotations

import math
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mtg_tracker.config import RateLimitSettings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.middleware import RequestContextMiddleware
from mtg_tracker.kit.ratelimit import (
    Budget,
    Decision,
    MemoryBackend,
    RateLimitMiddleware,
    RedisBackend,
    gcra,
)
from support import OPS_HEADERS, FakeTime, app_factory, error_body

TEN = Budget("default", per_minute=10, burst=10)  # one request per 6 s, 10 at once

# -- the pure decision -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tat", "now", "interval", "burst", "expected"),
    [
        # fresh key: allowed, burst-1 left, full again after one interval
        (None, 100.0, 6.0, 10, Decision(True, 106.0, 9, 0.0, 6.0)),
        # a TAT in the past is as good as none
        (50.0, 100.0, 6.0, 10, Decision(True, 106.0, 9, 0.0, 6.0)),
        # the 10th request of a burst passes with nothing left
        (154.0, 100.0, 6.0, 10, Decision(True, 160.0, 0, 0.0, 60.0)),
        # the 11th is refused, costs nothing, and may retry after one interval
        (160.0, 100.0, 6.0, 10, Decision(False, 160.0, 0, 6.0, 60.0)),
        # ... and passes exactly then
        (160.0, 106.0, 6.0, 10, Decision(True, 166.0, 0, 0.0, 60.0)),
        # half an interval later still refused, retry in the other half
        (160.0, 103.0, 6.0, 10, Decision(False, 160.0, 0, 3.0, 57.0)),
        # burst 1: strictly one per interval
        (None, 0.0, 1.0, 1, Decision(True, 1.0, 0, 0.0, 1.0)),
        (1.0, 0.5, 1.0, 1, Decision(False, 1.0, 0, 0.5, 0.5)),
        (1.0, 1.0, 1.0, 1, Decision(True, 2.0, 0, 0.0, 1.0)),
        # partly refilled: 2 intervals of idle time give 2 more requests back
        (160.0, 112.0, 6.0, 10, Decision(True, 166.0, 1, 0.0, 54.0)),
    ],
)
def test_gcra_table(tat: float | None, now: float, interval: float, burst: int, expected: Decision) -> None:
    got = gcra(tat, now, interval, burst)
    assert got.allowed == expected.allowed
    assert got.remaining == expected.remaining
    assert got.tat == pytest.approx(expected.tat)
    assert got.retry_after == pytest.approx(expected.retry_after)
    assert got.reset_after == pytest.approx(expected.reset_after)


@pytest.mark.parametrize(("per_minute", "burst"), [(10, 10), (7, 3), (300, 60), (1, 1), (60, 1)])
def test_gcra_burst_then_sustained_rate(per_minute: int, burst: int) -> None:
    """A burst passes at once, then exactly one request per interval: float drift never loses a slot."""
    interval = 60.0 / per_minute
    tat: float | None = None
    passed = 0
    for _ in range(burst + 5):
        d = gcra(tat, 0.0, interval, burst)
        if d.allowed:
            tat, passed = d.tat, passed + 1
    assert passed == burst
    for step in range(1, 200):
        now = step * interval
        d = gcra(tat, now, interval, burst)
        assert d.allowed, (step, now, tat)
        tat = d.tat
        assert not gcra(tat, now, interval, burst).allowed


async def test_memory_backend_refills_with_time() -> None:
    clock = FakeTime(start=0.0)
    backend = MemoryBackend(clock=clock, max_ttl=61)
    results = [(await backend.check("k", TEN)).allowed for _ in range(12)]
    assert results == [True] * 10 + [False] * 2
    clock.now += 6.0
    assert (await backend.check("k", TEN)).allowed
    assert not (await backend.check("k", TEN)).allowed
    assert (await backend.check("other", TEN)).allowed  # keys are independent
    clock.now += 1000  # the entry expired: a full budget again
    assert [(await backend.check("k", TEN)).allowed for _ in range(10)] == [True] * 10


async def test_memory_backend_is_bounded() -> None:
    backend = MemoryBackend(max_keys=50, clock=FakeTime(start=0.0))
    for i in range(500):
        await backend.check(f"k{i}", TEN)
    assert len(backend._tats) <= 50


# -- the middleware on a tiny app (identity, budgets, allowlist) ------------------------------------------------


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _who(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return f"user:{value.decode()}"
    return None


ROUTES = [
    ("search", re.compile(r"^/search$"), None),
    ("auth", re.compile(r"^/login$"), "POST"),
]


def _tiny(settings: RateLimitSettings, *, trusted: list[str] | None = None, **kwargs: Any) -> Any:
    from mtg_tracker.kit.http import parse_networks

    limited = RateLimitMiddleware(_ok, settings=settings, identify=_who, routes=ROUTES, **kwargs)
    return RequestContextMiddleware(limited, max_body_bytes=1 << 20, trusted_proxies=parse_networks(trusted or []))


def _client(app: Any, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)), base_url="http://t")


async def _statuses(c: httpx.AsyncClient, n: int, method: str = "GET", path: str = "/x", **kw: Any) -> list[int]:
    return [(await c.request(method, path, **kw)).status_code for _ in range(n)]


async def test_principals_have_their_own_budget_but_auth_is_per_address() -> None:
    app = _tiny(RateLimitSettings(per_minute=10, burst=2, auth_per_minute=10, auth_burst=2))
    async with _client(app) as c:
        assert await _statuses(c, 3) == [200, 200, 429]
        assert await _statuses(c, 3, headers={"authorization": "alice"}) == [200, 200, 429]
        assert await _statuses(c, 1, headers={"authorization": "bob"}) == [200]
        # login attempts count per address whoever the caller claims to be
        assert await _statuses(c, 1, "POST", "/login", headers={"authorization": "carol"}) == [200]
        assert await _statuses(c, 2, "POST", "/login", headers={"authorization": "dave"}) == [200, 429]
        # GET /login is not the auth route: the (exhausted) anonymous default budget applies
        assert await _statuses(c, 1, "GET", "/login") == [429]


async def test_failing_identity_lookup_falls_back_to_the_address() -> None:
    async def broken(scope: Scope) -> str | None:
        raise RuntimeError("database down")

    limited = RateLimitMiddleware(_ok, settings=RateLimitSettings(per_minute=10, burst=2), identify=broken)
    async with _client(limited) as c:
        assert await _statuses(c, 3) == [200, 200, 429]


def test_unknown_budget_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit budget"):
        RateLimitMiddleware(_ok, settings=RateLimitSettings(), routes=[("searhc", re.compile("x"), None)])


async def test_headers_follow_the_budget_and_refill() -> None:
    clock = FakeTime(start=0.0)
    app = _tiny(RateLimitSettings(per_minute=10, burst=3), clock=clock)
    async with _client(app) as c:
        first = await c.get("/x")
        assert first.headers["ratelimit-limit"] == "3"
        assert first.headers["ratelimit-remaining"] == "2"
        assert first.headers["ratelimit-reset"] == "6"
        await c.get("/x")
        await c.get("/x")
        refused = await c.get("/x")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "6"
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-reset"] == "18"
        clock.now += 6.0
        assert (await c.get("/x")).status_code == 200


# -- through the real app ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def make_app(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Apps built inside a test, shut down after it (which closes their limiter backends)."""
    async with app_factory(sqlite_url, tmp_path) as factory:
        yield factory


def _refused_count(budget: str) -> float:
    return metrics.RATE_LIMITED.labels(budget)._value.get()


async def _check_ten_of_fifteen(app: Any, ip: str = "203.0.113.7") -> None:
    before = _refused_count("default")
    async with _client(app, ip) as c:
        responses = [await c.get("/api/v1/sets") for _ in range(15)]
    statuses = [r.status_code for r in responses]
    assert sum(s in (200, 404) for s in statuses) == 10, statuses
    assert statuses[10:] == [429] * 5
    for r in responses:
        assert r.headers["ratelimit-limit"] == "10"
        assert int(r.headers["ratelimit-remaining"]) >= 0
        assert int(r.headers["ratelimit-reset"]) >= 0
        assert r.headers["x-request-id"]
    assert [int(r.headers["ratelimit-remaining"]) for r in responses[:10]] == list(range(9, -1, -1))
    for r in responses[10:]:
        body = error_body(r, 429)
        assert body["code"] == "rate_limited"
        assert body["request_id"] == r.headers["x-request-id"]
        assert int(r.headers["retry-after"]) >= 1
    assert _refused_count("default") == before + 5


LIMITED = {"per_minute": 10, "burst": 10}


async def test_fifteen_quick_requests_ten_pass(make_app: Any) -> None:
    await _check_ten_of_fifteen(await make_app(rate_limit=LIMITED))


async def test_probes_and_metrics_are_exempt(make_app: Any) -> None:
    app = await make_app(rate_limit={"per_minute": 1, "burst": 1})
    async with _client(app) as c:
        for path in ("/health", "/metrics"):
            for _ in range(5):
                r = await c.get(path, headers=OPS_HEADERS)
                assert r.status_code == 200, (path, r.text)
                assert "ratelimit-limit" not in r.headers
        assert (await c.get("/api/v1/sets")).status_code != 429
        assert (await c.get("/api/v1/sets")).status_code == 429
        assert (await c.get("/health")).status_code == 200


async def test_allowlisted_addresses_are_never_limited(make_app: Any) -> None:
    app = await make_app(rate_limit={"per_minute": 1, "burst": 1, "allowlist": ["203.0.113.0/24"]})
    async with _client(app, "203.0.113.99") as c:
        statuses = await _statuses(c, 5, path="/api/v1/sets")
        assert 429 not in statuses
    async with _client(app, "198.51.100.1") as c:
        assert (await _statuses(c, 2, path="/api/v1/sets"))[1] == 429


async def test_search_has_its_own_budget(make_app: Any) -> None:
    app = await make_app(rate_limit={"per_minute": 10, "burst": 3, "search_per_minute": 10, "search_burst": 2})
    before = _refused_count("search")
    async with _client(app) as c:
        search = await _statuses(c, 3, path="/api/v1/cards/autocomplete", params={"q": "li"})
        assert search[:2] != [429, 429] and search[2] == 429
        r = await c.get("/api/v1/cards/autocomplete", params={"q": "li"})
        assert r.headers["ratelimit-limit"] == "2"
        # the default budget is untouched by searches ...
        default = await _statuses(c, 4, path="/api/v1/sets")
        assert default[:3].count(429) == 0 and default[3] == 429
    assert _refused_count("search") == before + 2


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(make_app: Any) -> None:
    untrusted = await make_app(rate_limit={"per_minute": 10, "burst": 2})
    async with _client(untrusted) as c:
        statuses = [
            (await c.get("/api/v1/sets", headers={"x-forwarded-for": f"198.51.100.{i}"})).status_code for i in range(3)
        ]
        assert statuses[2] == 429  # one budget: the peer's

    behind_proxy = await make_app(
        rate_limit={"per_minute": 10, "burst": 2}, http={"trusted_proxies": ["203.0.113.0/24"]}
    )
    async with _client(behind_proxy) as c:
        statuses = [
            (await c.get("/api/v1/sets", headers={"x-forwarded-for": f"198.51.100.{i}"})).status_code for i in range(6)
        ]
        assert 429 not in statuses  # a budget per real client
        same = [(await c.get("/api/v1/sets", headers={"x-forwarded-for": "192.0.2.1"})).status_code for _ in range(3)]
        assert same[2] == 429


async def test_disabled_means_no_limits_and_no_headers(make_app: Any) -> None:
    app = await make_app(rate_limit={"enabled": False, "per_minute": 1, "burst": 1})
    async with _client(app) as c:
        responses = [await c.get("/api/v1/sets") for _ in range(3)]
    assert all(r.status_code != 429 and "ratelimit-limit" not in r.headers for r in responses)


# -- Redis ---------------------------------------------------------------------------------------------------


def _unique_ip() -> str:
    """A fresh address per test: keys never collide with earlier runs or tests on the shared test Redis."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


async def test_redis_app_fifteen_quick_requests_ten_pass(make_app: Any, redis_url: str) -> None:
    await _check_ten_of_fifteen(await make_app(rate_limit=LIMITED, redis_url=redis_url), _unique_ip())


async def test_redis_backend_matches_the_pure_decision(redis_url: str) -> None:
    """The Lua script mirrors gcra(): run the same sequence through both with one clock."""
    clock = FakeTime(start=1_700_000_000.0)
    prefix = f"mtg:rl:test:{uuid.uuid4().hex}:"
    backend = RedisBackend(redis_url, prefix=prefix, clock=clock)
    budget = Budget("default", per_minute=7, burst=3)
    tat: float | None = None
    try:
        for step in [0, 0, 0, 0, 1, 8.6, 8.6, 20, 20.5, 100, 100, 100, 100]:
            clock.now = 1_700_000_000.0 + step
            expected = gcra(tat, clock.now, budget.interval, budget.burst)
            got = await backend.check("k", budget)
            assert got is not None
            assert (got.allowed, got.remaining) == (expected.allowed, expected.remaining), step
            assert got.retry_after == pytest.approx(expected.retry_after, abs=1e-5)
            assert got.reset_after == pytest.approx(expected.reset_after, abs=1e-5)
            if expected.allowed:
                tat = expected.tat
    finally:
        await backend.close()


async def test_redis_keys_expire_and_script_reloads_after_flush(redis_url: str) -> None:
    import redis.asyncio as redis

    prefix = f"mtg:rl:test:{uuid.uuid4().hex}:"
    backend = RedisBackend(redis_url, prefix=prefix)  # the Redis server's clock
    raw = redis.from_url(redis_url)
    try:
        await raw.script_flush()  # as after a Redis restart: EVALSHA answers NOSCRIPT
        first = await backend.check("k", TEN)
        assert first is not None and first.allowed and first.remaining == 9
        ttl_ms = await raw.pttl(prefix + "k")
        assert 0 < ttl_ms <= math.ceil(TEN.interval * 1000) + 1000
        for _ in range(9):
            await backend.check("k", TEN)
        refused = await backend.check("k", TEN)
        assert refused is not None and not refused.allowed and refused.retry_after > 0
        assert 0 < await raw.pttl(prefix + "k") <= 61_000
    finally:
        await raw.delete(prefix + "k")
        await raw.aclose()
        await backend.close()


async def test_redis_down_fails_open_and_warns_once(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtg_tracker.kit import ratelimit

    warnings: list[str] = []
    monkeypatch.setattr(ratelimit.log, "warning", lambda event, **kw: warnings.append(event))
    app = await make_app(rate_limit={"per_minute": 1, "burst": 1}, redis_url="redis://127.0.0.1:1/0")
    async with _client(app) as c:
        responses = [await c.get("/api/v1/sets") for _ in range(5)]
    assert [r.status_code for r in responses if r.status_code in (429, 500)] == []
    assert warnings.count("rate_limit_backend_unavailable") == 1
