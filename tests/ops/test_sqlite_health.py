"""/health/detailed names the SQLite library in use and the oldest one the service accepts."""

from __future__ import annotations

from typing import Any

import httpx

from mtg_tracker.kit import sqlitelib


async def test_detailed_health_reports_the_sqlite_library(app: Any, settings: Any) -> None:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = (await client.get("/health/detailed")).json()
    if not settings.database_url.startswith("sqlite"):
        assert "sqlite" not in body["dependencies"]
        return
    driver, version = sqlitelib.library()
    entry = body["dependencies"]["sqlite"]
    assert entry["status"] == "ok"
    assert entry["detail"] == f"SQLite {version} through {driver}; minimum {sqlitelib.MINIMUM_TEXT}"
