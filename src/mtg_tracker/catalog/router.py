"""Scryfall-compatible catalog endpoints (everything of API.md's Catalog table except search and random,
which live in the search domain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from mtg_tracker.catalog import bulk, cardtext
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.cardtext import ImageVersion
from mtg_tracker.catalog.errors import CardNotFound, NoBackFace
from mtg_tracker.catalog.schemas import (
    CardList,
    CardObject,
    CardSymbolList,
    CatalogObject,
    CollectionRequest,
    ManaCost,
    MigrationList,
    MigrationObject,
    RulingList,
    SetList,
    SetObject,
)
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.deps import CacheDep, DatabaseDep, ReadSessionDep
from mtg_tracker.kit.errors import BadRequest, NotFound
from mtg_tracker.kit.http import API_PREFIX, public_url
from mtg_tracker.kit.schemas import error_responses

router = APIRouter(tags=["catalog"])

CARD_CACHE_CONTROL = "public, max-age=60"
JSON = "application/json"


def _doc(model: type[Any], *errors: int) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": model.__doc__ or "OK"}, **error_responses(*errors)}


def _card_doc(*errors: int) -> dict[int | str, dict[str, Any]]:
    """A card route: JSON, or text/plain with format=text, or a redirect with format=image."""
    doc = _doc(CardObject, *errors, 422)
    doc[200]["content"] = {"text/plain": {"schema": {"type": "string"}}}
    doc[302] = {"description": "format=image: `Location` is the stored image URI of the requested version."}
    doc[422]["description"] = "face=back on a card without a back face."
    return doc


def _send(request: Request, payload: catalog_service.Payload, cache_control: str = CARD_CACHE_CONTROL) -> Response:
    """The body with its ETag, or 304 when the client already holds this exact version."""
    headers = {"ETag": payload.etag, "Cache-Control": cache_control}
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or payload.etag in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(payload.body, media_type=JSON, headers=headers)


@dataclass(frozen=True)
class CardFormat:
    format: str
    version: str
    face: str | None


def card_format(
    format: Annotated[
        Literal["json", "text", "image", "source"],
        Query(
            description="json (the card object in Scryfall's current schema), text (a plaintext block), image "
            "(a 302 to the image) or source (on /cards/{id} only: the object exactly as the imported file had "
            "it, with its own prices)."
        ),
    ] = "json",
    version: Annotated[ImageVersion, Query(description="With format=image: which stored image size.")] = "large",
    face: Annotated[
        Literal["front", "back"] | None,
        Query(description="With format=image: back for the back face of a double-faced card (422 if none)."),
    ] = None,
) -> CardFormat:
    return CardFormat(format, version, face)


CardFormatDep = Annotated[CardFormat, Depends(card_format)]
TEXT = "text/plain; charset=utf-8"


def _answer(request: Request, payload: catalog_service.Payload, fmt: CardFormat) -> Response:
    """The card in the requested format; json keeps its ETag and 304s, the others are derived from it."""
    if fmt.format == "json":
        return _send(request, payload)
    if fmt.format == "source":
        raise BadRequest("format=source is served by /cards/{id} only.")
    card = orjson.loads(payload.body)
    headers = {"Cache-Control": CARD_CACHE_CONTROL}
    if isinstance(card.get("scryfall_uri"), str):
        headers["X-Scryfall-Card"] = card["scryfall_uri"]
    if fmt.format == "text":
        return Response(cardtext.card_text(card) + "\n", media_type=TEXT, headers=headers)
    try:
        uri = cardtext.image_uri(card, fmt.version, fmt.face)
    except cardtext.NoSuchFace as exc:
        raise NoBackFace(str(exc)) from None
    except cardtext.NoImage as exc:
        raise CardNotFound(str(exc)) from None
    headers["X-Scryfall-Card-Image"] = uri
    return Response(status_code=302, headers={**headers, "Location": uri})


def _upstream(request: Request) -> ScryfallClient | None:
    settings = request.app.state.settings.scryfall
    if settings.offline or not settings.fetch_missing_cards:
        return None
    client: ScryfallClient | None = getattr(request.app.state, "scryfall", None)
    return client


@router.get("/cards/named", responses=_card_doc(400, 404), summary="Card by name")
async def named(
    request: Request,
    session: ReadSessionDep,
    db: DatabaseDep,
    cache: CacheDep,
    fmt: CardFormatDep,
    exact: Annotated[str | None, Query(max_length=200, description="The exact card name (case-insensitive).")] = None,
    fuzzy: Annotated[
        str | None, Query(max_length=200, description="A fuzzy name: partial words, typos, any case.")
    ] = None,
    set: Annotated[str | None, Query(max_length=16, description="Only printings in this set.")] = None,
) -> Response:
    """Scryfall's /cards/named. An ambiguous fuzzy name answers 404 with `"type": "ambiguous"`."""
    if (exact is None) == (fuzzy is None) or not (exact or fuzzy or "").strip():
        raise BadRequest("Give exactly one of the parameters exact or fuzzy.")
    index = await request.app.state.name_index.get(db, cache)
    payload = await catalog_service.card_named(session, index, exact=exact, fuzzy=fuzzy, set_code=set)
    return _answer(request, payload, fmt)


