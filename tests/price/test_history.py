"""Backfill (daily CSV, MTGJSON) and the history endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import lzma
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.catalog.models import Card
from mtg_tracker.kit.db import Database
from mtg_tracker.price import service as price_service
from mtg_tracker.price.backfill import BackfillAborted, import_csv, import_mtgjson, load_identifiers
from mtg_tracker.price.models import PricePoint

API = "/api/v1"
HEADER = "updated_at,set,scryfall_id,name,collector_number,rarity,finish,price_usd,booster_section"
UNKNOWN = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items), price_day=date(2026, 1, 25))
    return items


def _csv(path: Path, lines: list[str]) -> Path:
    text = "\n".join([HEADER, *lines]) + "\n"
    if path.suffix == ".xz":
        path.write_bytes(lzma.compress(text.encode()))
    elif path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _line(day: str, card_id: str, finish: str, price: str, name: str = "X") -> str:
    return f"{day}T06:00:00.000Z,abc,{card_id},{name},1,rare,{finish},{price},play"


async def _points(db: Database, card_id: str) -> list[PricePoint]:
    async with db.session(write=False) as session:
        stmt = select(PricePoint).where(PricePoint.card_id == uuid.UUID(card_id)).order_by(PricePoint.day)
        return list((await session.execute(stmt)).scalars())


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".csv.xz"])
async def test_csv_backfill_merges_finishes_and_reports(
    db: Database, cards: list[dict[str, Any]], tmp_path: Path, suffix: str
) -> None:
    a, b = cards[0]["id"], cards[1]["id"]
    path = _csv(
        tmp_path / f"daily{suffix}",
        [
            _line("2026-01-19", a, "nonfoil", "1.00"),
            _line("2026-01-19", a, "foil", "3.50"),
            _line("2026-01-20", a, "nonfoil", "1.10"),
            _line("2026-01-20", a, "etched", "9.99"),
            _line("2026-01-19", b, "nonfoil", "0.50"),
            _line("2026-01-19", UNKNOWN, "nonfoil", "2.00", name="Nobody"),
            _line("2026-01-20", UNKNOWN, "nonfoil", "2.10", name="Nobody"),
            _line("2026-01-19", "not-a-uuid", "nonfoil", "2.00"),
            _line("2026-01-19", b, "sparkly", "2.00"),
            _line("2026-01-19", b, "foil", ""),
        ],
    )
    summary = await import_csv(db, path)
    assert summary.rows_read == 10
    assert summary.points_written == 3  # (a, 19th) from two finishes, (a, 20th), (b, 19th)
    assert (summary.first_day, summary.last_day) == (date(2026, 1, 19), date(2026, 1, 20))
    assert summary.unknown_rows == 2 and summary.unknown_printings == 1
    assert summary.unknown_examples == [f"{UNKNOWN} (Nobody, abc)"]
    assert summary.bad_rows == 3
    assert [n for n, _ in summary.bad_examples] == [9, 10, 11]  # line numbers in the file, header is line 1
    assert "not a UUID" in summary.bad_examples[0][1] and "sparkly" in summary.bad_examples[1][1]
    points = await _points(db, a)
    days = {p.day: (p.usd, p.usd_foil, p.usd_etched) for p in points}
    assert days[date(2026, 1, 19)] == (100, 350, None)
    assert days[date(2026, 1, 20)] == (110, None, 999)


async def test_backfill_keeps_columns_it_does_not_carry(
    db: Database, cards: list[dict[str, Any]], tmp_path: Path
) -> None:
    card = next(c for c in cards if (c.get("prices") or {}).get("eur"))
    before = (await _points(db, card["id"]))[0]
    assert before.day == date(2026, 1, 25) and before.eur is not None  # the catalog import's snapshot
    await import_csv(db, _csv(tmp_path / "d.csv", [_line("2026-01-25", card["id"], "nonfoil", "123.45")]))
    after = (await _points(db, card["id"]))[0]
    assert after.usd == 12345
    assert (after.eur, after.eur_foil, after.tix, after.usd_foil) == (
        before.eur,
        before.eur_foil,
        before.tix,
        before.usd_foil,
    )
    async with db.session(write=False) as session:
        current = await session.scalar(select(Card.usd).where(Card.id == uuid.UUID(card["id"])))
    assert current == before.usd  # history was backfilled; the catalog's current price is the import's


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"a,b,c\n1,2,3\n", "header lacks"),
        (b"", "header lacks"),
    ],
)
async def test_csv_that_is_not_a_price_file_aborts(
    db: Database, cards: list[dict[str, Any]], tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(BackfillAborted, match=reason):
        await import_csv(db, path)


async def test_truncated_xz_changes_nothing(db: Database, cards: list[dict[str, Any]], tmp_path: Path) -> None:
    lines = [_line(f"2026-01-{d:02d}", cards[0]["id"], "nonfoil", f"{d}.00") for d in range(1, 20)] * 200
    good = _csv(tmp_path / "good.csv.xz", lines)
    broken = tmp_path / "broken.csv.xz"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    before = len(await _points(db, cards[0]["id"]))
    with pytest.raises(BackfillAborted):
        await import_csv(db, broken)
    assert len(await _points(db, cards[0]["id"])) == before
    with pytest.raises(BackfillAborted, match="no such file"):
        await import_csv(db, tmp_path / "missing.csv")


def _all_prices(entries: dict[str, Any]) -> dict[str, Any]:
    return {"meta": {"date": "2024-01-03", "version": "5.2.2"}, "data": entries}


def _entry(
    usd: dict[str, float], eur: dict[str, float] | None = None, tix: dict[str, float] | None = None
) -> dict[str, Any]:
    paper: dict[str, Any] = {"tcgplayer": {"retail": {"normal": usd}, "buylist": {"normal": usd}, "currency": "USD"}}
    if eur:
        paper["cardmarket"] = {"retail": {"normal": eur, "foil": {k: v * 2 for k, v in eur.items()}}, "currency": "EUR"}
    entry: dict[str, Any] = {"paper": paper}
    if tix:
        entry["mtgo"] = {"cardhoarder": {"retail": {"normal": tix}, "currency": "USD"}}
    return entry


@pytest.mark.parametrize("layout", ["AllPrintings", "AllIdentifiers"])
async def test_mtgjson_backfill(db: Database, cards: list[dict[str, Any]], tmp_path: Path, layout: str) -> None:
    a, b = cards[0]["id"], cards[1]["id"]
    ua, ub, uc, ud = (str(uuid.uuid4()) for _ in range(4))
    if layout == "AllPrintings":
        ident = {
            "meta": {},
            "data": {
                "ABC": {
                    "name": "Set",
                    "cards": [
                        {
                            "name": "A",
                            # Newer MTGJSON gives foreign entries identifiers and uuids of their own.
                            "foreignData": [{"identifiers": {"scryfallId": UNKNOWN}, "uuid": str(uuid.uuid4())}],
                            "identifiers": {"scryfallId": a, "mcmId": "1"},
                            "uuid": ua,
                        },
                        {"name": "B", "identifiers": {"scryfallId": b}, "uuid": ub},
                    ],
                    "tokens": [{"identifiers": {"scryfallId": UNKNOWN}, "uuid": uc}],
                },
            },
        }
    else:
        ident = {
            "meta": {},
            "data": {
                ua: {"identifiers": {"scryfallId": a}},
                ub: {"identifiers": {"scryfallId": b}},
                uc: {"identifiers": {"scryfallId": UNKNOWN}},
            },
        }
    ident_path = tmp_path / "ident.json.gz"
    ident_path.write_bytes(gzip.compress(json.dumps(ident).encode()))
    mapping = load_identifiers(ident_path)
    assert mapping == {ua: uuid.UUID(a), ub: uuid.UUID(b), uc: uuid.UUID(UNKNOWN)}
    prices = _all_prices(
        {
            ua: _entry({"2024-01-01": 1.25, "2024-01-02": 1.5}, eur={"2024-01-01": 1.1}, tix={"2024-01-02": 0.03}),
            ub: _entry({"2024-01-01": 0.1, "2024-01-02": "bad"}),
            uc: _entry({"2024-01-01": 5}),
            ud: _entry({"2024-01-01": 5}),
        }
    )
    path = tmp_path / "AllPrices.json.xz"
    path.write_bytes(lzma.compress(json.dumps(prices).encode()))
    summary = await import_mtgjson(db, path, mapping)
    assert summary.rows_read == 4
    assert summary.unmapped_uuids == 1
    assert summary.unknown_printings == 1 and summary.unknown_rows == 1
    assert summary.bad_rows == 1 and "not a number" in summary.bad_examples[0][1]
    assert summary.points_written == 3
    pa = {p.day: (p.usd, p.eur, p.eur_foil, p.tix) for p in await _points(db, a)}
    assert pa[date(2024, 1, 1)] == (125, 110, 220, None)
    assert pa[date(2024, 1, 2)] == (150, None, None, 3)


async def test_identifiers_file_without_mapping_aborts(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"meta": {}, "data": {}}')
    with pytest.raises(BackfillAborted, match="no MTGJSON uuid"):
        load_identifiers(path)
    path.write_text('{"meta": {}, "data": {"A": ')
    with pytest.raises(BackfillAborted, match="cannot read"):
        load_identifiers(path)


# -- HTTP ---------------------------------------------------------------------------------------------


async def test_history_endpoint(
    client: httpx.AsyncClient, db: Database, cards: list[dict[str, Any]], tmp_path: Path
) -> None:
    a = cards[0]["id"]
    lines = [_line(f"2026-01-{d:02d}", a, "nonfoil", f"{d}.05") for d in (22, 19, 21, 20)]
    await import_csv(db, _csv(tmp_path / "d.csv", [*lines, _line("2026-01-20", a, "foil", "7.00")]))
    body = (await client.get(f"{API}/cards/{a}/prices")).json()
    assert body["object"] == "price_history" and body["card_id"] == a
    dates = [d["date"] for d in body["data"]]
    assert dates == sorted(dates) and dates[:4] == ["2026-01-19", "2026-01-20", "2026-01-21", "2026-01-22"]
    assert body["data"][1] == {
        "date": "2026-01-20",
        "usd": "20.05",
        "usd_foil": "7.00",
        "usd_etched": None,
        "eur": None,
        "eur_foil": None,
        "tix": None,
    }
    ranged = (await client.get(f"{API}/cards/{a}/prices", params={"from": "2026-01-20", "to": "2026-01-21"})).json()
    assert [d["date"] for d in ranged["data"]] == ["2026-01-20", "2026-01-21"]
    foil = (await client.get(f"{API}/cards/{a}/prices", params={"type": "usd_foil"})).json()
    assert foil["data"] == [{"date": "2026-01-20", "usd_foil": "7.00"}]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (f"/cards/{UNKNOWN}/prices", {}, 404),
        ("/cards/not-a-uuid/prices", {}, 404),
        ("/cards/{a}/prices", {"from": "2026-02-01", "to": "2026-01-01"}, 400),
        ("/cards/{a}/prices", {"from": "yesterday"}, 400),
        ("/cards/{a}/prices", {"type": "gold"}, 400),
        # dates are YYYY-MM-DD only: not a Unix time (0 was 1970-01-01), not a datetime, nothing before Magic
        ("/cards/{a}/prices", {"to": "0"}, 400),
        ("/cards/{a}/prices", {"from": "1700000000"}, 400),
        ("/cards/{a}/prices", {"to": "2026-01-21T10:00:00"}, 400),
        ("/cards/{a}/prices", {"from": "1970-01-01"}, 400),
        ("/cards/{a}/prices", {"to": "2026-02-30"}, 400),
    ],
)
async def test_history_errors(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], path: str, params: dict[str, str], status: int
) -> None:
    resp = await client.get(API + path.replace("{a}", cards[0]["id"]), params=params)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["object"] == "error" and body["status"] == status and body["details"]


async def test_latest_day(db: Database, cards: list[dict[str, Any]]) -> None:
    async with db.session(write=False) as session:
        assert await price_service.latest_day(session) == date(2026, 1, 25)
