"""Readiness and detailed health, assembled from kit checks and domain detail providers."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from mtg_tracker import __version__
from mtg_tracker.kit import health
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.scheduler import REGISTRY, default_instance_name, last_runs

log = get_logger("mtg_tracker.ops")

PROBE_TIMEOUT_SECONDS = 1.5


async def readiness(db: Database, redis: Any | None) -> list[health.CheckResult]:
    checks = [health.check_database(db, PROBE_TIMEOUT_SECONDS)]
    if redis is not None:
        checks.append(health.check_redis(redis, PROBE_TIMEOUT_SECONDS))
    return list(await asyncio.gather(*checks))


# The directory part of a filesystem path inside a text (POSIX, home- or dot-relative, Windows), but not
# the "//host/" or "/path" of a URL (those follow a letter, a dot or a colon).
_SEGMENT = r"[^\s/\\'\"]+[/\\]"
_DIRECTORIES = re.compile(rf"(?<![\w.:/\\])(?:(?:~|\.{{1,2}}|[A-Za-z]:)[/\\](?:{_SEGMENT})*|[/\\](?:{_SEGMENT})+)")
# A whole value that is one relative path ("var/bulk/cards.json"): no spaces, a separator, no scheme.
_BARE_PATH = re.compile(r"^(?![A-Za-z][\w+.-]*://)[^\s]*[/\\][^\s]*$")


def redact_paths(value: Any) -> Any:
    """``value`` with every filesystem path cut to its file name, in every nested string: the detailed
    health carries import sources and job errors, and where the service's files live is nobody's business."""
    if isinstance(value, str):
        if _BARE_PATH.match(value):
            return re.split(r"[/\\]", value.rstrip("/\\"))[-1]
        return _DIRECTORIES.sub("", value)
    if isinstance(value, dict):
        return {k: redact_paths(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_paths(v) for v in value]
    return value


async def detailed(db: Database, redis: Any | None, *, started_at: float, environment: str) -> dict[str, Any]:
    results = await readiness(db, redis)
    dependencies: dict[str, Any] = {r.name: r.as_dict() for r in results}
    if db.is_sqlite:
        dependencies["sqlite"] = health.check_sqlite_library().as_dict()
    if redis is None:
        dependencies["redis"] = {"status": "not_configured", "latency_ms": None, "detail": "MTG_REDIS_URL not set"}
    db_ok = all(r.ok for r in results if r.name in ("database", "migrations"))
    jobs: dict[str, Any] = {name: {"cron": spec.cron, "last_run": None} for name, spec in REGISTRY.items()}
    components: dict[str, Any] = {}
    if db_ok:
        try:
            for name, run in (await asyncio.wait_for(last_runs(db), PROBE_TIMEOUT_SECONDS)).items():
                jobs.setdefault(name, {"cron": None})["last_run"] = run
            for name, provider in health.DETAIL_PROVIDERS.items():
                components[name] = await asyncio.wait_for(provider(db), PROBE_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - detail is best-effort; the dependency section already tells the state
            log.warning("health_detail_failed", error=str(exc))
    return {
        # A component that reports itself degraded (integrity findings) degrades the whole answer.
        "status": "ok"
        if all(r.ok for r in results) and not any(c.get("status") == "degraded" for c in components.values())
        else "degraded",
        "version": __version__,
        "environment": environment,
        "uptime_seconds": round(time.monotonic() - started_at, 1),
        "instance": default_instance_name(),
        "dependencies": dependencies,
        "jobs": redact_paths(jobs),
        "components": redact_paths(components),
    }
