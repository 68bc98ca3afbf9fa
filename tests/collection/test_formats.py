"""The CSV codecs: decoding, header errors, line numbers, round trips, and every real export we have."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectiontools import MANABOX_CONDITION, pack_members
from mtg_tracker.collection.formats import (
    CONDITIONS,
    FINISHES,
    FORMATS,
    LANGUAGES,
    LOSSES,
    ExportRow,
    FormatError,
    InputTooLarge,
    ParsedRow,
    decompressed,
    open_text,
    read_rows,
    write_rows,
    write_unresolved,
)
from mtg_tracker.collection.formats.writer import neutralise
from support import shared_data


def _chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    """Small odd chunks, so multi-byte characters and CRLFs straddle chunk borders."""
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _parse(data: bytes, fmt: str = "auto", size: int = 7) -> tuple[str, list[ParsedRow]]:
    detected, rows = read_rows(open_text(_chunks(data, size)), fmt)
    return detected, list(rows)


# --------------------------------------------------------------------------- decoding


def test_utf8_bom_and_crlf() -> None:
    data = "\ufeffQuantity,Name,Finish\r\n2,Lim-Dûl's Vault,Foil\r\n".encode()
    _, rows = _parse(data, "archidekt")
    assert rows[0].name == "Lim-Dûl's Vault"
    assert rows[0].quantity == 2
    assert rows[0].finish == "foil"
    assert rows[0].raw == {"Quantity": "2", "Name": "Lim-Dûl's Vault", "Finish": "Foil"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding: str) -> None:
    text = "Card,Set ID,Set Name,Quantity,Foil\r\nJötun Grunt,CSP,Coldsnap,3,FOIL\r\n"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + text).encode(encoding)
    fmt, rows = _parse(data)
    assert fmt == "mtggoldfish"
    assert (rows[0].name, rows[0].quantity, rows[0].finish, rows[0].set_code) == ("Jötun Grunt", 3, "foil", "csp")


def test_invalid_utf8_names_the_line() -> None:
    data = b"Quantity,Name\n1,Bolt\n1,Caf\xe9\n"
    with pytest.raises(FormatError, match="not UTF-8") as info:
        _parse(data, "archidekt")
    assert info.value.line == 3


def test_a_huge_line_is_refused_without_buffering_it() -> None:
    data = b"Quantity,Name\n1," + b"x" * (1024 * 1024) + b"\n"
    with pytest.raises(FormatError, match="longer than") as info:
        _parse(data, "archidekt", size=4096)
    assert info.value.line == 2


def test_line_limit_is_configurable() -> None:
    lines = list(open_text([b"a,b\n", b"1,2"], max_line_bytes=4))
    assert lines == ["a,b\n", "1,2"]
    with pytest.raises(FormatError):
        list(open_text([b"a,b,c\n"], max_line_bytes=4))


GZ_TEXT = b"Count,Name,Edition\n1,Forest,m19\n" * 50


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(GZ_TEXT, GZ_TEXT, id="plain"),
        pytest.param(gzip.compress(GZ_TEXT), GZ_TEXT, id="gzip"),
        pytest.param(gzip.compress(GZ_TEXT[:40]) + gzip.compress(GZ_TEXT[40:]), GZ_TEXT, id="two-members"),
        pytest.param(gzip.compress(b""), b"", id="empty-gzip"),
        pytest.param(b"", b"", id="empty"),
        pytest.param(b"\x1f", b"\x1f", id="one-byte"),
    ],
)
@pytest.mark.parametrize("size", [1, 7, 4096])
def test_decompressed_recognises_gzip_by_magic_bytes(data: bytes, expected: bytes, size: int) -> None:
    assert b"".join(decompressed(_chunks(data, size))) == expected


@pytest.mark.parametrize(
    ("data", "match"),
    [
        pytest.param(gzip.compress(GZ_TEXT)[:-40], "truncated", id="truncated"),
        pytest.param(b"\x1f\x8b" + b"not gzip at all" * 4, "gzip", id="corrupt"),
        pytest.param(gzip.compress(GZ_TEXT) + b"trailing junk", "gzip", id="trailing-junk"),
    ],
)
def test_unreadable_gzip_is_a_format_error(data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        b"".join(decompressed(_chunks(data, 100)))


def test_a_gzip_bomb_stops_at_the_limit_a_step_at_a_time() -> None:
    bomb = gzip.compress(b"\n" * (64 * 1024 * 1024))  # 64 MB of newlines in ~64 KB
    seen: list[int] = []

    def inflate() -> None:
        seen.extend(len(piece) for piece in decompressed([bomb], max_bytes=1024 * 1024))

    with pytest.raises(InputTooLarge, match="1,048,576 bytes"):
        inflate()
    assert max(seen) <= 256 * 1024 and sum(seen) <= 1024 * 1024  # never inflated in one go
    with pytest.raises(InputTooLarge):
        list(decompressed([GZ_TEXT], max_bytes=100))  # plain bytes count too
    with pytest.raises(InputTooLarge):
        list(read_rows(open_text([gzip.compress(GZ_TEXT)], max_bytes=100))[1])


def test_open_text_keeps_newlines_and_last_line() -> None:
    assert list(open_text(_chunks(b"a\r\nb\nc"))) == ["a\r\n", "b\n", "c"]
    assert list(open_text([])) == []


# --------------------------------------------------------------------------- whole-file errors


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"\n\n   \n", "empty"),
        (b'"sep=,"\n', "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"1,Lightning Bolt,M11\n", "unrecognised header"),
        (b"Quantity|Name|Finish\n1|Bolt|foil\n", "unrecognised header"),  # wrong delimiter: one column
        (b"1 Annex Sentry (SCH) 7\n1 Forest (BBD) 254\n", "unrecognised header"),  # a deck list
        (b"idProduct;groupCount;price\n743311;1;\n", "unrecognised header"),
    ],
)
def test_format_errors(data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        _parse(data)


def test_unknown_header_message_names_the_expected_headers() -> None:
    with pytest.raises(FormatError) as info:
        _parse(b"foo,bar\n1,2\n")
    message = str(info.value)
    for fmt in FORMATS:
        assert fmt in message
    assert "ManaBox ID" in message
    assert "foo, bar" in message


def test_named_format_checks_required_columns() -> None:
    # a Dragon Shield file uploaded as Moxfield (a real fixture: moxfield-wrong-format-headers.csv)
    data = b"Folder Name,Quantity,Card Name,Set Code\nPile,1,Lightning Bolt,M11\n"
    with pytest.raises(FormatError, match="moxfield file is missing required column") as info:
        _parse(data, "moxfield")
    assert "Count" in str(info.value)
    assert info.value.line == 1
    assert _parse(data)[0] == "dragonshield"


def test_unknown_format_name() -> None:
    with pytest.raises(FormatError, match="unknown format"):
        read_rows(["a\n"], "excel")


def test_header_is_checked_before_iteration() -> None:
    """The caller must be able to answer 400 before touching the database."""
    with pytest.raises(FormatError):
        read_rows(iter(["nope\n", "1\n"]))


def test_unclosed_quote_is_a_format_error() -> None:
    data = b'Quantity,Name\n1,"Bolt\n' + b"1,x\n" * 40000
    with pytest.raises(FormatError, match=r"malformed CSV|field larger"):
        _parse(data, "archidekt", size=65536)


# --------------------------------------------------------------------------- structure


def test_sep_line_and_semicolons() -> None:
    data = b'"sep=;"\r\nFolder Name;Quantity;Card Name;Price Bought\r\nBox;2;Bolt;1,50\r\n'
    fmt, rows = _parse(data)
    assert fmt == "dragonshield"
    assert rows[0].line == 3
    assert rows[0].purchase_price == Decimal("1.50")
    assert rows[0].binder == "Box"


def test_delimiter_detected_from_header() -> None:
    assert _parse(b"Quantity;Name;Finish\n1;Bolt, the;Foil\n", "archidekt")[1][0].name == "Bolt, the"
    assert _parse(b"Quantity\tName\tFinish\n1\tBolt\tFoil\n", "archidekt")[1][0].finish == "foil"


def test_line_numbers_count_physical_lines() -> None:
    data = b'"sep=,"\nQuantity,Name,Notes,Finish\n1,A,"two\nlines",foil\n\n,,,\n2,B,,\n3,C,"x\n\ny",etched\n4,D,,\n'
    _, rows = _parse(data, "delverlens")
    assert [(r.line, r.name, r.quantity) for r in rows] == [(3, "A", 1), (7, "B", 2), (8, "C", 3), (11, "D", 4)]
    assert rows[0].notes == "two\nlines"


def test_columns_matched_by_name_not_position() -> None:
    data = b"Set Code,Extra,Quantity,Card Name,Folder Name,Printing\nltr,?,3,Aragorn,Deck,Foil\n"
    row = _parse(data)[1][0]
    assert (row.set_code, row.quantity, row.name, row.binder, row.finish) == ("ltr", 3, "Aragorn", "Deck", "foil")


def test_short_and_long_rows() -> None:
    data = b"QUANTITY,NAME,SETCODE,FINISH,LANG,ACQUIRED DATE,CONDITION\n1,Bolt,m11\n2,Ice,apc,foil,ja,,mint,x,y\n"
    _, rows = _parse(data)
    assert (rows[0].finish, rows[0].language, rows[0].condition) == ("nonfoil", "en", "NM")
    assert rows[0].raw["CONDITION"] == ""
    assert (rows[1].finish, rows[1].language, rows[1].condition) == ("foil", "ja", "M")


def test_row_errors_keep_the_row() -> None:
    data = (
        b"Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Last Modified,Collector Number\n"
        b"-3,0,Bolt,m11,Near Mint,English,,,149\n"
        b"1,0,Bolt,m11,Mint-ish,Klingon,bogus,,149\n"
        b"1,0,Bolt,m11,Near Mint,English,,,149\n"
    )
    fmt, rows = _parse(data)
    assert fmt == "moxfield"
    assert [r.error is None for r in rows] == [False, False, True]
    assert "quantity" in rows[0].error  # type: ignore[operator]
    assert rows[1].error == "unknown finish 'bogus'; unknown condition 'Mint-ish'; unknown language 'Klingon'"
    assert (rows[1].line, rows[1].set_code, rows[1].collector_number) == (3, "m11", "149")


MOXFIELD_HEADER = (
    '"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Last Modified",'
    '"Collector Number","Alter","Proxy","Purchase Price"'
)

MANABOX_PRICED = "Name,Set code,Quantity,Purchase price,Purchase price currency,ManaBox ID"


@pytest.mark.parametrize(
    ("data", "currency", "expected"),
    [
        # Moxfield has no currency column: its prices are dollars, unless the caller says otherwise
        (MOXFIELD_HEADER + '\n"1","0","Forest","m19","Near Mint","English","","","","280","","","1.50"', None, "USD"),
        (MOXFIELD_HEADER + '\n"1","0","Forest","m19","Near Mint","English","","","","280","","","1.50"', "EUR", "EUR"),
        (MOXFIELD_HEADER + '\n"1","0","Forest","m19","Near Mint","English","","","","280","","","€1,50"', "USD", "EUR"),
        (MOXFIELD_HEADER + '\n"1","0","Forest","m19","Near Mint","English","","","","280","",""', None, None),
        # a currency column wins over the caller's
        (MANABOX_PRICED + "\nForest,M19,1,1.5,EUR,1", "usd", "EUR"),
        (MANABOX_PRICED + "\nForest,M19,1,1.5,,1", "usd", "USD"),
        (MANABOX_PRICED + "\nForest,M19,1,1.5,,1", None, None),
        # Delver Lens does not say: unknown unless the caller says
        ("Name,Acquired Price,Set Code,Number,Quantity\nForest,1.50,M19,280,1", None, None),
        ("Name,Acquired Price,Set Code,Number,Quantity\nForest,1.50,M19,280,1", "EUR", "EUR"),
        ("Name,Acquired Price,Set Code,Number,Quantity\nForest,$1.50,M19,280,1", "EUR", "USD"),
    ],
)
def test_purchase_price_currency(data: str, currency: str | None, expected: str | None) -> None:
    _, rows = read_rows(open_text([data.encode()]), currency=currency)
    (row,) = list(rows)
    assert row.currency == expected and row.error is None


def test_names_are_kept_as_given() -> None:
    data = b'Quantity,Name,Finish\n1,"Fire // Ice",\n1,"""Rumors of My Death . . .""",\n'
    _, rows = _parse(data, "archidekt")
    assert [r.name for r in rows] == ["Fire // Ice", '"Rumors of My Death . . ."']


def test_tcgplayer_prefers_simple_name() -> None:
    data = (
        b"Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU\n"
        b"1,Solitude (Borderless),Solitude,Special Guests,44,SPG,Normal,Near Mint,Chinese (T),Mythic,548637,7903222\n"
    )
    row = _parse(data)[1][0]
    assert (row.name, row.set_name, row.set_code, row.tcgplayer_id, row.language) == (
        "Solitude",
        "Special Guests",
        "spg",
        548637,
        "zht",
    )


def test_manabox_row_fields() -> None:
    data = (
        b"Binder Name,Binder Type,Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,"
        b"Scryfall ID,Purchase price,Misprint,Altered,Condition,Language,Purchase price currency\n"
        b'Owned,binder,"Firkraag, Cunning Instigator",CLB,Commander Legends: Battle for Baldur\'s Gate,648,foil,'
        b"mythic,1,69242,b55e624b-6f6a-42ae-89aa-0cc62ee55a31,9.29,FALSE,FALSE,excellent,zh_TW,EUR\n"
    )
    row = _parse(data)[1][0]
    assert row == replace(
        row,
        quantity=1,
        name="Firkraag, Cunning Instigator",
        set_code="clb",
        collector_number="648",
        scryfall_id="b55e624b-6f6a-42ae-89aa-0cc62ee55a31",
        finish="foil",
        condition="LP",
        language="zht",
        purchase_price=Decimal("9.29"),
        currency="EUR",
        binder="Owned",
        error=None,
    )


# --------------------------------------------------------------------------- writing


def _row(**overrides: object) -> ExportRow:
    values: dict[str, object] = {
        "quantity": 2,
        "name": "Fire // Ice",
        "set_code": "apc",
        "set_name": "Apocalypse",
        "collector_number": "128",
        "scryfall_id": "0a9b8a8e-8c5a-4f7e-9f5a-2d1e3f4a5b6c",
        "finish": "etched",
        "condition": "LP",
        "language": "zhs",
        "purchase_price": Decimal("1.50"),
        "currency": "USD",
        "acquired": date(2024, 2, 29),
        "tags": ("Trade", "EDH"),
        "notes": 'said "hi",\nthen left',
        "rarity": "uncommon",
        "tcgplayer_id": 12345,
    }
    values.update(overrides)
    return ExportRow(**values)  # type: ignore[arg-type]


def test_moxfield_layout() -> None:
    text = "".join(write_rows("moxfield", [_row()]))
    assert text.startswith('"Count","Tradelist Count","Name","Edition","Condition","Language","Foil",')
    assert text.endswith("\r\n")
    assert '"2","0","Fire // Ice","apc","Good (Lightly Played)","Chinese","etched","Trade, EDH",' in text


def test_dragonshield_layout() -> None:
    text = "".join(write_rows("dragonshield", [_row(condition="HP", language="zhs")]))
    lines = text.split("\r\n")
    assert lines[0] == '"sep=,"'
    assert lines[1].startswith("Folder Name,Quantity,Trade Quantity,Card Name,")
    assert ",APC,Apocalypse,128,Played,Etched,Simplified Chinese,1.50,2024-02-29," in lines[2]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("manabox", "Fire // Ice,APC,Apocalypse,128,etched,uncommon,2,,"),
        ("mtggoldfish", "Fire // Ice,APC,Apocalypse,2,foil_etched,,128,"),
        ("tcgplayer", "2,Fire // Ice,Fire // Ice,Apocalypse,128,APC,Foil,Lightly Played,Chinese (S),Uncommon,12345,"),
        ("archidekt", '2,Fire // Ice,Etched,LP,2024-02-29,CS,1.50,"Trade,EDH",Apocalypse,apc,,'),
        ("scryfall_ids", "0a9b8a8e-8c5a-4f7e-9f5a-2d1e3f4a5b6c,2,etched,LP,zhs"),
    ],
)
def test_layouts(fmt: str, expected: str) -> None:
    text = "".join(write_rows(fmt, [_row()]))
    assert "\r" not in text
    assert expected in text.splitlines()[1]


def test_write_streams_in_chunks() -> None:
    chunks = list(write_rows("scryfall_ids", [_row()] * 1200))
    assert chunks[0] == "scryfall_id,quantity,finish,condition,language\n"
    assert len(chunks) == 4  # header + 500 + 500 + 200


def test_write_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        list(write_rows("excel", []))
    with pytest.raises(ValueError, match="vocabulary"):
        list(write_rows("manabox", [_row(finish="shiny")]))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-", "'-"),  # not a number: a lone dash could still start a formula in some spreadsheets
        ("-3", "-3"),  # plain signed numbers are data, kept exact
        ("+1.50", "+1.50"),
        ("-.5", "-.5"),
        ("Trade, EDH", "Trade, EDH"),
        ("a=1", "a=1"),  # only the first character matters
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_formula_cells_are_neutralised_and_round_trip(fmt: str) -> None:
    """OWASP CSV injection: no user-typed cell of any export starts a formula; importing it back gives the
    same tags and notes (the reader strips the quote)."""
    rows = [_row(tags=("=1+2",), notes="@SUM(A1)"), _row(tags=("@SUM(A1)", "x"), notes="-cmd", quantity=3)]
    text = "".join(write_rows(fmt, rows))
    for cells in list(csv.reader(io.StringIO(text)))[1:]:
        for cell in cells:
            assert not cell.startswith(("=", "@", "\t", "\r")), (fmt, cell)
            assert not cell.startswith(("+", "-")) or cell.lstrip("+-").replace(".", "").isdigit(), (fmt, cell)
    _, parsed = _parse(text.encode(), fmt)
    for row, back in zip(rows, parsed, strict=True):
        if back.tags:
            assert back.tags == row.tags
        if back.notes:
            assert back.notes == row.notes


def test_write_unresolved() -> None:
    rows = [
        (3, "no printing of 'X' in the catalog", {"Name": "X", "Quantity": "-2", "Tags": "=1+2"}),
        (7, "quantity '@A1' is not a whole number", {"Name": "+2 Mace", "Quantity": "@A1", "Tags": ""}),
    ]
    text = "".join(write_unresolved(rows))
    assert text.splitlines() == [
        "Import Line,Import Error,Name,Quantity,Tags",
        "3,no printing of 'X' in the catalog,X,-2,'=1+2",
        "7,quantity '@A1' is not a whole number,'+2 Mace,'@A1,",
    ]
    assert "".join(write_unresolved([])) == "Import Line,Import Error\n"


# --------------------------------------------------------------------------- round trips


def _expected_after(fmt: str, row: ExportRow) -> dict[str, object]:
    """What must survive a trip through fmt: everything the format can carry, LOSSES applied."""
    lost = LOSSES[fmt]
    finish = "foil" if "etched" in lost and row.finish == "etched" else row.finish
    out: dict[str, object] = {
        "quantity": row.quantity,
        "finish": finish,
        "condition": "NM" if "condition" in lost else row.condition,
        "language": "en" if "language" in lost else row.language,
        "scryfall_id": None if "scryfall_id" in lost else row.scryfall_id,
    }
    if "name" not in lost:
        out["name"] = row.name
    if "set_code" not in lost:
        out["set_code"] = row.set_code.lower()
        out["collector_number"] = row.collector_number
    return out


def _actual(parsed: ParsedRow, expected: dict[str, object]) -> dict[str, object]:
    return {key: getattr(parsed, key) for key in expected}


def _roundtrip(fmt: str, rows: list[ExportRow]) -> list[ParsedRow]:
    data = "".join(write_rows(fmt, rows)).encode()
    detected, parsed = _parse(data, size=64)
    assert detected == fmt
    _, named = _parse(data, fmt, size=64)
    assert [p.line for p in named] == [p.line for p in parsed]
    return parsed


def _all_vocab_rows() -> list[ExportRow]:
    rows = []
    for i, (finish, condition, language) in enumerate(
        (f, c, lang) for f in FINISHES for c in CONDITIONS for lang in LANGUAGES
    ):
        rows.append(_row(quantity=i + 1, finish=finish, condition=condition, language=language))
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_roundtrip_whole_vocabulary(fmt: str) -> None:
    rows = _all_vocab_rows()
    parsed = _roundtrip(fmt, rows)
    assert len(parsed) == len(rows)
    for row, back in zip(rows, parsed, strict=True):
        expected = _expected_after(fmt, row)
        assert _actual(back, expected) == expected
        assert back.error is None


@pytest.mark.parametrize(
    ("fmt", "fields"),
    [
        ("moxfield", {"purchase_price", "acquired", "tags"}),
        ("manabox", {"purchase_price", "currency", "set_name"}),
        ("deckbox", {"set_name", "tags", "tcgplayer_id"}),
        ("archidekt", {"purchase_price", "acquired", "tags", "set_name"}),
        ("tcgplayer", {"set_name", "tcgplayer_id"}),
        ("dragonshield", {"purchase_price", "acquired", "set_name"}),
        ("mtggoldfish", {"set_name"}),
        ("delverlens", {"purchase_price", "tcgplayer_id"}),
        ("cardsphere", {"set_name", "tags", "acquired"}),
        ("topdecked", {"purchase_price", "acquired", "notes", "set_name"}),
        ("helvault", {"set_name"}),
    ],
)
def test_roundtrip_extras(fmt: str, fields: set[str]) -> None:
    row = _row()
    back = _roundtrip(fmt, [row])[0]
    assert {f: getattr(back, f) for f in fields} == {f: getattr(row, f) for f in fields}


_name_chars = st.characters(
    categories=("Lu", "Ll", "Nd"), include_characters=" ,'\"/-!.&:éûöáÆ", exclude_characters="\x00"
)
_names = st.text(_name_chars, min_size=1, max_size=40).map(str.strip).filter(bool)
_codes = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=6)
_numbers = st.text("0123456789abs★-", min_size=1, max_size=6)
_export_rows = st.builds(
    ExportRow,
    quantity=st.integers(1, 1_000_000),
    name=st.one_of(_names, st.tuples(_names, _names).map(" // ".join)),
    set_code=_codes,
    set_name=st.one_of(st.none(), _names),
    collector_number=_numbers,
    scryfall_id=st.uuids().map(str),
    finish=st.sampled_from(FINISHES),
    condition=st.sampled_from(CONDITIONS),
    language=st.sampled_from(LANGUAGES),
    purchase_price=st.one_of(st.none(), st.decimals(0, 10_000, places=2)),
    currency=st.none(),
    acquired=st.one_of(st.none(), st.dates(date(1993, 8, 5), date(2100, 1, 1))),
    tags=st.lists(st.text(_name_chars, min_size=1, max_size=10).map(str.strip).filter(bool), max_size=3).map(
        lambda tags: tuple(t for t in tags if "," not in t and "|" not in t)
    ),
    notes=st.one_of(
        st.none(),
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\r"), min_size=1).map(str.strip),
    ),
    rarity=st.sampled_from([None, "common", "mythic"]),
    tcgplayer_id=st.one_of(st.none(), st.integers(1, 10**9)),
    multiverse_id=st.none(),
    mtgo_id=st.none(),
    cardmarket_id=st.none(),
)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_export_rows, min_size=1, max_size=8))
def test_roundtrip_property(fmt: str, rows: list[ExportRow]) -> None:
    parsed = _roundtrip(fmt, rows)
    assert len(parsed) == len(rows)
    for row, back in zip(rows, parsed, strict=True):
        expected = _expected_after(fmt, row)
        assert _actual(back, expected) == expected
        assert back.error is None
        if fmt == "topdecked":
            assert back.notes == (row.notes or None)
        if fmt in {"moxfield", "archidekt", "topdecked", "deckbox", "cardsphere"}:
            assert back.tags == row.tags


# --------------------------------------------------------------------------- real exports

COLLECTIONS = ("collections",)


def _gz(name: str) -> bytes:
    return gzip.decompress(shared_data(*COLLECTIONS, name).read_bytes())


def _dict_rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    if text.startswith('"sep=,"'):
        text = text.split("\n", 1)[1]
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.realdata
def test_manabox_collection() -> None:
    data = _gz("manabox-collection.csv.gz")
    fmt, rows = _parse(data, size=65536)
    expected = _dict_rows(data)
    assert fmt == "manabox"
    assert len(rows) == len(expected) == 20_726
    assert sum(r.quantity for r in rows) == sum(int(d["Quantity"]) for d in expected)
    assert all(r.error is None for r in rows)
    finish = {"normal": "nonfoil", "foil": "foil", "etched": "etched"}
    condition = MANABOX_CONDITION
    language = {"zh_CN": "zhs", "zh_TW": "zht"}
    assert Counter(r.finish for r in rows) == Counter(finish[d["Foil"]] for d in expected)
    assert Counter(r.condition for r in rows) == Counter(condition[d["Condition"]] for d in expected)
    assert Counter(r.language for r in rows) == Counter(language.get(d["Language"], d["Language"]) for d in expected)
    assert Counter(r.binder for r in rows) == Counter(d["Binder Name"] for d in expected)
    assert Counter(r.currency for r in rows) == Counter(d["Purchase price currency"] or None for d in expected)
    assert sum(1 for r in rows if r.scryfall_id) == sum(1 for d in expected if d["Scryfall ID"])
    assert rows[0].line == 2
    assert rows[-1].line == 20_727 + sum(d["Name"].count("\n") for d in expected)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "count"), [("deckbox-inventory-a.csv.gz", 7_215), ("deckbox-inventory-b.csv.gz", 837)]
)
def test_deckbox_inventories(name: str, count: int) -> None:
    data = _gz(name)
    fmt, rows = _parse(data, size=65536)
    expected = _dict_rows(data)
    assert fmt == "deckbox"
    assert len(rows) == len(expected) == count
    assert sum(r.quantity for r in rows) == sum(int(d["Count"]) for d in expected)
    assert all(r.error is None for r in rows)
    assert Counter(r.finish for r in rows) == Counter("foil" if d["Foil"] else "nonfoil" for d in expected)
    condition = {"Mint": "M", "Near Mint": "NM", "": "NM"}
    assert Counter(r.condition for r in rows) == Counter(condition[d["Condition"]] for d in expected)
    assert Counter(r.language for r in rows) == Counter("en" for d in expected if d["Language"] in ("English", ""))
    assert [r.name for r in rows] == [d["Name"] for d in expected]
    assert [r.set_name for r in rows] == [d["Edition"] or None for d in expected]
    assert [r.collector_number for r in rows] == [d["Card Number"] or None for d in expected]


@pytest.mark.realdata
def test_dragonshield_2022() -> None:
    data = _gz("dragonshield-all-folders-2022.csv.gz")
    fmt, rows = _parse(data, size=65536)
    expected = _dict_rows(data)  # the 2022 header has no spaces: FolderName, CardName, …
    assert fmt == "dragonshield"
    assert len(rows) == len(expected) == 3_977
    assert sum(r.quantity for r in rows) == sum(int(d["Quantity"]) for d in expected)
    assert all(r.error is None for r in rows)
    assert Counter(r.finish for r in rows) == Counter(
        d["Printing"].lower().replace("normal", "nonfoil") for d in expected
    )
    assert Counter(r.condition for r in rows) == Counter(
        {"NearMint": "NM", "Mint": "M"}[d["Condition"]] for d in expected
    )
    language = {"English": "en", "Italian": "it", "Japanese": "ja"}
    assert Counter(r.language for r in rows) == Counter(language[d["Language"]] for d in expected)
    assert Counter(r.binder for r in rows) == Counter(d["FolderName"] for d in expected)
    assert sum(r.purchase_price or 0 for r in rows) == sum(Decimal(d["PriceBought"] or 0) for d in expected)
    assert Counter(r.acquired for r in rows) == Counter(date.fromisoformat(d["DateBought"]) for d in expected)


# Every CSV-looking member of the sample packs: parses (format, row count, rows with errors) or fails.
PACKS = {
    "samples-pack-a.tar.xz": {
        "Tests/moxfield-count-rejected.csv": ("moxfield", 4, 4),
        "Tests/moxfield-foil-rejected.csv": ("moxfield", 3, 1),
        "Tests/moxfield-language-rejected.csv": ("moxfield", 2, 1),
        "Tests/moxfield-mixed-warnings-and-errors.csv": ("moxfield", 4, 1),
        "Tests/moxfield-blank-and-delimiter-rows.csv": ("moxfield", 2, 0),
        "Tests/moxfield-wrong-format-headers.csv": ("dragonshield", 2, 0),
        "Tests/moxfield-real-export.csv": ("moxfield", 43, 0),
        "Tests/manabox-real-export.csv": ("manabox", 42, 0),
        "Tests/dragonshield-real-export.csv": ("dragonshield", 42, 0),
        "Tests/topdecked-real-export.csv": ("topdecked", 43, 0),
        "Tests/tcgplayer-real-export.csv": ("tcgplayer", 43, 0),
        "Tests/archidekt-real-export.csv": ("archidekt", 43, 0),
        "Tests/deckbox-real-export.csv": ("deckbox", 41, 0),
        "Tests/mtggoldfish-real-export.csv": ("mtggoldfish", 29, 0),
        "Collection/moxfield-haves.csv": ("moxfield", 7385, 0),
        "Collection/manabox-collection.csv": ("manabox", 3743, 0),
        "Collection/topdecked-collection.csv": ("topdecked", 3169, 0),
        "Collection/mtggoldfish-from-mtgarena.csv": ("mtggoldfish", 6160, 0),
        "Collection/dragonshield-collection.csv": ("dragonshield", 2453, 0),
        "Collection/tcgplayer-collection-old.csv": ("tcgplayer", 1973, 0),
        "Tests/cardmarket-real-export.csv": None,
        "Collection/mtgo-collection.csv": None,
        "Reference/cardkingdom.csv": None,
    },
    "samples-pack-b.tar.xz": {
        "Cardsphere/cardsphere_haves_2025-04-02-2136Z.csv": ("cardsphere", 4806, 0),
        "Cardsphere/cardsphere_haves_2025-06-13-2125Z.csv": ("cardsphere", 6, 0),
        "Helvault/Signed Cards.csv": ("helvault", 14, 0),
        "Archidekt/defaults_archidekt.csv": ("archidekt", 122, 0),
        "DeckBox/all_deckbox.csv": ("deckbox", 53, 0),
        "DragonShield/sample.csv": ("dragonshield", 7, 0),
        "TCGPlayer/TCGPlayer_user.csv": ("tcgplayer", 18, 0),
        "Moxfield/moxfield_haves_2025-06-13-0246Z.csv": ("moxfield", 558, 0),
        "ManaBox/ManaBox_Collection2.csv": ("manabox", 6, 0),
        "TCGPlayer/TCGplayer_seller.csv": None,
        "Urzas Gatherer/Collection_UG.csv": None,
        "MTGO/Full Trade List.dek": None,
    },
}


def _outcome(data: bytes) -> tuple[str, int, int] | None:
    try:
        fmt, rows = _parse(data, size=65536)
    except FormatError:
        return None
    return fmt, len(rows), sum(1 for r in rows if r.error)


@pytest.mark.realdata
@pytest.mark.parametrize("pack", [*PACKS, "tcgplayer-app-exports.tar.xz"])
def test_every_sample_parses_or_fails_cleanly(pack: str) -> None:
    known = PACKS.get(pack, {})
    seen = set()
    outcomes: Counter[str] = Counter()
    for name, data in pack_members(pack):
        outcome = _outcome(data)  # anything but a FormatError escaping fails the test
        outcomes["ok" if outcome else "refused"] += 1
        for suffix, expected in known.items():
            if name.endswith(suffix):
                seen.add(suffix)
                assert outcome == expected, name
    assert seen == set(known)
    assert outcomes["ok"] > 0


@pytest.mark.realdata
def test_tcgplayer_app_exports() -> None:
    """The app's CSVs all parse cleanly; its plain-text deck lists are not CSV and are refused."""
    for name, data in pack_members("tcgplayer-app-exports.tar.xz"):
        outcome = _outcome(data)
        if data.startswith(b"Quantity,Name,Simple Name"):
            assert outcome is not None, name
            assert outcome[0] == "tcgplayer"
            assert outcome[2] == 0, name
            assert outcome[1] == len(_dict_rows(data)), name
        elif Path(name).suffix in {".txt", ""} and data[:1].isdigit():
            assert outcome is None, name
