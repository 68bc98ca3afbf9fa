"""Collections and entries: CRUD, filtered pages, CSV import (batched resolution) and export.

Ownership is decided once, by ``account.ownership.get_owned``; every function here receives a
collection the caller may see. Services flush, never commit: the request or the CLI's ``session_scope``
owns the transaction, which is what makes an import atomic (a bad file raises and nothing is kept).
"""

from __future__ import annotations

import contextlib
import functools
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar, cast

import anyio.to_thread
from sqlalchemy import Table, bindparam, delete, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account.deps import Principal
from mtg_tracker.account.ownership import get_owned
from mtg_tracker.catalog.models import Card, CardMultiverse, CardName, CardSet
from mtg_tracker.catalog.normalize import FINISH_BITS, normalize_name
from mtg_tracker.collection import formats
from mtg_tracker.collection.errors import (
    CollectionNotFound,
    DuplicateEntry,
    EntryNotFound,
    FinishNotAvailable,
    ImportFileInvalid,
    ImportTooLarge,
    QuantityTooLarge,
    UnknownCard,
)
from mtg_tracker.collection.models import Collection, CollectionEntry
from mtg_tracker.collection.schemas import CollectionCreate, CollectionUpdate, EntryCreate, EntryUpdate
from mtg_tracker.kit.db import utcnow
from mtg_tracker.search import service as search_service

ENTRY_TABLE = cast(Table, CollectionEntry.__table__)
IN_BATCH = 500  # the most ids in one IN (…) list
PARSE_BATCH = 2000  # rows handed from the parsing thread to the resolver at a time
T = TypeVar("T")
Key = tuple[uuid.UUID, str, str, str]  # card_id, finish, condition, language: the merge key


# -- money and tags ---------------------------------------------------------------------------------------


def to_cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def cents_str(cents: int | None) -> str | None:
    """Decimal string like Scryfall's prices ("12.30", "-0.05")."""
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{part:02d}"


def pack_tags(tags: Iterable[str] | None) -> str | None:
    clean = [t.replace("|", " ").strip() for t in tags or ()]
    clean = list(dict.fromkeys(t for t in clean if t))
    return "|" + "|".join(clean) + "|" if clean else None


def unpack_tags(packed: str | None) -> list[str]:
    return [t for t in (packed or "").split("|") if t]


def has_finish(finishes: int, finish: str) -> bool:
    """Whether a printing with the catalog's finish bits exists in ``finish`` (0 = the source did not say)."""
    return not finishes or bool(finishes & FINISH_BITS[finish])


def finish_reason(finishes: int, finish: str, name: str, set_code: str, number: str) -> str:
    have = ", ".join(f for f, bit in FINISH_BITS.items() if finishes & bit)
    return f"{name} ({set_code.upper()} #{number}) is not printed in {finish} (only {have})"


# -- merging copies into an entry ---------------------------------------------------------------------------


@dataclass(slots=True)
class Holding:
    """What an entry holds (or what a row or an add brings), as far as merging is concerned."""

    quantity: int
    cents: int | None = None  # purchase price per copy
    currency: str | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    acquired: date | None = None


def _money(cents: int, currency: str | None) -> str:
    return f"{cents_str(cents)} {currency or '(no currency)'}"


def merge_holding(held: Holding, add: Holding) -> list[str]:
    """Fold ``add`` into ``held`` (in place) and say what of ``add`` could not be kept as given.

    The purchase price becomes the quantity-weighted average cost per copy, as portfolio trackers
    do, so ``cost_basis`` (price × quantity) stays the sum of what was paid. Prices in different
    currencies are not converted: the entry keeps its own and the added price is reported. Tags are a
    union, notes are appended (unless already there), ``acquired`` is the earliest date.
    """
    problems: list[str] = []
    if add.cents is not None:
        if held.cents is None:
            if held.quantity:
                problems.append(
                    f"the entry's {held.quantity:,} copies had no purchase price; {_money(add.cents, add.currency)} "
                    f"now applies to all {held.quantity + add.quantity:,}"
                )
            held.cents, held.currency = add.cents, add.currency
        elif (held.currency or "").upper() == (add.currency or "").upper():
            total = held.cents * held.quantity + add.cents * add.quantity
            copies = held.quantity + add.quantity
            held.cents = (2 * total + copies) // (2 * copies)  # average, rounded half up to the cent
        else:
            problems.append(
                f"purchase price {_money(add.cents, add.currency)} not merged: the entry's is "
                f"{_money(held.cents, held.currency)} (currencies are not converted)"
            )
    held.quantity += add.quantity
    held.tags = list(dict.fromkeys([*held.tags, *add.tags]))
    if add.notes and add.notes not in (held.notes or ""):
        held.notes = f"{held.notes}\n{add.notes}" if held.notes else add.notes
    if add.acquired is not None and (held.acquired is None or add.acquired < held.acquired):
        held.acquired = add.acquired
    return problems