@router.get("/cards/autocomplete", response_model=CatalogObject, summary="Card name autocomplete")
async def autocomplete(
    request: Request,
    db: DatabaseDep,
    cache: CacheDep,
    q: Annotated[str, Query(max_length=200, description="The start (or any part) of a card name.")] = "",
    include_extras: Annotated[bool, Query(description="Also tokens, emblems, planes and other extras.")] = False,
) -> CatalogObject:
    """Up to 20 card names: names starting with `q` first, then names containing it. Fewer than 2
    characters give an empty catalog."""
    index = await request.app.state.name_index.get(db, cache)
    names = index.autocomplete(q, include_extras=include_extras)
    return CatalogObject(total_values=len(names), data=names)


@router.post("/cards/collection", responses=_doc(CardList, 400), summary="Cards by a list of identifiers")
async def collection(body: CollectionRequest, session: ReadSessionDep) -> Response:
    """Up to 75 identifiers of any Scryfall kind; cards come back in order, misses in `not_found`."""
    identifiers = [i.model_dump(mode="json", exclude_none=True) for i in body.identifiers]
    return Response(await catalog_service.collection(session, identifiers), media_type=JSON)


ExternalId = Annotated[int, Path(ge=0, le=2**31 - 1, description="The card's id in that system.")]


def _external(kind: str) -> Any:
    async def handler(request: Request, session: ReadSessionDep, id: ExternalId, fmt: CardFormatDep) -> Response:
        return _answer(request, await catalog_service.card_by_external_id(session, kind, id), fmt)

    handler.__doc__ = f"The card with this {kind} id (the preferred printing when several share it)."
    return handler


for _kind in ("multiverse", "mtgo", "arena", "tcgplayer", "cardmarket"):
    router.add_api_route(
        f"/cards/{_kind}/{{id}}",
        _external(_kind),
        methods=["GET"],
        responses=_card_doc(400, 404),
        summary=f"Card by {_kind} id",
        name=f"card_by_{_kind}_id",
    )


# Rulings come before the card routes: /cards/{code}/{number}[/{lang}] would otherwise take
# /cards/{id}/rulings (and answer 400, a UUID being no set code) and /cards/multiverse/{id}/rulings.
RULINGS_CACHE_CONTROL = "public, max-age=3600"
SYMBOLOGY_CACHE_CONTROL = "public, max-age=86400"


def _send_rulings(request: Request, body: bytes) -> Response:
    return _send(request, catalog_service.Payload.of(body), RULINGS_CACHE_CONTROL)


def _external_rulings(kind: str) -> Any:
    async def handler(request: Request, session: ReadSessionDep, id: ExternalId) -> Response:
        oracle_id = await catalog_service.oracle_id_by_external_id(session, kind, id)
        return _send_rulings(request, await catalog_service.rulings(session, oracle_id))

    handler.__doc__ = (
        f"The rulings of the card with this {kind} id: a list of ruling objects (oracle_id, source wotc or "
        "scryfall, published_at, comment), oldest first. 404 when no card has the id."
    )
    return handler


for _kind in ("multiverse", "mtgo", "arena"):
    router.add_api_route(
        f"/cards/{_kind}/{{id}}/rulings",
        _external_rulings(_kind),
        methods=["GET"],
        responses=_doc(RulingList, 400, 404),
        summary=f"Rulings by {_kind} id",
        name=f"rulings_by_{_kind}_id",
    )


@router.get("/cards/{id}/rulings", responses=_doc(RulingList, 404), summary="Rulings by Scryfall id")
async def rulings_by_id(
    request: Request,
    session: ReadSessionDep,
    id: Annotated[str, Path(max_length=64, description="The Scryfall id (a UUID).")],
) -> Response:
    """The card's rulings (keyed by its oracle id, so every printing shows the same ones): a list of
    ruling objects, oldest first. 404 when no card has the id."""
    try:
        card_id = uuid.UUID(id)
    except ValueError:
        raise CardNotFound(f"No card found with id {id!r}: a Scryfall id is a UUID.") from None
    oracle_id = await catalog_service.oracle_id_by_id(session, card_id)
    return _send_rulings(request, await catalog_service.rulings(session, oracle_id))


