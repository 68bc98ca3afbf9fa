"""Pages: home, search (and its syntax help), card, image proxy, login/register/logout, account."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from mtg_tracker.account import service as account_service
from mtg_tracker.account.schemas import ApiKeyCreate
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.collection import service as collection_service
from mtg_tracker.kit.deps import CacheDep, ReadSessionDep, SessionDep, SettingsDep
from mtg_tracker.kit.errors import AppError
from mtg_tracker.kit.middleware import client_ip_var
from mtg_tracker.price import movers as movers_service
from mtg_tracker.price import service as price_service
from mtg_tracker.price.errors import NoMovers
from mtg_tracker.search import keywords
from mtg_tracker.search import service as search_service
from mtg_tracker.search.compiler import PAGE_SIZE, Options
from mtg_tracker.search.errors import NoCardsMatched, QueryNotUnderstood
from mtg_tracker.search.parser import MAX_QUERY_LENGTH, QuerySyntaxError, parse
from mtg_tracker.web import charts, hooks
from mtg_tracker.web.auth import forget_session, page_principal, store_pair
from mtg_tracker.web.pages import (
    WebRoute,
    card_dict,
    check_csrf,
    redirect,
    render,
    require_login,
    text_field,
    tile_of,
)
from mtg_tracker.web.querymarks import annotate

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Unique = Literal["cards", "art", "prints"]
Order = Literal[
    "name", "set", "released", "rarity", "color", "usd", "eur", "tix", "cmc", "power", "toughness", "artist"
]
Direction = Literal["auto", "asc", "desc"]
FINISH_PRICES = {"nonfoil": ("usd", "eur"), "foil": ("usd_foil", "eur_foil"), "etched": ("usd_etched", None)}


def safe_next(value: str | None) -> str:
    """Only a local path: an open redirect after login would hand the fresh session's page to anyone."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# -- home, search -----------------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request, session: ReadSessionDep, cache: CacheDep) -> Response:
    cards = await catalog_service.count_cards(session)
    rising: list[dict[str, Any]] = []
    try:
        raw = await movers_service.movers(
            session, cache, window="7d", price_type="usd", direction="up", metric="percent",
            min_price_cents=None, limit=6,
        )  # fmt: skip
        rising = orjson.loads(raw)["data"]
    except NoMovers:
        rising = []
    return await render(request, "home.html", {"card_count": cards, "rising": rising})


@router.get("/search")
async def search_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    cache: CacheDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    unique: Unique = "cards",
    order: Order = "name",
    dir: Direction = "auto",
    view: Literal["grid", "text"] = "grid",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    ctx: dict[str, Any] = {
        "q": q, "unique": unique, "order": order, "dir": dir, "view": view, "page": page,
        "orders": get_args(Order), "uniques": get_args(Unique), "directions": get_args(Direction),
        "cards": [], "total": 0, "has_more": False, "messages": [], "segments": [], "error": None,
    }  # fmt: skip
    if not q.strip():
        return await render(request, "search.html", ctx)
    warnings: list[str] = []
    error_position: int | None = None
    try:
        warnings = parse(q).warnings
    except QuerySyntaxError as exc:
        ctx["error"] = exc.message
        error_position = exc.position
    status = 200
    if ctx["error"] is None:
        try:
            result = await search_service.search(
                session,
                q,
                page=page,
                options=Options(unique=unique, order=order, direction=dir),
                timeout_ms=settings.search.timeout_ms,
                cache=cache if settings.search.cache_results else None,
            )
            ctx.update(cards=[tile_of(c) for c in result.cards], total=result.total, has_more=result.has_more)
            warnings = result.warnings
        except NoCardsMatched as exc:
            ctx["error"] = exc.message
            status = 404
        except QueryNotUnderstood as exc:
            ctx["error"] = exc.message
            status = 400
    elif ctx["error"]:
        status = 400
    ctx["messages"] = warnings
    ctx["segments"] = annotate(q, warnings, error_position)
    ctx["first"] = (page - 1) * PAGE_SIZE + 1
    ctx["last"] = (page - 1) * PAGE_SIZE + len(ctx["cards"])
    return await render(request, "search.html", ctx, status_code=status)


KIND_HELP: dict[str, str] = {
    "text": 'words, a "quoted phrase", or a /regular expression/ where marked',
    "color": "colour letters (wubrg), names, nicknames (azorius, esper…), c, m, or a count",
    "mana": "mana symbols such as {G}{U} or 2WW",
    "number": "a number, compared with : = != < <= > >=",
    "devotion": "mana symbols such as {u/b}{u/b}",
    "produces": "colour letters or c",
    "rarity": "common uncommon rare mythic special bonus (or c u r m s b), ordered",
    "set": "a set code",
    "block": "any set code of the block",
    "settype": "a set type",
    "in": "a rarity, game, language or set code the card was ever printed in",
    "format": "a format name",
    "is": "a card property (see the values below)",
    "not": "a card property the card lacks",
    "has": "indicator, watermark, artist, flavor, stamp",
    "border": "black white silver borderless yellow",
    "frame": "a frame year or frame effect",
    "stamp": "a security stamp",
    "game": "paper mtgo arena",
    "date": "yyyy, yyyy-mm-dd or a set code",
    "lang": "a language code or name, or any",
    "new": "art artist flavor frame language rarity",
    "keyword": "a keyword ability",
    "cheapest": "usd eur tix",
    "cn": "a collector number",
    "directive": "presentation: unique, order, direction, prefer, display, include",
    "tagger": "accepted and ignored with a warning (the data is not in Scryfall's bulk files)",
}


