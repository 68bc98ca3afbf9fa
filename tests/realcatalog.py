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


def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The real catalog imported once per backend for the whole session (per xdist worker): the
    templates every module copies. Importing is the expensive part (~30 s a backend); copying a SQLite
    file or cloning a PostgreSQL database from a template takes a second or two."""
    shared_data("cards", "scryfall-default-cards-2019.json.gz")  # skip early when absent
    urls = {"sqlite": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('real-template') / 'real.db'}"}
    _import(urls["sqlite"])
    if not PG_URL:
        yield urls
        return
    with scratch_pg_database(PG_URL, "mtg_realtpl") as url:
        _import(url)
        urls["postgresql"] = url
        yield urls


def catalogs(tmp_path_factory: pytest.TempPathFactory, templates: dict[str, str]) -> Iterator[dict[str, str]]:
    """A module's own copy of the real catalog on every backend (tests may write to it)."""
    folder = tmp_path_factory.mktemp("real")
    copy = folder / "real.db"
    shutil.copyfile(templates["sqlite"].removeprefix("sqlite+aiosqlite:///"), copy)
    urls = {"sqlite": f"sqlite+aiosqlite:///{copy}"}
    if "postgresql" not in templates:
        yield urls
        shutil.rmtree(folder, ignore_errors=True)
        return
    with scratch_pg_database(PG_URL or "", "mtg_real", template=templates["postgresql"]) as url:
        urls["postgresql"] = url
        yield urls
    shutil.rmtree(folder, ignore_errors=True)


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
