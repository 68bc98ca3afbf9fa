"""Rate limiting, circuit breaking and back-off, on simulated time (nothing here really sleeps)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from prometheus_client import REGISTRY

from mtg_tracker.kit.resilience import (
    RETRY_AFTER_MAX_SECONDS,
    Backoff,
    BreakerState,
    CircuitBreaker,
    TokenBucket,
    parse_retry_after,
)
from support import FakeTime

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


# -- parse_retry_after -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("3", 3.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),
        ("500", RETRY_AFTER_MAX_SECONDS),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        (_http_date(NOW + timedelta(seconds=10)), 10.0),
        (_http_date(NOW - timedelta(seconds=10)), 0.0),
        (_http_date(NOW + timedelta(hours=2)), RETRY_AFTER_MAX_SECONDS),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 12:00:30", 30.0),  # no zone: HTTP dates are GMT
        ("Thu, 32 Jan 2026 12:00:30 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_accepts_naive_now_as_utc() -> None:
    assert parse_retry_after(_http_date(NOW + timedelta(seconds=4)), NOW.replace(tzinfo=None)) == 4.0


# -- CircuitBreaker --------------------------------------------------------------------------------

# Steps: ("fail" | "ok" | "release", None), ("allow", expected bool), ("advance", seconds),
# ("state", expected state). Cool-down 30 s; the threshold is 3 unless a case says otherwise.
BREAKER_CASES: dict[str, list[tuple[str, object]]] = {
    "opens at the threshold and refuses": [
        ("fail", None),
        ("fail", None),
        ("state", BreakerState.closed),
        ("allow", True),
        ("fail", None),
        ("state", BreakerState.open),
        ("allow", False),
        ("advance", 29.9),
        ("allow", False),
    ],
    "only consecutive failures count": [
        ("fail", None),
        ("fail", None),
        ("ok", None),
        ("fail", None),
        ("fail", None),
        ("state", BreakerState.closed),
        ("fail", None),
        ("state", BreakerState.open),
    ],
    "one probe after the cool-down, success closes": [
        *[("fail", None)] * 3,
        ("advance", 30.0),
        ("allow", True),
        ("state", BreakerState.half_open),
        ("allow", False),
        ("allow", False),
        ("ok", None),
        ("state", BreakerState.closed),
        ("allow", True),
        ("allow", True),
    ],
    "failed probe re-opens and restarts the cool-down": [
        *[("fail", None)] * 3,
        ("advance", 45.0),
        ("allow", True),
        ("fail", None),
        ("state", BreakerState.open),
        ("advance", 29.0),
        ("allow", False),
        ("advance", 1.0),
        ("allow", True),
        ("state", BreakerState.half_open),
    ],
    "a released probe permit goes to the next caller": [
        *[("fail", None)] * 3,
        ("advance", 30.0),
        ("allow", True),
        ("release", None),
        ("state", BreakerState.half_open),
        ("allow", True),
        ("allow", False),
    ],
    "a probe that never reports is presumed lost after another cool-down": [
        *[("fail", None)] * 3,
        ("advance", 30.0),
        ("allow", True),
        ("advance", 29.0),
        ("allow", False),
        ("advance", 1.0),
        ("allow", True),
    ],
    "a late failure does not extend the cool-down": [
        *[("fail", None)] * 3,
        ("advance", 20.0),
        ("fail", None),
        ("advance", 10.0),
        ("allow", True),
    ],
    "threshold one": [
        ("threshold", 1),
        ("fail", None),
        ("state", BreakerState.open),
    ],
}


@pytest.mark.parametrize("steps", BREAKER_CASES.values(), ids=BREAKER_CASES.keys())
def test_breaker_transitions(steps: list[tuple[str, object]]) -> None:
    clock = FakeTime()
    threshold = next((arg for action, arg in steps if action == "threshold"), 3)
    assert isinstance(threshold, int)
    breaker = CircuitBreaker("test-table", threshold, 30.0, clock=clock)
    for index, (action, arg) in enumerate(steps):
        where = f"step {index}: {action} {arg!r}"
        if action == "threshold":
            continue
        if action == "fail":
            breaker.record_failure()
        elif action == "ok":
            breaker.record_success()
        elif action == "release":
            breaker.release()
        elif action == "advance":
            assert isinstance(arg, float)
            clock.now += arg
        elif action == "allow":
            assert breaker.allow() is arg, where
        elif action == "state":
            assert breaker.state is arg, where
        else:
            raise AssertionError(f"unknown step {action}")


def _gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value("upstream_breaker_state", {"upstream": name})


def test_breaker_gauge_follows_every_transition() -> None:
    clock = FakeTime()
    breaker = CircuitBreaker("test-gauge", 2, 10.0, clock=clock)
    assert _gauge("test-gauge") == 0
    breaker.record_failure()
    assert _gauge("test-gauge") == 0
    breaker.record_failure()
    assert _gauge("test-gauge") == 2
    clock.now += 10
    assert breaker.allow()
    assert _gauge("test-gauge") == 1
    breaker.record_failure()
    assert _gauge("test-gauge") == 2
    clock.now += 10
    assert breaker.allow()
    breaker.record_success()
    assert _gauge("test-gauge") == 0


def test_breaker_reports_time_until_probe() -> None:
    clock = FakeTime()
    breaker = CircuitBreaker("test-wait", 1, 30.0, clock=clock)
    assert breaker.seconds_until_probe() == 0.0
    breaker.record_failure()
    clock.now += 12
    assert breaker.seconds_until_probe() == pytest.approx(18.0)


@pytest.mark.parametrize(("threshold", "reset"), [(0, 1.0), (1, 0.0)])
def test_breaker_rejects_nonsense_settings(threshold: int, reset: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("test-bad", threshold, reset)


# -- TokenBucket -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bucket_spaces_sequential_acquisitions() -> None:
    clock = FakeTime()
    bucket = TokenBucket(2.0, 1, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await bucket.acquire()
    # The first token is there at start; the other four each wait 1/rate.
    assert clock.now - 1000.0 == pytest.approx(2.0)
    assert clock.sleeps == pytest.approx([0.5] * 4)


@pytest.mark.asyncio
async def test_bucket_serves_concurrent_acquirers_at_the_rate() -> None:
    clock = FakeTime()
    bucket = TokenBucket(10.0, 1, clock=clock, sleep=clock.sleep)
    done: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        done.append(clock.now)

    await asyncio.gather(*(one() for _ in range(20)))
    assert clock.now - 1000.0 == pytest.approx(1.9)
    gaps = [b - a for a, b in itertools.pairwise(done)]
    assert all(gap == pytest.approx(0.1) for gap in gaps)


@pytest.mark.asyncio
async def test_bucket_burst_then_rate() -> None:
    clock = FakeTime()
    bucket = TokenBucket(1.0, 3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await bucket.acquire()
    assert clock.sleeps == []
    await bucket.acquire()
    assert clock.now - 1000.0 == pytest.approx(1.0)


@pytest.mark.asyncio
async def test_bucket_refills_while_idle() -> None:
    clock = FakeTime()
    bucket = TokenBucket(1.0, 1, clock=clock, sleep=clock.sleep)
    await bucket.acquire()
    clock.now += 5  # idle time: refills, but never beyond the burst
    await bucket.acquire()
    assert clock.sleeps == []
    await bucket.acquire()
    assert clock.sleeps == pytest.approx([1.0])


@pytest.mark.asyncio
async def test_pause_holds_every_acquirer() -> None:
    clock = FakeTime()
    bucket = TokenBucket(10.0, 1, clock=clock, sleep=clock.sleep)
    bucket.pause_until(clock.now + 3.0)
    bucket.pause_until(clock.now + 1.0)  # an earlier deadline never shortens the pause
    await asyncio.gather(*(bucket.acquire() for _ in range(3)))
    assert clock.now - 1000.0 == pytest.approx(3.0 + 0.2)
    assert clock.sleeps[0] == pytest.approx(3.0)


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0.5)])
def test_bucket_rejects_nonsense_settings(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst)


# -- Backoff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rand", "expected"),
    [
        (1.0, [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]),
        (0.5, [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]),
        (0.0, [0.0] * 7),
    ],
)
def test_backoff_is_capped_exponential_times_jitter(rand: float, expected: list[float]) -> None:
    backoff = Backoff(base_seconds=0.5, cap_seconds=10.0, rand=lambda: rand)
    assert [backoff.delay(attempt) for attempt in range(7)] == pytest.approx(expected)


def test_backoff_survives_huge_attempt_numbers() -> None:
    assert Backoff(rand=lambda: 1.0).delay(10_000) == 10.0


def test_backoff_default_jitter_stays_in_range() -> None:
    backoff = Backoff(base_seconds=1.0, cap_seconds=4.0)
    delays = [backoff.delay(5) for _ in range(200)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 1
