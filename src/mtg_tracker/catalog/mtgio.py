"""magicthegathering.io v1 shapes over the same catalog, under /mtgio/v1, so the mtgsdk Python SDK (and
other players' code written against api.magicthegathering.io) works with only its base URL changed.

The card ``id`` is the Scryfall id (magicthegathering.io's own ids are hashes this catalog does not
have); ``/cards/{id}`` also takes a multiverse id, as magicthegathering.io does.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from mtg_tracker.catalog import catalogs
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.kit.deps import ReadSessionDep
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.kit.schemas import error_responses

router = APIRouter(tags=["magicthegathering.io v1"])
JSON = "application/json"
MAX_PAGE_SIZE = 100  # magicthegathering.io's own ceiling
_RARITY = {"common": "Common", "uncommon": "Uncommon", "rare": "Rare", "mythic": "Mythic", "special": "Special"}
_LEGALITY = {"legal": "Legal", "banned": "Banned", "restricted": "Restricted"}


def _type_parts(type_line: str) -> tuple[list[str], list[str], list[str]]:
    left, _, right = type_line.partition("—")
    words = left.split()
    supertypes = [w for w in words if w in catalogs.SUPERTYPES]
    types = [w for w in words if w not in catalogs.SUPERTYPES]
    return supertypes, types, right.split()


def card_object(card: dict[str, Any]) -> dict[str, Any]:
    """A magicthegathering.io card from a Scryfall card object (the first face for multi-face cards, with
    every face name in ``names``, as magicthegathering.io lists split and double-faced cards)."""
    faces = [f for f in card.get("card_faces") or () if isinstance(f, dict)]
    face = faces[0] if faces else card
    type_line = str(face.get("type_line") or card.get("type_line") or "")
    supertypes, types, subtypes = _type_parts(type_line)
    out: dict[str, Any] = {
        "name": face.get("name") or card.get("name"),
        "manaCost": face.get("mana_cost") or card.get("mana_cost") or None,
        "cmc": card.get("cmc"),
        "colors": _color_names(face.get("colors", card.get("colors")) or []),
        "colorIdentity": card.get("color_identity") or [],
        "type": type_line,
        "supertypes": supertypes,
        "types": types,
        "subtypes": subtypes,
        "rarity": _RARITY.get(str(card.get("rarity")), str(card.get("rarity") or "").title()),
        "set": str(card.get("set") or "").upper(),
        "setName": card.get("set_name"),
        "text": face.get("oracle_text") or card.get("oracle_text"),
        "flavor": face.get("flavor_text") or card.get("flavor_text"),
        "artist": face.get("artist") or card.get("artist"),
        "number": card.get("collector_number"),
        "power": face.get("power"),
        "toughness": face.get("toughness"),
        "loyalty": face.get("loyalty"),
        "layout": card.get("layout"),
        "multiverseid": str(card["multiverse_ids"][0]) if card.get("multiverse_ids") else None,
        "imageUrl": ((face.get("image_uris") or card.get("image_uris") or {}).get("normal")),
        "legalities": [
            {"format": fmt.title(), "legality": _LEGALITY[state]}
            for fmt, state in sorted((card.get("legalities") or {}).items())
            if state in _LEGALITY
        ],
        "id": card.get("id"),
    }
    if faces:
        out["names"] = [f.get("name") for f in faces]
    return {k: v for k, v in out.items() if v is not None}


_COLOR_NAMES = {"W": "White", "U": "Blue", "B": "Black", "R": "Red", "G": "Green"}


def _color_names(codes: list[str]) -> list[str]:
    return [_COLOR_NAMES[c] for c in codes if c in _COLOR_NAMES]


def set_object(s: dict[str, Any]) -> dict[str, Any]:
    out = {
        "code": str(s.get("code") or "").upper(),
        "name": s.get("name"),
        "type": s.get("set_type"),
        "releaseDate": s.get("released_at"),
        "block": s.get("block"),
        "onlineOnly": bool(s.get("digital")),
    }
    return {k: v for k, v in out.items() if v is not None}


def _json(obj: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(obj), media_type=JSON, headers=headers)


@router.get("/cards", responses=error_responses(400), summary="Cards (magicthegathering.io v1)")
async def cards(
    request: Request,
    session: ReadSessionDep,
    name: Annotated[str | None, Query(max_length=200, description="Part of the card name, any case.")] = None,
    set: Annotated[str | None, Query(max_length=16, description="A set code.")] = None,
    colors: Annotated[
        str | None, Query(max_length=60, description="Colors: `red,white` (all of) or `red|white` (any of).")
    ] = None,
    type: Annotated[str | None, Query(max_length=100, description="Part of the type line.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE,
) -> Response:
    """`{"cards": [...]}`, English printings in set then number order, with magicthegathering.io's
    `Link` (next/last) and `Total-Count` headers. A page past the end is an empty list, which is how
    mtgsdk's `.all()` knows it is done."""
    wanted: tuple[list[str], bool] | None = None
    if colors:
        any_of = "|" in colors
        names = [c.strip().lower() for c in colors.replace("|", ",").split(",") if c.strip()]
        codes = {v.lower(): k for k, v in _COLOR_NAMES.items()}
        if not all(n in codes for n in names):
            raise BadRequest("colors takes white, blue, black, red and green, joined by , (all) or | (any).")
        wanted = ([codes[n] for n in names], any_of)
    total, bodies = await catalog_service.mtgio_cards(
        session, name=name, set_code=set, colors=wanted, type_text=type, page=page, page_size=pageSize
    )
    headers = {"Total-Count": str(total), "Page-Size": str(pageSize), "Count": str(len(bodies))}
    last = max(1, -(-total // pageSize))
    links = []
    if page < last:
        links.append(f'<{request.url.include_query_params(page=page + 1)}>; rel="next"')
    links.append(f'<{request.url.include_query_params(page=last)}>; rel="last"')
    headers["Link"] = ", ".join(links)
    return _json({"cards": [card_object(orjson.loads(b)) for b in bodies]}, headers)


@router.get("/cards/{id}", responses=error_responses(404), summary="A card (magicthegathering.io v1)")
async def card(
    session: ReadSessionDep, id: Annotated[str, Path(max_length=64, description="A multiverse id or a card id.")]
) -> Response:
    """`{"card": {...}}` by multiverse id (digits) or by id (the Scryfall id)."""
    if id.isdigit() and len(id) <= 10 and int(id) < 2**31:
        payload = await catalog_service.card_by_external_id(session, "multiverse", int(id))
    else:
        try:
            card_id = uuid.UUID(id)
        except ValueError:
            raise CardNotFound(f"No card found with id {id!r}.") from None
        payload = await catalog_service.card_in_session(session, card_id)
    return _json({"card": card_object(orjson.loads(payload.body))})


@router.get("/sets", responses=error_responses(400), summary="Sets (magicthegathering.io v1)")
async def sets(
    session: ReadSessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    pageSize: Annotated[int | None, Query(ge=1, le=1000)] = None,  # magicthegathering.io spells it so
) -> Response:
    """`{"sets": [...]}`, newest first: every set on page 1 unless `pageSize` is given. Pages past the end
    are empty, which is how mtgsdk's `Set.all()` knows it is done (it asks for page 2, 3, … until then)."""
    data = orjson.loads((await catalog_service.list_sets(session)).body)["data"]
    size = pageSize or max(len(data), 1)
    chunk = data[(page - 1) * size : page * size]
    headers = {"Total-Count": str(len(data)), "Page-Size": str(size), "Count": str(len(chunk))}
    return _json({"sets": [set_object(s) for s in chunk]}, headers)


@router.get("/sets/{code}", responses=error_responses(404), summary="A set (magicthegathering.io v1)")
async def set_by_code(session: ReadSessionDep, code: Annotated[str, Path(max_length=16)]) -> Response:
    """`{"set": {...}}` by set code."""
    return _json({"set": set_object(orjson.loads((await catalog_service.get_set(session, code)).body))})


async def _catalog(session: ReadSessionDep, names: tuple[str, ...]) -> list[str]:
    values: set[str] = set()
    for name in names:
        values.update(await catalog_service.catalog(session, name))
    return sorted(values, key=str.casefold)


@router.get("/types", summary="Card types (magicthegathering.io v1)")
async def types(session: ReadSessionDep) -> Response:
    """`{"types": [...]}` found in the catalog's type lines."""
    return _json({"types": await _catalog(session, ("card-types",))})


@router.get("/subtypes", summary="Subtypes (magicthegathering.io v1)")
async def subtypes(session: ReadSessionDep) -> Response:
    """`{"subtypes": [...]}`: every creature, planeswalker, land, artifact, enchantment, spell and battle type."""
    names = ("creature-types", "planeswalker-types", "land-types", "artifact-types", "enchantment-types")
    return _json({"subtypes": await _catalog(session, (*names, "spell-types", "battle-types"))})


@router.get("/supertypes", summary="Supertypes (magicthegathering.io v1)")
async def supertypes(session: ReadSessionDep) -> Response:
    """`{"supertypes": [...]}` found in the catalog's type lines."""
    return _json({"supertypes": await _catalog(session, ("supertypes",))})


@router.get("/formats", summary="Formats (magicthegathering.io v1)")
async def formats(session: ReadSessionDep) -> Response:
    """`{"formats": [...]}`: the formats the catalog's legalities name."""
    return _json({"formats": [f.title() for f in await catalog_service.legality_formats(session)]})
