"""Test fixtures: every database test runs on SQLite and, when MTG_TEST_DATABASE_URL is set, PostgreSQL.

Isolation: SQLite tests get a fresh copy of a migrated template file; PostgreSQL tests share one
migrated database per session and have every table truncated after each test. When a test URL is set
but its server is unreachable the run fails: a skipped PostgreSQL suite in CI would hide real bugs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import create_engine, text

from mtg_tracker.config import Settings
from mtg_tracker.kit import migrations
from mtg_tracker.kit.db import Base, Database
from mtg_tracker.main import create_app
from support import make_settings, scratch_pg_database, worker_redis_url

PG_URL = os.environ.get("MTG_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("MTG_TEST_REDIS_URL")

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def _sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+psycopg", "+psycopg")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(Settings(database_url=f"sqlite+aiosqlite:///{path}", environment="test"))
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this session, dropped at the end."""
    if not PG_URL:
        pytest.skip("MTG_TEST_DATABASE_URL not set: PostgreSQL tests run in CI")
    with scratch_pg_database(PG_URL, "mtg_test") as url:
        migrations.upgrade(Settings(database_url=url, environment="test"))
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_database")
    yield url
    _truncate_all(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(_sync_url(url))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        if tables:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30) as manager:
        yield manager.app


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
def real_catalog_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The real 2019 catalog, imported once per backend for the session; use ``realcatalog.catalogs``."""
    import realcatalog

    yield from realcatalog.templates(tmp_path_factory)


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> str:
    if not REDIS_URL:
        pytest.skip("MTG_TEST_REDIS_URL not set")
    import redis

    url = worker_redis_url(REDIS_URL, worker_id)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.fail(f"MTG_TEST_REDIS_URL is set but Redis is unreachable: {exc}", pytrace=False)
    return url
