"""Collections and entries over HTTP on SQLite and PostgreSQL: CRUD, merging, validation, pages,
filters, Scryfall-syntax `q`, public sharing, ownership (404) and scopes (403)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from accounts import api_key_headers
from collectiontools import API, add, new_collection
from mtg_tracker.collection.models import CollectionEntry
from mtg_tracker.kit.db import Database, utcnow
from ownership import assert_hidden_from
from support import error_body


async def test_create_list_update_delete(client: httpx.AsyncClient, owner: dict[str, str]) -> None:
    cid = await new_collection(client, owner, kind="deck", description="Mono red")
    body = (await client.get(f"{API}/collections/{cid}", headers=owner)).json()
    assert body["object"] == "collection" and body["kind"] == "deck" and body["is_public"] is False
    await new_collection(client, owner, name="Wants", kind="wishlist")
    listing = (await client.get(f"{API}/collections", headers=owner)).json()
    assert listing["object"] == "list" and listing["total"] == 2 and listing["has_more"] is False
    assert [c["name"] for c in listing["data"]] == ["Main", "Wants"]
    page = (await client.get(f"{API}/collections?page_size=1", headers=owner)).json()
    assert page["has_more"] is True and "page=2" in page["next_page"]

    resp = await client.patch(f"{API}/collections/{cid}", json={"name": "Burn", "is_public": True}, headers=owner)
    assert resp.status_code == 200 and resp.json()["name"] == "Burn" and resp.json()["is_public"] is True
    error_body(await client.post(f"{API}/collections", json={"name": "x", "kind": "pile"}, headers=owner), 400)
    assert (await client.delete(f"{API}/collections/{cid}", headers=owner)).status_code == 204
    error_body(await client.get(f"{API}/collections/{cid}", headers=owner), 404)


async def test_anonymous_needs_auth_for_private_and_own_lists(client: httpx.AsyncClient, owner: dict[str, str]) -> None:
    cid = await new_collection(client, owner)
    error_body(await client.get(f"{API}/collections"), 401)
    error_body(await client.get(f"{API}/collections/{cid}"), 404)
    error_body(await client.post(f"{API}/collections", json={"name": "x"}), 401)


async def test_entries_merge_and_validate(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    first = await add(client, owner, cid, cards["a"], quantity=2, finish="foil", purchase_price="2.50", currency="USD")
    assert first.status_code == 201, first.text
    entry = first.json()
    assert entry["object"] == "collection_entry" and entry["quantity"] == 2 and entry["purchase_price"] == "2.50"
    assert entry["name"] == cards["a"]["name"] and entry["set"] == cards["a"]["set"]
    again = await add(client, owner, cid, cards["a"], quantity=3, finish="foil", tags=["trade"])
    assert again.status_code == 200 and again.json()["id"] == entry["id"] and again.json()["quantity"] == 5
    assert again.json()["tags"] == ["trade"]
    other_condition = await add(client, owner, cid, cards["a"], finish="foil", condition="LP")
    assert other_condition.status_code == 201 and other_condition.json()["id"] != entry["id"]

    # b is nonfoil only; an unknown id; quantity 0; a condition off the ladder
    bad = error_body(await add(client, owner, cid, cards["b"], finish="foil"), 400)
    assert "not printed in foil" in bad["details"]
    error_body(await add(client, owner, cid, {"id": "00000000-0000-0000-0000-000000000001"}), 400)
    error_body(await add(client, owner, cid, cards["a"], quantity=0), 400)
    error_body(await add(client, owner, cid, cards["a"], condition="Mint-ish"), 400)
    error_body(await add(client, owner, cid, cards["a"], finish="glossy"), 400)
    # a language the export formats could not write would break every export later: refused up front
    assert "unknown language" in str(error_body(await add(client, owner, cid, cards["a"], language="xx"), 400))
    upper = await add(client, owner, cid, cards["b"], language="DE")
    assert upper.status_code == 201 and upper.json()["language"] == "de"

    patched = await client.patch(
        f"{API}/collections/{cid}/entries/{entry['id']}", json={"quantity": 1, "notes": "binder 2"}, headers=owner
    )
    assert patched.status_code == 200 and patched.json()["quantity"] == 1 and patched.json()["notes"] == "binder 2"
    error_body(
        await client.patch(f"{API}/collections/{cid}/entries/{entry['id']}", json={"finish": "etched"}, headers=owner),
        400,
    )
    clash = await client.patch(
        f"{API}/collections/{cid}/entries/{other_condition.json()['id']}", json={"condition": "NM"}, headers=owner
    )
    error_body(clash, 409)
    assert (await client.delete(f"{API}/collections/{cid}/entries/{entry['id']}", headers=owner)).status_code == 204
    error_body(await client.delete(f"{API}/collections/{cid}/entries/{entry['id']}", headers=owner), 404)


async def test_filters_pages_and_search_query(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    await add(client, owner, cid, cards["a"], finish="foil", tags=["cube"])
    await add(client, owner, cid, cards["a"], language="de", condition="LP")
    await add(client, owner, cid, cards["b"])
    await add(client, owner, cid, cards["c"], finish="etched", tags=["cube", "deck"])
    url = f"{API}/collections/{cid}/entries"

    async def names(query: str) -> list[tuple[str, str]]:
        resp = await client.get(url + query, headers=owner)
        assert resp.status_code == 200, resp.text
        return [(e["name"], e["finish"]) for e in resp.json()["data"]]

    every = (await client.get(url, headers=owner)).json()
    assert every["object"] == "list" and every["total"] == 4 and every["has_more"] is False
    assert await names("?finish=foil") == [(cards["a"]["name"], "foil")]
    assert await names("?condition=LP") == [(cards["a"]["name"], "nonfoil")]
    assert await names("?language=de") == [(cards["a"]["name"], "nonfoil")]
    assert await names("?tag=cube") == [(cards["a"]["name"], "foil"), (cards["c"]["name"], "etched")]
    assert await names(f"?set={cards['b']['set']}") == [
        (c["name"], f)
        for c, f in ((cards["a"], "foil"), (cards["a"], "nonfoil"), (cards["b"], "nonfoil"), (cards["c"], "etched"))
        if c["set"] == cards["b"]["set"]
    ]
    assert await names(f'?q=!"{cards["b"]["name"]}"') == [(cards["b"]["name"], "nonfoil")]
    page = (await client.get(url + "?page_size=3", headers=owner)).json()
    assert page["total"] == 4 and len(page["data"]) == 3 and page["has_more"] is True
    second = (await client.get(page["next_page"], headers=owner)).json()
    assert len(second["data"]) == 1 and second["has_more"] is False and second["next_page"] is None
    error_body(await client.get(url + "?q=(((", headers=owner), 400)


async def test_public_collection_reads_for_anyone_writes_for_nobody_else(
    client: httpx.AsyncClient, owner: dict[str, str], other: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner, is_public=True)
    await add(client, owner, cid, cards["a"])
    for headers in ({}, other):
        assert (await client.get(f"{API}/collections/{cid}", headers=headers)).status_code == 200
        assert (await client.get(f"{API}/collections/{cid}/entries", headers=headers)).json()["total"] == 1
        assert (await client.get(f"{API}/collections/{cid}/value", headers=headers)).status_code == 200
        assert (await client.get(f"{API}/collections/{cid}/export?format=manabox", headers=headers)).status_code == 200
    error_body(await add(client, other, cid, cards["a"]), 404)
    error_body(await client.patch(f"{API}/collections/{cid}", json={"name": "mine"}, headers=other), 404)
    error_body(await client.delete(f"{API}/collections/{cid}", headers=other), 404)
    error_body(await add(client, {}, cid, cards["a"]), 401)


def _routes(cid: str, entry_id: int, card_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"{API}/collections/{cid}"
    csv = b"Quantity,Name,Scryfall ID\n1,X," + card_id.encode() + b"\n"
    return [
        ("GET", base, {}),
        ("PATCH", base, {"json": {"name": "stolen"}}),
        ("DELETE", base, {}),
        ("GET", f"{base}/entries", {}),
        ("POST", f"{base}/entries", {"json": {"card_id": card_id}}),
        ("PATCH", f"{base}/entries/{entry_id}", {"json": {"quantity": 9}}),
        ("DELETE", f"{base}/entries/{entry_id}", {}),
        ("POST", f"{base}/import", {"files": {"file": ("a.csv", csv, "text/csv")}}),
        ("POST", f"{base}/import?dry_run=true", {"files": {"file": ("a.csv", csv, "text/csv")}}),
        ("GET", f"{base}/export?format=moxfield", {}),
        ("GET", f"{base}/value", {}),
        ("GET", f"{base}/value/history", {}),
    ]


async def test_another_users_private_collection_is_404_on_every_route(
    client: httpx.AsyncClient, owner: dict[str, str], other: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    entry = (await add(client, owner, cid, cards["a"], quantity=2)).json()
    await assert_hidden_from(client, other, _routes(cid, entry["id"], cards["a"]["id"]))
    # nothing changed for the owner
    still = (await client.get(f"{API}/collections/{cid}/entries", headers=owner)).json()
    assert still["total"] == 1 and still["data"][0]["quantity"] == 2


async def test_read_scope_api_key_reads_but_cannot_write(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    entry = (await add(client, owner, cid, cards["a"])).json()
    key = await api_key_headers(client, owner, scopes=("read",))
    assert (await client.get(f"{API}/collections", headers=key)).json()["total"] == 1
    assert (await client.get(f"{API}/collections/{cid}/entries", headers=key)).json()["total"] == 1
    for method, path, kwargs in _routes(cid, entry["id"], cards["a"]["id"]):
        if method == "GET":
            continue
        resp = await client.request(method, path, headers=key, **kwargs)
        assert error_body(resp, 403)["code"] == "forbidden", (method, path)
    error_body(await client.post(f"{API}/collections", json={"name": "x"}, headers=key), 403)
    assert (await client.get(f"{API}/collections/{cid}/entries", headers=owner)).json()["data"][0]["quantity"] == 1


async def test_the_database_refuses_entries_the_api_would_refuse(
    db: Database, client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """Check constraints back the schema for every other writer (jobs, scripts, later domains)."""
    cid = uuid.UUID(await new_collection(client, owner))
    now = utcnow()
    base = {"collection_id": cid, "card_id": uuid.UUID(cards["a"]["id"]), "created_at": now, "updated_at": now}
    good = {"quantity": 1, "finish": "nonfoil", "condition": "NM", "language": "en"}
    for bad in ({"quantity": 0}, {"finish": "glossy"}, {"condition": "EX"}):
        with pytest.raises(IntegrityError):
            async with db.session_scope() as session:
                await session.execute(insert(CollectionEntry).values(**base, **{**good, **bad}))
    async with db.session_scope() as session:
        await session.execute(insert(CollectionEntry).values(**base, **good))
    assert (await client.get(f"{API}/collections/{cid}/entries", headers=owner)).json()["total"] == 1


@pytest.mark.parametrize("flag", [0, 1, "true", "yes"])
async def test_is_public_must_be_a_json_boolean(client: httpx.AsyncClient, owner: dict[str, str], flag: Any) -> None:
    cid = await new_collection(client, owner)
    error_body(await client.patch(f"{API}/collections/{cid}", json={"is_public": flag}, headers=owner), 400)
    error_body(await client.post(f"{API}/collections", json={"name": "x", "is_public": flag}, headers=owner), 400)
    assert (await client.get(f"{API}/collections/{cid}", headers=owner)).json()["is_public"] is False


async def test_control_characters_are_refused_except_line_breaks_in_long_text(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    for body in ({"name": "Main\x00"}, {"name": "Main\nDeck"}, {"description": "tab\tok but NUL\x00 not"}):
        error_body(await client.patch(f"{API}/collections/{cid}", json=body, headers=owner), 400)
    multi = {"description": "Line one\nLine two\ttabbed\r\n"}
    assert (await client.patch(f"{API}/collections/{cid}", json=multi, headers=owner)).status_code == 200
    entry = {"card_id": cards["a"]["id"], "notes": "first\nsecond", "tags": ["ok"]}
    assert (await client.post(f"{API}/collections/{cid}/entries", json=entry, headers=owner)).status_code == 201
    for bad in ({"tags": ["trade\x1b[31m"]}, {"notes": "\x00"}, {"acquired": 0}, {"acquired": "1970-01-01"}):
        resp = await client.post(f"{API}/collections/{cid}/entries", json={**entry, **bad}, headers=owner)
        error_body(resp, 400)
