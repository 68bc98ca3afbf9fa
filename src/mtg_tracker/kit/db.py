"""Database engines, sessions and the declarative base.

SQLite (embedded default) and PostgreSQL (scaled) behind one async API. On SQLite writers take the
lock up front with ``BEGIN IMMEDIATE``: a deferred transaction that later upgrades to a writer can fail
with SQLITE_BUSY without waiting for busy_timeout, which shows up as random 500s under load.

The serving engines never create a SQLite file (only ``db upgrade`` does): a database moved away while
serving used to be replaced by an empty one that answered "no such table". Each pooled connection
remembers which file it opened, and is dropped at checkout when the path now names another file or none,
so a restored or returned database is picked up without a restart and a missing one fails fast (503).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from mtg_tracker.config import Settings
from mtg_tracker.kit import metrics, sqlitelib

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on both backends (SQLite stores naive text and forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """The engines of one process: the primary (reads and writes) and an optional read replica."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.database_url
        self.is_sqlite = self.url.startswith("sqlite")
        self.sqlite_path = sqlite_file(self.url) if self.is_sqlite else None
        if self.is_sqlite or (settings.read_database_url or "").startswith("sqlite"):
            sqlitelib.check()
        self.engine = _create_engine(self.url, settings, role="primary")
        self.read_engine = (
            _create_engine(settings.read_database_url, settings, role="replica")
            if settings.read_database_url
            else self.engine
        )
        self._sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_sessionmaker = async_sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False, autoflush=False
        )
        self._read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    def session(self, *, write: bool = True) -> AsyncSession:
        """A new session; ``write=False`` may use the replica and never takes SQLite's write lock."""
        return self._write_sessionmaker() if write else self._read_sessionmaker()

    def primary_session(self) -> AsyncSession:
        """A read session on the primary: for checks that must see the latest write (credentials)."""
        return self._sessionmaker()

    @asynccontextmanager
    async def session_scope(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """The transaction boundary for jobs and the CLI: commit on success, roll back on error."""
        async with self.session(write=write) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self, timeout: float) -> float:
        """``SELECT 1`` within ``timeout`` seconds; returns the latency in ms or raises."""
        start = time.perf_counter()

        async def _check() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        await asyncio.wait_for(_check(), timeout=timeout)
        return (time.perf_counter() - start) * 1000

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def _create_engine(url: str, settings: Settings, *, role: str) -> AsyncEngine:
    db = settings.db
    kwargs: dict[str, Any] = {"echo": db.echo, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": db.sqlite_busy_timeout_ms / 1000}
        kwargs["pool_size"] = 5
        kwargs["max_overflow"] = 10
        kwargs["pool_timeout"] = db.pool_timeout_seconds
        engine = create_async_engine(url, **kwargs)
        _install_sqlite_hooks(engine.sync_engine, settings, sqlite_file(url))
        pool_max = 15
    else:
        options = f"-c statement_timeout={db.statement_timeout_ms}" if db.statement_timeout_ms else ""
        kwargs["connect_args"] = {
            "connect_timeout": max(1, int(db.connect_timeout_seconds)),
            "options": options,
            "application_name": f"mtg-tracker-{role}",
        }
        kwargs["pool_size"] = db.pool_size
        kwargs["max_overflow"] = db.max_overflow
        kwargs["pool_timeout"] = db.pool_timeout_seconds
        engine = create_async_engine(url, **kwargs)
        pool_max = db.pool_size + db.max_overflow
    _install_pool_metrics(engine.sync_engine, pool_max=pool_max, role=role)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for in-memory databases and ``file:`` URIs)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def ensure_sqlite_dir(url: str) -> None:
    """Create ./var for the default embedded database (a fresh clone has none)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).expanduser().parent
        # Creating ./var on first run is what "make run on a fresh clone" needs; a configured path whose
        # parent does not exist is left alone so that readiness reports the real problem.
        if parent == Path("var") or parent == Path("./var"):
            parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: Engine, settings: Settings, path: Path | None) -> None:
    busy_ms = settings.db.sqlite_busy_timeout_ms
    timeout_ms = settings.db.statement_timeout_ms

    if path is not None:

        @event.listens_for(engine, "do_connect")
        def _open_existing(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
            # mode=rw: open the database or fail; never create an empty one in its place.
            cargs[:] = [path.as_uri() + "?mode=rw"]
            cparams["uri"] = True

        @event.listens_for(engine, "checkout")
        def _same_file(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
            opened = record.info.get("mtg_file")
            if opened is not None and _file_identity(path) != opened:
                # The pool invalidates the connection and opens a new one on whatever the path names now.
                raise DisconnectionError(f"{path} was moved or replaced since this connection opened it")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN below is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()
        _install_sqlite_regexp(dbapi_conn)
        if path is not None:
            record.info["mtg_file"] = _file_identity(path)
        if timeout_ms:
            record.info["mtg_deadline"] = _install_sqlite_statement_timeout(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if timeout_ms:

        @event.listens_for(engine, "before_cursor_execute")
        def _arm_deadline(conn: Any, _cur: Any, _stmt: str, _params: Any, _ctx: Any, _many: bool) -> None:
            # The deadline stays armed while rows are fetched lazily; the next statement re-arms it.
            state = conn.info.get("mtg_deadline")
            if state is not None:
                limit_ms = conn.get_execution_options().get("statement_timeout_ms", timeout_ms)
                state[0] = time.monotonic() + limit_ms / 1000 if limit_ms else 0.0


@lru_cache(maxsize=256)
def _compiled_regex(pattern: str) -> Any:
    import re2  # RE2: linear-time matching, so no pattern can backtrack for minutes inside one row

    options = re2.Options()
    options.case_sensitive = False
    options.never_nl = False
    options.max_mem = 8 << 20
    return re2.compile("(?m)" + pattern, options)


def _regexp(pattern: str | None, value: str | None) -> bool | None:
    """SQLite's ``x REGEXP y`` calls ``regexp(y, x)``: case-insensitive, ``^``/``$`` match at lines."""
    if pattern is None or value is None:
        return None
    try:
        compiled = _compiled_regex(pattern)
    except Exception:  # noqa: BLE001 - an invalid pattern matches nothing rather than failing the query
        return False
    return compiled.search(value) is not None


