"""Catalog import on SQLite and PostgreSQL: idempotent, all-or-nothing, every schema, bad records reported."""

from __future__ import annotations

import asyncio
import copy
import gzip
import random
import uuid
from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import ImportAborted, import_cards, import_sets, iter_json_records
from mtg_tracker.catalog.models import Card, CardSet, CatalogImport
from mtg_tracker.catalog.normalize import price_to_cents
from mtg_tracker.catalog.upgrade import upgrade_card
from mtg_tracker.kit.db import Database
from mtg_tracker.price.models import PricePoint
from support import shared_data


async def _count(db: Database, model: type) -> int:
    async with db.session(write=False) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_then_reimport_is_unchanged(db: Database, tmp_path: Path) -> None:
    cards = page_2023()
    path = write_json(tmp_path / "page.json.gz", {"object": "list", "data": cards}, gz=True)
    first = await import_cards(db, path)
    assert (first.read, first.inserted, first.updated, first.skipped) == (175, 175, 0, 0)
    assert first.prices_recorded == sum(1 for c in cards if any(c["prices"].values()))
    again = await import_cards(db, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 175)
    assert await _count(db, Card) == 175
    assert await _count(db, PricePoint) == first.prices_recorded  # same day: replaced, not added


async def test_price_change_and_card_change(db: Database, tmp_path: Path) -> None:
    cards = sample_2025()
    await import_cards(db, write_json(tmp_path / "a.json", cards))
    changed = copy.deepcopy(cards)
    bolt = next(c for c in changed if c["name"] == "Lightning Bolt")
    bolt["prices"]["usd"] = "123.45"
    ring = next(c for c in changed if c["name"] == "Sol Ring")
    ring["flavor_text"] = "Changed upstream."
    summary = await import_cards(db, write_json(tmp_path / "b.json", changed))
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, len(cards) - 1)
    async with db.session(write=False) as s:
        usd = await s.scalar(select(Card.usd).where(Card.id == uuid.UUID(bolt["id"])))
        point = await s.scalar(select(PricePoint.usd).where(PricePoint.card_id == uuid.UUID(bolt["id"])))
        data = await s.scalar(select(Card.data).where(Card.id == uuid.UUID(ring["id"])))
    assert usd == point == 12345
    assert orjson.loads(data)["flavor_text"] == "Changed upstream."


async def test_bad_records_are_skipped_with_positions(db: Database, tmp_path: Path) -> None:
    cards = sample_2025()
    broken = copy.deepcopy(cards)
    del broken[2]["id"]
    broken[5]["cmc"] = "lots"
    broken.append(copy.deepcopy(cards[0]))  # duplicate id
    summary = await import_cards(db, write_json(tmp_path / "bad.json", broken))
    assert summary.read == len(broken)
    assert summary.inserted == len(cards) - 2
    assert summary.skipped == 3
    reasons = {s.record: s.reason for s in summary.skipped_examples}
    assert reasons[2] == "no id"
    assert "cmc" in reasons[5]
    assert "duplicate id" in reasons[len(broken) - 1]
    assert summary.read == summary.inserted + summary.updated + summary.unchanged + summary.skipped


