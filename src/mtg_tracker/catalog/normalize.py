"""Scryfall card object → the indexed columns the catalog and the search engine need. Pure, no I/O.

Accepts every schema Scryfall has shipped: current objects, the 2019 dump (no ``prices``/``finishes``/
``keywords``, singular ``frame_effect``) and the 2018 layout with top-level ``usd/eur/tix``. The source
object is kept verbatim (minus its volatile prices, stored separately) so the API returns every field the
source had and invents none.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from mtg_tracker.catalog.upgrade import upgrade_card
from mtg_tracker.price.models import PRICE_TYPES as PRICE_KEYS

COLOR_BITS = {"W": 1, "U": 2, "B": 4, "R": 8, "G": 16}
GAME_BITS = {"paper": 1, "mtgo": 2, "arena": 4, "astral": 8, "sega": 16}
FINISH_BITS = {"nonfoil": 1, "foil": 2, "etched": 4, "glossy": 8}
RARITY_RANK = {"common": 0, "uncommon": 1, "rare": 2, "special": 3, "mythic": 4, "bonus": 5}
LEGACY_PRICE_KEYS = ("usd", "eur", "tix")
# Layouts Scryfall hides from searches unless asked for (include:extras).
EXTRA_LAYOUTS = frozenset(
    {"token", "double_faced_token", "emblem", "art_series", "planar", "scheme", "vanguard", "augment", "host"}
)

# Bump whenever normalize_card's output changes: files already imported then get processed again instead
# of being recognised as identical by their fingerprint.
NORMALIZER_VERSION = 2  # 2: objects are upgraded to the current card schema (catalog.upgrade)

PRICE_STYLE_NONE = 0
PRICE_STYLE_OBJECT = 1  # "prices": {...}
PRICE_STYLE_LEGACY = 2  # top-level "usd"/"eur"/"tix" (2018)


class BadRecord(ValueError):
    """A card object that cannot be imported; the message says why (shown in the import summary)."""


@dataclass(slots=True)
class NormalizedCard:
    id: uuid.UUID
    row: dict[str, Any]
    data: bytes
    content_hash: str
    names: list[str]
    multiverse_ids: list[int]
    prices: dict[str, int | None] = field(default_factory=dict)
    set_info: dict[str, Any] = field(default_factory=dict)
    # The object as the source had it (with its prices) when the upgrade changed anything, else None.
    source: bytes | None = None
    # Fields the upgrade to the current schema added or converted (for the import summary).
    upgraded: list[str] = field(default_factory=list)
    # The upgraded object itself (what search rows are derived from); not stored.
    current: dict[str, Any] = field(default_factory=dict)
    # The search index rows (catalog.searchdoc), derived by the importer on its parse thread.
    search: dict[str, Any] | None = None
    text: dict[str, Any] | None = None


_PUNCT = re.compile(r"[^\w\s/]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form used for exact/fuzzy lookups and autocomplete.

    ``Æther Vial`` → ``aether vial``; ``Jace, the Mind Sculptor`` → ``jace the mind sculptor``.
    """
    text = name.replace("Æ", "Ae").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _PUNCT.sub("", text.lower())
    return _SPACES.sub(" ", text).strip()


def color_mask(colors: Any) -> int | None:
    if colors is None:
        return None
    if not isinstance(colors, list):
        raise BadRecord("colors must be a list")
    mask = 0
    for c in colors:
        mask |= COLOR_BITS.get(c, 0) if isinstance(c, str) else 0
    return mask


def mask_to_colors(mask: int) -> list[str]:
    return [c for c, bit in COLOR_BITS.items() if mask & bit]


def price_to_cents(value: Any) -> int | None:
    """``"1.23"`` → 123. Exact (Decimal), because float cents drift and prices are compared for alerts."""
    if value is None or value == "":
        return None
    try:
        cents = (Decimal(str(value)) * 100).quantize(Decimal(1))
    except (InvalidOperation, ValueError) as exc:
        raise BadRecord(f"price {value!r} is not a number") from exc
    if cents < 0:
        raise BadRecord(f"price {value!r} is negative")
    return int(cents)


def cents_to_price(cents: int | None) -> str | None:
    if cents is None:
        return None
    return f"{cents // 100}.{cents % 100:02d}"


