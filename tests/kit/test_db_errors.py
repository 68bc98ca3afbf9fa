"""Which database failures are the client's to retry (503) and which are bugs (500)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa_exc

from mtg_tracker.kit.db import unavailable_reason


class _PgError(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _wrap(kind: type[sa_exc.DBAPIError], orig: Exception, invalidated: bool = False) -> sa_exc.DBAPIError:
    return kind("SELECT 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sa_exc.TimeoutError("QueuePool limit reached"), "busy"),
        (sa_exc.DisconnectionError("moved"), "unreachable"),
        (_wrap(sa_exc.OperationalError, sqlite3.OperationalError("unable to open database file")), "unavailable"),
        (_wrap(sa_exc.OperationalError, sqlite3.OperationalError("database is locked")), "unavailable"),
        (_wrap(sa_exc.OperationalError, sqlite3.OperationalError("no such table: catalog_card")), "schema"),
        (_wrap(sa_exc.ProgrammingError, _PgError('relation "x" does not exist', "42P01")), "schema"),
        (_wrap(sa_exc.InterfaceError, _PgError("connection already closed", "08003")), "unavailable"),
        (
            _wrap(sa_exc.DatabaseError, _PgError("server closed the connection", "08006"), invalidated=True),
            "unavailable",
        ),
        (_wrap(sa_exc.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")), None),
        (_wrap(sa_exc.ProgrammingError, _PgError("syntax error at or near", "42601")), None),
        (ValueError("not a database error"), None),
    ],
)
def test_unavailable_reason(error: BaseException, expected: str | None) -> None:
    reason = unavailable_reason(error)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason and "try again" in reason
