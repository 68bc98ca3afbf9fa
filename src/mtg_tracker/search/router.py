"""``/cards/search`` and ``/cards/random``: Scryfall's search endpoints over the local catalog."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response

from mtg_tracker.catalog import cardtext
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.schemas import CardList, CardObject
from mtg_tracker.kit.deps import CacheDep, ReadSessionDep, SettingsDep
from mtg_tracker.kit.http import public_url
from mtg_tracker.kit.schemas import error_responses
from mtg_tracker.search import service
from mtg_tracker.search.compiler import Options
from mtg_tracker.search.parser import MAX_QUERY_LENGTH

router = APIRouter(tags=["search"])
JSON = "application/json"

QueryText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="A query in Scryfall's syntax (https://scryfall.com/docs/syntax), at most 1000 characters.",
    ),
]


@router.get(
    "/cards/search",
    responses={200: {"model": CardList, "description": "A page of cards"}, **error_responses(400, 404)},
    summary="Search cards with Scryfall's syntax",
)
async def search(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    cache: CacheDep,
    q: QueryText,
    unique: Annotated[
        Literal["cards", "art", "prints"],
        Query(description="One printing per card (cards), per artwork (art), or every printing (prints)."),
    ] = "cards",
    order: Annotated[
        Literal[
            "name",
            "set",
            "released",
            "rarity",
            "color",
            "usd",
            "tix",
            "eur",
            "cmc",
            "power",
            "toughness",
            "edhrec",
            "penny",
            "artist",
            "review",
            "spoiled",
        ],
        Query(description="Sort order."),
    ] = "name",
    dir: Annotated[
        Literal["auto", "asc", "desc"], Query(description="Sort direction; auto picks the natural one per order.")
    ] = "auto",
    prefer: Annotated[
        Literal[
            "default",
            "oldest",
            "newest",
            "usd-low",
            "usd-high",
            "eur-low",
            "eur-high",
            "tix-low",
            "tix-high",
            "promo",
            "atypical",
            "typical",
        ],
        Query(description="Which printing represents a card when unique=cards."),
    ] = "default",
    include_extras: Annotated[bool, Query(description="Also tokens, emblems, planes, art cards…")] = False,
    include_multilingual: Annotated[bool, Query(description="Also printings in other languages.")] = False,
    include_variations: Annotated[bool, Query(description="Also rare variations of a printing.")] = False,
    page: Annotated[int, Query(ge=1, le=10_000, description="Page number; 175 cards per page.")] = 1,
    format: Annotated[
        Literal["json", "csv", "text"],
        Query(
            description="json (a list object), csv (a header row and one row per card of this page) or text "
            "(each card's plaintext block, blank-line separated)."
        ),
    ] = "json",
) -> Response:
    """Scryfall's list object: `total_cards`, `has_more`, `next_page`, 175 cards per page and `warnings`
    for terms that were ignored. A query that matches nothing is a 404 error object; one that cannot be
    understood (or whose every term was ignored) a 400 with the warnings. Directives in the query
    (`unique:`, `order:`, `dir:`, `prefer:`, `include:extras`) override these parameters. format=csv and
    format=text answer the same page as CSV or plaintext, with `X-Total-Cards`, a `Link: rel="next"` header
    when there is more, and `Warning` for ignored terms."""
    options = Options(
        unique=unique,
        order=order,
        direction=dir,
        prefer=prefer,
        include_extras=include_extras,
        include_multilingual=include_multilingual,
        include_variations=include_variations,
    )
    result = await service.search(
        session,
        q,
        page=page,
        options=options,
        timeout_ms=settings.search.timeout_ms,
        cache=cache if settings.search.cache_results else None,
    )
    next_page = None
    if result.has_more:
        next_page = public_url(request, request.url.path, request.url.include_query_params(page=page + 1).query)
    if format == "json":
        return Response(service.render_list(result, next_page), media_type=JSON)
    # A page at a time, like the JSON: the headers carry what the list object would have said.
    headers = {"X-Total-Cards": str(result.total)}
    if next_page:
        headers["Link"] = f'<{next_page}>; rel="next"'
    if result.warnings:
        # Header values are Latin-1; the warnings quote terms with “curly quotes”.
        text = "; ".join(result.warnings).replace('"', "'").encode("latin-1", "replace").decode("latin-1")
        headers["Warning"] = f'299 - "{text}"'
    cards = [orjson.loads(body) for body in result.cards]
    if format == "csv":
        headers["Content-Disposition"] = 'inline; filename="cards.csv"'
        return Response(cardtext.cards_csv(cards), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(cardtext.cards_text(cards), media_type="text/plain; charset=utf-8", headers=headers)


@router.get(
    "/cards/random",
    responses={200: {"model": CardObject, "description": "A card"}, **error_responses(400, 404)},
    summary="A random card",
)
async def random_card(
    session: ReadSessionDep,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(max_length=MAX_QUERY_LENGTH, description="Only cards matching this query (Scryfall's syntax)."),
    ] = None,
) -> Response:
    """A random card: with `q`, one of the cards the query finds (404 when none, 400 when the query
    cannot be understood); without, any non-extra paper card."""
    if q:
        body = await service.random_card(session, q, timeout_ms=settings.search.timeout_ms)
    else:
        body = (await catalog_service.random_card(session)).body
    return Response(body, media_type=JSON, headers={"Cache-Control": "no-store"})
