"""Catalog reads (Scryfall-shaped JSON bytes) and the few writes outside bulk import.

Card bodies are assembled from the stored source bytes plus today's prices without re-parsing, and
cached per card id; a cache hit needs no database session at all.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Select, case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog import catalogs, symbology
from mtg_tracker.catalog.errors import AmbiguousCardName, CardNotFound, SetNotFound
from mtg_tracker.catalog.importer import last_card_import, upsert_card_objects
from mtg_tracker.catalog.models import (
    CATALOG_CACHE_NAMESPACE,
    Card,
    CardMigration,
    CardMultiverse,
    CardName,
    CardRuling,
    CardSearch,
    CardSet,
)
from mtg_tracker.catalog.names import NameIndex
from mtg_tracker.catalog.normalize import COLOR_BITS, FINISH_BITS, card_json, normalize_name, render_prices
from mtg_tracker.catalog.rulings import Ruling
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.upgrade import upgrade_set
from mtg_tracker.kit.cache import Cache
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.errors import NotFound, ValidationFailed
from mtg_tracker.price.models import PRICE_TYPES as _PRICE_NAMES

BODY_COLUMNS = (Card.data, Card.price_style, Card.price_keys, *(getattr(Card, t) for t in _PRICE_NAMES))
BodySelect = Select[*tuple[Any, ...]]

# Which printing answers for a name: English, a real card over an extra, paper over digital, non-promo,
# newest first. This is what a player means by "the card called X".
_PREFERRED = (
    (Card.lang != "en").asc(),
    Card.is_extra.asc(),
    Card.digital.asc(),
    Card.promo.asc(),
    Card.released_at.desc(),
    Card.cn_sort.asc(),
    Card.id.asc(),
)


@dataclass(frozen=True)
class Payload:
    """A JSON body ready to send, with its entity tag."""

    body: bytes
    etag: str

    def pack(self) -> bytes:
        return self.etag.encode() + b"\n" + self.body

    @classmethod
    def unpack(cls, raw: bytes) -> Payload:
        etag, body = raw.split(b"\n", 1)
        return cls(body=body, etag=etag.decode())

    @classmethod
    def of(cls, body: bytes) -> Payload:
        return cls(body=body, etag='"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"')


def card_body(row: Sequence[Any]) -> bytes:
    """A card object from a row of ``BODY_COLUMNS`` (stored bytes plus today's prices, no re-parsing)."""
    data, style, keys, *cents = row
    return card_json(data, render_prices(style, keys, dict(zip(_PRICE_NAMES, cents, strict=True))))


async def _first_body(session: AsyncSession, stmt: BodySelect) -> bytes | None:
    row = (await session.execute(stmt.limit(1))).first()
    return card_body(row) if row else None


def _select_bodies() -> BodySelect:
    return select(*BODY_COLUMNS)


# -- single cards --------------------------------------------------------------------------------------


async def card_by_id(
    db: Database, cache: Cache, card_id: uuid.UUID, *, upstream: ScryfallClient | None = None
) -> Payload:
    """A card by Scryfall id; a local miss is fetched from Scryfall and stored when upstream is allowed."""
    key = f"card:{card_id}"
    cached = await cache.get(CATALOG_CACHE_NAMESPACE, key)
    if cached is not None:
        return Payload.unpack(cached)
    async with db.session(write=False) as session:
        body = await _first_body(session, _select_bodies().where(Card.id == card_id))
    if body is None:
        async with db.session(write=False) as session:
            migration = await migration_of(session, card_id)
        if migration is not None:
            # Scryfall retired this id: fetching it upstream would only 404 again. Say where it went.
            where = f"merged into {migration.new_scryfall_id}" if migration.strategy == "merge" else "deleted"
            raise CardNotFound(
                f"Card {card_id} was {where} by Scryfall on {migration.performed_at} (migration {migration.id}).",
                extra={"migration": orjson.loads(migration.data)},
            )
        if upstream is None:
            raise CardNotFound(f"No card found with id {card_id}.")
        obj = await upstream.card(str(card_id))
        if obj is None:
            raise CardNotFound(f"No card found with id {card_id}.")
        async with db.session_scope() as session:
            await upsert_card_objects(session, [obj], day=datetime.now(UTC).date())
            body = await _first_body(session, _select_bodies().where(Card.id == card_id))
        if body is None:
            raise CardNotFound(f"Scryfall's card {card_id} could not be stored.")
    payload = Payload.of(body)
    await cache.set(CATALOG_CACHE_NAMESPACE, key, payload.pack())
    return payload


async def card_source(session: AsyncSession, card_id: uuid.UUID) -> Payload:
    """The card as its source file had it: the kept source object when the import upgraded it, else the
    stored object (it was current already) with today's prices."""
    row = (await session.execute(select(Card.source, *BODY_COLUMNS).where(Card.id == card_id))).first()
    if row is None:
        raise CardNotFound(f"No card found with id {card_id}.")
    return Payload.of(row[0] if row[0] is not None else card_body(row[1:]))


async def card_by_set_number(session: AsyncSession, set_code: str, number: str, lang: str | None) -> Payload:
    stmt = _select_bodies().where(Card.set_code == set_code.lower(), Card.collector_number == number)
    if lang:
        stmt = stmt.where(Card.lang == lang.lower())
    body = await _first_body(session, stmt.order_by((Card.lang != "en").asc(), Card.id))
    if body is None:
        suffix = f" in language {lang}" if lang else ""
        raise CardNotFound(f"No card found in set {set_code} with collector number {number}{suffix}.")
    return Payload.of(body)


_ID_COLUMNS = {
    "mtgo": (Card.mtgo_id, Card.mtgo_foil_id),
    "arena": (Card.arena_id,),
    "tcgplayer": (Card.tcgplayer_id, Card.tcgplayer_etched_id),
    "cardmarket": (Card.cardmarket_id,),
}


async def card_by_external_id(session: AsyncSession, kind: str, value: int) -> Payload:
    if kind == "multiverse":
        stmt = (
            _select_bodies()
            .join(CardMultiverse, CardMultiverse.card_id == Card.id)
            .where(CardMultiverse.multiverse_id == value)
        )
    else:
        cols = _ID_COLUMNS[kind]
        cond = cols[0] == value
        for col in cols[1:]:
            cond = cond | (col == value)
        stmt = _select_bodies().where(cond)
    body = await _first_body(session, stmt.order_by(*_PREFERRED))
    if body is None:
        raise CardNotFound(f"No card found with {kind} id {value}.")
    return Payload.of(body)


async def card_bodies(session: AsyncSession, card_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bytes]:
    """Card objects for many ids in one query, for other domains that embed cards in their own objects."""
    if not card_ids:
        return {}
    rows = await session.execute(select(Card.id, *BODY_COLUMNS).where(Card.id.in_(set(card_ids))))
    return {row[0]: card_body(row[1:]) for row in rows}


# -- names ---------------------------------------------------------------------------------------------


class NameIndexHolder:
    """One name index per process, rebuilt lazily after an import bumps the catalog generation."""

    def __init__(self) -> None:
        self._index: NameIndex | None = None
        self._generation: int | None = None

    async def get(self, db: Database, cache: Cache) -> NameIndex:
        generation = cache.generations.get(CATALOG_CACHE_NAMESPACE, 0)
        if self._index is None or generation != self._generation:
            async with db.session(write=False) as session:
                rows = await session.execute(
                    select(CardName.name_norm, Card.name, Card.is_extra)
                    .join(Card, Card.id == CardName.card_id)
                    .distinct()
                )
                self._index = NameIndex((r[0], r[1], bool(r[2])) for r in rows)
            self._generation = generation
        return self._index


async def card_named(
    session: AsyncSession, index: NameIndex, *, exact: str | None, fuzzy: str | None, set_code: str | None
) -> Payload:
    if exact is not None:
        full = index.exact(exact)
        query = exact
    else:
        assert fuzzy is not None
        result = index.fuzzy(fuzzy)
        query = fuzzy
        if result.ambiguous:
            raise AmbiguousCardName(
                f"Too many cards match ambiguous name “{fuzzy}”. Add more words to refine your search. "
                f"Candidates include: {', '.join(result.candidates)}."
            )
        full = result.name
    if full is None:
        raise CardNotFound(f"No cards found matching “{query}”.")
    stmt = _select_bodies().where(Card.name_norm == normalize_name(full))
    if set_code:
        stmt = stmt.where(Card.set_code == set_code.lower())
    body = await _first_body(session, stmt.order_by(*_PREFERRED))
    if body is None:
        where = f" in set {set_code}" if set_code else ""
        raise CardNotFound(f"No cards found matching “{query}”{where}.")
    return Payload.of(body)


async def random_card(session: AsyncSession) -> Payload:
    """A uniformly random non-extra paper card: ids are random UUIDs, so the next id after a random
    point is a fair pick without counting or OFFSET scans."""
    pivot = uuid.UUID(bytes=secrets.token_bytes(16))
    base = _select_bodies().where(Card.is_extra.is_(False), Card.digital.is_(False))
    body = await _first_body(session, base.where(Card.id >= pivot).order_by(Card.id))
    if body is None:
        body = await _first_body(session, base.order_by(Card.id))
    if body is None:
        raise CardNotFound("The catalog is empty: import cards first.")
    return Payload.of(body)


# -- collection ----------------------------------------------------------------------------------------


def _identifier_key(ident: dict[str, Any]) -> str:
    return orjson.dumps(ident, option=orjson.OPT_SORT_KEYS).decode()


async def collection(session: AsyncSession, identifiers: list[dict[str, Any]]) -> bytes:
    """Scryfall's /cards/collection: one card per identifier in order, misses listed in ``not_found``."""
    bodies: list[bytes] = []
    not_found: list[dict[str, Any]] = []
    for ident in identifiers:
        stmt = _collection_stmt(ident)
        body = await _first_body(session, stmt) if stmt is not None else None
        if body is None:
            not_found.append(ident)
        else:
            bodies.append(body)
    return b'{"object":"list","not_found":' + orjson.dumps(not_found) + b',"data":[' + b",".join(bodies) + b"]}"


def _collection_stmt(ident: dict[str, Any]) -> BodySelect | None:
    base = _select_bodies()
    if "id" in ident:
        return base.where(Card.id == uuid.UUID(ident["id"]))
    if "mtgo_id" in ident:
        return base.where((Card.mtgo_id == ident["mtgo_id"]) | (Card.mtgo_foil_id == ident["mtgo_id"])).order_by(
            *_PREFERRED
        )
    if "multiverse_id" in ident:
        return (
            base.join(CardMultiverse, CardMultiverse.card_id == Card.id)
            .where(CardMultiverse.multiverse_id == ident["multiverse_id"])
            .order_by(*_PREFERRED)
        )
    if "oracle_id" in ident:
        return base.where(Card.oracle_id == uuid.UUID(ident["oracle_id"])).order_by(*_PREFERRED)
    if "illustration_id" in ident:
        return base.where(Card.illustration_id == uuid.UUID(ident["illustration_id"])).order_by(*_PREFERRED)
    if "collector_number" in ident and "set" in ident:
        return base.where(
            Card.set_code == ident["set"].lower(), Card.collector_number == ident["collector_number"]
        ).order_by((Card.lang != "en").asc())
    if "name" in ident:
        stmt = base.join(CardName, CardName.card_id == Card.id).where(
            CardName.name_norm == normalize_name(ident["name"])
        )
        if "set" in ident:
            stmt = stmt.where(Card.set_code == ident["set"].lower())
        return stmt.order_by(*_PREFERRED)
    return None


# -- sets ----------------------------------------------------------------------------------------------


def _set_body(s: CardSet, finishes: tuple[int, int, int]) -> bytes:
    """Scryfall's set object with every field it always carries: the /sets object when one was imported
    (older ones gain what they lack), else one built from what the cards said. ``finishes`` is (printings,
    with a nonfoil finish, with a foil finish), for foil_only/nonfoil_only."""
    total, nonfoil, foil = finishes
    flags = {"foil_only": total > 0 and nonfoil == 0, "nonfoil_only": total > 0 and foil == 0}
    if s.data is not None:
        return orjson.dumps(upgrade_set(orjson.loads(s.data), **flags))
    obj: dict[str, Any] = {"object": "set", "id": str(s.id) if s.id else None, "code": s.code, "name": s.name}
    if s.set_type:
        obj["set_type"] = s.set_type
    if s.released_at:
        obj["released_at"] = s.released_at.isoformat()
    if s.block_code:
        obj["block_code"] = s.block_code
    if s.parent_set_code:
        obj["parent_set_code"] = s.parent_set_code
    obj["card_count"] = s.card_count
    obj["digital"] = s.digital
    return orjson.dumps(upgrade_set(obj, **flags))


async def _set_finishes(session: AsyncSession, code: str | None = None) -> dict[str, tuple[int, int, int]]:
    nonfoil = func.sum(case((Card.finishes.op("&")(FINISH_BITS["nonfoil"]) != 0, 1), else_=0))
    foil = func.sum(case((Card.finishes.op("&")(FINISH_BITS["foil"] | FINISH_BITS["etched"]) != 0, 1), else_=0))
    stmt = select(Card.set_code, func.count(), nonfoil, foil).group_by(Card.set_code)
    if code is not None:
        stmt = stmt.where(Card.set_code == code)
    return {r[0]: (int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in await session.execute(stmt)}


async def list_sets(session: AsyncSession) -> Payload:
    finishes = await _set_finishes(session)
    rows = (
        await session.execute(select(CardSet).order_by(CardSet.released_at.desc().nulls_last(), CardSet.code))
    ).scalars()
    body = (
        b'{"object":"list","has_more":false,"data":['
        + b",".join(_set_body(s, finishes.get(s.code, (0, 0, 0))) for s in rows)
        + b"]}"
    )
    return Payload.of(body)


async def get_set(session: AsyncSession, code_or_id: str) -> Payload:
    stmt = select(CardSet)
    try:
        set_id = uuid.UUID(code_or_id)
        stmt = stmt.where(CardSet.id == set_id)
    except ValueError:
        stmt = stmt.where(CardSet.code == code_or_id.lower())
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise SetNotFound(f"No set found with code or id “{code_or_id}”.")
    finishes = await _set_finishes(session, found.code)
    return Payload.of(_set_body(found, finishes.get(found.code, (0, 0, 0))))


async def set_by_tcgplayer_id(session: AsyncSession, tcgplayer_id: int) -> Payload:
    """The set whose Scryfall object carries this tcgplayer_id. Only sets imported from /sets have one; a
    few hundred rows, so reading their objects beats a column that every set import would have to fill."""
    rows = await session.execute(
        select(CardSet).where(CardSet.data.is_not(None)).order_by(CardSet.released_at.desc().nulls_last())
    )
    for found in rows.scalars():
        if found.data is not None and orjson.loads(found.data).get("tcgplayer_id") == tcgplayer_id:
            # Rendered like /sets/{code}: every field of today's set object, this server's links.
            finishes = await _set_finishes(session, found.code)
            return Payload.of(_set_body(found, finishes.get(found.code, (0, 0, 0))))
    raise SetNotFound(f"No set found with tcgplayer id {tcgplayer_id}.")


# -- catalogs ------------------------------------------------------------------------------------------


async def catalog(session: AsyncSession, name: str) -> list[str]:
    if name not in catalogs.CATALOGS:
        raise CardNotFound(f"No catalog named “{name}”. Available: {', '.join(sorted(catalogs.CATALOGS))}.")
    column_of = {
        "card-names": Card.name,
        "artist-names": Card.artist,
        "word-bank": Card.name,
        "powers": Card.power,
        "toughnesses": Card.toughness,
        "loyalties": Card.loyalty,
        "watermarks": Card.watermark,
    }
    if name in catalogs.KEYWORD_CATALOGS:
        return catalogs.build(name, ())
    if name == "flavor-words":
        # Joke cards print italic lead-ins that are not flavor words in Scryfall's sense (Unhinged's
        # "Gotcha"): leave out silver borders and funny sets.
        texts = await session.execute(
            select(Card.oracle_text)
            .join(CardSearch, CardSearch.card_id == Card.id)
            .where(
                Card.oracle_text.contains(" — "),
                Card.is_extra.is_(False),
                func.coalesce(Card.border_color, "") != "silver",
                func.coalesce(CardSearch.set_type, "") != "funny",
            )
            .distinct()
        )
        return catalogs.build(name, (str(t[0]) for t in texts))
    column = column_of.get(name, Card.type_line)
    stmt = select(column).where(column.is_not(None)).distinct()
    if name in ("card-names", "word-bank"):
        stmt = stmt.where(Card.is_extra.is_(False))
    values = [str(r[0]) for r in await session.execute(stmt)]
    return catalogs.build(name, values)


# -- rulings ------------------------------------------------------------------------------------------


@dataclass
class RulingsSummary:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0  # already stored, or twice in the file (WotC rulings come from both sources)
    skipped: int = 0  # records without an oracle id, date, source or text

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "inserted": self.inserted, "duplicates": self.duplicates, "skipped": self.skipped}


RULINGS_BATCH = 2000


async def load_rulings(
    session: AsyncSession, rulings: Iterable[Ruling | None], *, progress: Callable[[int], None] | None = None
) -> RulingsSummary:
    """Add the rulings not stored yet. Loading the same file twice, or Scryfall's file after MTGJSON's,
    adds nothing twice; existing rulings are never removed (a source that drops one is not a retraction)."""
    summary = RulingsSummary()
    known = set((await session.execute(select(CardRuling.key))).scalars())
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        if batch:
            await session.execute(insert(CardRuling), batch)
            summary.inserted += len(batch)
            batch.clear()

    for ruling in rulings:
        summary.read += 1
        if progress is not None:
            progress(1)
        if ruling is None:
            summary.skipped += 1
            continue
        key = ruling.key
        if key in known:
            summary.duplicates += 1
            continue
        known.add(key)
        batch.append(
            {
                "key": key,
                "oracle_id": ruling.oracle_id,
                "source": ruling.source,
                "published_at": ruling.published_at,
                "comment": ruling.comment,
            }
        )
        if len(batch) >= RULINGS_BATCH:
            await flush()
    await flush()
    await session.flush()
    return summary


async def _card_oracle_id(session: AsyncSession, stmt: Select[uuid.UUID | None], missing: str) -> uuid.UUID | None:
    row = (await session.execute(stmt.limit(1))).first()
    if row is None:
        raise CardNotFound(missing)
    oracle_id: uuid.UUID | None = row[0]
    return oracle_id


def _oracle_select() -> Select[uuid.UUID | None]:
    return select(Card.oracle_id)


async def oracle_id_by_id(session: AsyncSession, card_id: uuid.UUID) -> uuid.UUID | None:
    return await _card_oracle_id(
        session, _oracle_select().where(Card.id == card_id), f"No card found with id {card_id}."
    )


async def oracle_id_by_external_id(session: AsyncSession, kind: str, value: int) -> uuid.UUID | None:
    if kind == "multiverse":
        stmt = (
            _oracle_select()
            .join(CardMultiverse, CardMultiverse.card_id == Card.id)
            .where(CardMultiverse.multiverse_id == value)
        )
    else:
        cols = _ID_COLUMNS[kind]
        cond = cols[0] == value
        for col in cols[1:]:
            cond = cond | (col == value)
        stmt = _oracle_select().where(cond)
    return await _card_oracle_id(session, stmt.order_by(*_PREFERRED), f"No card found with {kind} id {value}.")


async def oracle_id_by_set_number(session: AsyncSession, set_code: str, number: str) -> uuid.UUID | None:
    stmt = _oracle_select().where(Card.set_code == set_code.lower(), Card.collector_number == number)
    return await _card_oracle_id(
        session,
        stmt.order_by((Card.lang != "en").asc(), Card.id),
        f"No card found in set {set_code} with collector number {number}.",
    )


async def rulings(session: AsyncSession, oracle_id: uuid.UUID | None) -> bytes:
    """Scryfall's rulings list for a card: oldest first, as Scryfall orders them. A card without an
    oracle id (some reversible printings keep it on their faces) has no rulings to key, so an empty list."""
    items: list[dict[str, Any]] = []
    if oracle_id is not None:
        rows = await session.execute(
            select(CardRuling.oracle_id, CardRuling.source, CardRuling.published_at, CardRuling.comment)
            .where(CardRuling.oracle_id == oracle_id)
            .order_by(CardRuling.published_at, CardRuling.id)
        )
        items = [Ruling(*row).as_object() for row in rows]
    return orjson.dumps({"object": "list", "has_more": False, "data": items})


# -- migrations ----------------------------------------------------------------------------------------

MIGRATIONS_PAGE_SIZE = 350  # Scryfall's page size for /migrations


@dataclass
class MigrationsSummary:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "inserted": self.inserted, "updated": self.updated, "skipped": self.skipped}


