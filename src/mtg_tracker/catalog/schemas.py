"""Request models and OpenAPI descriptions of Scryfall's objects (responses are the stored objects)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mtg_tracker.kit.schemas import MAX_ROW_ID, RequestBody


class CardPrices(BaseModel):
    usd: str | None = None
    usd_foil: str | None = None
    usd_etched: str | None = None
    eur: str | None = None
    eur_foil: str | None = None
    tix: str | None = None


class CardObject(BaseModel):
    """A Scryfall card object: every field the imported source had (only the common ones are listed)."""

    model_config = ConfigDict(extra="allow")

    object: Literal["card"] = "card"
    id: uuid.UUID
    oracle_id: uuid.UUID | None = None
    name: str
    lang: str
    released_at: str | None = None
    layout: str
    mana_cost: str | None = None
    cmc: float | None = None
    type_line: str | None = None
    oracle_text: str | None = None
    colors: list[str] | None = None
    color_identity: list[str]
    set: str
    set_name: str | None = None
    collector_number: str
    rarity: str
    prices: CardPrices | None = None
    card_faces: list[dict[str, Any]] | None = None


class CardList(BaseModel):
    object: Literal["list"] = "list"
    not_found: list[dict[str, Any]] | None = None
    has_more: bool | None = None
    data: list[CardObject]


class SetObject(BaseModel):
    """A Scryfall set object (sets known only from card data carry just the fields cards told)."""

    model_config = ConfigDict(extra="allow")

    object: Literal["set"] = "set"
    id: uuid.UUID | None = None
    code: str
    name: str
    set_type: str | None = None
    released_at: str | None = None
    card_count: int | None = None
    digital: bool | None = None


class SetList(BaseModel):
    object: Literal["list"] = "list"
    has_more: bool = False
    data: list[SetObject]


class RulingObject(BaseModel):
    """A Scryfall ruling object: WotC's (Gatherer) or Scryfall's own note on a card, by oracle id."""

    object: Literal["ruling"] = "ruling"
    oracle_id: uuid.UUID
    source: Literal["wotc", "scryfall"]
    published_at: str = Field(description="YYYY-MM-DD")
    comment: str


class RulingList(BaseModel):
    """A list of ruling objects, oldest first."""

    object: Literal["list"] = "list"
    has_more: bool = False
    data: list[RulingObject]


class MigrationObject(BaseModel):
    """A Scryfall migration object."""

    model_config = ConfigDict(extra="allow")

    object: Literal["migration"] = "migration"
    id: uuid.UUID
    uri: str | None = None
    performed_at: str
    migration_strategy: Literal["merge", "delete"]
    old_scryfall_id: uuid.UUID
    new_scryfall_id: uuid.UUID | None = None
    note: str | None = None


class MigrationList(BaseModel):
    """A page of migrations (350 a page), newest first."""

    object: Literal["list"] = "list"
    has_more: bool
    next_page: str | None = None
    data: list[MigrationObject]


class CardSymbol(BaseModel):
    """A Scryfall card_symbol object."""

    object: Literal["card_symbol"] = "card_symbol"
    symbol: str
    svg_uri: str | None = None
    loose_variant: str | None = None
    english: str
    transposable: bool
    represents_mana: bool
    appears_in_mana_costs: bool
    mana_value: float | None = None
    cmc: float | None = None
    hybrid: bool
    phyrexian: bool
    funny: bool
    colors: list[str]
    gatherer_alternates: list[str] | None = None


class CardSymbolList(BaseModel):
    """Every card symbol."""

    object: Literal["list"] = "list"
    has_more: bool = False
    data: list[CardSymbol]


class ManaCost(BaseModel):
    """Scryfall's mana_cost object: the cost rewritten with braces, its mana value and colors."""

    object: Literal["mana_cost"] = "mana_cost"
    cost: str
    cmc: float
    colors: list[str]
    colorless: bool
    monocolored: bool
    multicolored: bool


class CatalogObject(BaseModel):
    object: Literal["catalog"] = "catalog"
    total_values: int
    data: list[str]


class Identifier(RequestBody):
    """One of Scryfall's identifier forms for /cards/collection."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    oracle_id: uuid.UUID | None = None
    illustration_id: uuid.UUID | None = None
    multiverse_id: int | None = Field(None, ge=0, le=MAX_ROW_ID)
    mtgo_id: int | None = Field(None, ge=0, le=MAX_ROW_ID)
    name: str | None = Field(None, min_length=1, max_length=200)
    set: str | None = Field(None, min_length=1, max_length=16)
    collector_number: str | None = Field(None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_form(self) -> Identifier:
        given = frozenset(k for k, v in self.__dict__.items() if v is not None)
        allowed = {
            frozenset({"id"}),
            frozenset({"oracle_id"}),
            frozenset({"illustration_id"}),
            frozenset({"multiverse_id"}),
            frozenset({"mtgo_id"}),
            frozenset({"name"}),
            frozenset({"name", "set"}),
            frozenset({"set", "collector_number"}),
        }
        if given not in allowed:
            raise ValueError(
                "an identifier is one of: id, oracle_id, illustration_id, multiverse_id, mtgo_id, name, "
                "name+set, set+collector_number"
            )
        return self


class CollectionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    identifiers: list[Identifier] = Field(min_length=1, max_length=75)
