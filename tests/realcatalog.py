"""The real 2019 catalog (45,851 printings) imported once per test module and backend.

Sync fixtures around ``asyncio.run`` keep module scope simple; tests open their own ``Database`` on the
URL. The PostgreSQL copy lives in its own database, dropped when the module ends.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.catalog.models import Card
from mtg_tracker.config import Settings
from mtg_tracker.kit import migrations
from mtg_tracker.kit.db import Database
from mtg_tracker.search import compiler
from mtg_tracker.search.compiler import Options
from mtg_tracker.search.parser import parse
from support import scratch_pg_database, shared_data

PG_URL = os.environ.get("MTG_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def _import(url: str) -> None:
    settings = Settings(database_url=url, environment="test")
    migrations.upgrade(settings)

    async def run() -> None:
        db = Database(settings)
        try:
            # Sets first, as a sync does: block and set-type searches read them.
            await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
            await import_cards(db, shared_data("cards", "scryfall-default-cards-2019.json.gz"))
        finally:
            await db.dispose()

    asyncio.run(run())


def sqlite_catalog(tmp: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp / 'real.db'}"
    _import(url)
    return url


def pg_catalog() -> Iterator[str]:
    assert PG_URL
    with scratch_pg_database(PG_URL, "mtg_search") as url:
        _import(url)
        yield url


def catalogs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    shared_data("cards", "scryfall-default-cards-2019.json.gz")  # skip early when absent
    urls = {"sqlite": sqlite_catalog(tmp_path_factory.mktemp("real"))}
    if PG_URL:
        gen = pg_catalog()
        urls["postgresql"] = next(gen)
        yield urls
        shutil.rmtree(tmp_path_factory.getbasetemp() / "real", ignore_errors=True)
        next(gen, None)
    else:
        yield urls


async def names(url: str, q: str, **options: Any) -> list[str]:
    """Every card a search finds, in display order (all pages), as names."""
    return [n for _, n in await printings(url, q, **options)]


async def printings(url: str, q: str, **options: Any) -> list[tuple[uuid.UUID, str]]:
    db = Database(Settings(database_url=url, environment="test"))
    try:
        dialect = db.engine.dialect.name
        query = parse(q)
        assert not query.warnings, query.warnings
        plan = compiler.plan(query, dialect, Options(**options))
        stmt = compiler.page_statement(plan, dialect, page=1, page_size=1_000_000)
        by_id: dict[uuid.UUID, str] = {}
        async with db.session(write=False) as session:
            ids = [r[0] for r in await session.execute(stmt)]
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                by_id.update((await session.execute(select(Card.id, Card.name).where(Card.id.in_(chunk)))).all())
        return [(i, by_id[i]) for i in ids]
    finally:
        await db.dispose()