def _migration_row(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The columns of a Scryfall migration object, or None when it lacks what a migration needs."""
    try:
        strategy = obj["migration_strategy"]
        if strategy not in ("merge", "delete"):
            return None
        new_id = obj.get("new_scryfall_id")
        row = {
            "id": uuid.UUID(str(obj["id"])),
            "performed_at": date.fromisoformat(str(obj["performed_at"])[:10]),
            "strategy": strategy,
            "old_scryfall_id": uuid.UUID(str(obj["old_scryfall_id"])),
            "new_scryfall_id": uuid.UUID(str(new_id)) if new_id else None,
        }
    except (KeyError, ValueError, TypeError):
        return None
    if strategy == "merge" and row["new_scryfall_id"] is None:
        return None  # a merge names its replacement
    row["data"] = orjson.dumps(obj)
    return row


async def store_migrations(session: AsyncSession, objects: Iterable[dict[str, Any]]) -> MigrationsSummary:
    """Insert new migrations and refresh changed ones (Scryfall may amend a note)."""
    summary = MigrationsSummary()
    existing = {r[0]: r[1] for r in await session.execute(select(CardMigration.id, CardMigration.data))}
    for obj in objects:
        summary.read += 1
        row = _migration_row(obj) if isinstance(obj, dict) else None
        if row is None:
            summary.skipped += 1
            continue
        if row["id"] not in existing:
            session.add(CardMigration(**row))
            summary.inserted += 1
        elif existing[row["id"]] != row["data"]:
            found = await session.get(CardMigration, row["id"])
            assert found is not None
            for key, value in row.items():
                setattr(found, key, value)
            summary.updated += 1
        existing[row["id"]] = row["data"]
    await session.flush()
    return summary


async def list_migrations(session: AsyncSession, page: int, page_url: Callable[[int], str]) -> bytes:
    """Scryfall's paginated list of migrations, newest first."""
    offset = (page - 1) * MIGRATIONS_PAGE_SIZE
    total = int(await session.scalar(select(func.count()).select_from(CardMigration)) or 0)
    rows = await session.execute(
        select(CardMigration.data)
        .order_by(CardMigration.performed_at.desc(), CardMigration.id)
        .offset(offset)
        .limit(MIGRATIONS_PAGE_SIZE)
    )
    has_more = offset + MIGRATIONS_PAGE_SIZE < total
    head = {"object": "list", "has_more": has_more, "next_page": page_url(page + 1) if has_more else None}
    return orjson.dumps(head)[:-1] + b',"data":[' + b",".join(r[0] for r in rows) + b"]}"


async def get_migration(session: AsyncSession, migration_id: uuid.UUID) -> Payload:
    found = await session.get(CardMigration, migration_id)
    if found is None:
        raise NotFound(f"No migration found with id {migration_id}.")
    return Payload.of(found.data)


async def migration_of(session: AsyncSession, card_id: uuid.UUID) -> CardMigration | None:
    """The newest migration that retired this card id, if any."""
    stmt = (
        select(CardMigration)
        .where(CardMigration.old_scryfall_id == card_id)
        .order_by(CardMigration.performed_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


# -- magicthegathering.io v1 (catalog/mtgio.py) ---------------------------------------------------------


async def card_in_session(session: AsyncSession, card_id: uuid.UUID) -> Payload:
    body = await _first_body(session, _select_bodies().where(Card.id == card_id))
    if body is None:
        raise CardNotFound(f"No card found with id {card_id}.")
    return Payload.of(body)


async def mtgio_cards(
    session: AsyncSession,
    *,
    name: str | None,
    set_code: str | None,
    colors: tuple[list[str], bool] | None,
    type_text: str | None,
    page: int,
    page_size: int,
) -> tuple[int, list[bytes]]:
    """English printings matching magicthegathering.io's filters, in set then collector number order."""
    conds: list[Any] = [Card.lang == "en"]
    if name:
        conds.append(Card.name_norm.contains(normalize_name(name), autoescape=True))
    if set_code:
        conds.append(Card.set_code == set_code.lower())
    if type_text:
        conds.append(func.lower(Card.type_line).contains(type_text.lower(), autoescape=True))
    if colors:
        codes, any_of = colors
        mask = 0
        for code in codes:
            mask |= COLOR_BITS[code]
        masked = Card.colors.op("&")(mask)
        conds.append(masked != 0 if any_of else masked == mask)
    total = int(await session.scalar(select(func.count()).select_from(Card).where(*conds)) or 0)
    stmt = (
        _select_bodies()
        .where(*conds)
        .order_by(Card.set_code, Card.cn_sort, Card.collector_number, Card.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return total, [card_body(row) for row in await session.execute(stmt)]


async def legality_formats(session: AsyncSession) -> list[str]:
    """The formats the stored legalities name (a sample of distinct legality objects is enough: every
    card of one Scryfall schema lists the same formats)."""
    rows = await session.execute(select(Card.legalities).where(Card.legalities.is_not(None)).distinct().limit(500))
    found: set[str] = set()
    for (text,) in rows:
        if text:
            found.update(orjson.loads(text))
    return sorted(found)


# -- symbology -----------------------------------------------------------------------------------------


def symbology_payload() -> Payload:
    """The card symbol list (shipped with the package; see catalog/symbology.py for where it comes from)."""
    data = symbology.shipped()["data"]
    return Payload.of(orjson.dumps({"object": "list", "has_more": False, "data": data}))


def parse_mana(cost: str) -> dict[str, Any]:
    symbols = {s["symbol"]: s for s in symbology.shipped()["data"]}
    try:
        return symbology.parse_mana(cost, symbols)
    except symbology.ManaCostError as exc:
        raise ValidationFailed(
            f"“{cost}” is not a mana cost: {exc}", errors=[{"field": "query.cost", "message": str(exc)}]
        ) from None


# -- freshness (for /health/detailed) --------------------------------------------------------------------


async def health_detail(db: Database) -> dict[str, Any]:
    async with db.session(write=False) as session:
        cards = await session.scalar(select(func.count()).select_from(Card))
        sets = await session.scalar(select(func.count()).select_from(CardSet))
        last = await last_card_import(session)
    age_hours = None
    if last is not None and last.finished_at is not None:
        age_hours = round((datetime.now(UTC) - last.finished_at).total_seconds() / 3600, 1)
    return {
        "cards": cards or 0,
        "sets": sets or 0,
        "last_import": None
        if last is None
        else {
            "source": last.source,
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "age_hours": age_hours,
        },
    }


async def count_cards(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Card)) or 0)


def today() -> date:
    return datetime.now(UTC).date()
