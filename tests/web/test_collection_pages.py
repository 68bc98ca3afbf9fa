"""Collections, the import wizard, exports, movers, alerts and admin pages over plain HTTP."""

from __future__ import annotations

import gzip
import re
from typing import Any

import httpx
import pytest

from mtg_tracker.account import service as account_service
from mtg_tracker.kit.db import Database
from webforms import csrf_of, form_token, register

pytestmark = pytest.mark.usefixtures("cards")


async def _new_collection(browser: httpx.AsyncClient, name: str = "Binder") -> str:
    token = await form_token(browser, "/collections")
    resp = await browser.post("/collections", data={"name": name, "kind": "binder", "csrf_token": token})
    assert resp.status_code == 303, resp.text
    match = re.fullmatch(r"/collections/([0-9a-f-]{36})", resp.headers["location"])
    assert match
    return match.group(1)


async def test_add_from_card_page_into_a_new_collection_then_edit(
    browser: httpx.AsyncClient, cards: dict[str, Any]
) -> None:
    await register(browser)
    bolt = cards["Lightning Bolt"]
    page = await browser.get(f"/card/{bolt['id']}")
    assert "Add to collection" in page.text
    resp = await browser.post(
        "/collections/add",
        data={"card_id": bolt["id"], "collection_id": "new", "new_name": "Burn", "quantity": "4",
              "finish": "nonfoil", "condition": "NM", "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert resp.status_code == 303
    cid = resp.headers["location"].rsplit("/", 1)[1]
    html = (await browser.get(f"/collections/{cid}")).text
    assert "Lightning Bolt" in html and "4 in 1 entries" in html
    assert "<strong>$4.40</strong>" in html  # 4 × 1.10 (1.06 plus the newest day's 4 cents)
    # The held cards over the five imported days of prices: 4.24 … 4.40, a curve from day one.
    assert "<polyline" in html and "current cards at past prices: $4.40" in html
    entry = re.search(rf'/collections/{cid}/entries/(\d+)"', html)
    assert entry
    resp = await browser.post(
        f"/collections/{cid}/entries/{entry.group(1)}",
        data={"quantity": "2", "finish": "nonfoil", "condition": "LP", "purchase_price": "0.50",
              "currency": "USD", "action": "save", "csrf_token": csrf_of(html)},
    )  # fmt: skip
    assert resp.status_code == 303
    html = (await browser.get(f"/collections/{cid}")).text
    assert "2 in 1 entries" in html and "$1.00 for 2 cards" in html and "gain <strong>$1.20" in html
    listing = (await browser.get("/collections")).text
    assert "Burn" in listing and "$2.20" in listing


async def test_collection_filters_and_query_errors(browser: httpx.AsyncClient, cards: dict[str, Any]) -> None:
    await register(browser)
    cid = await _new_collection(browser)
    for name in ("Lightning Bolt", "Serra Angel"):
        page = await browser.get(f"/card/{cards[name]['id']}")
        await browser.post(
            "/collections/add",
            data={
                "card_id": cards[name]["id"],
                "collection_id": cid,
                "quantity": "1",
                "csrf_token": csrf_of(page.text),
            },
        )
    html = (await browser.get(f"/collections/{cid}", params={"q": "t:creature"})).text
    assert "Serra Angel" in html and "Lightning Bolt</a>" not in html
    html = (await browser.get(f"/collections/{cid}", params={"q": "(t:creature"})).text
    assert 'class="error"' in html


async def test_import_wizard_dry_run_lists_unresolved_rows_then_confirms(
    browser: httpx.AsyncClient, cards: dict[str, Any]
) -> None:
    await register(browser)
    cid = await _new_collection(browser)
    csv = (
        "Count,Name,Edition,Condition,Language,Foil,Collector Number\n"
        f"2,Sol Ring,{cards['Sol Ring']['set']},Near Mint,English,,{cards['Sol Ring']['collector_number']}\n"
        "1,Not A Real Card,zzz,Near Mint,English,,1\n"
    )
    page = await browser.get(f"/collections/{cid}/import")
    assert 'enctype="multipart/form-data"' in page.text
    resp = await browser.post(
        f"/collections/{cid}/import",
        data={"format": "auto", "csrf_token": csrf_of(page.text)},
        files={"file": ("moxfield.csv", csv.encode(), "text/csv")},
    )
    assert resp.status_code == 200, resp.text
    report = resp.text
    assert "<strong>moxfield</strong>" in report
    assert "Not A Real Card" in report and "Every unresolved row (1)" in report
    empty = (await browser.get(f"/collections/{cid}")).text
    assert "0 in 0 entries" in empty  # the dry run changed nothing
    token = re.search(r'name="token" value="([^"]+)"', report)
    assert token
    unresolved = await browser.post(
        f"/collections/{cid}/import/unresolved",
        data={"token": token.group(1), "format": "moxfield", "csrf_token": csrf_of(report)},
    )
    assert unresolved.status_code == 200 and unresolved.headers["content-type"].startswith("text/csv")
    assert "Not A Real Card" in unresolved.text and "Sol Ring" not in unresolved.text
    resp = await browser.post(
        f"/collections/{cid}/import/confirm",
        data={"token": token.group(1), "format": "moxfield", "csrf_token": csrf_of(report)},
    )
    assert resp.status_code == 303 and resp.headers["location"].endswith("?imported=1")
    html = (await browser.get(resp.headers["location"])).text
    assert "Import done: 1 rows" in html and "2 in 1 entries" in html
    again = await browser.post(
        f"/collections/{cid}/import/confirm",
        data={"token": token.group(1), "format": "moxfield", "csrf_token": csrf_of(report)},
    )
    assert again.status_code == 400 and "expired or was already imported" in again.text
    export = await browser.get(f"/collections/{cid}/export", params={"format": "manabox"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "Sol Ring" in export.text
    bad = await browser.get(f"/collections/{cid}/export", params={"format": "nope"})
    assert bad.status_code == 400


@pytest.mark.realdata
async def test_import_wizard_reads_the_real_manabox_export(browser: httpx.AsyncClient) -> None:
    from support import shared_data

    raw = shared_data("collections", "manabox-collection.csv.gz").read_bytes()
    await register(browser)
    cid = await _new_collection(browser)
    page = await browser.get(f"/collections/{cid}/import")
    resp = await browser.post(
        f"/collections/{cid}/import",
        data={"format": "auto", "csrf_token": csrf_of(page.text)},
        files={"file": ("manabox-collection.csv.gz", raw, "application/gzip")},
    )
    assert resp.status_code == 200, resp.text[:2000]
    rows = len(gzip.decompress(raw).decode().strip().splitlines()) - 1
    assert "<strong>manabox</strong>" in resp.text
    assert f"<dt>Rows read</dt><dd>{rows}</dd>" in resp.text


async def test_other_users_private_collection_is_404(browser: httpx.AsyncClient, app: Any) -> None:
    await register(browser)
    cid = await _new_collection(browser)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as other:
        await register(other)
        assert (await other.get(f"/collections/{cid}")).status_code == 404
        token = csrf_of((await other.get("/collections")).text)
        resp = await other.post(f"/collections/{cid}/entries/1", data={"action": "delete", "csrf_token": token})
        assert resp.status_code == 404


async def test_movers_page_without_movers_says_why(browser: httpx.AsyncClient) -> None:
    html = (await browser.get("/movers", params={"window": "30d", "direction": "down"})).text
    assert "No movers computed yet" in html and '<option value="30d" selected>' in html


async def test_alert_from_card_page_shows_secret_once_and_lists_it(
    browser: httpx.AsyncClient, cards: dict[str, Any]
) -> None:
    await register(browser)
    card = cards["Demonic Tutor"]
    page = await browser.get("/alerts", params={"card": card["id"]})
    assert "Demonic Tutor" in page.text
    resp = await browser.post(
        "/alerts",
        data={"card_id": card["id"], "price_type": "usd", "direction": "above", "threshold": "60",
              "webhook_url": "http://127.0.0.1:9/hook", "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert resp.status_code == 201, resp.text[:2000]
    assert "whsec_" in resp.text
    listing = (await browser.get("/alerts")).text
    assert "whsec_" not in listing and "usd above $60.00" in listing and "$51.94" in listing
    refused = await browser.post(
        "/alerts",
        data={"card_id": card["id"], "price_type": "usd", "direction": "above", "threshold": "1",
              "webhook_url": "http://10.0.0.5/hook", "csrf_token": csrf_of(listing)},
    )  # fmt: skip
    assert refused.status_code == 400 and "not allowed" in refused.text
    alert_id = re.search(r"/alerts/([0-9a-f-]{36})/delete", listing)
    assert alert_id
    resp = await browser.post(f"/alerts/{alert_id.group(1)}/delete", data={"csrf_token": csrf_of(listing)})
    assert resp.status_code == 303
    assert "No alerts yet" in (await browser.get("/alerts")).text


async def test_admin_page_is_for_admins(browser: httpx.AsyncClient, db: Database) -> None:
    email = await register(browser)
    forbidden = await browser.get("/admin")
    assert forbidden.status_code == 403
    async with db.session_scope() as session:
        user = await account_service.get_user_by_email(session, email)
        assert user is not None
        user.role = "admin"
    html = (await browser.get("/admin")).text
    assert email in html and "login.success" in html and "Audit log" in html
