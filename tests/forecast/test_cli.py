"""``mtg-tracker forecast train|backtest|list`` on real cards and prices."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from mtg_tracker.cli import app as cli_app
from mtg_tracker.config import Settings, get_settings


async def test_train_backtest_list(
    settings: Settings, priced: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MTG_LOG__LEVEL", "WARNING")
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps its tables to the terminal width
    monkeypatch.setenv("MTG_FORECAST__MAX_ITER", "4")
    monkeypatch.setenv("MTG_FORECAST__MAX_ROWS", "5000")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        bt = await asyncio.to_thread(runner.invoke, cli_app, ["forecast", "backtest", "--out", str(tmp_path / "bt")])
        assert bt.exit_code == 0, bt.output
        body = orjson.loads((tmp_path / "bt" / "report.json").read_bytes())
        assert set(body["models"]) == {"gbm_quantile", "persistence", "seasonal_naive"}
        assert body["models"]["persistence"]["h7"]["all"]["mase"] == 1.0
        assert (tmp_path / "bt" / "error_by_horizon.png").read_bytes().startswith(b"\x89PNG")
        assert "## Horizon 7 days" in (tmp_path / "bt" / "report.md").read_text()

        train = await asyncio.to_thread(runner.invoke, cli_app, ["forecast", "train"])
        assert train.exit_code == 0, train.output
        assert "Model 1 " in train.output and ("promoted" in train.output or "refused" in train.output)
        assert (tmp_path / "data" / "forecast" / "v1" / "report.json").is_file()

        listed = await asyncio.to_thread(runner.invoke, cli_app, ["forecast", "list"])
        assert listed.exit_code == 0, listed.output
        assert "2026-01-19 → 2026-02-14" in listed.output

        bad = await asyncio.to_thread(runner.invoke, cli_app, ["forecast", "train", "--end", "2026-01-25"])
        assert bad.exit_code == 1 and "needs" in bad.output
        worse = await asyncio.to_thread(runner.invoke, cli_app, ["forecast", "train", "--end", "soon"])
        assert worse.exit_code == 2 and "YYYY-MM-DD" in worse.output
    finally:
        get_settings.cache_clear()
