"""Writing exports in each app's own header layout, quoting, line ending and vocabulary."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from mtg_tracker.collection.formats.model import CONDITIONS, FINISHES, FORMATS, LANGUAGES, ExportRow

# --------------------------------------------------------------------------- writing

_LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "zhs": "Chinese",
    "zht": "Traditional Chinese",
    "he": "Hebrew",
    "la": "Latin",
    "grc": "Ancient Greek",
    "ar": "Arabic",
    "sa": "Sanskrit",
    "ph": "Phyrexian",
    "qya": "Quenya",
}
_DS_LANGUAGES = {**_LANGUAGE_NAMES, "zhs": "Simplified Chinese"}
_TCG_LANGUAGES = {**_LANGUAGE_NAMES, "zhs": "Chinese (S)", "zht": "Chinese (T)"}
_ARCHIDEKT_LANGUAGES = {"ja": "JP", "ko": "KR", "zhs": "CS", "zht": "CT"}
_MANABOX_LANGUAGES = {"zhs": "zh_CN", "zht": "zh_TW"}

_US_CONDITIONS = {
    "M": "Mint",
    "NM": "Near Mint",
    "LP": "Lightly Played",
    "MP": "Moderately Played",
    "HP": "Heavily Played",
    "D": "Damaged",
}
_MOXFIELD_CONDITIONS = {**_US_CONDITIONS, "LP": "Good (Lightly Played)", "MP": "Played"}
_DECKBOX_CONDITIONS = {**_MOXFIELD_CONDITIONS, "D": "Poor"}
_MANABOX_CONDITIONS = {"M": "mint", "NM": "near_mint", "LP": "excellent", "MP": "good", "HP": "played", "D": "poor"}
_DS_CONDITIONS = {"M": "Mint", "NM": "NearMint", "LP": "Excellent", "MP": "Good", "HP": "Played", "D": "Poor"}
_TOPDECKED_CONDITIONS = {**{k: v.lower() for k, v in _US_CONDITIONS.items()}, "LP": "slightly played"}


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def neutralise(cell: str) -> str:
    """Prefix a formula-leading free-text cell with ``'`` so a spreadsheet shows it as text.

    Applied only to what users type (tags, notes): card and set names come from the catalog and are
    kept exact ("+2 Mace" is a real card), and a plain signed number is data, not a formula. The
    reader strips the quote again, so our own exports round-trip.
    """
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


def _tags(row: ExportRow, separator: str) -> str:
    return neutralise(separator.join(row.tags))


def _notes(row: ExportRow) -> str:
    return neutralise(row.notes or "")


def _price(row: ExportRow) -> str:
    return "" if row.purchase_price is None else format(row.purchase_price, "f")


def _date(row: ExportRow) -> str:
    return row.acquired.isoformat() if row.acquired else ""


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


def _rarity(row: ExportRow) -> str:
    return (row.rarity or "").capitalize()


def _w_moxfield(r: ExportRow) -> list[str]:
    foil = {"nonfoil": "", "foil": "foil", "etched": "etched"}[r.finish]
    acquired = f"{r.acquired.isoformat()} 00:00:00.000000" if r.acquired else ""
    return [
        *(str(r.quantity), "0", r.name, r.set_code.lower(), _MOXFIELD_CONDITIONS[r.condition]),
        *(_LANGUAGE_NAMES[r.language], foil, _tags(r, ", "), acquired, r.collector_number, "False", "False"),
        _price(r),
    ]


def _w_manabox(r: ExportRow) -> list[str]:
    foil = {"nonfoil": "normal", "foil": "foil", "etched": "etched"}[r.finish]
    return [
        *(r.name, r.set_code.upper(), r.set_name or "", r.collector_number, foil, (r.rarity or "").lower()),
        *(str(r.quantity), "", r.scryfall_id, _price(r), "false", "false", _MANABOX_CONDITIONS[r.condition]),
        _MANABOX_LANGUAGES.get(r.language, r.language),
        (r.currency or "") if r.purchase_price is not None else "",
    ]


def _w_deckbox(r: ExportRow) -> list[str]:
    foil = "" if r.finish == "nonfoil" else "foil"
    return [
        *(str(r.quantity), "0", r.name, r.set_name or "", r.set_code.lower(), r.collector_number),
        *(_DECKBOX_CONDITIONS[r.condition], _LANGUAGE_NAMES[r.language], foil, "", "", "", "", "", "", ""),
        *("", _tags(r, ", "), "", "", _rarity(r), "", _id(r.tcgplayer_id), r.scryfall_id),
    ]


def _w_archidekt(r: ExportRow) -> list[str]:
    finish = {"nonfoil": "Normal", "foil": "Foil", "etched": "Etched"}[r.finish]
    language = _ARCHIDEKT_LANGUAGES.get(r.language, r.language.upper())
    return [
        *(str(r.quantity), r.name, finish, r.condition, _date(r), language, _price(r), _tags(r, ",")),
        *(r.set_name or "", r.set_code.lower(), _id(r.multiverse_id), r.scryfall_id, r.collector_number),
    ]


def _w_tcgplayer(r: ExportRow) -> list[str]:
    printing = "Normal" if r.finish == "nonfoil" else "Foil"
    return [
        *(str(r.quantity), r.name, r.name, r.set_name or "", r.collector_number, r.set_code.upper(), printing),
        *(_US_CONDITIONS[r.condition], _TCG_LANGUAGES[r.language], _rarity(r), _id(r.tcgplayer_id), ""),
    ]


def _w_dragonshield(r: ExportRow) -> list[str]:
    printing = {"nonfoil": "Normal", "foil": "Foil", "etched": "Etched"}[r.finish]
    price = "" if r.purchase_price is None else f"{r.purchase_price:.2f}"
    return [
        *("Imported", str(r.quantity), "0", r.name, r.set_code.upper(), r.set_name or "", r.collector_number),
        *(_DS_CONDITIONS[r.condition], printing, _DS_LANGUAGES[r.language], price, _date(r), "", "", ""),
    ]


def _w_mtggoldfish(r: ExportRow) -> list[str]:
    foil = {"nonfoil": "regular", "foil": "foil", "etched": "foil_etched"}[r.finish]
    return [r.name, r.set_code.upper(), r.set_name or "", str(r.quantity), foil, "", r.collector_number, r.scryfall_id]


def _w_delverlens(r: ExportRow) -> list[str]:
    foil = {"nonfoil": "", "foil": "Foil", "etched": "Etched"}[r.finish]
    return [
        *(r.name, _price(r), _LANGUAGE_NAMES[r.language], r.set_code.upper(), _id(r.tcgplayer_id)),
        *(r.collector_number, foil, str(r.quantity), _US_CONDITIONS[r.condition], r.scryfall_id),
    ]


def _w_cardsphere(r: ExportRow) -> list[str]:
    foil = "" if r.finish == "nonfoil" else "foil"
    return [
        *(str(r.quantity), "0", r.name, r.set_name or "", _MOXFIELD_CONDITIONS[r.condition]),
        *(_LANGUAGE_NAMES[r.language], foil, _tags(r, " | "), r.scryfall_id, _date(r)),
    ]


def _w_topdecked(r: ExportRow) -> list[str]:
    return [
        *(str(r.quantity), r.name, r.set_code.lower(), r.set_name or "", r.collector_number, r.finish, ""),
        *((r.rarity or "").lower(), r.scryfall_id, _date(r), _price(r), r.language, "", "", "false"),
        *(_TOPDECKED_CONDITIONS[r.condition], _notes(r), _tags(r, ", ")),
    ]


def _w_helvault(r: ExportRow) -> list[str]:
    extras = {"nonfoil": "", "foil": "foil", "etched": "etchedFoil"}[r.finish]
    return [
        *("", r.collector_number, "", "", "", extras, r.language, "", r.name, "", str(r.quantity)),
        *((r.rarity or "").lower(), r.scryfall_id, r.set_code.lower(), r.set_name or "", ""),
    ]


def _w_scryfall_ids(r: ExportRow) -> list[str]:
    return [r.scryfall_id, str(r.quantity), r.finish, r.condition, r.language]


@dataclass(frozen=True, slots=True)
class _Writer:
    header: str
    row: Callable[[ExportRow], list[str]]
    quote_all: bool = False
    quote_header: bool = True
    crlf: bool = False
    preamble: str = ""


_WRITERS: dict[str, _Writer] = {
    "moxfield": _Writer(
        "Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Last Modified,Collector Number,Alter,"
        "Proxy,Purchase Price",
        _w_moxfield,
        quote_all=True,
        crlf=True,
    ),
    "manabox": _Writer(
        "Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,Purchase price,"
        "Misprint,Altered,Condition,Language,Purchase price currency",
        _w_manabox,
    ),
    "deckbox": _Writer(
        "Count,Tradelist Count,Name,Edition,Edition Code,Card Number,Condition,Language,Foil,Signed,Artist Proof,"
        "Altered Art,Misprint,Promo,Textless,Printing Id,Printing Note,Tags,My Price,Cost,Rarity,Price,"
        "TcgPlayer ID,Scryfall ID",
        _w_deckbox,
    ),
    "archidekt": _Writer(
        "Quantity,Name,Finish,Condition,Date Added,Language,Purchase Price,Tags,Edition Name,Edition Code,"
        "Multiverse Id,Scryfall ID,Collector Number",
        _w_archidekt,
    ),
    "tcgplayer": _Writer(
        "Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU",
        _w_tcgplayer,
    ),
    "dragonshield": _Writer(
        "Folder Name,Quantity,Trade Quantity,Card Name,Set Code,Set Name,Card Number,Condition,Printing,Language,"
        "Price Bought,Date Bought,LOW,MID,MARKET",
        _w_dragonshield,
        crlf=True,
        preamble='"sep=,"',
    ),
    "mtggoldfish": _Writer("Card,Set ID,Set Name,Quantity,Foil,Variation,Collector Number,Scryfall ID", _w_mtggoldfish),
    "delverlens": _Writer(
        "Name,Acquired Price,Language,Set Code,TCGPlayer Product ID,Number,Foil,Quantity,Condition,Scryfall ID",
        _w_delverlens,
    ),
    "cardsphere": _Writer(
        "Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Scryfall ID,Last Modified", _w_cardsphere
    ),
    "topdecked": _Writer(
        "QUANTITY,NAME,SETCODE,SETNAME,COLLECTOR NUMBER,FINISH,PRICE,RARITY,ID,ACQUIRED DATE,ACQUIRED PRICE,LANG,"
        "PRICE SALE,SIGNING,ALTERATION,CONDITION,NOTES,TAGS",
        _w_topdecked,
    ),
    "helvault": _Writer(
        "cmc,collector_number,color_identity,colors,estimated_price,extras,language,mana_cost,name,oracle_id,"
        "quantity,rarity,scryfall_id,set_code,set_name,type_line",
        _w_helvault,
        quote_all=True,
        quote_header=False,
    ),
    "scryfall_ids": _Writer("scryfall_id,quantity,finish,condition,language", _w_scryfall_ids),
}

_CHUNK_ROWS = 500
UNRESOLVED_COLUMNS = ("Import Line", "Import Error")


def write_unresolved(errors: Iterable[tuple[int, str, dict[str, str]]]) -> Iterator[str]:
    """An import's unresolved rows as CSV: line and reason, then the row's own columns as the file had
    them, so the user can fix the rows and import this file (the extra columns are ignored).

    Every cell is neutralised: the rows come from an uploaded file, and the reader strips the quote.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns: list[str] | None = None
    for line, reason, raw in errors:
        if columns is None:
            columns = list(raw)
            writer.writerow([*UNRESOLVED_COLUMNS, *(neutralise(c) for c in columns)])
        writer.writerow([str(line), neutralise(reason), *(neutralise(raw.get(c, "")) for c in columns)])
        if buffer.tell() >= 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if columns is None:
        writer.writerow(UNRESOLVED_COLUMNS)
    yield buffer.getvalue()


def write_rows(fmt: str, rows: Iterable[ExportRow]) -> Iterator[str]:
    """Stream an export in the app's own layout and vocabulary, so the file imports back into that app."""
    writer_spec = _WRITERS.get(fmt)
    if writer_spec is None:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    newline = "\r\n" if writer_spec.crlf else "\n"
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if writer_spec.quote_all else csv.QUOTE_MINIMAL,
    )
    if writer_spec.preamble:
        buffer.write(writer_spec.preamble + newline)
    if writer_spec.quote_header:
        writer.writerow(writer_spec.header.split(","))
    else:
        buffer.write(writer_spec.header + newline)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        if row.finish not in FINISHES or row.condition not in CONDITIONS or row.language not in LANGUAGES:
            raise ValueError(f"ExportRow outside the vocabulary: {row.finish}/{row.condition}/{row.language}")
        writer.writerow(writer_spec.row(row))
        pending += 1
        if pending >= _CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
