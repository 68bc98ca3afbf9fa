"""Acceptance on real data: the 2019 Scryfall catalog, then 27 days of real daily USD prices (7,969 of
the file's printings are in that catalog).

One test per backend (loading the catalog is the slow part): series, unknown printings, history order,
and the 7-day movers against an independent computation from the CSV itself.
"""

from __future__ import annotations

import csv
import lzma
import uuid
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from movercalc import Series, expected_movers
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database
from mtg_tracker.price import movers
from mtg_tracker.price.backfill import import_csv
from mtg_tracker.price.codecs import CSV_FINISHES, to_cents
from mtg_tracker.price.models import PricePoint
from support import shared_data

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def _read_csv(path: object) -> Series:
    series: Series = {}
    with lzma.open(str(path), "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            day = date.fromisoformat(row["updated_at"][:10])
            prices = series.setdefault(uuid.UUID(row["scryfall_id"]), {}).setdefault(day, {})
            prices[CSV_FINISHES[row["finish"]]] = to_cents(row["price_usd"])
    return series


async def test_real_daily_csv_over_the_2019_catalog(client: httpx.AsyncClient, db: Database) -> None:
    catalog = shared_data("cards", "scryfall-default-cards-2019.json.gz")
    prices = shared_data("prices", "daily-usd-2026-01-19_2026-02-14.csv.xz")
    await import_cards(db, catalog, price_day=date(2019, 10, 1))
    summary = await import_csv(db, prices)

    series = _read_csv(prices)
    async with db.session(write=False) as session:
        from mtg_tracker.price.service import card_ids

        known = await card_ids(session)
    matching = {c: s for c, s in series.items() if c in known}
    assert len(matching) == 7_969
    assert summary.unknown_printings == len(series) - 7_969
    assert summary.unknown_rows == sum(1 for c, s in series.items() if c not in known for d in s.values() for _ in d)
    assert summary.bad_rows == 0 and summary.rows_read == 741_632
    assert (summary.first_day, summary.last_day) == (date(2026, 1, 19), date(2026, 2, 14))
    assert summary.points_written == sum(len(s) for s in matching.values())

    # Every matching printing stores exactly the file's series. The file only lists prices ≥ $0.50, so
    # 7,490 printings have all 27 days and the others the days they were worth that much.
    async with db.session(write=False) as session:
        stored = dict(
            (
                await session.execute(
                    select(PricePoint.card_id, func.count())
                    .where(PricePoint.day >= date(2026, 1, 19))
                    .group_by(PricePoint.card_id)
                )
            ).all()
        )
    assert stored == {c: len(s) for c, s in matching.items()}
    assert sum(1 for n in stored.values() if n == 27) == 7_490
    some = sorted(matching)[:: len(matching) // 25]
    for card_id in some:
        body = (await client.get(f"/api/v1/cards/{card_id}/prices", params={"from": "2026-01-01"})).json()
        dates = [d["date"] for d in body["data"]]
        assert dates == sorted(dates) and len(dates) == len(matching[card_id])
        for item in body["data"]:
            want = matching[card_id][date.fromisoformat(item["date"])]
            for column, cents in want.items():
                assert Decimal(item[column]) * 100 == cents

    # Movers, 7 days, top 20 up and down, both metrics, against the CSV computed in plain Python.
    day = date(2026, 2, 14)
    await movers.compute(db, day=day, top=100, min_price=Decimal("1.00"))
    for metric in ("percent", "absolute"):
        for direction in ("up", "down"):
            want = expected_movers(matching, day, 7, "usd", metric, direction, 100, 20)
            assert len(want) == 20
            resp = await client.get(
                "/api/v1/prices/movers",
                params={"window": "7d", "type": "usd", "metric": metric, "direction": direction, "limit": 20},
            )
            got = [
                (uuid.UUID(m["card"]["id"]), round(Decimal(m["old"]) * 100), round(Decimal(m["new"]) * 100))
                for m in resp.json()["data"]
            ]
            assert got == want, (metric, direction)
