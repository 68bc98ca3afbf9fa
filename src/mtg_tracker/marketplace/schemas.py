"""Request and response shapes of listings, orders and the ledger (API.md: Marketplace)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mtg_tracker.collection.formats import MAX_QUANTITY
from mtg_tracker.kit.schemas import MAX_ROW_ID, RequestBody

Currency = Literal["usd", "eur"]
ListingStatus = Literal["active", "paused", "sold_out", "withdrawn"]
SettableListingStatus = Literal["active", "paused", "withdrawn"]
OrderStatus = Literal["pending", "paid", "shipped", "completed", "cancelled", "refunded"]
# Up to 1,000,000.00 per copy: integer cents fit a 32-bit column with room to spare.
_Price = Field(ge=0, le=Decimal("1000000"), max_digits=9, decimal_places=2, description='Per copy, e.g. "1.50".')


class Peg(BaseModel):
    """A price pegged to the market: the newest stored price of the printing's finish in the listing's
    currency, less ``discount_pct`` percent, rounded half up to the cent."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["market"] = "market"
    discount_pct: int = Field(ge=0, le=90, description="Whole percent below the market price, 0 to 90.")


class ListingCreate(RequestBody):
    """Copies of one of the caller's collection entries to sell; the printing, finish, condition and
    language come from the entry. Exactly one of ``price`` (fixed) and ``peg`` (market price less a percentage)."""

    model_config = ConfigDict(extra="forbid")

    collection_id: uuid.UUID
    entry_id: int = Field(ge=1, le=MAX_ROW_ID)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    price: Decimal | None = Field(
        None, ge=0, le=Decimal("1000000"), max_digits=9, decimal_places=2, description='Per copy, e.g. "1.50".'
    )
    peg: Peg | None = None
    currency: Currency = "usd"
    shop_id: uuid.UUID | None = Field(
        None, description="Sell as this shop (you are a member; the collection is in its inventory)."
    )

    @model_validator(mode="after")
    def _one_price(self) -> ListingCreate:
        if (self.price is None) == (self.peg is None):
            raise ValueError("Give exactly one of price (fixed) and peg (market price less a percentage).")
        return self


class ListingUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    quantity: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="Copies ever listed (available + sold); at least those sold."
    )
    price: Decimal | None = Field(None, ge=0, le=Decimal("1000000"), max_digits=9, decimal_places=2)
    status: SettableListingStatus | None = None


class Party(BaseModel):
    kind: Literal["user", "shop"] = "user"
    id: uuid.UUID


class ListingRead(BaseModel):
    object: Literal["listing"] = "listing"
    id: uuid.UUID
    card: dict[str, Any] | None = Field(description="The printing's card object.")
    card_id: uuid.UUID
    finish: str
    condition: str
    language: str
    quantity: int
    available: int
    price: str | None = Field(
        description="Effective price per copy; for a pegged listing computed from the newest market price "
        "(null while the market has no price for this finish and currency: not orderable)."
    )
    peg: Peg | None = Field(None, description="Set when the price follows the market.")
    currency: Currency
    status: ListingStatus
    seller: Party
    collection_id: uuid.UUID | None = Field(description="The seller's collection (null for other callers).")
    entry_id: int | None = Field(description="The seller's entry (null for other callers).")
    created_at: dt.datetime
    updated_at: dt.datetime


class ListingList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[ListingRead]
    warnings: list[str] | None = None


class OrderLineCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    listing_id: uuid.UUID
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class OrderCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    lines: list[OrderLineCreate] = Field(min_length=1, max_length=100)


class OrderComplete(RequestBody):
    model_config = ConfigDict(extra="forbid")

    collection_id: uuid.UUID | None = Field(
        None, description='Where the copies go; default: your collection "Marketplace purchases" (made if missing).'
    )


class OrderLineRead(BaseModel):
    listing_id: uuid.UUID
    card_id: uuid.UUID
    quantity: int
    unit_price: str


class OrderRead(BaseModel):
    object: Literal["order"] = "order"
    id: uuid.UUID
    status: OrderStatus
    currency: Currency
    total: str
    fee: str | None = Field(description="The platform's fee, fixed when the order completes.")
    buyer: Party
    seller: Party
    lines: list[OrderLineRead]
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[OrderRead]


class AccountBalance(BaseModel):
    object: Literal["ledger_account"] = "ledger_account"
    id: uuid.UUID
    account: str = Field(description="cash, receivable, escrow, fees or inventory.")
    owner: dict[str, Any]
    currency: Currency
    debit: str
    credit: str
    balance: str = Field(description="debit − credit.")


class LedgerBalance(BaseModel):
    object: Literal["ledger_balance"] = "ledger_balance"
    accounts: list[AccountBalance]


class EntryLineRead(BaseModel):
    account: str
    account_id: uuid.UUID
    debit: str
    credit: str
    currency: Currency


class JournalEntryRead(BaseModel):
    object: Literal["journal_entry"] = "journal_entry"
    id: int
    created_at: dt.datetime
    memo: str
    order_id: uuid.UUID | None
    reverses_id: int | None
    lines: list[EntryLineRead]


class JournalEntryList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[JournalEntryRead]


class IntegrityFinding(BaseModel):
    check: str
    detail: str


class IntegrityReport(BaseModel):
    object: Literal["integrity_report"] = "integrity_report"
    ran_at: dt.datetime | None
    checks: list[str]
    finding_count: int
    seconds: float | None = None
    findings: list[IntegrityFinding]


ShopRole = Literal["owner", "manager", "staff"]


class ShopCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class ShopUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class ShopRead(BaseModel):
    object: Literal["shop"] = "shop"
    id: uuid.UUID
    name: str
    role: ShopRole | None = Field(description="Your role in the shop (null when you are not a member).")
    collections: list[uuid.UUID] | None = Field(description="The inventory's collections (members only).")
    created_at: dt.datetime


class ShopList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool = False
    next_page: str | None = None
    data: list[ShopRead]


class MemberSet(RequestBody):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    role: ShopRole = "staff"


class MemberRead(BaseModel):
    object: Literal["shop_member"] = "shop_member"
    user_id: uuid.UUID
    role: ShopRole
    created_at: dt.datetime


class MemberList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool = False
    next_page: str | None = None
    data: list[MemberRead]


class ShopCollectionAdd(RequestBody):
    model_config = ConfigDict(extra="forbid")

    collection_id: uuid.UUID
