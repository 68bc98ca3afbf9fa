"""Table-driven tests for the vocabulary normalisers and header detection of the CSV codecs."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from mtg_tracker.collection.formats import (
    FORMATS,
    detect_format,
    front_face,
    normalize_condition,
    normalize_finish,
    normalize_language,
    read_rows,
)

FINISH_CASES = [
    ("", None),
    (None, None),
    ("   ", None),
    ("bogus", None),
    ("nonfoil", "nonfoil"),
    ("Normal", "nonfoil"),
    ("normal", "nonfoil"),
    ("regular", "nonfoil"),
    ("REGULAR", "nonfoil"),
    ("Non-foil", "nonfoil"),
    ("false", "nonfoil"),
    ("FALSE", "nonfoil"),
    ("0", "nonfoil"),
    ("no", "nonfoil"),
    ("N", "nonfoil"),
    ("None", "nonfoil"),
    ("foil", "foil"),
    ("Foil", "foil"),
    ("FOIL", "foil"),
    ("F", "foil"),
    ("true", "foil"),
    ("TRUE", "foil"),
    ("1", "foil"),
    ("yes", "foil"),
    ("Rainbow Foil", "foil"),
    ("Double Rainbow Foil", "foil"),
    ("Gilded Foil", "foil"),
    ("Surge Foil", "foil"),
    ("Step and Compleat Foil", "foil"),
    ("etched", "etched"),
    ("Etched", "etched"),
    ("etchedFoil", "etched"),
    ("FOIL_ETCHED", "etched"),
    ("foil_etched", "etched"),
    ("f-etch", "etched"),
]


@pytest.mark.parametrize(("value", "expected"), FINISH_CASES)
def test_normalize_finish(value: str | None, expected: str | None) -> None:
    assert normalize_finish(value) == expected


CONDITION_CASES = [
    ("", None),
    (None, None),
    ("Klingon", None),
    ("M", "M"),
    ("Mint", "M"),
    ("mint", "M"),
    ("NM", "NM"),
    ("nm", "NM"),
    ("Near Mint", "NM"),
    ("near mint", "NM"),
    ("near_mint", "NM"),
    ("NearMint", "NM"),
    ("Near Mint Foil", "NM"),
    ("Near Mint Foil - Japanese", "NM"),
    ("Moderately Played - German", "MP"),
    ("LP", "LP"),
    ("Lightly Played", "LP"),
    ("Good (Lightly Played)", "LP"),
    ("Slightly Played", "LP"),
    ("slightly played", "LP"),
    ("SP", "LP"),
    ("Excellent", "LP"),
    ("EX", "LP"),
    ("MP", "MP"),
    ("Moderately Played", "MP"),
    ("Played", "MP"),
    ("Good", "MP"),
    ("GD", "MP"),
    ("HP", "HP"),
    ("Heavily Played", "HP"),
    ("PL", "HP"),
    ("D", "D"),
    ("Damaged", "D"),
    ("DMG", "D"),
    ("Poor", "D"),
    ("PO", "D"),
]


@pytest.mark.parametrize(("value", "expected"), CONDITION_CASES)
def test_normalize_condition(value: str | None, expected: str | None) -> None:
    assert normalize_condition(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mint", "M"),
        ("near_mint", "NM"),
        ("NearMint", "NM"),
        ("excellent", "LP"),
        ("Excellent", "LP"),
        ("good", "MP"),
        ("Good", "MP"),
        ("light_played", "MP"),
        ("LightPlayed", "MP"),
        ("played", "HP"),
        ("Played", "HP"),
        ("poor", "D"),
        ("Poor", "D"),
    ],
)
def test_cardmarket_scale(value: str, expected: str) -> None:
    """ManaBox and Dragon Shield grade on Cardmarket's seven steps: their "played" is one step worse."""
    assert normalize_condition(value, cardmarket_scale=True) == expected