def _install_sqlite_regexp(dbapi_conn: Any) -> None:
    from sqlalchemy.util import await_

    aio_conn = dbapi_conn.driver_connection  # aiosqlite.Connection
    await_(aio_conn.create_function("regexp", 2, _regexp, deterministic=True))


def _install_sqlite_statement_timeout(dbapi_conn: Any) -> list[float]:
    """Interrupt a statement that runs past its deadline, so no query can stall a worker.

    aiosqlite runs each connection on its own thread; SQLite calls the progress handler every N virtual
    machine steps on that thread, and a non-zero return aborts the statement with "interrupted". The
    returned one-element list holds the deadline; ``before_cursor_execute`` arms it per statement.
    """
    from sqlalchemy.util import await_

    deadline = [0.0]

    def handler() -> int:
        return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

    aio_conn = dbapi_conn.driver_connection  # aiosqlite.Connection
    await_(aio_conn.set_progress_handler(handler, 20_000))
    return deadline


def _install_pool_metrics(engine: Engine, *, pool_max: int, role: str) -> None:
    metrics.DB_CONNECTIONS_MAX.labels(role=role).set(pool_max)
    active = metrics.DB_CONNECTIONS_ACTIVE.labels(role=role)

    @event.listens_for(engine, "checkout")
    def _checkout(*_: Any) -> None:
        active.inc()

    @event.listens_for(engine, "checkin")
    def _checkin(*_: Any) -> None:
        active.dec()


# PostgreSQL's undefined_table / undefined_column: the schema is behind the code (SQLite says "no such …").
_SCHEMA_BEHIND_SQLSTATES = frozenset({"42P01", "42703"})


def unavailable_reason(exc: BaseException) -> str | None:
    """Why a database failure means "unavailable, try again" (503) rather than a bug (500); None for bugs.

    Unreachable or missing databases, exhausted pools, locks held past the busy timeout and schemas behind
    the code are the operator's to fix and the client's to retry; a constraint violation or bad SQL is ours.
    """
    if isinstance(exc, sa_exc.TimeoutError):
        return "The database is busy (no connection free); try again shortly."
    if isinstance(exc, DisconnectionError):
        return "The database is unreachable; try again shortly."
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    message = str(exc.orig).lower()
    if "no such table" in message or getattr(exc.orig, "sqlstate", None) in _SCHEMA_BEHIND_SQLSTATES:
        return "The database is not at this version's schema (run `mtg-tracker db upgrade`); try again shortly."
    if exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return "The database is unavailable; try again shortly."
    return None


def dialect_insert(session_or_conn: AsyncSession | Any) -> Any:
    """The dialect's INSERT (with ``on_conflict_*``): both SQLite and PostgreSQL speak ON CONFLICT, but
    SQLAlchemy exposes it per dialect."""
    bind = session_or_conn.get_bind() if isinstance(session_or_conn, AsyncSession) else session_or_conn
    name = bind.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert
