"""What every page handler shares: the template environment, rendering with the session's cookies and
security headers, CSRF checks, and the route class that turns expected errors into HTML pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mtg_tracker import __version__
from mtg_tracker.account.service import Principal
from mtg_tracker.config import Settings
from mtg_tracker.kit.errors import AppError, Forbidden, Unauthorized
from mtg_tracker.kit.middleware import request_id_var
from mtg_tracker.web.auth import apply_cookies, csrf_for, page_principal
from mtg_tracker.web.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE, CSRF_FIELD, csrf_valid

TEMPLATES = Path(__file__).resolve().parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # Pages show a person's own data: never stored by shared caches, never kept in the back/forward cache.
    "Cache-Control": "no-store",
}


class LoginRequired(Unauthorized):
    default_message = "Log in to see this page."


class CsrfFailed(Forbidden):
    default_message = "The form expired or came from another site; reload the page and try again."


def card_image(card: dict[str, Any], size: str = "normal", face: int = 0) -> str:
    return f"/img/{card['id']}?size={size}&face={face}"


def money(value: Any, currency: str = "usd") -> str:
    if value is None or value == "":
        return "—"
    symbol = {"usd": "$", "eur": "€", "tix": ""}.get(currency.split("_")[0], "")
    suffix = " tix" if currency == "tix" else ""
    return f"{symbol}{value}{suffix}"


def price(card: dict[str, Any], key: str) -> Any:
    return (card.get("prices") or {}).get(key)


def card_finishes(card: dict[str, Any]) -> list[str]:
    """The printing's finishes; 2019-era files have only the foil/nonfoil flags."""
    listed = card.get("finishes")
    if listed:
        return list(listed)
    flags = [name for name, flag in (("nonfoil", card.get("nonfoil", True)), ("foil", card.get("foil"))) if flag]
    return flags or ["nonfoil"]


env.globals.update(card_image=card_image, money=money, price=price, card_finishes=card_finishes, version=__version__)


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    principal = await page_principal(request)
    ctx: dict[str, Any] = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_for(request),
        "csrf_field": CSRF_FIELD,
        "path": request.url.path,
        **(context or {}),
    }
    html = env.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
    apply_cookies(request, response)
    return response


def redirect(request: Request, url: str) -> RedirectResponse:
    """303: a form's POST is answered with a GET of the page that shows the result."""
    response = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
    apply_cookies(request, response)
    return response


async def require_login(request: Request) -> Principal:
    principal = await page_principal(request)
    if principal is None:
        raise LoginRequired()
    return principal


async def check_csrf(request: Request) -> dict[str, Any]:
    """The submitted form, once its CSRF token proved it came from one of our pages."""
    form = await request.form()
    settings: Settings = request.app.state.settings
    token = form.get(CSRF_FIELD)
    if not csrf_valid(
        settings.secret_key.get_secret_value(),
        request.cookies.get(CSRF_COOKIE),
        token if isinstance(token, str) else None,
    ):
        raise CsrfFailed()
    return dict(form)


def text_field(form: dict[str, Any], name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value.strip() if isinstance(value, str) else default


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Tile:
    """What a result grid or list shows of a card."""

    id: str
    name: str
    set: str
    collector_number: str
    rarity: str
    type_line: str
    mana_cost: str
    usd: str | None
    image: str
    grid_html: Markup
    row_html: Markup


@lru_cache(maxsize=8192)
def tile_of(body: bytes) -> Tile:
    """Memoised on the card's bytes (which embed today's prices, so a new price is a new key): parsing
    175 full card objects per render was most of a search page's time."""
    card = card_dict(body)
    faces = card.get("card_faces") or [{}]
    values = {
        "id": str(card["id"]),
        "name": str(card["name"]),
        "set": str(card.get("set", "")).upper(),
        "collector_number": str(card.get("collector_number", "")),
        "rarity": str(card.get("rarity", "")),
        "type_line": str(card.get("type_line") or faces[0].get("type_line") or ""),
        "mana_cost": str(card.get("mana_cost") or faces[0].get("mana_cost") or ""),
        "image": card_image(card),
    }
    usd = (card.get("prices") or {}).get("usd")
    # The markup of one result is rendered once per card bytes, here, with every value escaped; the page
    # template only joins the pieces (a template loop over 175 cards cost most of a warm render).
    # Markup.format escapes every value it inserts.
    grid = Markup(
        '<li class="tile"><a href="/card/{id}"><img src="{image}" alt="{name}" width="244" height="340" '
        'loading="lazy"><span class="tile-name">{name}</span></a><span class="tile-meta">{set} · {price}</span></li>'
    ).format(price=money(usd), **values)
    row = Markup(
        '<tr><td><a href="/card/{id}">{name}</a></td><td>{mana_cost}</td><td>{type_line}</td>'
        "<td>{set} #{collector_number}</td><td>{rarity}</td><td>{price}</td></tr>"
    ).format(price=money(usd), **values)
    return Tile(usd=usd, grid_html=grid, row_html=row, **values)


def card_dict(body: bytes) -> dict[str, Any]:
    card: dict[str, Any] = orjson.loads(body)
    return card


async def error_page(request: Request, status: int, message: str, details: list[str] | None = None) -> Response:
    if status == 401:
        return redirect(request, f"/login?next={request.url.path}")
    return await render(
        request,
        "error.html",
        {"status": status, "message": message, "details": details or [], "request_id": request_id_var.get()},
        status_code=status,
    )


class WebRoute(APIRoute):
    """Expected failures (AppError, bad parameters) become an HTML page with the right status, not the
    API's JSON error object; a 401 sends the browser to the login page. Anything else stays a bug (500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def html_errors(request: Request) -> Response:
            try:
                response = await handler(request)
            except AppError as exc:
                details = [*(exc.warnings or []), *(f"{e.get('field')}: {e.get('message')}" for e in exc.errors or [])]
                return await error_page(request, exc.status_code, exc.message, details)
            except RequestValidationError as exc:
                details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
                return await error_page(request, 400, "Some of the page's parameters are not valid.", details)
            if "content-security-policy" not in response.headers and response.media_type == "text/html":
                response.headers.update(PAGE_HEADERS)
            return response

        return html_errors
