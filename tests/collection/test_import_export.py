"""CSV import and export over HTTP (and the CLI): resolution order, counting, dry runs, atomic failure on
unreadable files, and an export → import round trip through every format."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from typer.testing import CliRunner

from accounts import login_headers
from collectiontools import API, add, new_collection
from mtg_tracker.cli import app as cli_app
from mtg_tracker.collection import formats
from mtg_tracker.config import Settings, get_settings
from mtg_tracker.main import create_app
from support import error_body, make_settings

MANABOX = (
    "Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,Purchase price,"
    "Misprint,Altered,Condition,Language,Purchase price currency"
)


def manabox(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANABOX.split(","), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "Foil": "normal",
                "Quantity": "1",
                "ManaBox ID": "1",
                "Condition": "near_mint",
                "Language": "en",
                "Misprint": "false",
                "Altered": "false",
                **row,
            }
        )
    return out.getvalue().encode()


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], cid: str, data: bytes, query: str = ""
) -> httpx.Response:
    return await client.post(
        f"{API}/collections/{cid}/import{query}", files={"file": ("export.csv", data, "text/csv")}, headers=headers
    )


async def entries(client: httpx.AsyncClient, headers: dict[str, str], cid: str) -> list[dict[str, Any]]:
    body = (await client.get(f"{API}/collections/{cid}/entries?page_size=1000", headers=headers)).json()
    return list(body["data"])


def keyed(items: list[dict[str, Any]]) -> Counter[tuple[str, str, str, str]]:
    out: Counter[tuple[str, str, str, str]] = Counter()
    for e in items:
        out[(str(e["card_id"]), e["finish"], e["condition"], e["language"])] += e["quantity"]
    return out


def _rows(cards: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    a, b, c = cards["a"], cards["b"], cards["c"]
    return [
        # 2: by Scryfall id, foil, with a purchase price
        {
            "Name": a["name"],
            "Scryfall ID": a["id"],
            "Foil": "foil",
            "Quantity": "2",
            "Purchase price": "1.50",
            "Purchase price currency": "USD",
        },
        # 3: by set code + collector number (no id), German, lightly played (Cardmarket EX)
        {
            "Name": b["name"],
            "Set code": b["set"].upper(),
            "Collector number": b["collector_number"],
            "Condition": "excellent",
            "Language": "de",
        },
        # 4: same as line 2 → merged into it
        {"Name": a["name"], "Scryfall ID": a["id"], "Foil": "foil"},
        # 5: unknown id and unknown set: falls through to the name alone → approximate
        {"Name": c["name"], "Scryfall ID": str(uuid.uuid4()), "Set code": "ZZZ", "Collector number": "999"},
        # 6: b exists in nonfoil only
        {"Name": b["name"], "Scryfall ID": b["id"], "Foil": "foil"},
        # 7: nothing we know
        {"Name": "No Such Card Anywhere", "Scryfall ID": str(uuid.uuid4())},
        # 8: quantity 0
        {"Name": a["name"], "Scryfall ID": a["id"], "Quantity": "0"},
    ]


async def test_import_resolves_counts_and_merges(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    data = manabox(_rows(cards))
    resp = await upload(client, owner, cid, data)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["object"] == "import_report" and report["format"] == "manabox" and report["dry_run"] is False
    assert (report["rows_read"], report["imported"], report["merged"], report["unresolved"]) == (7, 3, 1, 3)
    assert report["imported"] + report["merged"] + report["unresolved"] == report["rows_read"]
    assert {e["line"] for e in report["errors"]} == {6, 7, 8}
    assert all(e["reason"] and e["row"] for e in report["errors"])
    assert [w["line"] for w in report["warnings"]] == [5] and report["approximate"] == 1
    a, b, c = cards["a"], cards["b"], cards["c"]
    assert keyed(await entries(client, owner, cid)) == {
        (a["id"], "foil", "NM", "en"): 3,
        (b["id"], "nonfoil", "LP", "de"): 1,
        (c["id"], "nonfoil", "NM", "en"): 1,
    }
    first = next(e for e in await entries(client, owner, cid) if e["card_id"] == a["id"])
    assert first["purchase_price"] == "1.50" and first["currency"] == "USD"

    # the same file again: every resolved row merges into an existing entry
    again = (await upload(client, owner, cid, data)).json()
    assert (again["imported"], again["merged"], again["unresolved"]) == (0, 4, 3)
    assert keyed(await entries(client, owner, cid))[(a["id"], "foil", "NM", "en")] == 6

    # merge=false: the file replaces the collection's entries
    replaced = (await upload(client, owner, cid, data, "?merge=false")).json()
    assert (replaced["imported"], replaced["merged"]) == (3, 1)
    assert keyed(await entries(client, owner, cid))[(a["id"], "foil", "NM", "en")] == 3


async def test_dry_run_reports_exactly_and_writes_nothing(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    await add(client, owner, cid, cards["a"], finish="foil")
    data = manabox(_rows(cards))
    before = await entries(client, owner, cid)
    dry = (await upload(client, owner, cid, data, "?dry_run=true")).json()
    assert dry["dry_run"] is True
    assert await entries(client, owner, cid) == before
    real = (await upload(client, owner, cid, data)).json()
    strip = {"dry_run", "seconds"}
    assert {k: v for k, v in dry.items() if k not in strip} == {k: v for k, v in real.items() if k not in strip}
    assert (real["imported"], real["merged"]) == (2, 2)  # lines 2 and 4 merge into the existing foil entry


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"1,Black Lotus,vma,4\n2,Forest,m19,280\n", id="no-header"),
        pytest.param(MANABOX.replace(",", "|").encode() + b"\nX|vma|4\n", id="wrong-delimiter"),
        pytest.param(MANABOX.encode() + b"\n" + b"A" * 200_000 + b",vma\n", id="huge-line"),
        pytest.param(b"\xff\xfeQ\x00" + b"\x00\xd8" * 10 + MANABOX.encode(), id="bad-encoding"),
        pytest.param(MANABOX.encode() + b"\nok,vma\n" + b"\xc3\x28\xa0\xa1" * 20 + b"\n", id="bad-utf8-later"),
        pytest.param(MANABOX.encode() + b"\n" + b"Forest,m19\n" * 3000 + b"x" * 100_000 + b"\n", id="huge-line-later"),
    ],
)
async def test_unreadable_file_is_400_and_writes_nothing(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]], data: bytes
) -> None:
    cid = await new_collection(client, owner)
    await add(client, owner, cid, cards["a"])
    error_body(await upload(client, owner, cid, data), 400)
    assert len(await entries(client, owner, cid)) == 1


async def test_unknown_format_and_row_limit(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]], settings: Settings
) -> None:
    cid = await new_collection(client, owner)
    error_body(await upload(client, owner, cid, b"x", "?format=excel"), 400)
    error_body(await client.get(f"{API}/collections/{cid}/export?format=auto", headers=owner), 400)
    settings.collection.max_import_rows = 2
    rows = [{"Name": cards["a"]["name"], "Scryfall ID": cards["a"]["id"]}] * 3
    error_body(await upload(client, owner, cid, manabox(rows)), 413)
    assert await entries(client, owner, cid) == []


def _expected_after(fmt: str, key: tuple[str, str, str, str]) -> tuple[str, str, str, str]:
    card_id, finish, condition, language = key
    losses = formats.LOSSES[fmt]
    if "etched" in losses and finish == "etched":
        finish = "foil"
    if "condition" in losses:
        condition = "NM"
    if "language" in losses:
        language = "en"
    return card_id, finish, condition, language


@pytest.mark.parametrize("fmt", formats.FORMATS)
async def test_export_then_import_round_trip(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]], fmt: str
) -> None:
    src = await new_collection(client, owner, name="Source collection")
    await add(client, owner, src, cards["a"], finish="foil", quantity=2, purchase_price="1.25", currency="USD")
    await add(client, owner, src, cards["a"], condition="LP", language="de")
    await add(client, owner, src, cards["b"], quantity=3, condition="MP", language="ja")
    await add(client, owner, src, cards["c"], finish="etched", condition="HP", tags=["cube"])
    resp = await client.get(f"{API}/collections/{src}/export?format={fmt}", headers=owner)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == f'attachment; filename="Source-collection-{fmt}.csv"'

    dst = await new_collection(client, owner, name="Copy")
    report = (await upload(client, owner, dst, resp.content, f"?format={fmt}")).json()
    assert report["unresolved"] == 0, report["errors"]
    auto = (await upload(client, owner, dst, resp.content, "?dry_run=true")).json()
    assert auto["format"] == fmt or auto["unresolved"] == 0
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for key, quantity in keyed(await entries(client, owner, src)).items():
        expected[_expected_after(fmt, key)] += quantity
    assert keyed(await entries(client, owner, dst)) == expected


async def test_cli_import_creates_the_collection_and_prints_a_summary(
    client: httpx.AsyncClient,
    cards: dict[str, dict[str, Any]],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    headers = await login_headers(client, email)
    path = tmp_path / "export.csv"
    path.write_bytes(manabox(_rows(cards)))
    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MTG_LOG__LEVEL", "WARNING")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        dry = await asyncio.to_thread(
            runner.invoke, cli_app, ["collection", "import", "From CLI", str(path), "--owner", email, "--dry-run"]
        )
        assert dry.exit_code == 0, dry.output
        assert "dry run" in dry.output.lower()
        before = (await client.get(f"{API}/collections", headers=headers)).json()
        assert before["total"] == 0  # a dry run does not even create the collection
        real = await asyncio.to_thread(
            runner.invoke, cli_app, ["collection", "import", "From CLI", str(path), "--owner", email]
        )
        assert real.exit_code == 0, real.output
        assert "imported" in real.output and "unresolved" in real.output
        bad = tmp_path / "bad.csv"
        bad.write_bytes(b"1,2,3\n")
        failed = await asyncio.to_thread(
            runner.invoke, cli_app, ["collection", "import", "From CLI", str(bad), "--owner", email]
        )
        assert failed.exit_code == 1
    finally:
        get_settings.cache_clear()
    listing = (await client.get(f"{API}/collections", headers=headers)).json()
    names = [c["name"] for c in listing["data"]]
    assert "From CLI" in names
    cid = next(c["id"] for c in listing["data"] if c["name"] == "From CLI")
    assert sum(e["quantity"] for e in await entries(client, headers, cid)) == 5


async def test_concurrent_writers_of_one_collection_take_turns(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """Two imports and several adds of the same printings at once: every request succeeds, nothing is
    counted twice or lost (without the collection's row lock, PostgreSQL answered one import with a
    unique-constraint 500)."""
    cid = await new_collection(client, owner)
    data = manabox(_rows(cards))
    results = await asyncio.gather(
        upload(client, owner, cid, data),
        upload(client, owner, cid, data),
        *(add(client, owner, cid, cards["a"], finish="foil") for _ in range(4)),
    )
    assert [r.status_code for r in results[:2]] == [200, 200], [r.text for r in results]
    assert sorted(r.status_code for r in results[2:]) in ([200, 200, 200, 200], [200, 200, 200, 201])
    reports = [r.json() for r in results[:2]]
    assert sorted((r["imported"], r["merged"]) for r in reports) in ([(0, 4), (3, 1)], [(1, 3), (3, 1)])
    a, b, c = cards["a"], cards["b"], cards["c"]
    assert keyed(await entries(client, owner, cid)) == {
        (a["id"], "foil", "NM", "en"): 2 * 3 + 4,
        (b["id"], "nonfoil", "LP", "de"): 2,
        (c["id"], "nonfoil", "NM", "en"): 2,
    }


async def test_name_and_set_code_without_a_number(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """A row with a name and a set code but no collector number resolves inside that set, exactly."""
    cid = await new_collection(client, owner)
    b = cards["b"]
    data = manabox([{"Name": b["name"], "Set code": b["set"].upper()}])
    report = (await upload(client, owner, cid, data)).json()
    assert (report["imported"], report["unresolved"], report["approximate"]) == (1, 0, 0), report
    assert keyed(await entries(client, owner, cid)) == {(b["id"], "nonfoil", "NM", "en"): 1}


async def test_cli_refuses_a_corrupt_gzip_file(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    await login_headers(client, email)
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(b"Count,Name,Edition\n1,Forest,m19\n" * 200)[:-40])
    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(
            CliRunner().invoke, cli_app, ["collection", "import", "Gz", str(path), "--owner", email]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert "gzip" in result.output and "unchanged" in result.output


async def test_imports_have_their_own_body_limit(
    database_url: str, tmp_path: Path, cards: dict[str, dict[str, Any]]
) -> None:
    """Uploads may exceed the global body limit up to MTG_COLLECTION__MAX_IMPORT_BYTES; nothing else may."""
    settings = make_settings(
        database_url, tmp_path, http={"max_body_bytes": 4096}, collection={"max_import_bytes": 64 * 1024}
    )
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = await login_headers(client)
            cid = await new_collection(client, headers)
            row = {"Name": cards["a"]["name"], "Scryfall ID": cards["a"]["id"]}
            medium = manabox([row] * 150)  # ~20 KB: over the global limit, under the import limit
            assert 4096 < len(medium) < 64 * 1024
            report = await upload(client, headers, cid, medium)
            assert report.status_code == 200, report.text
            assert report.json()["merged"] == 149
            large = manabox([row] * 2000)
            assert len(large) > 64 * 1024
            error_body(await upload(client, headers, cid, large), 413)
            error_body(
                await client.post(f"{API}/collections", json={"name": "x", "description": "d" * 4500}, headers=headers),
                413,
            )
            assert sum(e["quantity"] for e in await entries(client, headers, cid)) == 150


HEADERS = [
    MANABOX,
    "Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Last Modified,Collector Number,Alter,Proxy,"
    "Purchase Price",
    "Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU",
    "Folder Name,Quantity,Trade Quantity,Card Name,Set Code,Set Name,Card Number,Condition,Printing,Language,"
    "Price Bought,Date Bought,LOW,MID,MARKET",
    "Card,Set ID,Set Name,Quantity,Foil,Variation",
    "scryfall_id,quantity,finish",
]
CELLS = st.sampled_from(
    [
        "", "1", "0", "-3", "99999999999", "2.5", "$1,50", "€", "foil", "FOIL_ETCHED", "etched", "Near Mint",
        "excellent", "jp", "zh_TW", "xx", "Lightning Bolt", "A // B", '"', '""', ",", ";", "\n", "\r\n", "\t",
        "ñ", "\u200b", "\x00", "2021-13-45", "12/31/2020", "vma", "ZZZ", "123a", "★",
        "00000000-0000-0000-0000-000000000001", "not-a-uuid", "=cmd|' /C calc'!A0",
    ]
)  # fmt: skip


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(CELLS, max_size=16), max_size=8),
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b'"sep=,"\n', b"\xff\xfe", b"\x00"]),
)
async def test_fuzz_import_is_a_report_or_a_400(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    cards: dict[str, dict[str, Any]],
    header: str,
    rows: list[list[str]],
    prefix: bytes,
) -> None:
    """Whatever the bytes, an import answers a report whose rows add up or a 400 error object, and a 400
    leaves the collection as it was."""
    cid = await new_collection(client, owner, name="fuzz")
    await add(client, owner, cid, cards["a"])
    body = prefix + (header + "\n" + "\n".join(",".join(r) for r in rows)).encode("utf-8", "surrogatepass")
    resp = await upload(client, owner, cid, body)
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 400:
        error_body(resp, 400)
        assert keyed(await entries(client, owner, cid)) == {(cards["a"]["id"], "nonfoil", "NM", "en"): 1}
    else:
        report = resp.json()
        assert report["imported"] + report["merged"] + report["unresolved"] == report["rows_read"]
    assert (await client.delete(f"{API}/collections/{cid}", headers=owner)).status_code == 204


async def test_an_entry_holds_at_most_a_million_copies(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """Past the cap a row is unresolved with its reason (the rest still imports) and an add is a 400:
    quantities must never overflow the column or the value sums."""
    cid = await new_collection(client, owner)
    a, b = cards["a"], cards["b"]
    assert (await add(client, owner, cid, a, quantity=999_999)).status_code == 201
    body = error_body(await add(client, owner, cid, a, quantity=2), 400)
    assert "1,000,000" in body["details"]
    rows = [
        {"Name": a["name"], "Scryfall ID": a["id"], "Quantity": "1"},  # exactly the cap: merges
        {"Name": a["name"], "Scryfall ID": a["id"], "Quantity": "1"},  # one past: unresolved
        {"Name": b["name"], "Scryfall ID": b["id"], "Quantity": "1000000"},  # a new entry at the cap
        {"Name": b["name"], "Scryfall ID": b["id"], "Quantity": "5"},  # past it within the file
    ]
    report = (await upload(client, owner, cid, manabox(rows))).json()
    assert (report["imported"], report["merged"], report["unresolved"]) == (1, 1, 2), report
    assert {e["line"] for e in report["errors"]} == {3, 5}
    assert all("more than 1,000,000" in e["reason"] for e in report["errors"])
    assert keyed(await entries(client, owner, cid)) == {
        (a["id"], "nonfoil", "NM", "en"): 1_000_000,
        (b["id"], "nonfoil", "NM", "en"): 1_000_000,
    }


async def test_export_neutralises_formula_cells_of_a_public_collection(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """Tags `=1+2` and `@SUM(A1)` of a public collection, exported anonymously, open in a spreadsheet as
    text (OWASP CSV injection), and import back unchanged."""
    cid = await new_collection(client, owner, is_public=True)
    await add(client, owner, cid, cards["a"], tags=["=1+2"], notes="@SUM(A1)")
    await add(client, owner, cid, cards["b"], tags=["@SUM(A1)", "-cmd"])
    for fmt in ("moxfield", "archidekt", "topdecked", "deckbox", "cardsphere"):
        resp = await client.get(f"{API}/collections/{cid}/export?format={fmt}")
        assert resp.status_code == 200, resp.text
        cells = [c for row in list(csv.reader(io.StringIO(resp.text)))[1:] for c in row]
        assert not [c for c in cells if c.startswith(("=", "@", "+", "\t", "\r")) or c.startswith("-")], fmt
        assert "'=1+2" in cells or "'=1+2" in resp.text, fmt
    copy = await new_collection(client, owner, name="copy")
    export = await client.get(f"{API}/collections/{cid}/export?format=topdecked")
    assert (await upload(client, owner, copy, export.content)).json()["imported"] == 2
    back = {e["card_id"]: e for e in await entries(client, owner, copy)}
    assert back[cards["a"]["id"]]["tags"] == ["=1+2"] and back[cards["a"]["id"]]["notes"] == "@SUM(A1)"
    assert back[cards["b"]["id"]]["tags"] == ["@SUM(A1)", "-cmd"]


async def test_export_format_error_does_not_offer_auto(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    body = error_body(await client.get(f"{API}/collections/{cid}/export?format=excel", headers=owner), 400)
    assert "auto" not in body["details"] and "moxfield" in body["details"]
    body = error_body(await upload(client, owner, cid, b"x", "?format=excel"), 400)
    assert "auto" in body["details"]


async def test_gzip_uploads_are_accepted_by_magic_bytes_within_the_size_limit(
    database_url: str, tmp_path: Path, cards: dict[str, dict[str, Any]]
) -> None:
    """The API, like the CLI, takes a gzip-compressed export (whatever its name); the import size limit
    applies to the decompressed bytes, so a gzip bomb is a 413 and changes nothing."""
    settings = make_settings(database_url, tmp_path, collection={"max_import_bytes": 64 * 1024})
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = await login_headers(client)
            cid = await new_collection(client, headers)
            data = gzip.compress(manabox(_rows(cards)))
            resp = await upload(client, headers, cid, data)
            assert resp.status_code == 200, resp.text
            assert (resp.json()["imported"], resp.json()["merged"]) == (3, 1)
            bomb = gzip.compress(b"\n" * (8 * 1024 * 1024))
            assert len(bomb) < 64 * 1024
            body = error_body(await upload(client, headers, cid, gzip.compress(manabox(_rows(cards))) + bomb), 413)
            assert "decompressed" in body["details"]
            error_body(await upload(client, headers, cid, gzip.compress(manabox(_rows(cards)))[:-30]), 400)
            assert sum(e["quantity"] for e in await entries(client, headers, cid)) == 5


async def test_import_rows_that_merge_keep_their_tags_and_purchase_price(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """A row merging into an existing entry (or an earlier row) brings its tags and price along: the price
    becomes the weighted average cost; what cannot merge (another currency) is a per-row warning. A dry
    run reports the same."""
    cid = await new_collection(client, owner)
    a, b = cards["a"], cards["b"]
    await add(client, owner, cid, a, quantity=2, purchase_price="1.00", currency="USD", tags=["old"])
    await add(client, owner, cid, b, quantity=1, purchase_price="2.00", currency="USD")
    moxfield = (
        '"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Last Modified",'
        '"Collector Number","Alter","Proxy","Purchase Price"\n'
        f'"1","0","{a["name"]}","{a["set"]}","Near Mint","English","","new, cube","","{a["collector_number"]}",'
        '"False","False","4.00"\n'
        f'"1","0","{b["name"]}","{b["set"]}","Near Mint","English","","","","{b["collector_number"]}",'
        '"False","False","€3.00"\n'
    ).encode()
    dry = (await upload(client, owner, cid, moxfield, "?dry_run=true")).json()
    real = (await upload(client, owner, cid, moxfield)).json()
    strip = {"dry_run", "seconds"}
    assert {k: v for k, v in dry.items() if k not in strip} == {k: v for k, v in real.items() if k not in strip}
    assert (real["imported"], real["merged"]) == (0, 2)
    assert [(w["line"], w["kind"]) for w in real["warnings"]] == [(3, "merge")]
    assert "3.00 EUR not merged" in real["warnings"][0]["reason"]
    got = {e["card_id"]: e for e in await entries(client, owner, cid)}
    assert got[a["id"]]["quantity"] == 3 and got[a["id"]]["purchase_price"] == "2.00"  # (2×1 + 4) / 3
    assert got[a["id"]]["tags"] == ["old", "new", "cube"]
    assert got[b["id"]]["purchase_price"] == "2.00" and got[b["id"]]["currency"] == "USD"


async def test_add_entry_merges_the_purchase_price(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await new_collection(client, owner)
    a = cards["a"]
    assert (await add(client, owner, cid, a, quantity=1, purchase_price="1.00", currency="USD")).status_code == 201
    merged = await add(client, owner, cid, a, quantity=3, purchase_price="3.00", currency="USD", notes="from Bob")
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert (body["quantity"], body["purchase_price"], body["notes"], body["warnings"]) == (4, "2.50", "from Bob", None)
    other = (await add(client, owner, cid, a, quantity=1, purchase_price="9.00", currency="EUR")).json()
    assert other["purchase_price"] == "2.50" and other["currency"] == "USD"
    assert other["warnings"] and "9.00 EUR not merged" in other["warnings"][0]
    value = (await client.get(f"{API}/collections/{cid}/value", headers=owner)).json()
    assert value["cost_basis"] == "12.50"  # 5 copies at the average of what was paid in dollars


async def test_purchase_price_currency_comes_from_the_format_or_the_request(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    """Moxfield prices are dollars (the file has no currency column), so cost_basis counts them; a format
    that does not say gets `currency=` from the request, and without it a warning per row."""
    a = cards["a"]
    moxfield = (
        '"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Last Modified",'
        '"Collector Number","Alter","Proxy","Purchase Price"\n'
        f'"2","0","{a["name"]}","{a["set"]}","Near Mint","English","","","","{a["collector_number"]}",'
        '"False","False","1.50"\n'
    ).encode()
    cid = await new_collection(client, owner)
    report = (await upload(client, owner, cid, moxfield)).json()
    assert report["imported"] == 1 and report["warnings"] == []
    value = (await client.get(f"{API}/collections/{cid}/value?currency=usd", headers=owner)).json()
    assert value["cost_basis"] == "3.00"
    euros = await new_collection(client, owner, name="euros")
    (await upload(client, owner, euros, moxfield, "?currency=EUR")).json()
    assert (await entries(client, owner, euros))[0]["currency"] == "EUR"

    delver = f"Name,Acquired Price,Set Code,Number,Quantity\n{a['name']},1.50,{a['set']},{a['collector_number']},1\n"
    unknown = await new_collection(client, owner, name="unknown")
    report = (await upload(client, owner, unknown, delver.encode())).json()
    assert [(w["line"], w["kind"]) for w in report["warnings"]] == [(2, "currency")]
    assert "currency=USD or EUR" in report["warnings"][0]["reason"]
    report = (await upload(client, owner, unknown, delver.encode(), "?currency=usd&merge=false")).json()
    assert report["warnings"] == [] and (await entries(client, owner, unknown))[0]["currency"] == "USD"
    error_body(await upload(client, owner, unknown, delver.encode(), "?currency=GBP"), 400)


async def test_report_caps_echoed_rows_and_offers_them_all_as_csv(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]], settings: Settings
) -> None:
    """The JSON report echoes at most MTG_COLLECTION__MAX_REPORT_ROWS unresolved rows (counts exact);
    report=csv answers every one of them, in a file that imports again once fixed."""
    settings.collection.max_report_rows = 2
    cid = await new_collection(client, owner)
    a = cards["a"]
    rows = [{"Name": a["name"], "Scryfall ID": a["id"]}]
    rows += [{"Name": f"No Such Card {i}", "Set code": "ZZZ", "Misprint": "=1+2"} for i in range(5)]
    data = manabox(rows)
    report = (await upload(client, owner, cid, data, "?dry_run=true")).json()
    assert (report["rows_read"], report["imported"], report["unresolved"]) == (6, 1, 5)
    assert [e["line"] for e in report["errors"]] == [3, 4] and report["errors_truncated"] is True
    assert (report["warnings_total"], report["warnings_truncated"]) == (0, False)

    resp = await upload(client, owner, cid, data, "?dry_run=true&report=csv")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert (resp.headers["x-import-rows-read"], resp.headers["x-import-unresolved"]) == ("6", "5")
    table = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["Import Line"] for r in table] == ["3", "4", "5", "6", "7"]
    assert all(r["Import Error"] and r["Misprint"] == "'=1+2" for r in table)
    assert await entries(client, owner, cid) == []  # a dry run, even as CSV

    fixed = io.StringIO()  # the user corrects the names and imports the file as it is
    writer = csv.DictWriter(fixed, fieldnames=list(table[0]))
    writer.writeheader()
    writer.writerows({**r, "Name": a["name"], "Set code": ""} for r in table)
    again = (await upload(client, owner, cid, fixed.getvalue().encode())).json()
    assert (again["format"], again["rows_read"], again["unresolved"]) == ("manabox", 5, 0), again
