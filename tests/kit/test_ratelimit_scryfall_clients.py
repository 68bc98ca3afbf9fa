"""Default budgets fit clients written for Scryfall's published limits (10 requests/s; 2/s for
/cards/search and friends): such a client must never see a 429 with default settings.

The limiter is driven with a controlled clock, with the app's own route table, so 300 searches at 2/s
take milliseconds instead of 150 s.
"""

from __future__ import annotations

import random

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mtg_tracker.config import RateLimitSettings
from mtg_tracker.kit.ratelimit import RateLimitMiddleware
from mtg_tracker.main import RATE_LIMIT_ROUTES
from support import FakeTime


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _walk(
    settings: RateLimitSettings, path: str, *, count: int, per_second: float, jitter: float = 0.0
) -> list[int]:
    """Statuses of ``count`` requests from one anonymous client at ``per_second`` on average; with
    ``jitter`` each gap varies by up to that fraction (a client's sleep is never exact)."""
    clock = FakeTime(start=0.0)
    app = RateLimitMiddleware(_ok, settings=settings, routes=RATE_LIMIT_ROUTES, clock=clock)
    rng = random.Random(18)
    statuses = []
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        for _ in range(count):
            statuses.append((await c.get(path)).status_code)
            gap = 1.0 / per_second
            clock.now += gap * (1 + rng.uniform(-jitter, jitter)) if jitter else gap
    return statuses


@pytest.mark.parametrize(
    "path", ["/api/v1/cards/search?q=t:creature", "/api/v1/cards/random", "/api/v1/cards/autocomplete"]
)
async def test_300_searches_at_2_per_second_never_see_429(path: str) -> None:
    statuses = await _walk(RateLimitSettings(), path, count=300, per_second=2.0)
    assert statuses == [200] * 300


async def test_searches_at_2_per_second_with_jittery_sleeps_never_see_429() -> None:
    # A client that sleeps 0.5 s ± 30 % between requests averages 2/s but sometimes sends 0.35 s apart.
    statuses = await _walk(RateLimitSettings(), "/api/v1/cards/search?q=a", count=300, per_second=2.0, jitter=0.3)
    assert 429 not in statuses


async def test_1000_other_requests_at_10_per_second_never_see_429() -> None:
    statuses = await _walk(RateLimitSettings(), "/api/v1/cards/named?exact=x", count=1000, per_second=10.0, jitter=0.3)
    assert 429 not in statuses


async def test_the_previous_defaults_did_refuse_such_a_client() -> None:
    # The walk above can fail: the defaults before issue #18 (60/min, bursts of 20) refuse the 21st…
    old = RateLimitSettings(search_per_minute=60, search_burst=20)
    statuses = await _walk(old, "/api/v1/cards/search?q=a", count=300, per_second=2.0)
    assert 429 in statuses
    assert statuses.index(429) < 60


async def test_a_client_faster_than_the_budget_is_still_refused() -> None:
    # Defaults are generous, not absent: 5 searches a second exhaust them.
    statuses = await _walk(RateLimitSettings(), "/api/v1/cards/search?q=a", count=300, per_second=5.0)
    assert 429 in statuses
