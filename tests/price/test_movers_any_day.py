"""Movers for any stored day: a backfill (`prices import`) computes them for its days,
`prices movers --day` recomputes one, and GET /prices/movers?day= serves them."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.cli import app as cli_app
from mtg_tracker.config import Settings, get_settings
from mtg_tracker.kit.db import Database
from support import error_body

API = "/api/v1"
HEADER = "updated_at,set,scryfall_id,name,collector_number,rarity,finish,price_usd,booster_section"
START = date(2026, 1, 1)


async def test_backfilled_days_have_movers(
    client: httpx.AsyncClient, db: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items), price_day=date(2026, 3, 1))
    a, b = items[0]["id"], items[1]["id"]
    lines = [HEADER]
    for n in range(10):
        day = (START + timedelta(days=n)).isoformat()
        lines.append(f"{day}T06:00:00.000Z,abc,{a},A,1,rare,nonfoil,{10 + n}.00,play")  # rises every day
        lines.append(f"{day}T06:00:00.000Z,abc,{b},B,1,rare,nonfoil,{20 - n}.00,play")  # falls every day
    path = tmp_path / "daily.csv"
    path.write_text("\n".join(lines) + "\n")

    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MTG_LOG__LEVEL", "WARNING")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        imported = await asyncio.to_thread(runner.invoke, cli_app, ["prices", "import", str(path)])
        assert imported.exit_code == 0, imported.output
        assert "Movers computed for 10 day(s)" in imported.output

        resp = await client.get(f"{API}/prices/movers", params={"day": "2026-01-08", "window": "7d", "limit": 5})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["date"] == "2026-01-08"
        top = body["data"][0]
        assert top["card"]["id"] == a and Decimal(top["old"]) == 10 and Decimal(top["new"]) == 17
        down = await client.get(
            f"{API}/prices/movers", params={"day": "2026-01-08", "window": "7d", "direction": "down"}
        )
        assert down.json()["data"][0]["card"]["id"] == b
        # A 1-day window on the first day has nothing to compare with; on the second it has.
        first = await client.get(f"{API}/prices/movers", params={"day": "2026-01-01", "window": "1d"})
        assert first.status_code == 200 and first.json()["data"] == []
        newest = (await client.get(f"{API}/prices/movers", params={"window": "1d"})).json()
        assert newest["date"] == "2026-01-10"  # by default the newest day whose movers were computed

        missing = error_body(await client.get(f"{API}/prices/movers", params={"day": "2025-12-01"}), 404)
        assert "prices movers --day 2025-12-01" in missing["details"]
        error_body(await client.get(f"{API}/prices/movers", params={"day": "2026-13-01"}), 400)

        again = await asyncio.to_thread(runner.invoke, cli_app, ["prices", "movers", "--day", "2026-01-05"])
        assert again.exit_code == 0 and "1 day(s)" in again.output, again.output
        nothing = await asyncio.to_thread(runner.invoke, cli_app, ["prices", "movers", "--day", "2025-06-01"])
        assert nothing.exit_code == 1 and "nothing to rank" in nothing.output
        bad = await asyncio.to_thread(runner.invoke, cli_app, ["prices", "movers", "--day", "yesterday"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()