@router.get("/search/syntax")
async def syntax_page(request: Request) -> Response:
    """Generated from the parser's keyword table, so it lists exactly what the parser accepts."""
    seen: dict[str, keywords.Keyword] = {}
    for kw in keywords.BY_ALIAS.values():
        seen.setdefault(kw.name, kw)
    rows = [
        {"name": kw.name, "aliases": kw.aliases, "kind": kw.kind, "help": KIND_HELP.get(kw.kind, ""), "regex": kw.regex}
        for kw in sorted(seen.values(), key=lambda k: k.name)
    ]
    values = {
        "is:": sorted(keywords.IS_VALUES),
        "has:": sorted(keywords.HAS_VALUES),
        "st:": sorted(keywords.SET_TYPES),
    }
    return await render(request, "syntax.html", {"rows": rows, "values": values})


# -- card -------------------------------------------------------------------------------------------------


def _series(history: list[dict[str, Any]], column: str) -> charts.Series:
    return [(date.fromisoformat(p["date"]), Decimal(p[column])) for p in history if p.get(column)]


async def _printings(session: Any, card: dict[str, Any], timeout_ms: int) -> list[dict[str, Any]]:
    name = card["name"]
    quote = "'" if '"' in name else '"'
    if quote in name and quote == "'":
        return [card]  # a name with both quote kinds cannot be written as an exact-name term
    try:
        result = await search_service.search(
            session,
            f"!{quote}{name}{quote}",
            options=Options(unique="prints", order="released", direction="desc", include_extras=True),
            timeout_ms=timeout_ms,
        )
    except (NoCardsMatched, QueryNotUnderstood):
        return [card]
    # The exact-name term also matches a face of another card; one card is one oracle id.
    found = [c for c in map(card_dict, result.cards) if c.get("oracle_id") == card.get("oracle_id")]
    return found or [card]


@router.get("/card/{card_id}")
async def card_page(
    request: Request, card_id: uuid.UUID, session: ReadSessionDep, settings: SettingsDep, cache: CacheDep
) -> Response:
    """HTML for browsers; for API clients (no text/html in Accept) the card object as JSON — the seam
    the Scryfall-compatible smoke path ``GET /card/{id}`` relies on."""
    wants_html = "text/html" in request.headers.get("accept", "")
    if not wants_html:
        payload = await catalog_service.card_by_id(request.app.state.db, cache, card_id)
        return Response(payload.body, media_type="application/json", headers={"Vary": "Accept"})
    payload = await catalog_service.card_by_id(request.app.state.db, cache, card_id)
    card = card_dict(payload.body)
    printings = await _printings(session, card, settings.search.timeout_ms)
    try:
        history: list[dict[str, Any]] = orjson.loads(await price_service.history(session, card_id))["data"]
    except CardNotFound:
        history = []
    usd = charts.line_chart(
        {"nonfoil": _series(history, "usd"), "foil": _series(history, "usd_foil"),
         "etched": _series(history, "usd_etched")},
        band=await hooks.forecast_band(session, card_id, "usd"),
    )  # fmt: skip
    eur = charts.line_chart({"nonfoil": _series(history, "eur"), "foil": _series(history, "eur_foil")})
    badges = await _mover_badges(session, cache, card_id)
    faces = card.get("card_faces") or [card]
    return await render(
        request,
        "card.html",
        {
            "card": card, "faces": faces, "printings": printings, "usd_chart": usd, "eur_chart": eur,
            "history_days": len(history), "badges": badges, "finish_prices": FINISH_PRICES,
            "rulings": await hooks.rulings(session, card),
            "collections": await _my_collections(request, session),
        },
    )  # fmt: skip


async def _mover_badges(session: Any, cache: Any, card_id: uuid.UUID) -> list[dict[str, Any]]:
    badges = []
    for direction in ("up", "down"):
        try:
            raw = await movers_service.movers(
                session, cache, window="7d", price_type="usd", direction=direction, metric="percent",
                min_price_cents=None, limit=100,
            )  # fmt: skip
        except NoMovers:
            return []
        for item in orjson.loads(raw)["data"]:
            if item["card"]["id"] == str(card_id):
                badges.append({"direction": direction, "change_pct": item["change_pct"], "window": "7d"})
    return badges


async def _my_collections(request: Request, session: Any) -> list[Any]:
    principal = await page_principal(request)
    if principal is None:
        return []
    rows, _ = await collection_service.list_collections(session, owner_id=principal.user_id, page=1, page_size=200)
    return rows


