"""Readiness follows the database: 503 naming it within 2 s when it is gone, 200 again without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url

from mtg_tracker.main import create_app
from support import make_settings


class TcpProxy:
    """A loopback TCP proxy we can cut (refuse), black-hole (accept, never answer) and restore."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "forward"
        self.server: asyncio.Server | None = None
        self.port = 0
        self.tasks: set[asyncio.Task[Any]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for w in list(self.writers):
            w.close()
        for t in list(self.tasks):
            t.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        if self.mode == "blackhole":
            with contextlib.suppress(Exception):
                await reader.read()  # hold the connection open, answer nothing
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers.add(up_writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        for coro in (pipe(reader, up_writer), pipe(up_reader, writer)):
            task = asyncio.create_task(coro)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)


async def _ready(client: httpx.AsyncClient) -> tuple[int, dict[str, Any], float]:
    start = time.perf_counter()
    resp = await client.get("/ready")
    return resp.status_code, resp.json(), time.perf_counter() - start


@pytest.mark.slow
async def test_postgres_outage_and_recovery(pg_database: str, tmp_path: Path) -> None:
    url = make_url(pg_database)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = make_settings(proxied, tmp_path, db={"connect_timeout_seconds": 1})
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            status, body, _ = await _ready(client)
            assert status == 200, body

            await proxy.stop()  # connection refused, pooled connections cut
            status, body, elapsed = await _ready(client)
            assert status == 503
            assert body["object"] == "error" and body["code"] == "unavailable"
            assert "database" in body["details"]
            assert body["checks"]["database"]["status"] == "failing"
            assert elapsed < 2.0
            assert (await client.get("/health")).status_code == 200
            for path in ("/api/v1/sets", "/api/v1/cards/search?q=t:goblin"):
                resp = await client.get(path)  # the error object and a retry hint, never a 500
                assert resp.status_code == 503, resp.text
                assert resp.json()["code"] == "unavailable" and resp.headers["retry-after"]

            await proxy.start()  # same port, server back
            status, body, _ = await _ready(client)
            assert status == 200, body

            proxy.mode = "blackhole"  # accepts connections but never answers
            await proxy.stop()
            await proxy.start()
            status, body, elapsed = await _ready(client)
            assert status == 503 and "database" in body["details"]
            assert elapsed < 2.0

            proxy.mode = "forward"
            await proxy.stop()
            await proxy.start()
            status, body, _ = await _ready(client)
            assert status == 200, body
    await proxy.stop()


async def test_sqlite_unreachable_then_created(tmp_path: Path, sqlite_template: Path) -> None:
    db_path = tmp_path / "missing-dir" / "mtg.db"
    settings = make_settings(f"sqlite+aiosqlite:///{db_path}", tmp_path)
    app = create_app(settings)
    async with LifespanManager(app):  # serve starts although the database cannot be opened
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            status, body, elapsed = await _ready(client)
            assert status == 503 and "database" in body["details"] and elapsed < 2.0
            assert (await client.get("/health")).status_code == 200

            db_path.parent.mkdir()
            shutil.copyfile(sqlite_template, db_path)
            status, body, _ = await _ready(client)
            assert status == 200, body


async def test_behind_on_migrations_names_the_cause(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a database that exists but was never migrated
    settings = make_settings(f"sqlite+aiosqlite:///{path}", tmp_path)
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            status, body, _ = await _ready(client)
            assert status == 503
            assert "migrations" in body["details"] and "mtg-tracker db upgrade" in body["details"]