LANGUAGE_CASES = [
    ("", None),
    (None, None),
    ("Klingon", None),
    ("en", "en"),
    ("EN", "en"),
    ("English", "en"),
    ("Japanese", "ja"),
    ("ja", "ja"),
    ("JP", "ja"),
    ("Korean", "ko"),
    ("ko", "ko"),
    ("KR", "ko"),
    ("Chinese", "zhs"),
    ("Simplified Chinese", "zhs"),
    ("Chinese Simplified", "zhs"),
    ("Chinese (S)", "zhs"),
    ("zh-CN", "zhs"),
    ("zh_CN", "zhs"),
    ("ZHS", "zhs"),
    ("CS", "zhs"),
    ("Traditional Chinese", "zht"),
    ("Chinese (T)", "zht"),
    ("zh-TW", "zht"),
    ("zh_TW", "zht"),
    ("ZHT", "zht"),
    ("zht", "zht"),
    ("CT", "zht"),
    ("Portuguese", "pt"),
    ("Portuguese (Brazil)", "pt"),
    ("pt-BR", "pt"),
    ("PT", "pt"),
    ("German", "de"),
    ("DE", "de"),
    ("French", "fr"),
    ("Italian", "it"),
    ("Spanish", "es"),
    ("ES", "es"),
    ("Russian", "ru"),
    ("RU", "ru"),
    ("Hebrew", "he"),
    ("Latin", "la"),
    ("Ancient Greek", "grc"),
    ("Arabic", "ar"),
    ("Sanskrit", "sa"),
    ("Phyrexian", "ph"),
    ("ph", "ph"),
]


@pytest.mark.parametrize(("value", "expected"), LANGUAGE_CASES)
def test_normalize_language(value: str | None, expected: str | None) -> None:
    assert normalize_language(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fire // Ice", "Fire"),
        ("Ambitious Farmhand // Seasoned Cathar", "Ambitious Farmhand"),
        ("Lightning Bolt", "Lightning Bolt"),
        ("  Bolt  ", "Bolt"),
        ("Lim-Dûl's Vault", "Lim-Dûl's Vault"),
    ],
)
def test_front_face(name: str, expected: str) -> None:
    assert front_face(name) == expected


# Exact headers from IMPORT_FORMATS.md (and the variants seen in real files).
HEADERS = [
    (
        "moxfield",
        "Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Last Modified,Collector Number,Alter,"
        "Proxy,Purchase Price",
    ),
    ("moxfield", "Count,Name,Edition,Collector Number,Foil,Condition,Language,Purchase Price"),
    (
        "manabox",
        "Binder Name,Binder Type,Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,"
        "Scryfall ID,Purchase price,Misprint,Altered,Condition,Language,Purchase price currency",
    ),
    (
        "manabox",
        "Binder Name,Binder Type,Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,"
        "Scryfall ID,Purchase price,Misprint,Altered,Condition,Language,Purchase price currency,Signed,Proxy,Added",
    ),
    (
        "manabox",
        "Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,Purchase price,"
        "Misprint,Altered,Condition,Language,Purchase price currency",
    ),
    (
        "deckbox",
        "Count,Tradelist Count,Name,Edition,Edition Code,Card Number,Condition,Language,Foil,Signed,Artist Proof,"
        "Altered Art,Misprint,Promo,Textless,Printing Id,Printing Note,Tags,My Price,Cost,Rarity,Price,"
        "TcgPlayer ID,Scryfall ID",
    ),
    (
        "deckbox",
        "Count,Tradelist Count,Name,Edition,Card Number,Condition,Language,Foil,Signed,Artist Proof,Altered Art,"
        "Misprint,Promo,Textless,My Price",
    ),
    (
        "archidekt",
        "Quantity,Name,Finish,Condition,Date Added,Language,Purchase Price,Tags,Edition Name,Edition Code,"
        "Multiverse Id,Scryfall ID,Collector Number",
    ),
    (
        "tcgplayer",
        "Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU",
    ),
    (
        "tcgplayer",
        "Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU,"
        "Price,Price Each,External ID",
    ),
    (
        "dragonshield",
        "Folder Name,Quantity,Trade Quantity,Card Name,Set Code,Set Name,Card Number,Condition,Printing,Language,"
        "Price Bought,Date Bought,LOW,MID,MARKET",
    ),
    (
        "dragonshield",
        "FolderName,Quantity,TradeQuantity,CardName,SetCode,SetName,CardNumber,Condition,Printing,Language,"
        "PriceBought,DateBought,AVG,LOW,TREND",
    ),
    ("mtggoldfish", "Card,Set ID,Set Name,Quantity,Foil,Variation"),
    ("mtggoldfish", "Card,Set ID,Set Name,Quantity,Foil,Variation,Collector Number,Scryfall ID"),
    ("delverlens", "Name,Acquired Price,Language,Set Code,TCGPlayer Product ID,Number,Foil,Quantity"),
    ("cardsphere", "Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Scryfall ID,Last Modified"),
    (
        "topdecked",
        "QUANTITY,NAME,SETCODE,SETNAME,COLLECTOR NUMBER,FINISH,PRICE,RARITY,ID,ACQUIRED DATE,ACQUIRED PRICE,LANG,"
        "PRICE SALE,SIGNING,ALTERATION,CONDITION,NOTES,TAGS",
    ),
    (
        "helvault",
        "cmc,collector_number,color_identity,colors,estimated_price,extras,language,mana_cost,name,oracle_id,"
        "quantity,rarity,scryfall_id,set_code,set_name,type_line",
    ),
    ("scryfall_ids", "scryfall_id,quantity,finish"),
    ("scryfall_ids", "scryfall_id,quantity,finish,condition,language"),
]


