"""Building blocks for calling a flaky upstream politely: rate limit, circuit breaker, back-off.

Nothing here knows about any particular upstream. Time is injected (``clock`` for monotonic seconds,
``sleep`` for waiting) so the behaviour can be tested deterministically without real waiting.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.metrics import UPSTREAM_BREAKER_STATE

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

log = get_logger("mtg_tracker.resilience")

RETRY_AFTER_MAX_SECONDS = 120.0

# Refills are floating-point sums; without a tolerance a waiter could wake up 1e-16 tokens short and
# sleep again for a nanosecond.
_TOKEN_EPSILON = 1e-9


class TokenBucket:
    """Client-side rate limit shared by every coroutine of the process.

    Waiters queue on one lock, so they are served in arrival order and none can starve. ``pause_until``
    exists because an upstream's 429 applies to the whole client, not only to the request that got it.
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate_per_second = rate_per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._updated = clock()
        self._paused_until = -math.inf
        self._lock = asyncio.Lock()

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def pause_until(self, monotonic_time: float) -> None:
        """Hold every acquirer until ``monotonic_time``; an earlier deadline never shortens a pause."""
        self._paused_until = max(self._paused_until, monotonic_time)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                self._refill(now)
                if self._tokens >= 1 - _TOKEN_EPSILON:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate_per_second)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate_per_second)
        self._updated = now


class BreakerState(StrEnum):
    closed = "closed"
    half_open = "half_open"
    open = "open"


_GAUGE_VALUE: dict[BreakerState, int] = {BreakerState.closed: 0, BreakerState.half_open: 1, BreakerState.open: 2}


class CircuitBreaker:
    """Stops calling an upstream that keeps failing, so callers get an instant answer instead of a timeout.

    Only consecutive failures count: one success proves the upstream reachable again. After the cool-down
    a single probe is let through; everyone else is still refused until that probe reports, because a
    recovering upstream is easily knocked over again by the whole backlog at once.

    A probe whose caller never reports (cancelled, crashed) would otherwise wedge the breaker half-open
    forever; ``release`` hands the permit back, and as a safety net a probe older than ``reset_seconds``
    is presumed lost and another one is allowed.
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int,
        reset_seconds: float,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_seconds <= 0:
            raise ValueError("reset_seconds must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._state = BreakerState.closed
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None
        UPSTREAM_BREAKER_STATE.labels(upstream=name).set(_GAUGE_VALUE[self._state])

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def seconds_until_probe(self) -> float:
        """How long an open breaker keeps refusing; meant for a ``Retry-After`` on the refusal."""
        if self._state is not BreakerState.open:
            return 0.0
        return max(0.0, self._opened_at + self.reset_seconds - self._clock())

    def allow(self) -> bool:
        now = self._clock()
        if self._state is BreakerState.closed:
            return True
        if self._state is BreakerState.open:
            if now - self._opened_at < self.reset_seconds:
                return False
            self._transition(BreakerState.half_open)
            self._probe_started = now
            return True
        if self._probe_started is not None and now - self._probe_started < self.reset_seconds:
            return False
        self._probe_started = now
        return True

    def release(self) -> None:
        """Give back a half-open probe permit whose call ended without telling anything about the upstream."""
        if self._state is BreakerState.half_open:
            self._probe_started = None

    def record_success(self) -> None:
        self._failures = 0
        self._probe_started = None
        if self._state is not BreakerState.closed:
            self._transition(BreakerState.closed)

    def record_failure(self) -> None:
        self._failures += 1
        # A failed probe re-opens at once. Already open: a late failure of a call admitted before the
        # trip must not extend the cool-down.
        tripped = self._state is BreakerState.closed and self._failures >= self.failure_threshold
        if tripped or self._state is BreakerState.half_open:
            self._open()

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._probe_started = None
        self._transition(BreakerState.open)

    def _transition(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        UPSTREAM_BREAKER_STATE.labels(upstream=self.name).set(_GAUGE_VALUE[new])
        if new is BreakerState.open:
            log.warning(
                "circuit_breaker_opened",
                upstream=self.name,
                previous=old.value,
                consecutive_failures=self._failures,
                cool_down_seconds=self.reset_seconds,
            )
        else:
            log.info("circuit_breaker_state", upstream=self.name, previous=old.value, state=new.value)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None if unusable.

    Clamped to [0, 120] so a confused or hostile upstream cannot park the client for hours.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds: float
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        reference = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        seconds = (when - reference).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(RETRY_AFTER_MAX_SECONDS, max(0.0, seconds))


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off with full jitter: a uniform wait in ``[0, min(cap, base * 2**attempt)]``.

    Full jitter spreads the retries of many clients that failed together, so they do not return in
    lock-step and knock the upstream over again.
    """

    base_seconds: float = 0.5
    cap_seconds: float = 10.0
    rand: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** min(max(attempt, 0), 64))
        return self.rand() * ceiling
