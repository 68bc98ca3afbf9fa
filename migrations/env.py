"""Alembic environment: async engines, batch mode on SQLite so ALTERs work there too."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from mtg_tracker import models  # noqa: F401  (registers every table on Base.metadata)
from mtg_tracker.config import Settings, get_settings, normalise_database_url
from mtg_tracker.kit.db import Base, UTCDateTime
from mtg_tracker.kit.migrations import include_object

config = context.config
settings: Settings = config.attributes.get("settings") or get_settings()
url = normalise_database_url(config.get_main_option("sqlalchemy.url") or settings.database_url)
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our column types as plain SQLAlchemy ones so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: object | None = None) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        url=None if connection is not None else url,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=_render_item,
        include_object=include_object,
        compare_type=True,
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure()
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: object) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
