"""The SQLite file moved away and back (or replaced) while serving: 503s while it is gone, an honest /ready,
no empty database created in its place, and recovery without a restart."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from accounts import PASSWORD, login_headers
from mtg_tracker.main import create_app
from support import error_body, make_settings

READS = ["/api/v1/cards/search?q=t:goblin", "/api/v1/sets", "/api/v1/cards/search?q=o:flying+usd>1"]


async def _burst(client: httpx.AsyncClient, headers: dict[str, str]) -> list[httpx.Response]:
    """Reads and a write at once, so that several pooled connections are in play."""
    calls: list[Any] = [client.get(path) for path in READS * 3]
    calls.append(client.post("/api/v1/collections", json={"name": "binder"}, headers=headers))
    calls.append(client.get("/api/v1/users/me", headers=headers))
    return list(await asyncio.gather(*calls))


async def test_database_moved_away_and_back(tmp_path: Path, sqlite_template: Path) -> None:
    db_path = tmp_path / "live" / "mtg.db"
    db_path.parent.mkdir()
    shutil.copyfile(sqlite_template, db_path)
    aside = tmp_path / "aside.db"
    app = create_app(make_settings(f"sqlite+aiosqlite:///{db_path}", tmp_path))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as client:
            headers = await login_headers(client)
            for resp in await _burst(client, headers):
                assert resp.status_code in (200, 201, 404), resp.text

            db_path.rename(aside)
            start = time.perf_counter()
            ready = await client.get("/ready")
            assert time.perf_counter() - start < 2.0
            body = error_body(ready, 503)
            assert "database" in body["details"] and str(tmp_path) not in body["details"]
            for resp in await _burst(client, headers):
                err = error_body(resp, 503)  # never a 500, never an empty database's "no such table"
                assert "try again" in err["details"]
                assert resp.headers.get("retry-after")
            assert not db_path.exists(), "serving must never create a database in place of a missing one"
            assert (await client.get("/health")).status_code == 200

            aside.rename(db_path)
            assert (await client.get("/ready")).status_code == 200
            for resp in await _burst(client, headers):
                assert resp.status_code in (200, 201, 404), resp.text
            listed = (await client.get("/api/v1/collections", headers=headers)).json()["data"]
            assert len(listed) == 2  # made before and after; the create that got 503 left nothing


async def test_database_replaced_is_picked_up_without_restart(tmp_path: Path, sqlite_template: Path) -> None:
    db_path = tmp_path / "mtg.db"
    shutil.copyfile(sqlite_template, db_path)
    app = create_app(make_settings(f"sqlite+aiosqlite:///{db_path}", tmp_path))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as client:
            email = "restored@example.com"
            await login_headers(client, email)
            # Another database takes the path (here the empty template, without the user). The old one
            # leaves with its -wal and -shm: a WAL left behind would be replayed onto the newcomer.
            (tmp_path / "old").mkdir()
            for suffix in ("", "-wal", "-shm"):
                source = db_path.with_name(db_path.name + suffix)
                if source.exists():
                    source.rename(tmp_path / "old" / source.name)
            shutil.copyfile(sqlite_template, db_path)
            resp = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
            error_body(resp, 401)  # the pooled connections followed the path to the restored file
            assert (await client.get("/ready")).status_code == 200


@pytest.mark.parametrize("command", [["catalog", "load-demo"], ["users", "list"], ["db", "current"]])
def test_commands_never_create_a_database_either(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mtg_tracker.cli import app as cli_app
    from mtg_tracker.config import get_settings

    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("MTG_DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, command)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "mtg-tracker db upgrade" in result.output and "Traceback" not in result.output
    assert not missing.exists()
