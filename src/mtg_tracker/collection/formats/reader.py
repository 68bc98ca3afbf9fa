"""Reading exports: decode bytes, recognise the app from its header, and stream parsed rows."""

from __future__ import annotations

import codecs
import csv
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from mtg_tracker.collection.formats.model import (
    FORMATS,
    MAX_QUANTITY,
    FormatError,
    InputTooLarge,
    ParsedRow,
    _key,
    normalize_condition,
    normalize_finish,
    normalize_language,
)

# --------------------------------------------------------------------------- scalar parsers

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:$|[ T])")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:$| )")
_JS_DATE = re.compile(r"^[A-Za-z]{3},? ([A-Za-z]{3}) (\d{1,2}),? (\d{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_CODE = re.compile(r"^([A-Za-z]{3})\s*|\s*([A-Za-z]{3})$")
_ALCHEMY_SET = re.compile(r"^Y\d\d[-_]([A-Z0-9]{3})$", re.IGNORECASE)
_GUILD_KIT = re.compile(r"^(GK[12])_\w+$", re.IGNORECASE)
# MTGO/MTGGoldfish set ids that differ from Scryfall's (only the ones seen in real exports).
_MTGO_SETS = {"dar": "dom"}


class _RowError(ValueError):
    pass


def _parse_quantity(value: str) -> int:
    if not value:
        raise _RowError("quantity is blank")
    if not (value.isascii() and value.isdigit()):
        raise _RowError(f"quantity {value!r} is not a whole number")
    quantity = int(value)
    if quantity <= 0:
        raise _RowError(f"quantity {value!r} must be at least 1")
    if quantity > MAX_QUANTITY:
        raise _RowError(f"quantity {value!r} is larger than {MAX_QUANTITY:,}")
    return quantity


def _parse_price(value: str) -> tuple[Decimal | None, str | None]:
    """A price and the currency its spelling names; "1,23" is a Cardmarket-style decimal comma."""
    text = value.strip()
    if not text:
        return None, None
    currency = None
    if text[0] in _CURRENCY_SYMBOLS:
        currency, text = _CURRENCY_SYMBOLS[text[0]], text[1:].strip()
    elif text[-1] in _CURRENCY_SYMBOLS:
        currency, text = _CURRENCY_SYMBOLS[text[-1]], text[:-1].strip()
    else:
        match = _CURRENCY_CODE.search(text)
        if match and len(text) > 3:
            currency = (match.group(1) or match.group(2)).upper()
            text = (text[: match.start()] + text[match.end() :]).strip()
    if "," in text:
        if "." in text:
            # the later separator is the decimal one: "1,234.56" or "1.234,56"
            text = (
                text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
            )
        else:
            text = text.replace(",", ".")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise _RowError(f"price {value!r} is not a number") from None
    if not price.is_finite() or price < 0:
        raise _RowError(f"price {value!r} is not a valid amount")
    return price, currency


def _parse_date(value: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SLASH_DATE.match(text):  # US month/day/year, as Dragon Shield's web export writes it
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[1]), int(m[2]))
        if m := _DOT_DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if (m := _JS_DATE.match(text)) and m[1].lower() in _MONTHS:  # TopDecked: JavaScript Date.toString()
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    except ValueError:
        pass
    raise _RowError(f"date {value!r} is not a recognised date")


