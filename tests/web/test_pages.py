"""Every page read with plain HTTP (no JavaScript), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.rulings import Ruling
from mtg_tracker.kit.db import Database
from webforms import csrf_of, form_token, register

pytestmark = pytest.mark.usefixtures("cards")


def _assert_page(resp: httpx.Response, status: int = 200) -> str:
    assert resp.status_code == status, resp.text[:2000]
    assert resp.headers["content-type"].startswith("text/html")
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["cache-control"] == "no-store"
    return resp.text


async def test_public_pages_render_real_cards(browser: httpx.AsyncClient, cards: dict[str, Any]) -> None:
    home = _assert_page(await browser.get("/"))
    assert "Search 12 printings" in home or "printings with Scryfall" in home
    html = _assert_page(await browser.get("/search", params={"q": "c:r t:instant"}))
    assert "Lightning Bolt" in html and f"/card/{cards['Lightning Bolt']['id']}" in html
    assert "Serra Angel" not in html
    text_view = _assert_page(await browser.get("/search", params={"q": "t:creature", "view": "text"}))
    assert "<table" in text_view and "Llanowar Elves" in text_view and "Serra Angel" in text_view
    _assert_page(await browser.get("/movers"))
    _assert_page(await browser.get("/login"))


async def test_search_order_and_unique_controls_change_the_results(browser: httpx.AsyncClient) -> None:
    by_name = _assert_page(await browser.get("/search", params={"q": "t:creature", "order": "name"}))
    by_usd = _assert_page(await browser.get("/search", params={"q": "t:creature", "order": "usd", "dir": "desc"}))
    names = re.compile(r'class="tile-name">([^<]+)<')
    assert names.findall(by_name) == sorted(names.findall(by_name))
    assert names.findall(by_usd)[0] == "Llanowar Elves"  # 0.25 beats 0.12 and 0.09
    assert '<option value="usd" selected>' in by_usd


async def test_search_warnings_are_marked_where_they_occur(browser: httpx.AsyncClient) -> None:
    html = _assert_page(await browser.get("/search", params={"q": "t:creature mm:3"}))
    assert '<mark class="warning"' in html and "mm:3<sup>1</sup></mark>" in html
    assert "Unknown keyword" in html
    assert "Serra Angel" in html  # the rest of the query still ran


async def test_search_syntax_error_points_at_the_position(browser: httpx.AsyncClient) -> None:
    html = _assert_page(await browser.get("/search", params={"q": "(t:goblin c:r"}), 400)
    assert '<mark class="error"' in html and 'role="alert"' in html


async def test_search_without_match_is_a_404_page(browser: httpx.AsyncClient) -> None:
    html = _assert_page(await browser.get("/search", params={"q": "t:goblin"}), 404)
    assert "didn" in html and "match any cards" in html


async def test_search_pages_do_not_500_on_bad_parameters(browser: httpx.AsyncClient) -> None:
    html = _assert_page(await browser.get("/search", params={"q": "x", "page": "0"}), 400)
    assert "page" in html
    _assert_page(await browser.get("/search", params={"q": "x", "order": "nonsense"}), 400)


async def test_syntax_help_lists_every_keyword_of_the_parser(browser: httpx.AsyncClient) -> None:
    from mtg_tracker.search import keywords

    html = _assert_page(await browser.get("/search/syntax"))
    for alias in keywords.BY_ALIAS:
        assert f"<code>{alias}:</code>" in html, alias
    assert "<code>fetchland</code>" in html


async def test_card_page_shows_faces_printings_prices_chart_and_legalities(
    browser: httpx.AsyncClient, cards: dict[str, Any]
) -> None:
    card = cards["Hound Tamer // Untamed Pup"]
    html = _assert_page(await browser.get(f"/card/{card['id']}"))
    assert "Hound Tamer" in html and "Untamed Pup" in html  # both faces
    assert "<polyline" in html and "5 days of prices" in html  # the chart over the imported days
    assert "commander" in html and "Legalities" in html
    assert "Printings (1)" in html
    assert f"/img/{card['id']}?size=normal&amp;face=1" in html  # the back face's image
    assert "Log in</a> to add this card" in html


async def test_card_path_answers_json_to_api_clients(browser: httpx.AsyncClient, cards: dict[str, Any]) -> None:
    card = cards["Sol Ring"]
    resp = await browser.get(f"/card/{card['id']}", headers={"Accept": "application/json"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.json()["object"] == "card" and resp.json()["name"] == "Sol Ring"
    assert "accept" in resp.headers["vary"].lower()


async def test_unknown_card_is_a_404_page(browser: httpx.AsyncClient) -> None:
    html = _assert_page(await browser.get("/card/00000000-0000-4000-8000-000000000000"), 404)
    assert "No card found" in html
    _assert_page(await browser.get("/card/not-a-uuid"), 400)


async def test_images_fall_back_to_the_placeholder_offline(browser: httpx.AsyncClient, cards: dict[str, Any]) -> None:
    resp = await browser.get(f"/img/{cards['Sol Ring']['id']}")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("image/svg+xml")
    assert b"Image unavailable" in resp.content
    unknown = await browser.get("/img/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 200 and b"<svg" in unknown.content


async def test_pages_that_need_a_login_send_the_browser_to_it(browser: httpx.AsyncClient) -> None:
    for path in ("/account", "/collections", "/alerts"):
        resp = await browser.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"] == f"/login?next={path}"


async def test_forms_without_a_csrf_token_are_refused(browser: httpx.AsyncClient) -> None:
    await browser.get("/login")
    resp = await browser.post("/login", data={"email": "a@example.com", "password": "x" * 12})
    _assert_page(resp, 403)
    resp = await browser.post("/login", data={"email": "a@example.com", "password": "x" * 12, "csrf_token": "0" * 64})
    _assert_page(resp, 403)


async def test_register_sets_secure_httponly_cookies_and_logs_in(browser: httpx.AsyncClient) -> None:
    token = await form_token(browser, "/login")
    resp = await browser.post(
        "/register",
        data={"email": "Player@Example.com", "password": "a long enough passphrase for tests", "csrf_token": token},
    )
    assert resp.status_code == 303
    cookies = resp.headers.get_list("set-cookie")
    for name in ("mtg_access", "mtg_refresh"):
        line = next(c for c in cookies if c.startswith(name + "="))
        assert "HttpOnly" in line and "Secure" in line and "SameSite=lax" in line, line
    html = _assert_page(await browser.get("/account"))
    assert "player@example.com" in html


async def test_register_shows_the_password_policy_inline(browser: httpx.AsyncClient) -> None:
    token = await form_token(browser, "/login")
    resp = await browser.post("/register", data={"email": "x@example.com", "password": "short", "csrf_token": token})
    html = _assert_page(resp, 400)
    assert 'id="register-error"' in html and "12" in html


async def test_login_failure_is_shown_and_counted(browser: httpx.AsyncClient) -> None:
    email = await register(browser)
    token = csrf_of((await browser.get("/account")).text)
    await browser.post("/logout", data={"csrf_token": token})
    token = await form_token(browser, "/login")
    resp = await browser.post("/login", data={"email": email, "password": "wrong password 123", "csrf_token": token})
    html = _assert_page(resp, 401)
    assert 'id="login-error"' in html
    resp = await browser.post(
        "/login",
        data={"email": email, "password": "a long enough passphrase for tests", "csrf_token": token, "next": "//evil"},
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/"  # no open redirect


async def test_api_key_is_shown_once_and_works(browser: httpx.AsyncClient) -> None:
    await register(browser)
    token = csrf_of((await browser.get("/account")).text)
    resp = await browser.post("/account/keys", data={"name": "laptop", "scope": "read", "csrf_token": token})
    html = _assert_page(resp, 201)
    key = re.search(r'id="new-key">([^<]+)<', html)
    assert key
    me = await browser.get("/api/v1/users/me", headers={"X-API-Key": key.group(1), "Accept": "application/json"})
    assert me.status_code == 200
    again = _assert_page(await browser.get("/account"))
    assert key.group(1) not in again and "laptop" in again
    key_id = re.search(r"/account/keys/([0-9a-f-]{36})/revoke", again)
    assert key_id
    resp = await browser.post(f"/account/keys/{key_id.group(1)}/revoke", data={"csrf_token": token})
    assert resp.status_code == 303
    me = await browser.get("/api/v1/users/me", headers={"X-API-Key": key.group(1), "Accept": "application/json"})
    assert me.status_code == 401


async def test_expired_access_cookie_is_refreshed_with_rotation(browser: httpx.AsyncClient) -> None:
    await register(browser)
    old_refresh = browser.cookies.get("mtg_refresh")
    assert old_refresh
    browser.cookies.delete("mtg_access")
    resp = await browser.get("/account")
    _assert_page(resp)
    new_refresh = browser.cookies.get("mtg_refresh")
    assert new_refresh and new_refresh != old_refresh
    # Re-using the rotated-away token is theft: the whole session dies, as with the API.
    reuse = await browser.get("/account", headers={"Cookie": f"mtg_refresh={old_refresh}"})
    assert reuse.status_code == 303
    browser.cookies.delete("mtg_access")
    assert (await browser.get("/account")).status_code == 303


async def test_logout_ends_the_server_session(browser: httpx.AsyncClient) -> None:
    await register(browser)
    access = browser.cookies.get("mtg_access")
    token = csrf_of((await browser.get("/account")).text)
    resp = await browser.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 303
    assert (await browser.get("/account")).status_code == 303
    # The old access token no longer works either (its session is revoked).
    me = await browser.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 401


async def test_card_page_lists_the_catalogs_rulings(
    browser: httpx.AsyncClient, cards: dict[str, Any], db: Database
) -> None:
    card = cards["Sol Ring"]
    html = _assert_page(await browser.get(f"/card/{card['id']}"))
    assert "No rulings." in html
    ruling = Ruling(uuid.UUID(card["oracle_id"]), "wotc", date(2004, 10, 4), "Sol Ring makes {C}{C}, not {2}.")
    async with db.session_scope() as session:
        await catalog_service.load_rulings(session, [ruling])
    html = _assert_page(await browser.get(f"/card/{card['id']}"))
    assert "2004-10-04" in html and "Sol Ring makes {C}{C}, not {2}." in html
