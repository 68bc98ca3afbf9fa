"""Hostile unicode against a real server process: a crash (SQLite once died with SIGSEGV on `🔥?🔥🔥«🔥`)
fails this test instead of killing the test runner, and every answer is 200, 400 or 404.

Also the compiled search on the interpreter's own SQLite in a child: however old that library is, user
text must never reach a construct that crashed it (the GLOB character class of SQLite < 3.41).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fuzzqueries import BLOCKER, fuzz_queries, invalid_utf8_query_strings
from mtg_tracker.config import Settings
from mtg_tracker.kit import migrations
from support import scratch_pg_database

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("MTG_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]

MTG = Path(sys.executable).with_name("mtg-tracker")
FUZZ_QUERIES = 10_000
ROUTES = ["/api/v1/cards/search", "/api/v1/cards/random"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "MTG_DATABASE_URL": db_url,
        "MTG_RATE_LIMIT__ENABLED": "false",
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_ENVIRONMENT": "test",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_SEARCH__CACHE_RESULTS": "false",
        "MTG_DATA_DIR": str(tmp_path / "var"),
        "MTG_LOG__LEVEL": "WARNING",
        "MTG_LOG__FORMAT": "json",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def _describe_exit(proc: subprocess.Popen[bytes], log: Path) -> str:
    code = proc.returncode
    how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}"
    return f"server {how}; last log lines:\n{log.read_text(errors='replace')[-2000:]}"


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    with _database(request.param, tmp_path) as db_url:
        env = _env(db_url, tmp_path)
        migrations.upgrade(Settings(database_url=db_url, environment="test"))
        subprocess.run([str(MTG), "catalog", "load-demo"], env=env, check=True, capture_output=True, timeout=120)
        port = _free_port()
        log = tmp_path / "server.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen([str(MTG), "serve", "--port", str(port)], env=env, stdout=sink, stderr=sink)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    pytest.fail(_describe_exit(proc, log))
                try:
                    if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("server not healthy after 30 s")
                time.sleep(0.2)
            yield base, proc, log
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class _database:
    """A migrated database of the backend for one test (a context manager)."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend, self.tmp_path = backend, tmp_path
        self._pg: object | None = None

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp_path / 'fuzz.db'}"
        assert PG_URL
        self._pg = scratch_pg_database(PG_URL, "mtg_fuzz")
        return self._pg.__enter__()  # type: ignore[attr-defined,no-any-return]

    def __exit__(self, *exc: object) -> None:
        if self._pg is not None:
            self._pg.__exit__(*exc)  # type: ignore[attr-defined]


def _check(resp: httpx.Response, what: str) -> None:
    assert resp.status_code in (200, 400, 404), f"{what}: {resp.status_code} {resp.text[:300]}"
    if resp.status_code != 200:
        body = resp.json()
        assert body["object"] == "error" and body["status"] == resp.status_code, f"{what}: {body}"


def test_hostile_unicode_never_crashes_the_server(server: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    base, proc, log = server

    def ask(client: httpx.Client, route: str, q: str) -> None:
        try:
            resp = client.get(route, params={"q": q})
        except httpx.TransportError as exc:
            proc.wait(timeout=5)
            pytest.fail(f"{route} q={q!r}: {exc}; {_describe_exit(proc, log)}")
        _check(resp, f"{route} q={q!r}")

    with httpx.Client(base_url=base, timeout=30) as client:
        for route in ROUTES:
            for q in (BLOCKER, f"o:{BLOCKER}", f"t:{BLOCKER}"):
                ask(client, route, q)
        queries = fuzz_queries(seed=13, count=FUZZ_QUERIES)
        # A few clients at once: the server has two cores, and concurrency is how it is used anyway.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda iq: ask(client, ROUTES[iq[0] % 7 == 0], iq[1]), enumerate(queries)))
        for raw in invalid_utf8_query_strings(seed=13, count=200):
            # Starlette decodes a query string leniently (U+FFFD for bad bytes): any answer but a 5xx.
            resp = client.get(f"/api/v1/cards/search?q={raw}")
            _check(resp, f"q={raw}")
    assert proc.poll() is None, _describe_exit(proc, log)


OLD_LIBRARY_SCRIPT = textwrap.dedent(
    """
    import sqlite3  # the interpreter's own library, imported first so the package keeps it
    import asyncio, sys
    sys.path.insert(0, sys.argv[2])
    from mtg_tracker.kit import sqlitelib
    sqlitelib.MINIMUM = (0, 0, 0)  # run on it however old it is: this test is about what reaches it
    from mtg_tracker.config import Settings
    from mtg_tracker.kit.db import Database
    from mtg_tracker.search import service
    from mtg_tracker.kit.errors import AppError
    from fuzzqueries import fuzz_queries

    async def main():
        assert sqlitelib.library()[0] == "sqlite3", sqlitelib.library()
        print("library", sqlite3.sqlite_version, flush=True)
        db = Database(Settings(database_url=sys.argv[1], environment="test"))
        answered = 0
        for q in fuzz_queries(seed=29, count=int(sys.argv[3])):
            async with db.session(write=False) as session:
                try:
                    await service.search(session, q)
                except AppError:
                    pass
            answered += 1
        await db.dispose()
        print("answered", answered, flush=True)

    asyncio.run(main())
    """
)


def test_search_on_the_interpreters_own_sqlite_in_a_child(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    env = _env(db_url, tmp_path)
    migrations.upgrade(Settings(database_url=db_url, environment="test"))
    subprocess.run([str(MTG), "catalog", "load-demo"], env=env, check=True, capture_output=True, timeout=120)
    script = tmp_path / "old_library.py"
    script.write_text(OLD_LIBRARY_SCRIPT)
    count = 2_000
    done = subprocess.run(
        [sys.executable, str(script), db_url, str(Path(__file__).parents[1]), str(count)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    how = f"killed by {signal.Signals(-done.returncode).name}" if done.returncode < 0 else f"exit {done.returncode}"
    assert done.returncode == 0, f"child {how}\n{done.stdout[-1000:]}\n{done.stderr[-3000:]}"
    assert f"answered {count}" in done.stdout, done.stdout
