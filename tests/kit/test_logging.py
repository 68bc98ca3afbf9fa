"""Log format: console on a terminal, JSON otherwise; no locals in tracebacks; `serve` starts without
Alembic's plugin chatter."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mtg_tracker.kit import logging as kit_logging


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("fmt", "stream", "expected"),
    [
        ("auto", _Terminal(), "console"),
        ("auto", io.StringIO(), "json"),
        ("auto", object(), "json"),  # a stream without isatty is no terminal
        ("json", _Terminal(), "json"),
        ("console", io.StringIO(), "console"),
    ],
)
def test_resolve_format(fmt: str, stream: object, expected: str) -> None:
    assert kit_logging.resolve_format(fmt, stream) == expected  # type: ignore[arg-type]


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(kit_logging, "_configured", None)
    yield
    monkeypatch.undo()  # the real stderr back before the app's configuration is restored
    kit_logging._configured = None
    kit_logging.configure_logging("WARNING", "json")


def _emit(stream: io.StringIO, monkeypatch: pytest.MonkeyPatch, fmt: str) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    kit_logging.configure_logging("INFO", fmt)
    secret = "-".join(("hunter2", "in", "a", "local"))  # noqa: F841 - a value only a shown local would reveal
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("mtg_tracker.test").exception("it_failed")
    logging.getLogger("alembic.runtime.plugins").info(" ".join(("setup", "plugin", "alembic.autogenerate")))
    return stream.getvalue()


def test_auto_is_json_when_not_a_terminal(fresh_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _emit(io.StringIO(), monkeypatch, "auto")
    (line,) = out.splitlines()  # one line: the plugin chatter is silenced
    record = json.loads(line)
    assert record["event"] == "it_failed" and record["exception"][0]["exc_type"] == "ValueError"
    assert "hunter2-in-a-local" not in out and "locals" not in out


def test_auto_is_console_on_a_terminal(fresh_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _emit(_Terminal(), monkeypatch, "auto")
    assert "it_failed" in out and "ValueError" in out and not out.lstrip().startswith("{")
    assert "hunter2-in-a-local" not in out and "setup plugin alembic" not in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_starts_without_alembic_plugin_lines(tmp_path: Path, sqlite_template: Path) -> None:
    db = tmp_path / "mtg.db"
    shutil.copyfile(sqlite_template, db)
    port = _free_port()
    env = {
        **os.environ,
        "MTG_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "MTG_DATA_DIR": str(tmp_path / "var"),
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_LOG__LEVEL": "INFO",
    }
    env.pop("MTG_LOG__FORMAT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mtg_tracker", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline and proc.poll() is None, "serve did not start"
            time.sleep(0.2)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    lines = err.decode().splitlines()
    assert lines and all(json.loads(line) for line in lines)  # stderr is a pipe: JSON, one object a line
    assert not [line for line in lines if "alembic" in line], lines
    assert any('"app_started"' in line for line in lines)