@pytest.mark.parametrize(("fmt", "header"), HEADERS)
def test_detect_format_exact_header(fmt: str, header: str) -> None:
    assert detect_format(header.split(",")) == fmt


@pytest.mark.parametrize(("fmt", "header"), HEADERS)
def test_detect_format_reordered_with_extra_columns(fmt: str, header: str) -> None:
    columns = [*header.split(","), "My Own Column", "Another"]
    random.Random(fmt + header).shuffle(columns)
    assert detect_format(columns) == fmt
    assert detect_format([f"  {c.upper()} " for c in columns]) == fmt


def test_every_format_has_a_detectable_header() -> None:
    assert {fmt for fmt, _ in HEADERS} == set(FORMATS)


@pytest.mark.parametrize(
    "header",
    [
        [],
        [""],
        ["foo", "bar"],
        ["idProduct", "groupCount", "price", "idLanguage", "condition", "isFoil"],  # Cardmarket stock
        ["Card Name", "Quantity", "ID #", "Rarity", "Set", "Collector #", "Premium"],  # MTGO
        ["1 Annex Sentry (SCH) 7"],  # a deck list, not a CSV
    ],
)
def test_detect_format_unknown(header: list[str]) -> None:
    assert detect_format(header) is None


def _one(fmt: str, header: str, row: str) -> object:
    _, rows = read_rows([header + "\n", row + "\n"], fmt)
    return next(rows)


@pytest.mark.parametrize(
    ("value", "price", "currency"),
    [
        ("", None, None),
        ("1.23", Decimal("1.23"), None),
        ("$1.23", Decimal("1.23"), "USD"),
        ("€0.04", Decimal("0.04"), "EUR"),
        ("0,04 €", Decimal("0.04"), "EUR"),
        ("1,23", Decimal("1.23"), None),
        ("1,234.56", Decimal("1234.56"), None),
        ("1.234,56", Decimal("1234.56"), None),
        ("12.00 USD", Decimal("12.00"), "USD"),
        ("0", Decimal("0"), None),
    ],
)
def test_prices(value: str, price: Decimal | None, currency: str | None) -> None:
    row = _one("archidekt", "Quantity,Name,Purchase Price", f'1,Bolt,"{value}"')
    assert row.purchase_price == price  # type: ignore[attr-defined]
    assert row.currency == currency  # type: ignore[attr-defined]
    assert row.error is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["abc", "-1.00", "1.2.3", "NaN", "$"])
def test_bad_price_is_a_row_error(value: str) -> None:
    row = _one("archidekt", "Quantity,Name,Purchase Price", f'1,Bolt,"{value}"')
    assert row.purchase_price is None  # type: ignore[attr-defined]
    assert "price" in row.error  # type: ignore[attr-defined]
    assert row.quantity == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("2021-03-04", date(2021, 3, 4)),
        ("2021-03-04 12:00:00", date(2021, 3, 4)),
        ("2025-06-09 22:08:39.573000", date(2025, 6, 9)),
        ("2023-12-20T09:03:42.146Z", date(2023, 12, 20)),
        ("2015-10-01 00:17:44 UTC", date(2015, 10, 1)),
        ("3/28/2021", date(2021, 3, 28)),
        ("12/1/21", date(2021, 12, 1)),
        ("28.03.2021", date(2021, 3, 28)),
        ("Fri May 15 2026 16:43:29 GMT+0200 (Central European Summer Time)", date(2026, 5, 15)),
    ],
)
def test_dates(value: str, expected: date | None) -> None:
    row = _one("archidekt", "Quantity,Name,Date Added", f'1,Bolt,"{value}"')
    assert row.acquired == expected  # type: ignore[attr-defined]
    assert row.error is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["yesterday", "2021-13-01", "31/31/2021"])