# -- collections ---------------------------------------------------------------------------------------------


async def get_collection(
    session: AsyncSession, collection_id: uuid.UUID, principal: Principal | None, *, write: bool = False
) -> Collection:
    """The collection if the principal owns it, or (reads only) if it is public; else 404.

    ``write=True`` also locks the collection's row until the transaction ends (PostgreSQL; SQLite's
    writers are serialised by ``BEGIN IMMEDIATE`` anyway), so two writers of one collection take turns:
    the merge-or-insert of an entry and an import's read-then-write cannot interleave.
    """
    return await get_owned(
        session,
        Collection,
        collection_id,
        principal,
        not_found=CollectionNotFound,
        public_attr=None if write else "is_public",
        for_update=write,
    )


async def _lock(session: AsyncSession, collection: Collection) -> None:
    """Take the collection's row lock for a caller that loaded it without (the CLI)."""
    await session.execute(select(Collection.id).where(Collection.id == collection.id).with_for_update())


async def create_collection(session: AsyncSession, *, owner_id: uuid.UUID, data: CollectionCreate) -> Collection:
    now = utcnow()
    collection = Collection(
        id=uuid.uuid4(),
        owner_id=owner_id,
        name=data.name,
        kind=data.kind,
        description=data.description,
        is_public=data.is_public,
        created_at=now,
        updated_at=now,
    )
    session.add(collection)
    await session.flush()
    return collection


