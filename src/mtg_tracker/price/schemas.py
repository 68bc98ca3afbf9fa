"""Request and response shapes of price alerts (history and movers are assembled as JSON bytes)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mtg_tracker.kit.schemas import RequestBody

PriceType = Literal["usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"]


class AlertCreate(RequestBody):
    """A price alert: tell this webhook when the printing's price crosses the threshold."""

    model_config = ConfigDict(extra="forbid")

    card_id: uuid.UUID = Field(description="The printing's Scryfall id.")
    price_type: PriceType = Field(description="Which of the card's prices to watch.")
    direction: Literal["above", "below"] = Field(
        description="`above`: fire when the price reaches or exceeds the threshold; `below`: reaches or falls under."
    )
    threshold: Decimal = Field(
        ge=0, le=Decimal("21000000"), max_digits=10, decimal_places=2, description="In the type's currency."
    )
    webhook_url: str = Field(
        min_length=8,
        max_length=2000,
        description="http(s) URL that receives a signed POST; private, loopback and link-local addresses are "
        "refused unless the operator allow-listed them.",
    )


class AlertRead(BaseModel):
    """A price alert and its crossing state (the secret is only shown once, at creation)."""

    object: Literal["price_alert"] = "price_alert"
    id: uuid.UUID
    owner_id: uuid.UUID | None = Field(
        description="The user the alert belongs to; null only for alerts made with the operator token before "
        "accounts existed (visible to admins)."
    )
    card_id: uuid.UUID
    price_type: PriceType
    direction: Literal["above", "below"]
    threshold: str = Field(examples=["10.00"])
    webhook_url: str
    armed: bool = Field(description="True while waiting for a crossing; false after firing, until it crosses back.")
    last_price: str | None = Field(description="The price seen at the last evaluation.")
    last_date: dt.date | None
    fired_count: int
    created_at: dt.datetime
    last_fired_at: dt.datetime | None


class AlertCreated(AlertRead):
    """The new alert with its signing secret: store it now, it is never shown again."""

    secret: str = Field(description="HMAC-SHA256 key of the `X-MTG-Signature` header of every delivery.")


class AlertList(BaseModel):
    """Every alert."""

    object: Literal["list"] = "list"
    has_more: bool = False
    total: int
    data: list[AlertRead]


class AlertEventRead(BaseModel):
    """One webhook delivery attempt."""

    object: Literal["price_alert_event"] = "price_alert_event"
    id: int
    alert_id: uuid.UUID
    delivery_id: uuid.UUID = Field(description="Shared by every attempt of one firing; sent as `X-MTG-Delivery`.")
    attempt: int
    outcome: Literal["delivered", "retrying", "failed", "refused"]
    status_code: int | None
    error: str | None
    date: dt.date = Field(description="The price day that fired the alert.")
    price: str
    duration_ms: int
    created_at: dt.datetime


class AlertEventList(BaseModel):
    """Delivery attempts, newest first."""

    object: Literal["list"] = "list"
    has_more: bool
    next_page: str | None
    data: list[AlertEventRead]