@router.get(
    "/cards/{code}/{number}/rulings", responses=_doc(RulingList, 404), summary="Rulings by set and collector number"
)
async def rulings_by_number(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Path(max_length=16)],
    number: Annotated[str, Path(max_length=20)],
) -> Response:
    """The rulings of the printing with this set code and collector number."""
    oracle_id = await catalog_service.oracle_id_by_set_number(session, code, number)
    return _send_rulings(request, await catalog_service.rulings(session, oracle_id))


@router.get("/cards/{id}", responses=_card_doc(404, 503), summary="Card by Scryfall id")
async def card(
    request: Request,
    db: DatabaseDep,
    cache: CacheDep,
    id: Annotated[str, Path(max_length=64, description="The Scryfall id (a UUID).")],
    fmt: CardFormatDep,
) -> Response:
    """A card by its Scryfall id. When it is not in the local catalog and upstream fetching is enabled,
    it is fetched from Scryfall, stored and served; with Scryfall down the answer is a prompt 503."""
    try:
        card_id = uuid.UUID(id)
    except ValueError:
        raise CardNotFound(f"No card found with id {id!r}: a Scryfall id is a UUID.") from None
    if fmt.format == "source":
        async with db.session(write=False) as session:
            return _send(request, await catalog_service.card_source(session, card_id))
    payload = await catalog_service.card_by_id(db, cache, card_id, upstream=_upstream(request))
    return _answer(request, payload, fmt)


@router.get("/cards/{code}/{number}", responses=_card_doc(404), summary="Card by set and collector number")
async def card_by_number(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Path(max_length=16)],
    number: Annotated[str, Path(max_length=20)],
    fmt: CardFormatDep,
) -> Response:
    """The printing with this set code and collector number (English when several languages exist)."""
    return _answer(request, await catalog_service.card_by_set_number(session, code, number, None), fmt)


@router.get("/cards/{code}/{number}/{lang}", responses=_card_doc(404), summary="Card by set, number and language")
async def card_by_number_lang(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Path(max_length=16)],
    number: Annotated[str, Path(max_length=20)],
    lang: Annotated[str, Path(max_length=8)],
    fmt: CardFormatDep,
) -> Response:
    """The printing with this set code, collector number and language code."""
    return _answer(request, await catalog_service.card_by_set_number(session, code, number, lang), fmt)


@router.get("/sets", responses=_doc(SetList), summary="All sets")
async def sets(request: Request, session: ReadSessionDep) -> Response:
    """Every set, newest first: full Scryfall objects when imported from /sets, else what cards told."""
    return _send(request, await catalog_service.list_sets(session))


@router.get("/sets/tcgplayer/{id}", responses=_doc(SetObject, 400, 404), summary="Set by TCGplayer id")
async def set_by_tcgplayer(
    request: Request,
    session: ReadSessionDep,
    id: Annotated[int, Path(ge=0, le=2**31 - 1, description="The set's TCGplayer group id (groupId).")],
) -> Response:
    """The set whose Scryfall object has this `tcgplayer_id`. Sets known only from card data carry no such
    id, so only sets imported from Scryfall's /sets are found."""
    return _send(request, await catalog_service.set_by_tcgplayer_id(session, id))


@router.get("/sets/{code}", responses=_doc(SetObject, 404), summary="Set by code or id")
async def set_by_code(request: Request, session: ReadSessionDep, code: Annotated[str, Path(max_length=64)]) -> Response:
    """A set by its code (`lea`) or Scryfall id."""
    return _send(request, await catalog_service.get_set(session, code))


@router.get("/migrations", responses=_doc(MigrationList, 400), summary="Card migrations")
async def migrations(
    request: Request,
    session: ReadSessionDep,
    page: Annotated[int, Query(ge=1, le=10_000, description="Page number; 350 migrations per page.")] = 1,
) -> Response:
    """Scryfall's card migrations (ids merged into another card or deleted), newest first, as stored by
    the daily sync. A card id that was migrated answers 404 naming its migration."""
    body = await catalog_service.list_migrations(session, page, lambda n: str(request.url.include_query_params(page=n)))
    return Response(body, media_type=JSON, headers={"Cache-Control": CARD_CACHE_CONTROL})


@router.get("/migrations/{id}", responses=_doc(MigrationObject, 404), summary="A card migration")
async def migration(
    request: Request, session: ReadSessionDep, id: Annotated[str, Path(max_length=64, description="The UUID.")]
) -> Response:
    """One migration object: `migration_strategy` merge or delete, `old_scryfall_id`, `new_scryfall_id`."""
    try:
        migration_id = uuid.UUID(id)
    except ValueError:
        raise NotFound(f"No migration found with id {id!r}: a migration id is a UUID.") from None
    return _send(request, await catalog_service.get_migration(session, migration_id))