def _parse_id(value: str, what: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise _RowError(f"{what} {value!r} is not a number")
    number = int(value)
    return number or None  # Archidekt writes 0 for "no id"


def _parse_uuid(value: str) -> str | None:
    if not value:
        return None
    lowered = value.lower()
    if not _UUID.match(lowered):
        raise _RowError(f"Scryfall ID {value!r} is not a UUID")
    return lowered


def _set_code(value: str, fmt: str) -> str:
    code = value.lower()
    if fmt == "mtggoldfish":
        if m := _ALCHEMY_SET.match(value):
            return "y" + m[1].lower()
        return _MTGO_SETS.get(code, code)
    if fmt == "dragonshield" and (m := _GUILD_KIT.match(value)):
        return m[1].lower()
    return code


# --------------------------------------------------------------------------- format specs


def _header_key(header: str) -> str:
    """Headers match case-, space- and underscore-insensitively: Dragon Shield wrote "FolderName" in 2022."""
    return _key(header.replace("\ufeff", ""))


_FIELDS = (
    "quantity",
    "name",
    "set_code",
    "set_name",
    "collector_number",
    "scryfall_id",
    "tcgplayer_id",
    "cardmarket_id",
    "mtgo_id",
    "multiverse_id",
    "finish",
    "condition",
    "language",
    "purchase_price",
    "currency",
    "acquired",
    "tags",
    "notes",
    "binder",
)

# Ids whose header names are unambiguous in every app: picked up wherever a user added the column.
_COMMON: dict[str, tuple[str, ...]] = {
    "scryfall_id": ("Scryfall ID", "scryfall_id", "ScryfallId"),
    "tcgplayer_id": ("TCGplayer ID", "TcgPlayer ID", "TCGplayer Product ID", "tcgplayer_id"),
    "cardmarket_id": ("Cardmarket ID", "cardmarket_id", "MKM ID"),
    "mtgo_id": ("MTGO ID", "mtgo_id"),
    "multiverse_id": ("Multiverse ID", "multiverse_id"),
}


@dataclass(frozen=True, slots=True)
class _Spec:
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ("quantity", "name")
    markers: tuple[str, ...] = ()
    cardmarket_scale: bool = False
    tag_separator: str = ","
    # The currency of a purchase price the file does not label (no currency column, no symbol).
    currency: str | None = None
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    marker_keys: list[frozenset[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # precomputed once, so matching a header costs set lookups, not string munging per row
        merged = {**_COMMON, **self.columns}
        for name, aliases in merged.items():
            self.keys[name] = tuple(_header_key(a) for a in aliases)
        self.marker_keys.extend(frozenset(_header_key(h) for h in m.split(",")) for m in self.markers)


def _markers(*groups: str) -> tuple[str, ...]:
    return groups


_SPECS: dict[str, _Spec] = {
    "moxfield": _Spec(
        {
            "quantity": ("Count",),
            "name": ("Name",),
            "set_code": ("Edition",),
            "collector_number": ("Collector Number",),
            "condition": ("Condition",),
            "language": ("Language",),
            "finish": ("Foil",),
            "tags": ("Tags",),
            "acquired": ("Last Modified",),  # the only date Moxfield exports
            "purchase_price": ("Purchase Price",),
        },
        markers=_markers(
            "Count,Edition,Last Modified", "Count,Edition,Collector Number", "Count,Tradelist Count,Edition"
        ),
        # Moxfield's prices are TCGplayer's dollars and its export has no currency column; a user who
        # typed euros passes currency=EUR.
        currency="USD",
    ),
    "manabox": _Spec(
        {
            "binder": ("Binder Name",),
            "name": ("Name",),
            "set_code": ("Set code",),
            "set_name": ("Set name",),
            "collector_number": ("Collector number",),
            "finish": ("Foil",),
            "quantity": ("Quantity",),
            "scryfall_id": ("Scryfall ID",),
            "purchase_price": ("Purchase price",),
            "currency": ("Purchase price currency",),
            "condition": ("Condition",),
            "language": ("Language",),
            "acquired": ("Added",),
        },
        markers=_markers("ManaBox ID", "Binder Name,Binder Type,Scryfall ID"),
        cardmarket_scale=True,
    ),
    "deckbox": _Spec(
        {
            "quantity": ("Count",),
            "name": ("Name",),
            "set_name": ("Edition",),
            "set_code": ("Edition Code",),
            "collector_number": ("Card Number",),
            "condition": ("Condition",),
            "language": ("Language",),
            "finish": ("Foil",),
            "tags": ("Tags",),
            "tcgplayer_id": ("TcgPlayer ID",),
            "scryfall_id": ("Scryfall ID",),
        },
        markers=_markers("Count,Edition,Card Number", "Count,Edition Code", "Tradelist Count,Artist Proof"),
    ),
    "archidekt": _Spec(
        {
            "quantity": ("Quantity",),
            "name": ("Name",),
            "finish": ("Finish",),
            "condition": ("Condition",),
            "acquired": ("Date Added",),
            "language": ("Language",),
            "purchase_price": ("Purchase Price",),
            "tags": ("Tags",),
            "set_name": ("Edition Name",),
            "set_code": ("Edition Code",),
            "multiverse_id": ("Multiverse Id",),
            "scryfall_id": ("Scryfall ID",),
            "mtgo_id": ("MTGO ID",),
            "collector_number": ("Collector Number",),
        },
        markers=_markers("Quantity,Finish,Edition Code", "Date Added,Edition Name"),
    ),
    "tcgplayer": _Spec(
        {
            "quantity": ("Quantity",),
            # "Name" carries TCGplayer's decorations ("Solitude (Borderless)"); Simple Name is the card's
            "name": ("Simple Name", "Name"),
            "set_name": ("Set",),
            "collector_number": ("Card Number",),
            "set_code": ("Set Code",),
            "finish": ("Printing",),
            "condition": ("Condition",),
            "language": ("Language",),
            "tcgplayer_id": ("Product ID",),
        },
        markers=_markers("Simple Name,SKU", "Simple Name,Product ID"),
    ),
    "dragonshield": _Spec(
        {
            "binder": ("Folder Name",),
            "quantity": ("Quantity",),
            "name": ("Card Name",),
            "set_code": ("Set Code",),
            "set_name": ("Set Name",),
            "collector_number": ("Card Number",),
            "condition": ("Condition",),
            "finish": ("Printing",),
            "language": ("Language",),
            "purchase_price": ("Price Bought",),
            "acquired": ("Date Bought",),
        },
        markers=_markers("Folder Name,Card Name", "Trade Quantity,Card Name"),
        cardmarket_scale=True,
    ),
    "mtggoldfish": _Spec(
        {
            "name": ("Card",),
            "set_code": ("Set ID",),
            "set_name": ("Set Name",),
            "quantity": ("Quantity",),
            "finish": ("Foil",),
            "collector_number": ("Collector Number",),
            "scryfall_id": ("Scryfall ID",),
        },
        markers=_markers("Card,Set ID"),
    ),
    "cardsphere": _Spec(
        {
            "quantity": ("Count",),
            "name": ("Name",),
            "set_name": ("Edition",),
            "condition": ("Condition",),
            "language": ("Language",),
            "finish": ("Foil",),
            "tags": ("Tags",),
            "scryfall_id": ("Scryfall ID",),
            "acquired": ("Last Modified",),
        },
        markers=_markers("Tradelist Count,Scryfall ID,Last Modified"),
        tag_separator="|",
    ),
    "topdecked": _Spec(
        {
            "quantity": ("QUANTITY",),
            "name": ("NAME",),
            "set_code": ("SETCODE",),
            "set_name": ("SETNAME",),
            "collector_number": ("COLLECTOR NUMBER",),
            "finish": ("FINISH",),
            "scryfall_id": ("ID",),
            "acquired": ("ACQUIRED DATE",),
            "purchase_price": ("ACQUIRED PRICE",),
            "language": ("LANG",),
            "condition": ("CONDITION",),
            "notes": ("NOTES",),
            "tags": ("TAGS",),
        },
        markers=_markers("ACQUIRED DATE,LANG", "PRICE SALE"),
    ),
    "helvault": _Spec(
        {
            "collector_number": ("collector_number",),
            "finish": ("extras",),
            "language": ("language",),
            "name": ("name",),
            "quantity": ("quantity",),
            "scryfall_id": ("scryfall_id",),
            "set_code": ("set_code",),
            "set_name": ("set_name",),
        },
        markers=_markers("oracle_id,extras", "estimated_price,scryfall_id"),
    ),
    "scryfall_ids": _Spec(
        {
            "scryfall_id": ("scryfall_id",),
            "quantity": ("quantity",),
            "finish": ("finish",),
            "condition": ("condition",),
            "language": ("language",),
        },
        required=("scryfall_id", "quantity"),
    ),
    "delverlens": _Spec(
        {
            "quantity": ("Quantity", "Count", "Qty"),
            "name": ("Name", "Card Name", "Card"),
            "purchase_price": ("Acquired Price", "Purchase Price", "Price Bought"),
            "language": ("Language", "Lang"),
            "set_code": ("Set Code", "Edition Code", "Set"),
            "set_name": ("Set Name", "Edition", "Edition Name"),
            "tcgplayer_id": ("TCGPlayer Product ID", "TCGplayer ID", "Product ID"),
            "collector_number": ("Number", "Collector Number", "Card Number"),
            "finish": ("Foil", "Finish", "Printing"),
            "condition": ("Condition",),
            "acquired": ("Acquired Date", "Date Added", "Added"),
            "notes": ("Notes", "Note", "Comment"),
            "tags": ("Tags",),
        },
        markers=_markers("Acquired Price", "TCGPlayer Product ID", "Name,Set Code,Number,Quantity"),
    ),
}
_DETECT_ORDER = (
    "manabox",
    "tcgplayer",
    "dragonshield",
    "mtggoldfish",
    "topdecked",
    "helvault",
    "archidekt",
    "cardsphere",
    "deckbox",
    "moxfield",
    "delverlens",
    "scryfall_ids",
)


def detect_format(header: Sequence[str]) -> str | None:
    """Name the app from the header alone: apps reorder and add columns, but each keeps a few markers."""
    keys = {_header_key(h) for h in header} - {""}
    for fmt in _DETECT_ORDER:
        if fmt == "scryfall_ids":
            # checked after every app with its own markers, so extra columns are fine here
            if {"scryfallid", "quantity"} <= keys:
                return fmt
            continue
        if any(marker <= keys for marker in _SPECS[fmt].marker_keys):
            return fmt
    return None


def _expected_headers() -> str:
    return "; ".join(
        f"{fmt}: {s.markers[0] if s.markers else 'scryfall_id,quantity,finish'}" for fmt, s in _SPECS.items()
    )


# --------------------------------------------------------------------------- decoding


GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_STEP = 256 * 1024  # most output bytes per decompress call: a bomb never inflates in one go


def decompressed(chunks: Iterable[bytes], *, max_bytes: int | None = None) -> Iterator[bytes]:
    """The upload's bytes, gunzipped when they start with gzip's magic bytes (whatever the file is called),
    counted against ``max_bytes`` *after* decompression, a bounded step at a time: a gzip bomb stops with
    InputTooLarge after ``max_bytes``, not when memory runs out. Concatenated gzip members are one file.
    """
    it = iter(chunks)
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= 2:
            break
    total = 0

    def count(data: bytes) -> bytes:
        nonlocal total
        total += len(data)
        if max_bytes is not None and total > max_bytes:
            raise InputTooLarge(f"the file is larger than {max_bytes:,} bytes (decompressed); split it")
        return data

    if not head.startswith(GZIP_MAGIC):
        if head:
            yield count(head)
        for chunk in it:
            yield count(chunk)
        return
    inflater = zlib.decompressobj(wbits=31)

    def pump(data: bytes) -> Iterator[bytes]:
        nonlocal inflater
        while True:
            if inflater.eof and inflater.unused_data:  # another gzip member follows
                data, inflater = inflater.unused_data + data, zlib.decompressobj(wbits=31)
            out = inflater.decompress(data, _INFLATE_STEP)
            data = inflater.unconsumed_tail
            if out:
                yield count(out)
            elif not data:
                return

    try:
        for chunk in _chain(head, it):
            yield from pump(chunk)
        yield from pump(b"")
    except zlib.error as exc:
        raise FormatError(f"not a readable gzip file ({exc})") from None
    if not inflater.eof:
        raise FormatError("not a readable gzip file (it ends before its compressed data does: truncated?)")


def _chain(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from rest


def open_text(
    chunks: Iterable[bytes], *, max_line_bytes: int = 64 * 1024, max_bytes: int | None = None
) -> Iterator[str]:
    """Decode an upload incrementally into lines, so a 50 MB export never sits in memory as one string.

    A gzip upload (recognised by its magic bytes) is decompressed on the way, within ``max_bytes``.
    UTF-8 (BOM stripped) unless a UTF-16 BOM says otherwise; spreadsheets re-saving "Unicode text"
    produce the latter. Invalid bytes or a runaway line stop the import: guessing an encoding would
    corrupt card names silently.
    """
    it = iter(decompressed(chunks, max_bytes=max_bytes))
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= 4:
            break
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from _utf16_lines(head, it, max_line_bytes)
        return
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    yield from _utf8_lines(head, it, max_line_bytes)


def _too_long(line: int, max_line_bytes: int) -> FormatError:
    return FormatError(f"line is longer than {max_line_bytes:,} bytes; is this a CSV export?", line=line)


def _utf8_lines(head: bytes, rest: Iterator[bytes], max_line_bytes: int) -> Iterator[str]:
    buffer = bytearray(head)
    line_no = 0

    def decode(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"not UTF-8 (byte {exc.start + 1} of the line); export the file as UTF-8 CSV", line=line_no
            ) from None

    def drain() -> Iterator[str]:
        nonlocal line_no
        start = 0
        while (end := buffer.find(b"\n", start)) != -1:
            line_no += 1
            if end + 1 - start > max_line_bytes:
                raise _too_long(line_no, max_line_bytes)
            yield decode(bytes(buffer[start : end + 1]))
            start = end + 1
        del buffer[:start]
        if len(buffer) > max_line_bytes:
            raise _too_long(line_no + 1, max_line_bytes)

    yield from drain()
    for chunk in rest:
        buffer += chunk
        yield from drain()
    if buffer:
        line_no += 1
        yield decode(bytes(buffer))


def _utf16_lines(head: bytes, rest: Iterator[bytes], max_line_bytes: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
    pending = ""
    line_no = 0
    max_chars = max_line_bytes // 2

    def feed(data: bytes, final: bool) -> Iterator[str]:
        nonlocal pending, line_no
        try:
            pending += decoder.decode(data, final)
        except UnicodeDecodeError:
            raise FormatError("not valid UTF-16", line=line_no + 1) from None
        start = 0
        while (end := pending.find("\n", start)) != -1:
            line_no += 1
            if end + 1 - start > max_chars:
                raise _too_long(line_no, max_line_bytes)
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
        if len(pending) > max_chars:
            raise _too_long(line_no + 1, max_line_bytes)

    yield from feed(head, False)
    for chunk in rest:
        yield from feed(chunk, False)
    yield from feed(b"", True)
    if pending:
        yield pending.lstrip("\ufeff") if line_no == 0 else pending


# --------------------------------------------------------------------------- reading


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(
    lines: Iterable[str], fmt: str = "auto", *, currency: str | None = None
) -> tuple[str, Iterator[ParsedRow]]:
    """Check the header now (so a wrong file fails before anything is written) and stream the rows.

    A purchase price takes the currency its row names (a currency column, a symbol or code in the cell),
    else ``currency`` (the caller's), else the format's own (Moxfield: USD), else none: the caller warns.

    Errors in the header are raised here; a FormatError from the byte decoder or a malformed quote
    later in the file is raised while iterating, and the caller must then discard what it read.
    """
    if fmt != "auto" and fmt not in _SPECS:
        raise FormatError(f"unknown format {fmt!r}; expected one of: auto, {', '.join(FORMATS)}")
    it = iter(lines)
    consumed = 0
    delimiter: str | None = None
    header_line: str | None = None
    for text in it:
        consumed += 1
        if consumed == 1:
            text = text.lstrip("\ufeff")
        stripped = text.strip()
        if not stripped:
            continue
        marker = stripped.strip('"').strip().lower()
        if delimiter is None and header_line is None and marker.startswith("sep=") and len(marker) <= 6:
            delimiter = marker[4:] or ","
            continue
        header_line = text
        break
    if header_line is None:
        raise FormatError("the file is empty: expected a CSV header line")
    if delimiter is None:
        delimiter = _delimiter(header_line)
    header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    detected = detect_format(header)
    if fmt == "auto":
        if detected is None:
            shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
            raise FormatError(
                f"unrecognised header ({shown}); expected an export from one of {', '.join(FORMATS)} "
                f"(marker columns — {_expected_headers()})",
                line=consumed,
            )
        fmt = detected
    spec = _SPECS[fmt]
    index = _column_index(header, spec)
    missing = [f for f in spec.required if f not in index]
    if missing:
        names = ", ".join(" or ".join(spec.columns.get(f, _COMMON.get(f, (f,)))) for f in missing)
        raise FormatError(
            f"{fmt} file is missing required column(s): {names} (found: {', '.join(header)})", line=consumed
        )
    reader = csv.reader(it, delimiter=delimiter)
    return fmt, _rows(reader, header, index, spec, fmt, consumed, currency)


class _CsvReader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def _column_index(header: Sequence[str], spec: _Spec) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        positions.setdefault(_header_key(h), i)
    index: dict[str, int] = {}
    for name, aliases in spec.keys.items():
        for alias in aliases:
            if alias in positions:
                index[name] = positions[alias]
                break
    return index


def _rows(
    reader: _CsvReader,
    header: list[str],
    index: dict[str, int],
    spec: _Spec,
    fmt: str,
    offset: int,
    currency: str | None,
) -> Iterator[ParsedRow]:
    parser = _RowParser(header, index, spec, fmt, (currency or spec.currency or "").upper() or None)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"malformed CSV: {exc}", line=offset + previous + 1) from None
        start = offset + previous + 1
        previous = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank and all-delimiter lines are spacing, not rows
        yield parser.parse(start, cells)


_IDS = (
    ("tcgplayer_id", "TCGplayer id"),
    ("cardmarket_id", "Cardmarket id"),
    ("mtgo_id", "MTGO id"),
    ("multiverse_id", "Multiverse id"),
)


class _RowParser:
    """Per-file state: column positions resolved once and vocabulary lookups memoised, since a
    20,000-row export repeats the same few dozen finish/condition/language spellings."""

    def __init__(
        self, header: list[str], index: dict[str, int], spec: _Spec, fmt: str, currency: str | None = None
    ) -> None:
        self.header = header
        self.currency = currency
        self.width = len(header)
        self.cols = [(name, index[name]) for name in _FIELDS if name in index]
        self.spec = spec
        self.fmt = fmt
        self.finishes: dict[str, str | None] = {"": "nonfoil"}
        self.conditions: dict[str, str | None] = {"": "NM"}
        self.languages: dict[str, str | None] = {"": "en"}
        self.set_codes: dict[str, str | None] = {"": None}

    def _finish(self, raw: str) -> str | None:
        found = self.finishes.get(raw, "?")
        if found == "?":
            found = _helvault_finish(raw) if self.fmt == "helvault" else normalize_finish(raw)
            self.finishes[raw] = found
        return found

    def _condition(self, raw: str) -> str | None:
        found = self.conditions.get(raw, "?")
        if found == "?":
            found = self.conditions[raw] = normalize_condition(raw, cardmarket_scale=self.spec.cardmarket_scale)
        return found

    def _language(self, raw: str) -> str | None:
        found = self.languages.get(raw, "?")
        if found == "?":
            found = self.languages[raw] = normalize_language(raw)
        return found

    def _set_code(self, raw: str) -> str | None:
        found = self.set_codes.get(raw, "?")
        if found == "?":
            found = self.set_codes[raw] = _set_code(raw, self.fmt)
        return found

    def parse(self, line: int, cells: list[str]) -> ParsedRow:
        n = len(cells)
        v = {name: _unquote(cells[i].strip()) if i < n else "" for name, i in self.cols}
        raw = dict(zip(self.header, cells, strict=False))
        if n < self.width:
            raw.update(dict.fromkeys(self.header[n:], ""))
        errors: list[str] = []
        get = v.get

        quantity = 0
        try:
            quantity = _parse_quantity(get("quantity", ""))
        except _RowError as exc:
            errors.append(str(exc))
        finish_raw = get("finish", "")
        finish = self._finish(finish_raw)
        if finish is None:
            errors.append(f"unknown finish {finish_raw!r}")
        condition_raw = get("condition", "")
        condition = self._condition(condition_raw)
        if condition is None:
            errors.append(f"unknown condition {condition_raw!r}")
        language_raw = get("language", "")
        language = self._language(language_raw)
        if language is None:
            errors.append(f"unknown language {language_raw!r}")

        price: Decimal | None = None
        currency: str | None = None
        if price_raw := get("purchase_price", ""):
            try:
                price, currency = _parse_price(price_raw)
            except _RowError as exc:
                errors.append(str(exc))
        if currency_raw := get("currency", ""):
            currency = currency_raw.upper()
        if price is not None and currency is None:
            currency = self.currency
        scryfall_id: str | None = None
        if uuid_raw := get("scryfall_id", ""):
            try:
                scryfall_id = _parse_uuid(uuid_raw)
            except _RowError as exc:
                errors.append(str(exc))
        ids: dict[str, int | None] = {}
        for key, what in _IDS:
            ids[key] = None
            if id_raw := get(key, ""):
                try:
                    ids[key] = _parse_id(id_raw, what)
                except _RowError as exc:
                    errors.append(str(exc))
        acquired: date | None = None
        if date_raw := get("acquired", ""):
            try:
                acquired = _parse_date(date_raw)
            except _RowError as exc:
                errors.append(str(exc))
        tags_raw = get("tags", "")
        tags = tuple(t.strip() for t in tags_raw.split(self.spec.tag_separator) if t.strip()) if tags_raw else ()
        return ParsedRow(
            line=line,
            raw=raw,
            quantity=quantity,
            name=get("name") or None,
            set_code=self._set_code(get("set_code", "")),
            set_name=get("set_name") or None,
            collector_number=get("collector_number") or None,
            scryfall_id=scryfall_id,
            tcgplayer_id=ids["tcgplayer_id"],
            cardmarket_id=ids["cardmarket_id"],
            mtgo_id=ids["mtgo_id"],
            multiverse_id=ids["multiverse_id"],
            finish=finish or "nonfoil",
            condition=condition or "NM",
            language=language or "en",
            purchase_price=price,
            currency=currency,
            acquired=acquired,
            tags=tags,
            notes=get("notes") or None,
            binder=get("binder") or None,
            error="; ".join(errors) or None,
        )


def _unquote(cell: str) -> str:
    """Undo the writer's formula neutralising ("'=1+2" → "=1+2"), so exports round-trip exactly."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA_STARTS else cell


_FORMULA_STARTS = frozenset("=+-@\t\r")


def _helvault_finish(extras: str) -> str:
    """Helvault packs finish into a slash list with other flags ("signed/foil", "etchedFoil")."""
    found = "nonfoil"
    for token in extras.split("/"):
        finish = normalize_finish(token)
        if finish == "etched":
            return "etched"
        if finish == "foil":
            found = "foil"
    return found
