"""The SQLite library in use, the oldest one accepted, and what a too-old one gets: a refusal at start-up."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtg_tracker.kit import sqlitelib


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("3.40.1", False),  # Debian 12: crashes on `🔥?🔥🔥«🔥`
        ("3.39.4", False),
        ("3.40.0", False),
        ("3.41.0", True),  # the first release that answers []
        ("3.41.2", True),
        ("3.53.4", True),
        ("4.0.0", True),
        ("3.100.0", True),
    ],
)
def test_minimum_version(version: str, supported: bool) -> None:
    assert sqlitelib.is_supported(version) is supported


def test_the_process_runs_on_a_supported_library() -> None:
    driver, version = sqlitelib.check()
    assert sqlitelib.is_supported(version)
    if sys.platform == "linux" and platform.machine() == "x86_64":
        # pysqlite3 is a dependency on this platform: its bundled SQLite is the one in use.
        assert driver == "pysqlite3", (driver, version)


def test_too_old_a_library_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlitelib, "library", lambda: ("sqlite3", "3.40.1"))
    with pytest.raises(sqlitelib.UnsupportedSQLiteError, match=r"3\.40\.1.*older than 3\.41\.0.*pysqlite3"):
        sqlitelib.check()


def test_the_cli_refuses_to_start_on_too_old_a_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from mtg_tracker.cli import app
    from mtg_tracker.config import get_settings

    monkeypatch.setattr(sqlitelib, "library", lambda: ("sqlite3", "3.40.1"))
    monkeypatch.setenv("MTG_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Unsupported SQLite" in result.output and "3.41.0" in result.output
    assert not (tmp_path / "x.db").exists()


def test_the_bundled_library_replaces_sqlite3_before_anything_imports_it() -> None:
    code = "import mtg_tracker, sqlite3, aiosqlite.core; print(sqlite3.__name__, aiosqlite.core.sqlite3.sqlite_version)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from mtg_tracker.kit.sqlitelib import is_supported

    assert is_supported(out[1]), out
