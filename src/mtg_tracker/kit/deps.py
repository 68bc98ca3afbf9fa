"""Request-scoped dependencies shared by every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.config import Settings
from mtg_tracker.kit.cache import Cache
from mtg_tracker.kit.db import Database

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Dependencies are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool,
# a thread hop per dependency per request (it cost the cached card endpoint two thirds of its speed).


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_cache(request: Request) -> Cache:
    return request.app.state.cache  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the request is the transaction boundary.

    Runs with ``scope="function"``: the commit happens after the handler returns and before the
    response is sent, so a failed commit is still reported to the client. Safe methods open a deferred
    transaction (no SQLite write lock); the others take the write lock up front.
    """
    db: Database = request.app.state.db
    async with db.session(write=request.method not in _READ_METHODS) as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        if session.in_transaction():
            await session.commit()


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session, served by the read replica when one is configured."""
    db: Database = request.app.state.db
    async with db.session(write=False) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CacheDep = Annotated[Cache, Depends(get_cache)]
