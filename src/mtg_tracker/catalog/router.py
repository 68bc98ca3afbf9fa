"""Scryfall-compatible catalog endpoints (everything of API.md's Catalog table except search and random,
which live in the search domain)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.catalog.schemas import CardList, CardObject, CatalogObject, CollectionRequest, SetList, SetObject
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.kit.deps import CacheDep, DatabaseDep, ReadSessionDep
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.kit.schemas import error_responses

router = APIRouter(tags=["catalog"])

CARD_CACHE_CONTROL = "public, max-age=60"
JSON = "application/json"


def _doc(model: type[Any], *errors: int) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": model.__doc__ or "OK"}, **error_responses(*errors)}


def _send(request: Request, payload: catalog_service.Payload, cache_control: str = CARD_CACHE_CONTROL) -> Response:
    """The body with its ETag, or 304 when the client already holds this exact version."""
    headers = {"ETag": payload.etag, "Cache-Control": cache_control}
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or payload.etag in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(payload.body, media_type=JSON, headers=headers)


def _upstream(request: Request) -> ScryfallClient | None:
    settings = request.app.state.settings.scryfall
    if settings.offline or not settings.fetch_missing_cards:
        return None
    client: ScryfallClient | None = getattr(request.app.state, "scryfall", None)
    return client


@router.get("/cards/named", responses=_doc(CardObject, 400, 404), summary="Card by name")
async def named(
    request: Request,
    session: ReadSessionDep,
    db: DatabaseDep,
    cache: CacheDep,
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
    return _send(request, payload)


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
    async def handler(request: Request, session: ReadSessionDep, id: ExternalId) -> Response:
        return _send(request, await catalog_service.card_by_external_id(session, kind, id))

    handler.__doc__ = f"The card with this {kind} id (the preferred printing when several share it)."
    return handler


for _kind in ("multiverse", "mtgo", "arena", "tcgplayer", "cardmarket"):
    router.add_api_route(
        f"/cards/{_kind}/{{id}}",
        _external(_kind),
        methods=["GET"],
        responses=_doc(CardObject, 400, 404),
        summary=f"Card by {_kind} id",
        name=f"card_by_{_kind}_id",
    )


@router.get("/cards/{id}", responses=_doc(CardObject, 404, 503), summary="Card by Scryfall id")
async def card(
    request: Request,
    db: DatabaseDep,
    cache: CacheDep,
    id: Annotated[str, Path(max_length=64, description="The Scryfall id (a UUID).")],
    format: Annotated[
        Literal["json", "source"],
        Query(
            description="json: the card in Scryfall's current schema; source: the object exactly as the "
            "imported file had it (older files lack fields the current schema has), with its own prices."
        ),
    ] = "json",
) -> Response:
    """A card by its Scryfall id. When it is not in the local catalog and upstream fetching is enabled,
    it is fetched from Scryfall, stored and served; with Scryfall down the answer is a prompt 503."""
    try:
        card_id = uuid.UUID(id)
    except ValueError:
        raise CardNotFound(f"No card found with id {id!r}: a Scryfall id is a UUID.") from None
    if format == "source":
        async with db.session(write=False) as session:
            return _send(request, await catalog_service.card_source(session, card_id))
    return _send(request, await catalog_service.card_by_id(db, cache, card_id, upstream=_upstream(request)))


@router.get("/cards/{code}/{number}", responses=_doc(CardObject, 404), summary="Card by set and collector number")
async def card_by_number(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Path(max_length=16)],
    number: Annotated[str, Path(max_length=20)],
) -> Response:
    """The printing with this set code and collector number (English when several languages exist)."""
    return _send(request, await catalog_service.card_by_set_number(session, code, number, None))


@router.get(
    "/cards/{code}/{number}/{lang}", responses=_doc(CardObject, 404), summary="Card by set, number and language"
)
async def card_by_number_lang(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Path(max_length=16)],
    number: Annotated[str, Path(max_length=20)],
    lang: Annotated[str, Path(max_length=8)],
) -> Response:
    """The printing with this set code, collector number and language code."""
    return _send(request, await catalog_service.card_by_set_number(session, code, number, lang))


@router.get("/sets", responses=_doc(SetList), summary="All sets")
async def sets(request: Request, session: ReadSessionDep) -> Response:
    """Every set, newest first: full Scryfall objects when imported from /sets, else what cards told."""
    return _send(request, await catalog_service.list_sets(session))


@router.get("/sets/{code}", responses=_doc(SetObject, 404), summary="Set by code or id")
async def set_by_code(request: Request, session: ReadSessionDep, code: Annotated[str, Path(max_length=64)]) -> Response:
    """A set by its code (`lea`) or Scryfall id."""
    return _send(request, await catalog_service.get_set(session, code))


@router.get("/catalog/{name}", response_model=CatalogObject, responses=error_responses(404), summary="A catalog")
async def catalog(session: ReadSessionDep, name: Annotated[str, Path(max_length=40)]) -> CatalogObject:
    """Scryfall catalogs derived from the local cards: card-names, artist-names, word-bank, creature-types,
    planeswalker-types, land-types, artifact-types, enchantment-types, spell-types, battle-types, powers,
    toughnesses, loyalties, watermarks, supertypes, card-types."""
    values = await catalog_service.catalog(session, name)
    return CatalogObject(total_values=len(values), data=values)