@pytest.mark.parametrize("damage", ["truncated_gzip", "truncated_json", "not_json", "empty", "garbage_gzip"])
async def test_broken_file_leaves_catalog_untouched(db: Database, tmp_path: Path, damage: str) -> None:
    await import_cards(db, write_json(tmp_path / "ok.json", sample_2025()))
    before = await _count(db, Card)
    raw = orjson.dumps(page_2023())
    path = tmp_path / "broken.json"
    if damage == "truncated_gzip":
        packed = gzip.compress(raw)
        path = tmp_path / "broken.json.gz"
        path.write_bytes(packed[: len(packed) // 2])
    elif damage == "truncated_json":
        path.write_bytes(raw[: len(raw) * 2 // 3])
    elif damage == "not_json":
        path.write_bytes(b"id,name\n1,Sol Ring\n")
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"\x1f\x8b" + bytes(range(200)))
    with pytest.raises(ImportAborted) as info:
        await import_cards(db, path)
    assert info.value.record is not None
    if damage.startswith("truncated"):
        assert info.value.record > 0 and info.value.byte_offset
    assert await _count(db, Card) == before
    async with db.session(write=False) as s:
        last = (await s.execute(select(CatalogImport).order_by(CatalogImport.id.desc()).limit(1))).scalar_one()
    assert last.status == "failed" and last.error


async def test_readers_see_old_or_new_catalog_never_half(db: Database, tmp_path: Path) -> None:
    await import_cards(db, write_json(tmp_path / "old.json", sample_2025()))
    old = await _count(db, Card)
    new_cards = page_2023()
    task = asyncio.create_task(import_cards(db, write_json(tmp_path / "new.json", new_cards), batch_size=5))
    seen = set()
    while not task.done():
        seen.add(await _count(db, Card))
        await asyncio.sleep(0)
    await task
    seen.add(await _count(db, Card))
    assert seen <= {old, old + len(new_cards)}
    assert old + len(new_cards) in seen


async def test_sets_file_then_cards_keep_full_set_objects(db: Database, tmp_path: Path) -> None:
    summary = await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
    assert summary.inserted == 666 and summary.skipped == 0
    await import_cards(db, write_json(tmp_path / "c.json", sample_2025()))
    async with db.session(write=False) as s:
        lea = (await s.execute(select(CardSet).where(CardSet.code == "lea"))).scalar_one()
    assert lea.source == "sets" and lea.data is not None
    assert orjson.loads(lea.data)["name"] == "Limited Edition Alpha"
    again = await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
    assert (again.inserted, again.updated) == (0, 666)


def test_iter_records_accepts_list_objects_and_arrays(tmp_path: Path) -> None:
    cards = sample_2025()
    as_list = list(iter_json_records(write_json(tmp_path / "l.json", {"object": "list", "data": cards})))
    as_array = list(iter_json_records(write_json(tmp_path / "a.json.gz", cards, gz=True)))
    assert [i for i, _ in as_list] == list(range(len(cards)))
    assert [o["id"] for _, o in as_list] == [o["id"] for _, o in as_array]


@pytest.mark.realdata
@pytest.mark.slow
async def test_real_2019_catalog(db: Database) -> None:
    """Acceptance: 45,851 printings and 435 sets; re-import unchanged; every stored object is its source
    upgraded to the current schema, and the source itself is kept beside it."""
    path = shared_data("cards", "scryfall-default-cards-2019.json.gz")
    first = await import_cards(db, path)
    assert (first.read, first.inserted, first.skipped) == (45_851, 45_851, 0)
    # Every 2019 object lacked fields of today's schema; the summary says which, per field.
    assert first.upgraded == 45_851
    assert first.upgraded_fields["keywords"] == first.upgraded_fields["finishes"] == 45_851
    assert 0 < first.upgraded_fields["produced_mana"] < 45_851
    assert await _count(db, CardSet) == 435
    again = await import_cards(db, path, force=True)  # the full comparison, not the fingerprint
    assert (again.unchanged, again.inserted, again.updated) == (45_851, 0, 0)
    repeat = await import_cards(db, path)
    assert repeat.identical_to_import is not None and repeat.unchanged == 45_851
    records = list(iter_json_records(path))
    stored: dict[uuid.UUID, tuple[object, ...]] = {}
    # In chunks: with the source kept, one statement over every card moves ~200 MB and can outlast
    # PostgreSQL's statement timeout on a loaded machine.
    async with db.session(write=False) as s:
        for start in range(0, len(records), 5000):
            chunk = [uuid.UUID(obj["id"]) for _, obj in records[start : start + 5000]]
            cols = select(Card.id, Card.data, Card.source, Card.usd, Card.price_style).where(Card.id.in_(chunk))
            stored.update((row[0], row[1:]) for row in await s.execute(cols))
    sample = []
    for index, obj in records:
        data, source, usd, style = stored[uuid.UUID(obj["id"])]
        assert source is not None and orjson.loads(source) == orjson.loads(orjson.dumps(obj)), obj["id"]
        current, _ = upgrade_card(orjson.loads(orjson.dumps(obj)))
        assert orjson.loads(data) == {k: v for k, v in current.items() if k != "prices"}, obj["id"]
        assert style == 1  # every card now carries a prices object, whatever the file had
        if "prices" in obj:
            assert usd == price_to_cents(obj["prices"].get("usd"))
        elif "usd" in obj:
            assert usd == price_to_cents(obj["usd"])  # 2018's top-level price, moved into prices
        if index % 229 == 0:
            sample.append(obj["id"])
    assert len(stored) == 45_851
    random.shuffle(sample)


async def test_identical_file_is_recognised_and_force_compares_everything(db: Database, tmp_path: Path) -> None:
    cards = sample_2025()
    broken = [*copy.deepcopy(cards), {"object": "card", "name": "No Id"}]
    path = write_json(tmp_path / "s.json", broken)
    first = await import_cards(db, path)
    points = await _count(db, PricePoint)
    again = await import_cards(db, path)
    assert again.identical_to_import is not None
    assert (again.read, again.unchanged, again.skipped, again.inserted) == (first.read, len(cards), 1, 0)
    assert again.skipped_examples[0].reason == "no id"  # the report is the same as a full pass would give
    forced = await import_cards(db, path, force=True)
    assert forced.identical_to_import is None
    assert (forced.unchanged, forced.inserted, forced.updated, forced.prices_recorded) == (len(cards), 0, 0, 0)
    assert await _count(db, PricePoint) == points
    repeat = await import_cards(db, path)
    assert repeat.identical_to_import not in (None, again.identical_to_import)  # the forced run did the work
    repeat_again = await import_cards(db, path)
    assert repeat_again.identical_to_import == repeat.identical_to_import  # a repeat of a repeat: the original


async def test_new_price_day_records_points_without_rewriting_cards(db: Database, tmp_path: Path) -> None:
    cards = sample_2025()
    path = write_json(tmp_path / "s.json", cards)
    first = await import_cards(db, path, price_day=date(2026, 1, 1))
    second = await import_cards(db, path, price_day=date(2026, 1, 2))
    assert second.identical_to_import is None  # another day's prices are news
    assert (second.unchanged, second.inserted, second.updated) == (len(cards), 0, 0)
    assert second.prices_recorded == first.prices_recorded > 0
    async with db.session(write=False) as s:
        days = {d for (d,) in await s.execute(select(PricePoint.day).distinct())}
        latest = set(await s.scalars(select(Card.price_day).where(Card.usd.is_not(None))))
    assert days == {date(2026, 1, 1), date(2026, 1, 2)}
    assert latest == {date(2026, 1, 2)}
    third = await import_cards(db, path, price_day=date(2026, 1, 2))
    assert third.identical_to_import is not None
