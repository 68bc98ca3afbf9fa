"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mtg_tracker.config import Settings, normalise_database_url

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Test clients are not loopback (203.0.113.7), so /metrics and /health/detailed need the token.
OPS_TOKEN = "ops-token-for-tests-0123456789"
OPS_HEADERS = {"Authorization": f"Bearer {OPS_TOKEN}"}


def shared_data(*parts: str) -> Path:
    """A file of ../shared/data, or a skip with the reason (a clone outside this setup lacks it)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (see shared/data/DATA.md)")
    return path


def worker_redis_url(url: str, worker_id: str) -> str:
    """The Redis test URL for this pytest-xdist worker: its own database index (counting down from the
    configured one), so that one worker's FLUSHDB or key space never meets another's."""
    if not worker_id.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - int(worker_id[2:])) % 16}"))


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "data_dir": tmp_path / "var",
        "scheduler": {"enabled": False},
        "log": {"level": "WARNING", "format": "json"},
        "scryfall": {"offline": True, "download_dir": tmp_path / "bulk"},
        "cache": {"generation_poll_seconds": 0.05},
        "ops": {"token": OPS_TOKEN},
        # Limits stay on so every test runs through the limiter, with budgets no test suite exhausts.
        "rate_limit": {
            f"{budget}{suffix}": 100_000
            for budget in ("", "search_", "auth_", "import_", "order_", "forecast_")
            for suffix in ("per_minute", "burst")
        },
    }
    values.update(overrides)
    return Settings(**values)


async def wait_for(predicate: Any, timeout: float = 5.0, interval: float = 0.05) -> None:
    """Poll an async predicate; used where behaviour is eventually consistent (cache generations)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if await predicate():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


class FakeTime:
    """A monotonic clock that only moves when something sleeps (or a test advances it)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a suspension point, like the real thing


@contextmanager
def scratch_pg_database(server_url: str, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database on the test server (empty, or a copy of ``template``'s database), dropped
    afterwards; fails (not skips) when the server is configured but unreachable."""
    base = make_url(normalise_database_url(server_url))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    clone = f' TEMPLATE "{make_url(template).database}"' if template else ""
    admin = create_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clone}'))
    except Exception as exc:
        pytest.fail(f"MTG_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", pytrace=False)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def error_body(resp: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an API error object (API.md) with this status and return it."""
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["object"] == "error" and body["status"] == status and body["request_id"]
    return body


@asynccontextmanager
async def app_factory(database_url: str, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Apps built inside a test with setting overrides, started, and shut down afterwards (newest first)."""
    from asgi_lifespan import LifespanManager

    from mtg_tracker.main import create_app

    managers: list[LifespanManager] = []

    async def factory(**overrides: Any) -> Any:
        manager = LifespanManager(create_app(make_settings(database_url, tmp_path, **overrides)), startup_timeout=30)
        await manager.__aenter__()
        managers.append(manager)
        return manager.app

    try:
        yield factory
    finally:
        for manager in reversed(managers):
            await manager.__aexit__(None, None, None)
