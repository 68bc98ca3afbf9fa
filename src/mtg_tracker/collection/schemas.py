"""Request and response shapes of collections, entries, import reports and values."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mtg_tracker.collection.formats import LANGUAGES, MAX_QUANTITY
from mtg_tracker.kit.schemas import Flag, IsoDate, RequestBody

Kind = Literal["collection", "binder", "deck", "wishlist"]
Finish = Literal["nonfoil", "foil", "etched"]
Condition = Literal["M", "NM", "LP", "MP", "HP", "D"]
Currency = Literal["usd", "eur"]
ImportCurrency = Literal["USD", "EUR", "usd", "eur"]


def _language(value: str) -> str:
    code = value.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}; expected one of Scryfall's codes: {', '.join(LANGUAGES)}")
    return code


Language = Annotated[
    str, Field(max_length=8, description="Scryfall language code (en, de, ja, zhs, …)."), AfterValidator(_language)
]
_CURRENCY = r"^[A-Za-z]{3}$"
_Money = Field(None, ge=0, le=Decimal("21000000"), max_digits=10, decimal_places=2)


def _upper(value: str | None) -> str | None:
    return value.upper() if value else value


def _clean_tags(tags: list[str] | None) -> list[str] | None:
    if tags is None:
        return None
    out: list[str] = []
    for tag in tags:
        tag = tag.replace("|", " ").strip()
        if tag and tag not in out:
            out.append(tag)
    return out


class CollectionCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")
    multiline = frozenset({"description"})

    name: str = Field(min_length=1, max_length=200)
    kind: Kind = "collection"
    description: str | None = Field(None, max_length=5000)
    is_public: Flag = Field(False, description="true = anyone with the link may read it (never change it).")


class CollectionUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")
    multiline = frozenset({"description"})

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    description: str | None = Field(None, max_length=5000)
    is_public: Flag | None = None


class CollectionRead(BaseModel):
    object: Literal["collection"] = "collection"
    id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    kind: Kind
    description: str | None
    is_public: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CollectionList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[CollectionRead]


class EntryCreate(RequestBody):
    """A printing to add; an entry with the same printing, finish, condition and language grows instead."""

    model_config = ConfigDict(extra="forbid")
    multiline = frozenset({"notes"})

    card_id: uuid.UUID = Field(description="The printing's Scryfall id (catalog card id).")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    finish: Finish = "nonfoil"
    condition: Condition = "NM"
    language: Language = "en"
    purchase_price: Decimal | None = _Money
    currency: str | None = Field(None, pattern=_CURRENCY, description="ISO 4217 code of purchase_price.")
    acquired: IsoDate | None = None
    tags: list[str] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)

    _tags = field_validator("tags")(_clean_tags)
    _currency = field_validator("currency")(_upper)


class EntryUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")
    multiline = frozenset({"notes"})

    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY)
    finish: Finish | None = None
    condition: Condition | None = None
    language: Language | None = None
    purchase_price: Decimal | None = _Money
    currency: str | None = Field(None, pattern=_CURRENCY)
    acquired: IsoDate | None = None
    tags: list[str] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)

    _tags = field_validator("tags")(_clean_tags)
    _currency = field_validator("currency")(_upper)


class EntryRead(BaseModel):
    object: Literal["collection_entry"] = "collection_entry"
    id: int
    card_id: uuid.UUID
    name: str
    set: str
    collector_number: str
    quantity: int
    finish: Finish
    condition: Condition
    language: str
    purchase_price: str | None = Field(description="Per copy, decimal string.")
    currency: str | None
    acquired: dt.date | None
    tags: list[str]
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    warnings: list[str] | None = Field(
        None,
        description="Only when an add merged into an existing entry and some of its data could not be kept as "
        "given (e.g. a purchase price in another currency than the entry's).",
    )


class EntryList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[EntryRead]
    warnings: list[str] | None = None


class ImportError_(BaseModel):
    line: int
    reason: str
    row: Any


class ImportWarning(BaseModel):
    line: int
    kind: Literal["approximate", "merge", "currency"] = Field(
        description="approximate: matched by name alone; merge: merged into an entry, but not all of the row's "
        "data could be kept; currency: a purchase price without a currency."
    )
    reason: str
    card_id: uuid.UUID


class ImportReport(BaseModel):
    """What an import did (or, for a dry run, would do): every row is counted exactly once."""

    object: Literal["import_report"] = "import_report"
    format: str
    dry_run: bool
    merge: bool
    rows_read: int
    imported: int = Field(description="Rows that became a new entry.")
    merged: int = Field(description="Rows added to an existing entry or to an earlier row of the same file.")
    unresolved: int = Field(description="Rows not imported; each has an item in `errors`.")
    approximate: int = Field(
        description="Imported rows matched by name alone; each has an item in `warnings` (kind approximate)."
    )
    errors: list[ImportError_] = Field(
        description="The first MTG_COLLECTION__MAX_REPORT_ROWS unresolved rows, in file order (all: report=csv)."
    )
    errors_truncated: bool = Field(description="true when `errors` lists fewer rows than `unresolved` counts.")
    warnings: list[ImportWarning] = Field(description="The first MTG_COLLECTION__MAX_REPORT_ROWS warnings.")
    warnings_total: int = Field(description="Every warning of the import, listed or not.")
    warnings_truncated: bool = Field(description="true when `warnings` lists fewer than `warnings_total`.")
    seconds: float


class ValueByFinish(BaseModel):
    nonfoil: str
    foil: str
    etched: str


class CollectionValue(BaseModel):
    object: Literal["collection_value"] = "collection_value"
    currency: Currency
    cards: int = Field(description="Sum of quantities.")
    entries: int
    total: str = Field(description="Current value, decimal string.")
    by_finish: ValueByFinish
    cost_basis: str = Field(description="Sum of purchase prices recorded in this currency.")
    cost_basis_cards: int = Field(description="Copies that have a purchase price in this currency.")
    gain: str = Field(description="Current value of the copies with a cost basis, minus that cost basis.")
    unpriced_cards: int = Field(description="Copies with no price in this currency for their finish.")
    fallback_priced_cards: int = Field(
        description="Copies valued at another finish's price because their own finish has none "
        "(foil → nonfoil; etched → foil → nonfoil)."
    )


class ValuePoint(BaseModel):
    date: dt.date
    total: str


class ValueHistory(BaseModel):
    object: Literal["list"] = "list"
    currency: Currency
    has_more: bool = False
    data: list[ValuePoint]
