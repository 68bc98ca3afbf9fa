"""Every migration runs down to base and up again, on SQLite and PostgreSQL, and leaves no drift."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from mtg_tracker import models  # noqa: F401
from mtg_tracker.kit import migrations
from mtg_tracker.kit.db import Base
from support import make_settings


def _drift(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"include_object": migrations.include_object}), Base.metadata
                )
            )
        await engine.dispose()
        return list(diff)

    return asyncio.run(run())


def test_down_to_base_and_up_again(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path)
    migrations.downgrade(settings, "base")
    migrations.upgrade(settings, "head")
    assert _drift(settings.database_url) == []


def test_upgrade_creates_the_default_var_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` on a fresh clone: ./var does not exist when `db upgrade` first opens the database."""
    monkeypatch.chdir(tmp_path)
    settings = make_settings("sqlite+aiosqlite:///var/mtg.db", tmp_path)
    migrations.upgrade(settings, "head")
    assert (tmp_path / "var" / "mtg.db").is_file()
