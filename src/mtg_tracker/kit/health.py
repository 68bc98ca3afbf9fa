"""Dependency checks behind /ready and /health/detailed.

Each check is bounded by a short timeout so a hung database makes readiness answer 503 promptly instead
of hanging the probe (and the load balancer's view of the instance) along with it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from mtg_tracker.kit import sqlitelib
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.migrations import current_revisions, head_revisions

DetailProvider = Callable[[Database], Awaitable[dict[str, Any]]]

# Domains add what /health/detailed should report about them (api.py wires them explicitly).
DETAIL_PROVIDERS: dict[str, DetailProvider] = {}


@dataclass
class CheckResult:
    name: str
    ok: bool
    latency_ms: float
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "failing",
            "latency_ms": round(self.latency_ms, 2),
            "detail": self.detail,
        }


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig  # the driver's own words, without SQLAlchemy's "(module.Class)" wrapper and SQL
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


async def check_database(db: Database, timeout: float) -> CheckResult:
    start = time.perf_counter()
    if db.sqlite_path is not None and not db.sqlite_path.exists():
        # Serving never creates the file (only `db upgrade` does); say so instead of "unable to open".
        return CheckResult("database", False, 0.0, "the database file does not exist: run `mtg-tracker db upgrade`")
    try:

        async def _check() -> str | None:
            await db.ping(timeout)
            current = await current_revisions(db)
            heads = head_revisions()
            if current != heads:
                have = ",".join(sorted(current)) or "none"
                return f"schema at {have}, code expects {','.join(sorted(heads))}: run `mtg-tracker db upgrade`"
            return None

        problem = await asyncio.wait_for(_check(), timeout=timeout)
    except BaseException as exc:  # any failure means "not ready", reported by name
        if isinstance(exc, asyncio.CancelledError):
            raise
        return CheckResult("database", False, (time.perf_counter() - start) * 1000, _describe(exc))
    latency = (time.perf_counter() - start) * 1000
    if problem:
        return CheckResult("migrations", False, latency, problem)
    return CheckResult("database", True, latency, "ok")


async def check_redis(redis: Any, timeout: float) -> CheckResult:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(redis.ping(), timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - reported by name, not raised
        return CheckResult("redis", False, (time.perf_counter() - start) * 1000, _describe(exc))
    return CheckResult("redis", True, (time.perf_counter() - start) * 1000, "ok")


def check_sqlite_library() -> CheckResult:
    """The SQLite library in use against the oldest one the service accepts (see kit.sqlitelib)."""
    driver, version = sqlitelib.library()
    ok = sqlitelib.is_supported(version)
    detail = f"SQLite {version} through {driver}; minimum {sqlitelib.MINIMUM_TEXT}"
    return CheckResult("sqlite", ok, 0.0, detail if ok else detail + ": upgrade it")