@router.get("/img/{card_id}")
async def card_image(
    request: Request,
    card_id: uuid.UUID,
    cache: CacheDep,
    size: Literal["small", "normal", "large", "png", "art_crop", "border_crop"] = "normal",
    face: Annotated[int, Query(ge=0, le=3)] = 0,
) -> Response:
    url: str | None = None
    try:
        card = card_dict((await catalog_service.card_by_id(request.app.state.db, cache, card_id)).body)
    except CardNotFound:
        card = {}
    faces = card.get("card_faces") or []
    uris = card.get("image_uris") or (faces[face].get("image_uris") if face < len(faces) else None) or {}
    url = uris.get(size)
    body, media = await request.app.state.web_images.fetch(url)
    # A day: images of a printing do not change, and the placeholder is retried the next day.
    return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=86400"})


# -- login, register, logout, account -------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    return await render(request, "login.html", {"next": safe_next(next), "errors": {}, "email": ""})


@router.post("/login")
async def login_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await check_csrf(request)
    email = text_field(form, "email")
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    next_url = safe_next(text_field(form, "next"))
    outcome = await account_service.login(
        session,
        email=email,
        password=str(password),
        address=client_ip_var.get(),
        user_agent=request.headers.get("user-agent"),
        ring=request.app.state.key_ring,
        auth=settings.auth,
    )
    # The failure is remembered (brute-force counting) although the page shows an error.
    await session.commit()
    if outcome.error is not None or outcome.pair is None:
        message = outcome.error.message if outcome.error else "Login failed."
        status = outcome.error.status_code if outcome.error else 400
        return await render(
            request, "login.html", {"next": next_url, "errors": {"login": message}, "email": email}, status_code=status
        )
    store_pair(request, outcome.pair)
    return redirect(request, next_url)


@router.post("/register")
async def register_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await check_csrf(request)
    email = text_field(form, "email")
    password = str(form.get("password") or "")
    display_name = text_field(form, "display_name") or None
    if not settings.auth.registration_open:
        return await render(
            request, "login.html",
            {"next": "/", "errors": {"register": "Registration is closed; ask an administrator."}, "email": email},
            status_code=403,
        )  # fmt: skip
    try:
        await account_service.create_user(
            session, email=email, password=password, display_name=display_name, auth=settings.auth,
            address=client_ip_var.get(),
        )  # fmt: skip
    except AppError as exc:
        await session.rollback()
        problems = [e["message"] for e in exc.errors or []] or [exc.message]
        return await render(
            request, "login.html",
            {"next": "/", "errors": {"register": "; ".join(problems)}, "register_email": email, "email": ""},
            status_code=exc.status_code,
        )  # fmt: skip
    outcome = await account_service.login(
        session, email=email, password=password, address=client_ip_var.get(),
        user_agent=request.headers.get("user-agent"), ring=request.app.state.key_ring, auth=settings.auth,
    )  # fmt: skip
    await session.commit()
    if outcome.pair is None:
        return redirect(request, "/login")
    store_pair(request, outcome.pair)
    return redirect(request, "/account")


@router.post("/logout")
async def logout_submit(request: Request, session: SessionDep) -> Response:
    await check_csrf(request)
    principal = await page_principal(request)
    if principal is not None:
        await account_service.logout(session, principal=principal, refresh_token=None, address=client_ip_var.get())
    forget_session(request)
    return redirect(request, "/")


@router.get("/account")
async def account_page(request: Request, session: ReadSessionDep) -> Response:
    principal = await require_login(request)
    user = await account_service.get_user(session, principal.user_id)
    keys = await account_service.list_api_keys(session, principal.user_id)
    return await render(request, "account.html", {"user": user, "keys": keys, "new_key": None})


@router.post("/account/keys")
async def create_key(request: Request, session: SessionDep) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    scopes = ["read", "write"] if text_field(form, "scope") == "write" else ["read"]
    try:
        data = ApiKeyCreate(name=text_field(form, "name") or "key", scopes=scopes)
    except ValueError as exc:
        user = await account_service.get_user(session, principal.user_id)
        keys = await account_service.list_api_keys(session, principal.user_id)
        return await render(
            request, "account.html", {"user": user, "keys": keys, "new_key": None, "key_error": str(exc)},
            status_code=400,
        )  # fmt: skip
    _, secret = await account_service.create_api_key(
        session, user_id=principal.user_id, data=data, address=client_ip_var.get()
    )
    user = await account_service.get_user(session, principal.user_id)
    keys = await account_service.list_api_keys(session, principal.user_id)
    # Shown on this response only (never in a URL, never stored in clear): the key is hashed at rest.
    return await render(request, "account.html", {"user": user, "keys": keys, "new_key": secret}, status_code=201)


@router.post("/account/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: uuid.UUID, session: SessionDep) -> RedirectResponse:
    principal = await require_login(request)
    await check_csrf(request)
    await account_service.revoke_api_key(session, user_id=principal.user_id, key_id=key_id, address=client_ip_var.get())
    return redirect(request, "/account")


def parse_money(value: str) -> Decimal | None:
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None