def test_bad_date_is_a_row_error(value: str) -> None:
    row = _one("archidekt", "Quantity,Name,Date Added", f'1,Bolt,"{value}"')
    assert row.acquired is None  # type: ignore[attr-defined]
    assert "date" in row.error  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "quantity", "error"),
    [
        ("1", 1, None),
        (" 4 ", 4, None),
        ("1000000", 1_000_000, None),
        ("", 0, "blank"),
        ("0", 0, "at least 1"),
        ("-3", 0, "whole number"),
        ("abc", 0, "whole number"),
        ("1.5", 0, "whole number"),
        ("²", 0, "whole number"),
        ("1000001", 0, "larger than"),
        ("99999999999999999999", 0, "larger than"),
    ],
)
def test_quantities(value: str, quantity: int, error: str | None) -> None:
    row = _one("archidekt", "Quantity,Name", f'"{value}",Bolt')
    assert row.quantity == quantity  # type: ignore[attr-defined]
    if error is None:
        assert row.error is None  # type: ignore[attr-defined]
    else:
        assert error in row.error  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("mtggoldfish", "DAR", "dom"),
        ("mtggoldfish", "DOM", "dom"),
        ("mtggoldfish", "Y22-MID", "ymid"),
        ("mtggoldfish", "Y23_BRO", "ybro"),
        ("mtggoldfish", "ARENA", "arena"),
        ("dragonshield", "GK2_AZORIU", "gk2"),
        ("dragonshield", "GK1_DIMIR", "gk1"),
        ("dragonshield", "LTR", "ltr"),
        ("manabox", "STX", "stx"),
    ],
)
def test_set_codes(fmt: str, value: str, expected: str) -> None:
    headers = {
        "mtggoldfish": ("Card,Set ID,Quantity", f"Bolt,{value},1"),
        "dragonshield": ("Folder Name,Quantity,Card Name,Set Code", f"x,1,Bolt,{value}"),
        "manabox": ("Name,Set code,Quantity,ManaBox ID", f"Bolt,{value},1,1"),
    }
    header, row = headers[fmt]
    assert _one(fmt, header, row).set_code == expected  # type: ignore[attr-defined]


def test_ids_are_validated() -> None:
    header = "Quantity,Name,Scryfall ID,Multiverse Id,MTGO ID,Cardmarket ID"
    good = _one("archidekt", header, "1,Bolt,E768C957-3A1F-42F5-853A-96942F645DF5,205227,0,123")
    assert good.scryfall_id == "e768c957-3a1f-42f5-853a-96942f645df5"  # type: ignore[attr-defined]
    assert good.multiverse_id == 205227  # type: ignore[attr-defined]
    assert good.mtgo_id is None  # type: ignore[attr-defined]  # Archidekt writes 0 for none
    assert good.cardmarket_id == 123  # type: ignore[attr-defined]
    assert good.error is None  # type: ignore[attr-defined]
    bad = _one("archidekt", header, "1,Bolt,not-a-uuid,abc,,")
    assert bad.scryfall_id is None  # type: ignore[attr-defined]
    assert "Scryfall ID" in bad.error  # type: ignore[attr-defined]
    assert "Multiverse id" in bad.error  # type: ignore[attr-defined]


def test_helvault_extras_carry_the_finish() -> None:
    header = "name,quantity,scryfall_id,extras,oracle_id"
    for extras, finish in [("", "nonfoil"), ("signed/foil", "foil"), ("etchedFoil", "etched"), ("signed", "nonfoil")]:
        assert _one("helvault", header, f"Bolt,1,,{extras},").finish == finish  # type: ignore[attr-defined]
