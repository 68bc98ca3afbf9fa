"""Acceptance 1 on real data: the 2019 catalog and 27 real days of daily USD prices, the newest 7 withheld.

The database holds 2026-01-19 → 2026-02-07 (20 days). The training job judges and promotes a model on
that history alone; the promoted model is then scored on the 7 withheld days (targets 2026-02-08 →
2026-02-14, origins inside the stored history) against persistence on the same rows. Nothing was tuned
on the withheld days; the numbers per band are printed (``-s``) and recorded in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import csv
import lzma
import uuid
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.config import ForecastSettings
from mtg_tracker.forecast import service
from mtg_tracker.forecast.backtest import rolling_origin
from mtg_tracker.forecast.forecasters import Persistence
from mtg_tracker.forecast.panel import Panel
from mtg_tracker.kit.db import Database
from mtg_tracker.price.backfill import import_csv
from support import shared_data

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.acceptance]

WITHHELD_FROM = date(2026, 2, 8)
LAST = date(2026, 2, 14)


def _stored_part(src: Path, out: Path) -> Path:
    with lzma.open(src, "rt", encoding="utf-8", newline="") as f, out.open("w", newline="") as g:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(g, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if date.fromisoformat(row["updated_at"][:10]) < WITHHELD_FROM:
                writer.writerow(row)
    return out


@pytest.mark.xfail(
    strict=True,
    reason="acceptance 1 not met yet: the promoted model's 7-day MAE on the withheld week was 0.5257 against "
    "persistence's 0.5252 (MASE 1.0011, coverage 81.8 %); see docs/BENCHMARKS.md. Strict: passing is news.",
)
async def test_promoted_model_beats_persistence_on_withheld_days(db: Database, tmp_path: Path) -> None:
    catalog = shared_data("cards", "scryfall-default-cards-2019.json.gz")
    prices = shared_data("prices", "daily-usd-2026-01-19_2026-02-14.csv.xz")
    await import_cards(db, catalog, price_day=date(2019, 10, 1))
    await import_csv(db, _stored_part(prices, tmp_path / "stored.csv"))

    # The 7-day horizon only: acceptance is about it, and the promotion rule would refuse a model that
    # loses at any trained horizon (at 1 day persistence is as good as anything we measured).
    settings = ForecastSettings(horizons=[7], backtest_days=4, calibration_days=2, max_iter=60, max_rows=200_000)
    async with db.session_scope() as session:
        result = await service.train(session, settings)
    print("\nregistry verdict:", result.status, result.reason)
    assert result.status == "promoted", result.reason

    # The withheld days, read from the file only now, extend the stored panel.
    async with db.session(write=False) as session:
        stored = await service.load_panel(session, end=WITHHELD_FROM - timedelta(days=1), days=20)
        _, model = await service.current_model(session)
    index = {key: i for i, key in enumerate(stored.keys)}
    finishes = {"nonfoil": "nonfoil", "foil": "foil", "etched": "etched"}
    extra = (LAST - WITHHELD_FROM).days + 1
    logp = stored.logp.copy()
    logp = __import__("numpy").concatenate(
        [logp, __import__("numpy").full((logp.shape[0], extra), float("nan"))], axis=1
    )
    with lzma.open(prices, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            day = date.fromisoformat(row["updated_at"][:10])
            i = index.get((uuid.UUID(row["scryfall_id"]), finishes[row["finish"]]))
            if day >= WITHHELD_FROM and i is not None and float(row["price_usd"]) > 0:
                logp[i, stored.n_days + (day - WITHHELD_FROM).days] = __import__("math").log(float(row["price_usd"]))
    full = Panel(stored.start, stored.keys, logp, stored.cards)
    targets = range(stored.n_days, full.n_days)
    persistence = Persistence((7,)).fit(stored, stored.n_days - 1)
    report = rolling_origin(full, [model, persistence], [7], targets)
    (tmp_path / "withheld.json").write_bytes(orjson.dumps(report))
    for h in ("h7",):
        m = report["gbm_quantile"][h]
        print(
            f"{h}: MAE {m['all']['mae']:.4f} vs persistence {m['all']['persistence_mae']:.4f} "
            f"(MASE {m['all']['mase']:.4f}), coverage {m['all']['coverage']:.3f}, n {m['all']['n']}"
        )
        for band, b in m["bands"].items():
            print(f"   {band}: MASE {b['mase']}, coverage {b['coverage']}, n {b['n']}")
    h7 = report["gbm_quantile"]["h7"]["all"]
    assert h7["n"] > 20_000
    assert h7["mae"] < h7["persistence_mae"]
    assert 0.75 <= h7["coverage"] <= 0.85
