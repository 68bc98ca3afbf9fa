"""/cards/search and /cards/random over HTTP, on SQLite and PostgreSQL: Scryfall's list object,
pagination, warnings, 400/404 error objects, the time limit, the result cache, and a fuzz test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.catalog.normalize import normalize_name
from mtg_tracker.catalog.synthetic import write_catalog
from mtg_tracker.kit.db import Database
from mtg_tracker.search import service
from mtg_tracker.search.errors import QueryTooSlow
from support import error_body, wait_for

API = "/api/v1"


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    return items


_err = error_body


async def test_search_returns_scryfall_list(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": "t:creature c:r"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["object"] == "list" and body["has_more"] is False and body["next_page"] is None
    expected = {
        c["name"]
        for c in cards
        if "Creature" in (c.get("type_line") or "")
        and "R" in (c.get("colors") or [])
        and c["lang"] == "en"
        and not c.get("digital")
        and not c.get("variation")
    }
    got = [c["name"] for c in body["data"]]
    assert set(got) == expected and body["total_cards"] == len(got)
    assert got == sorted(got, key=normalize_name)  # name order ignores case, accents and punctuation
    assert "warnings" not in body
    by_id = {c["id"]: c for c in cards}
    for card in body["data"]:  # the stored objects (already current), with API links on this server
        source = orjson.loads(
            orjson.dumps(by_id[card["id"]]).replace(b"https://api.scryfall.com/", b"http://testserver/api/v1/")
        )
        assert card == source


async def test_unknown_terms_are_ignored_with_warnings(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": "t:creature mm:foo c:x"})
    assert resp.status_code == 200
    warnings = resp.json()["warnings"]
    assert any('Unknown keyword "mm"' in w for w in warnings)
    assert any('Unknown color "x"' in w for w in warnings)


@pytest.mark.parametrize(
    ("q", "status", "needle"),
    [
        ("mm:foo", 400, 'Unknown keyword "mm"'),
        ("(t:goblin", 400, "Unclosed ("),
        ('o:"draw', 400, "Unclosed quote"),
        ("t:goblin t:angel t:wizard t:zombie", 404, "didn't match any cards"),
        ("x" * 1001, 400, "1000"),
    ],
)
async def test_errors_are_error_objects(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], q: str, status: int, needle: str
) -> None:
    body = _err(await client.get(f"{API}/cards/search", params={"q": q}), status)
    assert needle in body["details"] + " ".join(body.get("warnings") or []) + str(body.get("errors"))


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "bolt", "unique": "sideways"}, {"q": "bolt", "page": "0"}, {"q": "bolt", "order": "x"}],
)
async def test_bad_parameters_are_400(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], params: dict[str, str]
) -> None:
    _err(await client.get(f"{API}/cards/search", params=params), 400)


async def test_pagination_walks_every_card_once(client: httpx.AsyncClient, db: Database, tmp_path: Path) -> None:
    write_catalog(tmp_path / "synthetic.json", 600, seed=3)
    await import_cards(db, tmp_path / "synthetic.json")
    first = (await client.get(f"{API}/cards/search", params={"q": "mv>=0", "unique": "prints"})).json()
    total = first["total_cards"]
    assert total > 350 and len(first["data"]) == 175 and first["has_more"]
    seen = [c["id"] for c in first["data"]]
    url = first["next_page"]
    while url:
        assert "page=" in url
        page = (await client.get(url)).json()
        assert page["total_cards"] == total
        seen += [c["id"] for c in page["data"]]
        url = page["next_page"]
        assert page["has_more"] is bool(url)
    assert len(seen) == total == len(set(seen))
    past = (total // 175) + 2
    _err(await client.get(f"{API}/cards/search", params={"q": "mv>=0", "unique": "prints", "page": past}), 404)


async def test_unique_and_order_parameters(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    prints = (await client.get(f"{API}/cards/search", params={"q": "t:creature", "unique": "prints"})).json()
    by_card = (await client.get(f"{API}/cards/search", params={"q": "t:creature"})).json()
    assert prints["total_cards"] >= by_card["total_cards"]
    assert len({c["oracle_id"] for c in by_card["data"]}) == by_card["total_cards"]
    by_cmc = (await client.get(f"{API}/cards/search", params={"q": "t:creature", "order": "cmc", "dir": "desc"})).json()
    cmcs = [c["cmc"] for c in by_cmc["data"]]
    assert cmcs == sorted(cmcs, reverse=True)
    in_query = (await client.get(f"{API}/cards/search", params={"q": "t:creature order:cmc dir:asc"})).json()
    assert [c["cmc"] for c in in_query["data"]] == sorted(cmcs)


async def test_random_with_query(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    seen = {(await client.get(f"{API}/cards/random", params={"q": "t:creature"})).json()["type_line"] for _ in range(5)}
    assert all("Creature" in t for t in seen)
    _err(await client.get(f"{API}/cards/random", params={"q": "t:creature t:instant t:land"}), 404)
    _err(await client.get(f"{API}/cards/random", params={"q": "(t:creature"}), 400)


async def test_statement_timeout_stops_a_slow_query(db: Database) -> None:
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) FROM n"
    async with db.session(write=False) as session:
        with pytest.raises(QueryTooSlow):
            await service._run(session, text(slow), timeout_ms=100)
        # the session is usable afterwards
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_results_are_cached_until_the_next_import(
    client: httpx.AsyncClient, db: Database, cards: list[dict[str, Any]], tmp_path: Path
) -> None:
    before = (await client.get(f"{API}/cards/search", params={"q": "t:creature"})).json()["total_cards"]
    paper = next(c for c in cards if not c.get("digital") and c["lang"] == "en" and "card_faces" not in c)
    extra = dict(paper, id="0b8d3c7e-0000-4000-8000-000000000001", name="Zzyzx Test Creature",
                 oracle_id="0b8d3c7e-0000-4000-8000-000000000002", type_line="Creature — Test")  # fmt: skip
    await import_cards(db, write_json(tmp_path / "more.json", [extra]))

    async def grown() -> bool:
        resp = await client.get(f"{API}/cards/search", params={"q": "t:creature"})
        return bool(resp.json()["total_cards"] == before + 1)

    await wait_for(grown)


ALPHABET = st.sampled_from(
    [
        "t:", "o:", "c:", "id<=", "mv>", "pow>tou", "-", "(", ")", " or ", " ", '"', "'", "/", "!", "~", "{",
        "}", "R/P", "2WW", "goblin", "draw a card", "x", "mm:", "is:", "dfc", "e:lea", "year<", "1994",
        "usd<", "0.5", ".*", "\\", "^", "$", "[", "]", "(a+)+", "unique:prints", "include:extras", "order:",
        "not:", ":", "=", "!=", ">=", "<", "ñ", "\x00", "%", "_", "*", "?",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(ALPHABET, min_size=1, max_size=14))
async def test_fuzz_never_500(client: httpx.AsyncClient, cards: list[dict[str, Any]], parts: list[str]) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": "".join(parts)})
    assert resp.status_code in (200, 400, 404), resp.text
    assert resp.json()["object"] in ("list", "error")


def test_service_understand_rejects_empty_and_ignored_queries() -> None:
    from mtg_tracker.search.errors import QueryNotUnderstood

    with pytest.raises(QueryNotUnderstood) as err:
        service.understand("zz:top")
    assert err.value.warnings and 'Unknown keyword "zz"' in err.value.warnings[0]
    with pytest.raises(QueryNotUnderstood):
        service.understand("   ")


@pytest.mark.parametrize(
    "term",
    ["usd>1e17", "usd>99999999999999999999", "eur<1e300", "tix>=1e17", "usd>1e308", "mv>1e308", "cn>1e17",
     "c=99999999999999999999", "pow<-1e300"],
)  # fmt: skip
async def test_numbers_out_of_range_are_warnings_not_500s(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], term: str
) -> None:
    alone = _err(await client.get(f"{API}/cards/search", params={"q": term}), 400)
    assert any(term in w for w in alone["warnings"]), alone
    resp = await client.get(f"{API}/cards/search", params={"q": f"t:creature {term}"})
    assert resp.status_code == 200, resp.text
    assert any(term in w for w in resp.json()["warnings"])
    assert (await client.get(f"{API}/cards/random", params={"q": f"t:creature {term}"})).status_code == 200


@pytest.mark.parametrize(
    ("q", "matches"),
    [("usd<21000000", True), ("usd>-21000000", True), ("usd>20999999", False), ("eur<=21000000", True),
     ("tix>=-21000000", True), ("prints<=32767", True), ("sets>32766", False), ("artists<32767", True),
     ("cn<1000000", True), ("cn>999999", False), ("mv<1000000", True), ("date<=9999-12-31", True),
     ("date>9999-12", False)],
)  # fmt: skip
async def test_numbers_at_the_limits_run_on_the_database(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], q: str, matches: bool
) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": f"t:creature {q}"})
    assert resp.status_code == (200 if matches else 404), resp.text
    assert "warnings" not in resp.json()
