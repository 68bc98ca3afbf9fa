"""Alembic, driven from code so that ``mtg-tracker db …`` and readiness agree on one configuration."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from mtg_tracker.config import Settings
from mtg_tracker.kit import sqlitelib
from mtg_tracker.kit.db import Database, ensure_sqlite_dir

# Structures the ORM metadata cannot describe (SQLite FTS5 tables, pg_trgm GIN indexes): made by hand in
# migrations, and left alone by autogenerate and by drift checks.
HAND_MADE_PREFIXES = ("catalog_card_text_fts", "ix_catalog_card_text_trgm_")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` hook: skip the hand-made search structures."""
    return not (name or "").startswith(HAND_MADE_PREFIXES)


def migrations_dir() -> Path:
    """The repository's ``migrations/`` in a checkout, the packaged copy in an installed wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "migrations", here.parents[1] / "_migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise RuntimeError("migrations directory not found; is the package installed correctly?")


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    cfg.attributes["settings"] = settings
    return cfg


@lru_cache
def head_revisions() -> frozenset[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


@lru_cache
def known_revisions() -> frozenset[str]:
    """Every revision the code knows: a database (or backup) at any other revision is newer than the code."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return frozenset(rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions())


async def current_revisions(db: Database) -> frozenset[str]:
    try:
        async with db.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except (OperationalError, ProgrammingError) as exc:
        if "alembic_version" in str(exc):  # a database never migrated
            return frozenset()
        raise
    return frozenset(r[0] for r in rows)


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.database_url.startswith("sqlite"):
        sqlitelib.check()
        ensure_sqlite_dir(settings.database_url)  # `make run` on a fresh clone migrates before anything opens it
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)