async def list_collections(
    session: AsyncSession, *, owner_id: uuid.UUID, page: int, page_size: int
) -> tuple[list[Collection], int]:
    where = Collection.owner_id == owner_id
    total = await session.scalar(select(func.count()).select_from(Collection).where(where)) or 0
    stmt = (
        select(Collection)
        .where(where)
        .order_by(Collection.created_at, Collection.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list((await session.scalars(stmt)).all()), total


async def find_collections(session: AsyncSession, *, name: str, owner_id: uuid.UUID | None) -> list[Collection]:
    """Collections called ``name`` (for the CLI, which accepts a name where the API wants an id)."""
    stmt = select(Collection).where(Collection.name == name)
    if owner_id is not None:
        stmt = stmt.where(Collection.owner_id == owner_id)
    return list((await session.scalars(stmt.order_by(Collection.created_at))).all())


async def update_collection(session: AsyncSession, collection: Collection, data: CollectionUpdate) -> Collection:
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None and key != "description":
            continue
        setattr(collection, key, value)
    collection.updated_at = utcnow()
    await session.flush()
    return collection


async def delete_collection(session: AsyncSession, collection: Collection) -> None:
    # Core deletes: the entries go by the foreign key's CASCADE on PostgreSQL and SQLite (foreign_keys=ON),
    # the explicit one keeps an ORM-less path honest where the pragma is off.
    await session.execute(delete(CollectionEntry).where(CollectionEntry.collection_id == collection.id))
    await session.delete(collection)
    await session.flush()


# -- entries --------------------------------------------------------------------------------------------------


ENTRY_COLUMNS = (CollectionEntry, Card.name, Card.set_code, Card.collector_number)


def entry_dict(entry: CollectionEntry, name: str, set_code: str, collector_number: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "card_id": entry.card_id,
        "name": name,
        "set": set_code,
        "collector_number": collector_number,
        "quantity": entry.quantity,
        "finish": entry.finish,
        "condition": entry.condition,
        "language": entry.language,
        "purchase_price": cents_str(entry.purchase_cents),
        "currency": entry.currency,
        "acquired": entry.acquired,
        "tags": unpack_tags(entry.tags),
        "notes": entry.notes,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


async def _card_for_entry(session: AsyncSession, card_id: uuid.UUID, finish: str) -> tuple[str, str, str]:
    row = (
        await session.execute(
            select(Card.finishes, Card.name, Card.set_code, Card.collector_number).where(Card.id == card_id)
        )
    ).first()
    if row is None:
        raise UnknownCard(f"No printing with id {card_id} is in the catalog.")
    finishes, name, set_code, number = row
    if not has_finish(finishes, finish):
        raise FinishNotAvailable(finish_reason(finishes, finish, name, set_code, number) + ".")
    return name, set_code, number


def _holding_of(data: EntryCreate) -> Holding:
    return Holding(
        data.quantity, to_cents(data.purchase_price), data.currency, data.tags or [], data.notes, data.acquired
    )


async def add_entry(session: AsyncSession, collection: Collection, data: EntryCreate) -> tuple[dict[str, Any], bool]:
    """Add copies; returns the entry and whether it was new (an identical entry grows, its data merged by
    ``merge_holding``; what could not be merged is in the entry's ``warnings``)."""
    name, set_code, number = await _card_for_entry(session, data.card_id, data.finish)
    existing = await session.scalar(
        select(CollectionEntry).where(
            CollectionEntry.collection_id == collection.id,
            CollectionEntry.card_id == data.card_id,
            CollectionEntry.finish == data.finish,
            CollectionEntry.condition == data.condition,
            CollectionEntry.language == data.language,
        )
    )
    now = utcnow()
    if existing is not None:
        if existing.quantity + data.quantity > formats.MAX_QUANTITY:
            raise QuantityTooLarge(
                f"The entry already holds {existing.quantity:,} copies; adding {data.quantity:,} would pass the "
                f"limit of {formats.MAX_QUANTITY:,} per entry."
            )
        held = Holding(
            existing.quantity,
            existing.purchase_cents,
            existing.currency,
            unpack_tags(existing.tags),
            existing.notes,
            existing.acquired,
        )
        problems = merge_holding(held, _holding_of(data))
        existing.quantity, existing.purchase_cents, existing.currency = held.quantity, held.cents, held.currency
        existing.tags, existing.notes, existing.acquired = pack_tags(held.tags), held.notes, held.acquired
        existing.updated_at = collection.updated_at = now
        await session.flush()
        return {**entry_dict(existing, name, set_code, number), "warnings": problems or None}, False
    entry = CollectionEntry(
        collection_id=collection.id,
        card_id=data.card_id,
        quantity=data.quantity,
        finish=data.finish,
        condition=data.condition,
        language=data.language,
        purchase_cents=to_cents(data.purchase_price),
        currency=data.currency,
        acquired=data.acquired,
        tags=pack_tags(data.tags),
        notes=data.notes,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    collection.updated_at = now
    return entry_dict(entry, name, set_code, number), True


async def _entry(session: AsyncSession, collection: Collection, entry_id: int) -> CollectionEntry:
    entry = await session.scalar(
        select(CollectionEntry).where(CollectionEntry.id == entry_id, CollectionEntry.collection_id == collection.id)
    )
    if entry is None:
        raise EntryNotFound()
    return entry


async def update_entry(
    session: AsyncSession, collection: Collection, entry_id: int, data: EntryUpdate
) -> dict[str, Any]:
    entry = await _entry(session, collection, entry_id)
    changes = data.model_dump(exclude_unset=True)
    finish = changes.get("finish") or entry.finish
    name, set_code, number = await _card_for_entry(session, entry.card_id, finish)
    for key, value in changes.items():
        if key == "purchase_price":
            entry.purchase_cents = to_cents(value)
        elif key == "tags":
            entry.tags = pack_tags(value)
        elif value is not None or key in ("currency", "acquired", "notes"):
            setattr(entry, key, value)
    entry.updated_at = collection.updated_at = utcnow()
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise DuplicateEntry() from None
    return entry_dict(entry, name, set_code, number)


async def delete_entry(session: AsyncSession, collection: Collection, entry_id: int) -> None:
    entry = await _entry(session, collection, entry_id)
    await session.delete(entry)
    collection.updated_at = utcnow()
    await session.flush()


@dataclass(frozen=True)
class EntryFilters:
    finish: str | None = None
    condition: str | None = None
    language: str | None = None
    tag: str | None = None
    set_code: str | None = None
    q: str | None = None


def _filtered(stmt: Any, session: AsyncSession, collection: Collection, f: EntryFilters) -> tuple[Any, list[str]]:
    warnings: list[str] = []
    stmt = stmt.where(CollectionEntry.collection_id == collection.id)
    if f.finish:
        stmt = stmt.where(CollectionEntry.finish == f.finish)
    if f.condition:
        stmt = stmt.where(CollectionEntry.condition == f.condition)
    if f.language:
        stmt = stmt.where(CollectionEntry.language == f.language.lower())
    if f.tag:
        stmt = stmt.where(CollectionEntry.tags.contains("|" + f.tag.strip() + "|", autoescape=True))
    if f.set_code:
        stmt = stmt.where(Card.set_code == f.set_code.lower())
    if f.q:
        ids, warnings = search_service.card_filter(f.q, session.get_bind().dialect.name)
        stmt = stmt.where(CollectionEntry.card_id.in_(ids))
    return stmt, warnings


async def list_entries(
    session: AsyncSession, collection: Collection, filters: EntryFilters, *, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int, list[str]]:
    """One page of entries in insertion order, with the total after filtering and the query's warnings."""
    base = select(*ENTRY_COLUMNS).join(Card, Card.id == CollectionEntry.card_id)
    stmt, warnings = _filtered(base, session, collection, filters)
    count_stmt, _ = _filtered(
        select(func.count()).select_from(CollectionEntry).join(Card, Card.id == CollectionEntry.card_id),
        session,
        collection,
        filters,
    )
    total = await session.scalar(count_stmt) or 0
    rows = await session.execute(stmt.order_by(CollectionEntry.id).offset((page - 1) * page_size).limit(page_size))
    return [entry_dict(*row) for row in rows], total, warnings


# -- import: resolution ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    id: uuid.UUID
    finishes: int
    lang: str
    set_code: str
    collector_number: str
    name: str
    rank: tuple[Any, ...] = ()


@dataclass(slots=True)
class Resolution:
    card_id: uuid.UUID | None = None
    reason: str | None = None
    approximate: str | None = None


_CANDIDATE_COLUMNS = (Card.id, Card.finishes, Card.lang, Card.set_code, Card.collector_number, Card.name)


def _chunks(items: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Resolver:
    """Turns parsed rows into printings, a batch at a time, with at most one ``IN (…)`` query per
    identifier kind per 500 rows: Scryfall id → TCGplayer / Cardmarket / MTGO / multiverse id → set code +
    collector number → name + set name → name alone (approximate)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _by(self, column: Any, values: Iterable[Any]) -> dict[Any, _Candidate]:
        found: dict[Any, _Candidate] = {}
        unique = list(dict.fromkeys(values))
        for chunk in _chunks(unique):
            for row in await self.session.execute(select(column, *_CANDIDATE_COLUMNS).where(column.in_(chunk))):
                found.setdefault(row[0], _Candidate(*row[1:]))
        return found

    async def resolve(self, rows: Sequence[formats.ParsedRow]) -> list[Resolution]:
        out = [Resolution() for _ in rows]
        todo: list[int] = []
        for i, row in enumerate(rows):
            if row.error:
                out[i].reason = row.error
            elif row.quantity < 1:
                out[i].reason = "quantity must be at least 1"
            else:
                todo.append(i)

        def settle(i: int, card: _Candidate, approximate: str | None = None) -> None:
            finish = rows[i].finish
            if has_finish(card.finishes, finish):
                out[i].card_id, out[i].approximate = card.id, approximate
            else:
                out[i].reason = finish_reason(card.finishes, finish, card.name, card.set_code, card.collector_number)

        # 1. Scryfall id
        sids: dict[int, uuid.UUID] = {}
        for i in todo:
            if rows[i].scryfall_id:
                with contextlib.suppress(ValueError):
                    sids[i] = uuid.UUID(rows[i].scryfall_id)
        if sids:
            by_id = await self._by(Card.id, sids.values())
            for i, sid in sids.items():
                if sid in by_id:
                    settle(i, by_id[sid])
        todo = [i for i in todo if out[i].card_id is None and out[i].reason is None]

        # 2. marketplace ids
        for attr, columns in (
            ("tcgplayer_id", (Card.tcgplayer_id, Card.tcgplayer_etched_id)),
            ("cardmarket_id", (Card.cardmarket_id,)),
            ("mtgo_id", (Card.mtgo_id, Card.mtgo_foil_id)),
        ):
            wanted = {i: getattr(rows[i], attr) for i in todo if getattr(rows[i], attr) is not None}
            if not wanted:
                continue
            found: dict[Any, _Candidate] = {}
            for column in columns:
                for k, v in (await self._by(column, wanted.values())).items():
                    found.setdefault(k, v)
            for i, value in wanted.items():
                if value in found:
                    settle(i, found[value])
            todo = [i for i in todo if out[i].card_id is None and out[i].reason is None]
        multiverse = {i: rows[i].multiverse_id for i in todo if rows[i].multiverse_id is not None}
        if multiverse:
            found = {}
            mv_ids = list(dict.fromkeys(multiverse.values()))
            for mv_chunk in _chunks(mv_ids):
                mv_stmt = (
                    select(CardMultiverse.multiverse_id, *_CANDIDATE_COLUMNS)
                    .join(Card, Card.id == CardMultiverse.card_id)
                    .where(CardMultiverse.multiverse_id.in_(mv_chunk))
                )
                for mv in await self.session.execute(mv_stmt):
                    found.setdefault(mv[0], _Candidate(*mv[1:]))
            for i, value in multiverse.items():
                if value in found:
                    settle(i, found[value])
            todo = [i for i in todo if out[i].card_id is None and out[i].reason is None]

        # 3. set code + collector number (the printing in the row's language if the catalog has it)
        pairs: dict[int, tuple[str, str]] = {}
        for i in todo:
            set_code, number = rows[i].set_code, rows[i].collector_number
            if set_code and number:
                pairs[i] = (set_code.lower(), number)
        if pairs:
            by_pair: dict[tuple[str, str], list[_Candidate]] = {}
            for pair_chunk in _chunks(list(dict.fromkeys(pairs.values()))):
                pair_stmt = select(*_CANDIDATE_COLUMNS).where(
                    tuple_(Card.set_code, Card.collector_number).in_(pair_chunk)
                )
                for rec in await self.session.execute(pair_stmt):
                    by_pair.setdefault((rec.set_code, rec.collector_number), []).append(_Candidate(*rec))
            for i, pair in pairs.items():
                options = by_pair.get(pair)
                if options:
                    lang = rows[i].language
                    settle(i, min(options, key=lambda c: (c.lang != lang, c.lang != "en", str(c.id))))
            todo = [i for i in todo if out[i].card_id is None and out[i].reason is None]

        # 4./5. by name: in the row's set (by name or code) when the catalog has it there, else the preferred printing
        names = {i: normalize_name(name) for i in todo if (name := rows[i].name)}
        if names:
            by_name: dict[str, list[_Candidate]] = {}
            rank_columns = (
                (Card.lang != "en"),
                Card.is_extra,
                Card.digital,
                Card.promo,
                Card.released_at,
                CardSet.name,
            )
            for name_chunk in _chunks(list(dict.fromkeys(names.values()))):
                name_stmt = (
                    select(CardName.name_norm, *_CANDIDATE_COLUMNS, *rank_columns)
                    .join(Card, Card.id == CardName.card_id)
                    .outerjoin(CardSet, CardSet.code == Card.set_code)
                    .where(CardName.name_norm.in_(name_chunk))
                )
                for nrec in await self.session.execute(name_stmt):
                    cand = _Candidate(*nrec[1:7])
                    not_en, extra, digital, promo, released, set_name = nrec[7:]
                    cand.rank = (
                        bool(not_en),
                        bool(extra),
                        bool(digital),
                        bool(promo),
                        -(released.toordinal() if released else 0),
                        (set_name or "").casefold(),
                    )
                    by_name.setdefault(nrec[0], []).append(cand)
            for i, key in names.items():
                options = by_name.get(key)
                row = rows[i]
                if not options:
                    where = f" (set {row.set_code or row.set_name})" if (row.set_code or row.set_name) else ""
                    out[i].reason = f"no printing of {row.name!r}{where} in the catalog"
                    continue
                wanted_set = row.set_name.casefold() if row.set_name else None
                in_set = [c for c in options if c.rank[5] == wanted_set or c.set_code == row.set_code]
                if in_set:
                    lang, number, finish = row.language, row.collector_number, row.finish
                    best = min(
                        in_set,
                        key=lambda c: (
                            c.collector_number != number,
                            not has_finish(c.finishes, finish),
                            c.lang != lang,
                            c.rank,
                            str(c.id),
                        ),
                    )
                    note = None
                    if number and best.collector_number != number:
                        note = (
                            f"matched by name and set: #{number} is not in the catalog; took #{best.collector_number}"
                        )
                    elif not number and len({c.collector_number for c in in_set}) > 1:
                        note = (
                            f"matched by name and set: {best.set_code.upper()} has several printings of "
                            f"{best.name!r} and the row names none; took #{best.collector_number}"
                        )
                    settle(i, best, note)
                    continue
                usable = [c for c in options if has_finish(c.finishes, row.finish)]
                if not usable:
                    out[i].reason = f"no printing of {row.name!r} in the catalog is {row.finish}"
                    continue
                best = min(usable, key=lambda c: (c.rank, str(c.id)))
                was = " ".join(p for p in (row.set_code or row.set_name, row.collector_number) if p)
                note = f"matched by name only: {was} is not in the catalog" if was else "matched by name only"
                settle(i, best, f"{note}; took {best.set_code.upper()} #{best.collector_number}")
        for i in todo:
            if out[i].card_id is None and out[i].reason is None:
                out[i].reason = "the row names no card (no id, set and number, or name)"
        return out


# -- import: the run --------------------------------------------------------------------------------------------


def _row_holding(row: formats.ParsedRow) -> Holding:
    return Holding(row.quantity, to_cents(row.purchase_price), row.currency, list(row.tags), row.notes, row.acquired)


def _take(rows: Iterator[formats.ParsedRow], n: int) -> list[formats.ParsedRow]:
    return list(islice(rows, n))


async def _in_thread(fn: Callable[..., T], *args: Any) -> T:
    try:
        return await anyio.to_thread.run_sync(fn, *args)
    except formats.InputTooLarge as exc:
        raise ImportTooLarge(f"{exc.message[:1].upper()}{exc.message[1:]} (nothing was imported).") from None
    except formats.FormatError as exc:
        raise ImportFileInvalid(str(exc), extra={"line": exc.line} if exc.line else None) from None


async def import_file(
    session: AsyncSession,
    collection: Collection,
    chunks: Iterable[bytes],
    *,
    fmt: str = "auto",
    dry_run: bool = False,
    merge: bool = True,
    max_rows: int = 200_000,
    max_bytes: int | None = None,
    currency: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Import a CSV export into the collection and return the ``import_report``.

    ``chunks`` are read (and parsed) in a worker thread, a batch at a time, so a 50 MB upload neither
    blocks the event loop nor sits in memory as rows. Every row is counted once: imported (became a new
    entry), merged (into an existing entry, or into an earlier row of this file), or unresolved (with its
    line and reason). Writes happen after the whole file has been read, inside a savepoint that a dry run
    rolls back: the dry run executes the same statements and reports exactly what the real run would do.
    ``merge=False`` replaces the collection's entries by the file's. A gzip file is decompressed on the
    way (recognised by its magic bytes), and ``max_bytes`` bounds the decompressed size.
    """
    started = time.perf_counter()
    await _lock(session, collection)
    lines = formats.open_text(chunks, max_bytes=max_bytes)
    fmt_name, rows = await _in_thread(functools.partial(formats.read_rows, lines, fmt, currency=currency))

    existing: dict[Key, tuple[int, Holding]] = {}
    if merge:
        stmt = select(
            CollectionEntry.card_id,
            CollectionEntry.finish,
            CollectionEntry.condition,
            CollectionEntry.language,
            CollectionEntry.id,
            CollectionEntry.quantity,
            CollectionEntry.purchase_cents,
            CollectionEntry.currency,
            CollectionEntry.tags,
            CollectionEntry.notes,
            CollectionEntry.acquired,
        ).where(CollectionEntry.collection_id == collection.id)
        for (
            card_id,
            finish,
            condition,
            language,
            entry_id,
            quantity,
            cents,
            cur,
            tags,
            notes,
            acquired,
        ) in await session.execute(stmt):
            held = Holding(quantity, cents, cur, unpack_tags(tags), notes, acquired)
            existing[(card_id, finish, condition, language)] = (entry_id, held)

    resolver = Resolver(session)
    new: dict[Key, Holding] = {}
    grow: set[Key] = set()  # existing entries this file adds to
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    rows_read = imported = merged = approximate = 0
    while batch := await _in_thread(_take, rows, PARSE_BATCH):
        rows_read += len(batch)
        if rows_read > max_rows:
            raise ImportTooLarge(f"The file has more than {max_rows:,} rows; split it (nothing was imported).")
        for row, res in zip(batch, await resolver.resolve(batch), strict=True):
            if res.card_id is None:
                errors.append({"line": row.line, "reason": res.reason or "unresolved", "row": row.raw})
                continue
            key = (res.card_id, row.finish, row.condition, row.language)
            target = new.get(key) or (existing[key][1] if key in existing else None)
            copies = (target.quantity if target is not None else 0) + row.quantity
            if copies > formats.MAX_QUANTITY:
                reason = f"the entry would hold {copies:,} copies, more than {formats.MAX_QUANTITY:,}"
                errors.append({"line": row.line, "reason": reason, "row": row.raw})
                continue
            if res.approximate:
                approximate += 1
                warnings.append(
                    {"line": row.line, "kind": "approximate", "reason": res.approximate, "card_id": res.card_id}
                )
            if row.purchase_price is not None and row.currency is None:
                reason = (
                    f"purchase price {row.purchase_price} has no currency (the {fmt_name} file does not say): "
                    "kept without one, so cost_basis leaves it out; import with currency=USD or EUR"
                )
                warnings.append({"line": row.line, "kind": "currency", "reason": reason, "card_id": res.card_id})
            if target is None:
                imported += 1
                new[key] = _row_holding(row)
                continue
            merged += 1
            if key in existing:
                grow.add(key)
            for problem in merge_holding(target, _row_holding(row)):
                warnings.append({"line": row.line, "kind": "merge", "reason": problem, "card_id": res.card_id})
        if on_rows is not None:
            on_rows(rows_read)

    savepoint = await session.begin_nested()
    try:
        conn = await session.connection()
        if not merge:
            await conn.execute(delete(ENTRY_TABLE).where(ENTRY_TABLE.c.collection_id == collection.id))
        now = utcnow()
        if new:
            values = [
                {
                    "collection_id": collection.id,
                    "card_id": key[0],
                    "quantity": p.quantity,
                    "finish": key[1],
                    "condition": key[2],
                    "language": key[3],
                    "purchase_cents": p.cents,
                    "currency": p.currency,
                    "acquired": p.acquired,
                    "tags": pack_tags(p.tags),
                    "notes": p.notes,
                    "created_at": now,
                    "updated_at": now,
                }
                for key, p in new.items()
            ]
            for start in range(0, len(values), 5000):
                await conn.execute(ENTRY_TABLE.insert(), values[start : start + 5000])
        if grow:
            # Absolute values: the collection's row lock (taken above) keeps the entries as they were read.
            grow_stmt = (
                update(ENTRY_TABLE)
                .where(ENTRY_TABLE.c.id == bindparam("entry_id"))
                .values(
                    quantity=bindparam("new_quantity"),
                    purchase_cents=bindparam("new_cents"),
                    currency=bindparam("new_currency"),
                    tags=bindparam("new_tags"),
                    notes=bindparam("new_notes"),
                    acquired=bindparam("new_acquired"),
                    updated_at=now,
                )
            )
            params = []
            for k in grow:
                entry_id, h = existing[k]
                params.append(
                    {
                        "entry_id": entry_id,
                        "new_quantity": h.quantity,
                        "new_cents": h.cents,
                        "new_currency": h.currency,
                        "new_tags": pack_tags(h.tags),
                        "new_notes": h.notes,
                        "new_acquired": h.acquired,
                    }
                )
            await conn.execute(grow_stmt, params)
        if new or grow or not merge:
            await conn.execute(update(Collection).where(Collection.id == collection.id).values(updated_at=now))
        if dry_run:
            await savepoint.rollback()
        else:
            await savepoint.commit()
    except BaseException:
        if savepoint.is_active:
            await savepoint.rollback()
        raise
    return {
        "object": "import_report",
        "format": fmt_name,
        "dry_run": dry_run,
        "merge": merge,
        "rows_read": rows_read,
        "imported": imported,
        "merged": merged,
        "unresolved": len(errors),
        "approximate": approximate,
        "errors": errors,
        "warnings": warnings,
        "seconds": round(time.perf_counter() - started, 3),
    }


def cap_report(report: dict[str, Any], limit: int) -> dict[str, Any]:
    """The report with at most ``limit`` errors and warnings echoed: a 3.5 MB file of unknown cards must
    not answer with a 10 MB report. The counts stay exact; the flags say what was left out."""
    errors, warnings = report["errors"], report["warnings"]
    return {
        **report,
        "errors": errors[:limit],
        "errors_truncated": len(errors) > limit,
        "warnings": warnings[:limit],
        "warnings_total": len(warnings),
        "warnings_truncated": len(warnings) > limit,
    }


# -- export -----------------------------------------------------------------------------------------------------


async def export_rows(session: AsyncSession, collection: Collection) -> list[formats.ExportRow]:
    """Every entry as an ``ExportRow`` with the catalog's names and ids, in insertion order."""
    stmt = (
        select(
            CollectionEntry,
            Card.name,
            Card.set_code,
            CardSet.name,
            Card.collector_number,
            Card.rarity,
            Card.tcgplayer_id,
            Card.tcgplayer_etched_id,
            Card.mtgo_id,
            Card.cardmarket_id,
        )
        .join(Card, Card.id == CollectionEntry.card_id)
        .outerjoin(CardSet, CardSet.code == Card.set_code)
        .where(CollectionEntry.collection_id == collection.id)
        .order_by(CollectionEntry.id)
    )
    records = (await session.execute(stmt)).all()
    # Multiverse ids in batches (a correlated subquery per row cost PostgreSQL seconds on 14k entries).
    multiverse: dict[uuid.UUID, int] = {}
    card_ids = list({r[0].card_id for r in records})
    for chunk in _chunks(card_ids):
        mv_stmt = (
            select(CardMultiverse.card_id, func.min(CardMultiverse.multiverse_id))
            .where(CardMultiverse.card_id.in_(chunk))
            .group_by(CardMultiverse.card_id)
        )
        multiverse.update(dict((await session.execute(mv_stmt)).all()))
    out: list[formats.ExportRow] = []
    for e, name, set_code, set_name, number, rarity, tcg, tcg_etched, mtgo, cardmarket in records:
        mv = multiverse.get(e.card_id)
        out.append(
            formats.ExportRow(
                quantity=e.quantity,
                name=name,
                set_code=set_code,
                set_name=set_name,
                collector_number=number,
                scryfall_id=str(e.card_id),
                finish=e.finish,
                condition=e.condition,
                language=e.language,
                purchase_price=Decimal(cents_str(e.purchase_cents) or "0") if e.purchase_cents is not None else None,
                currency=e.currency,
                acquired=e.acquired,
                tags=tuple(unpack_tags(e.tags)),
                notes=e.notes,
                rarity=rarity,
                tcgplayer_id=(tcg_etched or tcg) if e.finish == "etched" else tcg,
                multiverse_id=mv,
                mtgo_id=mtgo,
                cardmarket_id=cardmarket,
            )
        )
    return out