def numeric_stat(value: Any) -> float | None:
    """``"3"`` → 3.0, ``"1.5"`` → 1.5, ``"-1"`` → -1.0; ``"*"``, ``"1+*"``, ``"X"`` → None (never compare)."""
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise BadRecord("power/toughness/loyalty must be text")
    text = str(value).replace("½", ".5").strip()
    try:
        return float(text)
    except ValueError:
        return None


def collector_number_sort(cn: str) -> int | None:
    match = re.match(r"\d+", cn)
    return int(match.group()) if match else None


def _parse_date(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRecord("released_at must be a date string")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise BadRecord(f"released_at {value!r} is not a date") from exc


def _parse_uuid(value: Any, what: str, *, required: bool = False) -> uuid.UUID | None:
    if value is None:
        if required:
            raise BadRecord(f"no {what}")
        return None
    if not isinstance(value, str):
        raise BadRecord(f"{what} must be a string")
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadRecord(f"{what} {value!r} is not a UUID") from exc


def _opt_int(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{key} must be an integer")
    return value


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRecord(f"{key} must be a string")
    return value


def _bits(values: Any, table: dict[str, int], what: str) -> int | None:
    if values is None:
        return None
    if not isinstance(values, list):
        raise BadRecord(f"{what} must be a list")
    mask = 0
    for v in values:
        if isinstance(v, str):
            mask |= table.get(v, 0)
    return mask


def _faces(obj: dict[str, Any]) -> list[dict[str, Any]]:
    faces = obj.get("card_faces")
    if faces is None:
        return []
    if not isinstance(faces, list) or not all(isinstance(f, dict) for f in faces):
        raise BadRecord("card_faces must be a list of objects")
    return faces


def _joined(obj: dict[str, Any], faces: list[dict[str, Any]], key: str, sep: str) -> str | None:
    top = obj.get(key)
    if top is not None:
        if not isinstance(top, str):
            raise BadRecord(f"{key} must be a string")
        return top
    parts = [f[key] for f in faces if isinstance(f.get(key), str)]
    return sep.join(parts) if parts else None


def _first(obj: dict[str, Any], faces: list[dict[str, Any]], key: str) -> Any:
    if obj.get(key) is not None:
        return obj[key]
    for f in faces:
        if f.get(key) is not None:
            return f[key]
    return None


def split_prices(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int | None], int, int]:
    """Take the volatile prices out of the object.

    Returns (object without prices, cents per key, style, bitmask of the keys the source had) so the API
    can put today's prices back in exactly the source's shape.
    """
    prices = obj.get("prices")
    if isinstance(prices, dict):
        rest = {k: v for k, v in obj.items() if k != "prices"}
        keys = 0
        cents: dict[str, int | None] = {}
        for i, key in enumerate(PRICE_KEYS):
            if key in prices:
                keys |= 1 << i
                cents[key] = price_to_cents(prices[key])
        return rest, cents, PRICE_STYLE_OBJECT, keys
    if prices is not None:
        raise BadRecord("prices must be an object")
    if any(k in obj for k in LEGACY_PRICE_KEYS):
        rest = {k: v for k, v in obj.items() if k not in LEGACY_PRICE_KEYS}
        keys = 0
        cents = {}
        for key in LEGACY_PRICE_KEYS:
            if key in obj:
                keys |= 1 << PRICE_KEYS.index(key)
                cents[key] = price_to_cents(obj[key])
        return rest, cents, PRICE_STYLE_LEGACY, keys
    return obj, {}, PRICE_STYLE_NONE, 0


def content_hash(rest_of_source: bytes) -> str:
    """Hash of the source object without prices, salted with the normaliser version: a new version (a new
    upgrade rule) makes every stored card differ once, so a re-import rewrites it."""
    return hashlib.blake2b(rest_of_source, digest_size=16, salt=b"v%d" % NORMALIZER_VERSION).hexdigest()


def quick_state(obj: Any) -> tuple[uuid.UUID, str, tuple[int | None, ...]] | None:
    """(id, content hash, prices) without the full normalisation, or None when that cannot be had cheaply.

    Lets a re-import recognise an unchanged card at a third of the cost; anything unusual falls back to
    ``normalize_card`` and its validation.
    """
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return None
    try:
        card_id = uuid.UUID(obj["id"])
        rest, cents, _style, _keys = split_prices(obj)
    except (ValueError, BadRecord):
        return None
    # Prices as the upgrade would shape them: legacy top-level prices become the same cents.
    return card_id, content_hash(orjson.dumps(rest)), tuple(cents.get(k) for k in PRICE_KEYS)


def normalize_card(obj: Any, set_types: Mapping[str, str] | None = None) -> NormalizedCard:
    """Validate, upgrade to the current schema (catalog.upgrade) and flatten one card object; raises
    ``BadRecord`` with a reason a person can act on."""
    if not isinstance(obj, dict):
        raise BadRecord("record is not a JSON object")
    if obj.get("object", "card") != "card":
        raise BadRecord(f"object is {obj.get('object')!r}, not 'card'")
    source_obj = obj
    source_rest, _c, _s, _k = split_prices(source_obj)
    obj, upgraded = upgrade_card(source_obj, set_types)
    card_id = _parse_uuid(obj.get("id"), "id", required=True)
    assert card_id is not None
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadRecord("no name")
    set_code = obj.get("set")
    if not isinstance(set_code, str) or not set_code:
        raise BadRecord("no set code")
    cn = obj.get("collector_number")
    if not isinstance(cn, str) or not cn:
        raise BadRecord("no collector_number")
    faces = _faces(obj)
    rest, cents, price_style, price_keys = split_prices(obj)

    colors = color_mask(obj.get("colors"))
    if colors is None and faces:
        face_masks = [color_mask(f.get("colors")) for f in faces]
        colors = 0
        for m in face_masks:
            colors |= m or 0
    cmc = obj.get("cmc")
    if cmc is not None and (isinstance(cmc, bool) or not isinstance(cmc, int | float)):
        raise BadRecord("cmc must be a number")
    rarity = _opt_str(obj, "rarity") or "common"
    frame_effects = obj.get("frame_effects")
    if frame_effects is None and isinstance(obj.get("frame_effect"), str):
        frame_effects = [obj["frame_effect"]]
    if frame_effects is not None and not isinstance(frame_effects, list):
        raise BadRecord("frame_effects must be a list")
    finishes = _bits(obj.get("finishes"), FINISH_BITS, "finishes")
    if finishes is None:  # 2019 schema: derive from the booleans
        finishes = (FINISH_BITS["nonfoil"] if obj.get("nonfoil") else 0) | (
            FINISH_BITS["foil"] if obj.get("foil") else 0
        )
    multiverse = obj.get("multiverse_ids") or []
    if not isinstance(multiverse, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in multiverse):
        raise BadRecord("multiverse_ids must be a list of integers")
    keywords = obj.get("keywords")
    if keywords is not None and not isinstance(keywords, list):
        raise BadRecord("keywords must be a list")
    legalities = obj.get("legalities")
    if legalities is not None and not isinstance(legalities, dict):
        raise BadRecord("legalities must be an object")
    layout = _opt_str(obj, "layout") or "normal"
    power = _first(obj, faces, "power")
    toughness = _first(obj, faces, "toughness")
    loyalty = _first(obj, faces, "loyalty")
    defense = _first(obj, faces, "defense")
    set_type = _opt_str(obj, "set_type")

    row: dict[str, Any] = {
        "id": card_id,
        "oracle_id": _parse_uuid(obj.get("oracle_id") or (faces[0].get("oracle_id") if faces else None), "oracle_id"),
        "name": name,
        "name_norm": normalize_name(name),
        "lang": _opt_str(obj, "lang") or "en",
        "released_at": _parse_date(obj.get("released_at")),
        "layout": layout,
        "set_code": set_code.lower(),
        "set_id": _parse_uuid(obj.get("set_id"), "set_id"),
        "collector_number": cn,
        "cn_sort": collector_number_sort(cn),
        "rarity": rarity,
        "rarity_rank": RARITY_RANK.get(rarity, 0),
        "mana_cost": _joined(obj, faces, "mana_cost", " // "),
        "cmc": float(cmc) if cmc is not None else None,
        "type_line": _joined(obj, faces, "type_line", " // "),
        "oracle_text": _joined(obj, faces, "oracle_text", "\n\n"),
        "flavor_text": _joined(obj, faces, "flavor_text", "\n\n"),
        "power": str(power) if power is not None else None,
        "toughness": str(toughness) if toughness is not None else None,
        "loyalty": str(loyalty) if loyalty is not None else None,
        "defense": str(defense) if defense is not None else None,
        "power_num": numeric_stat(power),
        "toughness_num": numeric_stat(toughness),
        "loyalty_num": numeric_stat(loyalty),
        "defense_num": numeric_stat(defense),
        "colors": colors or 0,
        "color_identity": color_mask(obj.get("color_identity")) or 0,
        "color_indicator": color_mask(_first(obj, faces, "color_indicator")),
        "produced_mana": color_mask([m for m in obj.get("produced_mana") or [] if m != "C"])
        if obj.get("produced_mana") is not None
        else None,
        "keywords": orjson.dumps(keywords).decode() if keywords is not None else None,
        "legalities": orjson.dumps(legalities).decode() if legalities is not None else None,
        "games": _bits(obj.get("games"), GAME_BITS, "games") or 0,
        "finishes": finishes,
        "frame": _opt_str(obj, "frame"),
        "frame_effects": " ".join(str(f) for f in frame_effects) if frame_effects else None,
        "border_color": _opt_str(obj, "border_color"),
        "security_stamp": _opt_str(obj, "security_stamp"),
        "watermark": _opt_str(obj, "watermark") or (_opt_str(faces[0], "watermark") if faces else None),
        "artist": _opt_str(obj, "artist") or (_opt_str(faces[0], "artist") if faces else None),
        "illustration_id": _parse_uuid(
            obj.get("illustration_id") or (faces[0].get("illustration_id") if faces else None), "illustration_id"
        ),
        "reserved": bool(obj.get("reserved")),
        "digital": bool(obj.get("digital")),
        "promo": bool(obj.get("promo")),
        "reprint": bool(obj.get("reprint")),
        "oversized": bool(obj.get("oversized")),
        "full_art": bool(obj.get("full_art")),
        "textless": bool(obj.get("textless")),
        "booster": bool(obj.get("booster", True)),
        "variation": bool(obj.get("variation")),
        "is_extra": layout in EXTRA_LAYOUTS or set_type in ("token", "memorabilia"),
        "mtgo_id": _opt_int(obj, "mtgo_id"),
        "mtgo_foil_id": _opt_int(obj, "mtgo_foil_id"),
        "arena_id": _opt_int(obj, "arena_id"),
        "tcgplayer_id": _opt_int(obj, "tcgplayer_id"),
        "tcgplayer_etched_id": _opt_int(obj, "tcgplayer_etched_id"),
        "cardmarket_id": _opt_int(obj, "cardmarket_id"),
        "edhrec_rank": _opt_int(obj, "edhrec_rank"),
        "penny_rank": _opt_int(obj, "penny_rank"),
        "price_style": price_style,
        "price_keys": price_keys,
    }
    for key in PRICE_KEYS:
        row[key] = cents.get(key)

    data = orjson.dumps(rest)
    source_rest_bytes = orjson.dumps(source_rest) if upgraded else data
    names = {row["name_norm"]}
    for f in faces:
        if isinstance(f.get("name"), str):
            names.add(normalize_name(f["name"]))
    set_info = {
        "code": row["set_code"],
        "id": row["set_id"],
        "name": _opt_str(obj, "set_name"),
        "set_type": set_type,
        "released_at": row["released_at"],
        "digital": row["digital"],
    }
    return NormalizedCard(
        id=card_id,
        row=row,
        data=data,
        content_hash=content_hash(source_rest_bytes),
        names=sorted(names),
        multiverse_ids=sorted(set(multiverse)),
        prices=cents,
        set_info=set_info,
        source=orjson.dumps(source_obj) if upgraded else None,
        upgraded=upgraded,
        current=obj,
    )


def render_prices(price_style: int, price_keys: int, cents: dict[str, int | None]) -> bytes:
    """The JSON members to splice back into the stored object, in the shape the source used."""
    if price_style == PRICE_STYLE_NONE:
        return b""
    members = {key: cents_to_price(cents.get(key)) for i, key in enumerate(PRICE_KEYS) if price_keys & (1 << i)}
    if price_style == PRICE_STYLE_OBJECT:
        return b'"prices":' + orjson.dumps(members)
    return orjson.dumps(members)[1:-1]


def card_json(data: bytes | str, price_members: bytes) -> bytes:
    """Stored object + today's prices, without re-parsing: the stored object is always ``{…}`` we wrote."""
    raw = data.encode() if isinstance(data, str) else data
    if not price_members:
        return raw
    if raw == b"{}":
        return b"{" + price_members + b"}"
    return raw[:-1] + b"," + price_members + b"}"