@router.get("/symbology", responses=_doc(CardSymbolList), summary="All card symbols")
async def symbology(request: Request) -> Response:
    """Every symbol that appears in mana costs and rules texts, as Scryfall's card_symbol objects. The list
    is built from the real card data (see README); `svg_uri` is null: this server holds no symbol images."""
    return _send(request, catalog_service.symbology_payload(), SYMBOLOGY_CACHE_CONTROL)


@router.get(
    "/symbology/parse-mana", response_model=ManaCost, responses=error_responses(400), summary="Parse a mana cost"
)
async def parse_mana(
    cost: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="A mana cost in braces or community shorthand: `{2}{W}{W}`, `2WW`, `2{g}2` (= {4}{G}).",
        ),
    ],
) -> ManaCost:
    """Scryfall's mana_cost object: the cost rewritten with braces (generic amounts summed; X, Y, Z first,
    then the generic amount, then the other symbols as given), its mana value and colors. Anything that is
    not a mana symbol is a 400 naming it."""
    return ManaCost(**catalog_service.parse_mana(cost))


@router.get("/catalog/{name}", response_model=CatalogObject, responses=error_responses(404), summary="A catalog")
async def catalog(session: ReadSessionDep, name: Annotated[str, Path(max_length=40)]) -> CatalogObject:
    """Scryfall catalogs derived from the local cards: card-names, artist-names, word-bank, creature-types,
    planeswalker-types, land-types, artifact-types, enchantment-types, spell-types, battle-types, powers,
    toughnesses, loyalties, watermarks, supertypes, card-types, flavor-words; and Scryfall's own
    keyword-abilities, keyword-actions and ability-words (shipped with the package, as MTGJSON
    republishes them)."""
    values = await catalog_service.catalog(session, name)
    return CatalogObject(total_values=len(values), data=values)


# -- bulk data -----------------------------------------------------------------------------------------

BULK_CACHE_CONTROL = "public, max-age=300"


def _bulk_object(request: Request, f: bulk.BulkFile) -> dict[str, Any]:
    return bulk.bulk_object(
        f,
        public_url(request, f"{API_PREFIX}/bulk-data/{bulk.bulk_id(f.type)}"),
        public_url(request, f"{API_PREFIX}/bulk-data/{f.type}/download"),
    )


async def _bulk_file(request: Request, db: Database, type_: str) -> bulk.BulkFile:
    base = public_url(request, "")
    return await bulk.ensure(db, request.app.state.settings.data_dir, base, type_)


@router.get("/bulk-data", summary="Bulk data files")
async def bulk_data(request: Request, db: DatabaseDep) -> Response:
    """Scryfall's bulk_data list: one gzip-compressed JSON array per type (oracle_cards, unique_artwork,
    default_cards, rulings) of this server's catalog, rebuilt after the catalog changes."""
    data = [_bulk_object(request, await _bulk_file(request, db, t)) for t in bulk.TYPES]
    body = orjson.dumps({"object": "list", "has_more": False, "data": data})
    return Response(body, media_type=JSON, headers={"Cache-Control": BULK_CACHE_CONTROL})


@router.get("/bulk-data/{key}", responses=error_responses(404), summary="A bulk data file by id or type")
async def bulk_data_one(
    request: Request,
    db: DatabaseDep,
    key: Annotated[str, Path(max_length=64, description="The id or type.")],
    format: Annotated[
        Literal["json", "file"], Query(description="json (the bulk_data object) or file (a 302 to download_uri).")
    ] = "json",
) -> Response:
    """One bulk_data object, by its id (stable per type) or its type (`default_cards` or `default-cards`)."""
    t = bulk.find_type(key)
    obj = _bulk_object(request, await _bulk_file(request, db, t.type))
    if format == "file":
        return Response(status_code=302, headers={"Location": obj["download_uri"]})
    body = orjson.dumps(obj)
    return Response(body, media_type=JSON, headers={"Cache-Control": BULK_CACHE_CONTROL})


@router.api_route(
    "/bulk-data/{key}/download",
    methods=["GET", "HEAD"],
    responses=error_responses(404),
    summary="Download a bulk data file",
)
async def bulk_download(
    request: Request, db: DatabaseDep, key: Annotated[str, Path(max_length=64, description="The id or type.")]
) -> Response:
    """The file itself, streamed: a JSON array with `Content-Encoding: gzip`, its `Content-Length`, an
    `ETag` and `Last-Modified`; HEAD answers the headers only."""
    t = bulk.find_type(key)
    f = await _bulk_file(request, db, t.type)
    inm = request.headers.get("if-none-match")
    headers = {"ETag": f.etag, "Cache-Control": BULK_CACHE_CONTROL, "Content-Encoding": "gzip"}
    if inm and f.etag in [v.strip().removeprefix("W/") for v in inm.split(",")]:
        return Response(status_code=304, headers={"ETag": f.etag, "Cache-Control": BULK_CACHE_CONTROL})
    return FileResponse(f.path, media_type=JSON, headers=headers)
