"""Which SQLite library this process runs on, and the oldest one it accepts.

SQLite before 3.41.0 dies with SIGSEGV on an FTS5 trigram ``GLOB`` whose pattern holds a character class
among multi-byte characters (``*🔥[?]🔥🔥«🔥*``): one unauthenticated search took every worker down on
Debian 12's 3.40.1. Bisected with the SQLite builds bundled in apsw's wheels: 3.39.4, 3.40.0 and 3.40.1
crash, 3.41.0 and every later release answer ``[]``. Three defences, each sufficient for that crash:

- where a ``pysqlite3`` wheel exists (Linux x86_64, macOS arm64, Windows; a dependency there), ``import
  sqlite3`` means it for the whole process, so aiosqlite, SQLAlchemy and Alembic all run on its bundled,
  current SQLite instead of the operating system's;
- any library older than :data:`MINIMUM` is refused at start-up (:func:`check`), with what to do;
- the search compiler keeps user text out of ``GLOB`` patterns altogether (see ``search.compiler``).

:func:`use_bundled` must run before anything imports ``sqlite3``; the package's ``__init__`` calls it.
"""

from __future__ import annotations

import sys
from types import ModuleType

MINIMUM: tuple[int, int, int] = (3, 41, 0)
MINIMUM_TEXT = ".".join(map(str, MINIMUM))


class UnsupportedSQLiteError(RuntimeError):
    """The SQLite library is older than :data:`MINIMUM`."""


def use_bundled() -> str:
    """Make ``sqlite3`` resolve to pysqlite3 when it is installed; returns the driver in use.

    Only before the interpreter's own module was imported: swapping afterwards would leave modules that
    already hold it (aiosqlite, say) on the old library while SQLAlchemy catches the new one's exception
    classes. In that case the start-up version check decides instead.
    """
    current = sys.modules.get("sqlite3")
    if current is not None:
        return _driver_name(current)
    try:
        import pysqlite3
        import pysqlite3.dbapi2
    except ImportError:
        return "sqlite3"
    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
    return "pysqlite3"


def _driver_name(module: ModuleType) -> str:
    return "pysqlite3" if module.__name__.startswith("pysqlite3") else "sqlite3"


def library() -> tuple[str, str]:
    """(driver, SQLite version) of the library that aiosqlite opens connections with."""
    import aiosqlite.core

    module: ModuleType = getattr(aiosqlite.core, "sqlite3")  # noqa: B009 - the module aiosqlite connects with
    return _driver_name(module), str(module.sqlite_version)


def parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def is_supported(version: str) -> bool:
    return parse_version(version) >= MINIMUM


def check() -> tuple[str, str]:
    """Refuse a SQLite older than :data:`MINIMUM`; returns (driver, version) when it is fine."""
    driver, version = library()
    if not is_supported(version):
        raise UnsupportedSQLiteError(
            f"SQLite {version} (through {driver}) is older than {MINIMUM_TEXT}, the oldest this service runs on: "
            "older releases crash the process on some search patterns. Install a current SQLite "
            "(`pip install pysqlite3` where it has a wheel, or a Python built against SQLite "
            f">= {MINIMUM_TEXT}), or use PostgreSQL."
        )
    return driver, version
