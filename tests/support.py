"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from mtg_tracker.config import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file of ../shared/data, or a skip with the reason (a clone outside this setup lacks it)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (see shared/data/DATA.md)")
    return path


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "data_dir": tmp_path / "var",
        "scheduler": {"enabled": False},
        "log": {"level": "WARNING", "format": "json"},
        "scryfall": {"offline": True, "download_dir": tmp_path / "bulk"},
        "cache": {"generation_poll_seconds": 0.05},
    }
    values.update(overrides)
    return Settings(**values)


async def wait_for(predicate: Any, timeout: float = 5.0, interval: float = 0.05) -> None:
    """Poll an async predicate; used where behaviour is eventually consistent (cache generations)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if await predicate():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


class FakeTime:
    """A monotonic clock that only moves when something sleeps (or a test advances it)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a suspension point, like the real thing
