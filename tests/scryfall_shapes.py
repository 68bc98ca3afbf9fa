"""Scryfall's card and set objects as strict clients model them, written from Scryfall's documentation
(https://scryfall.com/docs/api/cards, https://scryfall.com/docs/api/sets): every field the documentation
lists without "Nullable" is required here; nullable ones may be absent or null. Decoding with msgspec
fails on a missing required field or a wrong type, like aioscryfall's and scryfall-py's models do.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

import msgspec


class Prices(msgspec.Struct):
    # Every key is always present, each a decimal string or null.
    usd: str | None
    usd_foil: str | None
    usd_etched: str | None
    eur: str | None
    eur_foil: str | None
    tix: str | None


class RelatedCard(msgspec.Struct):
    object: Literal["related_card"]
    id: uuid.UUID
    component: str
    name: str
    type_line: str
    uri: str


class CardFace(msgspec.Struct):
    object: Literal["card_face"]
    name: str
    mana_cost: str
    type_line: str | None = None
    oracle_text: str | None = None
    image_uris: dict[str, str] | None = None


class Card(msgspec.Struct):
    # core fields
    object: Literal["card"]
    id: uuid.UUID
    lang: str
    layout: str
    prints_search_uri: str
    rulings_uri: str
    scryfall_uri: str
    uri: str
    # gameplay fields
    color_identity: list[str]
    keywords: list[str]
    legalities: dict[str, str]
    name: str
    reserved: bool
    foil: bool
    nonfoil: bool
    oversized: bool
    # print fields
    booster: bool
    border_color: str
    collector_number: str
    digital: bool
    finishes: list[Literal["nonfoil", "foil", "etched", "glossy"]]
    frame: str
    full_art: bool
    games: list[str]
    highres_image: bool
    image_status: Literal["missing", "placeholder", "lowres", "highres_scan"]
    prices: Prices
    promo: bool
    rarity: str
    related_uris: dict[str, str]
    released_at: date
    reprint: bool
    scryfall_set_uri: str
    set_name: str
    set_search_uri: str
    set_type: str
    set_uri: str
    set: str
    set_id: uuid.UUID
    story_spotlight: bool
    textless: bool
    variation: bool
    # nullable / optional fields that carry links or types a client relies on
    oracle_id: uuid.UUID | None = None
    cmc: float | None = None
    type_line: str | None = None
    card_back_id: uuid.UUID | None = None
    all_parts: list[RelatedCard] | None = None
    card_faces: list[CardFace] | None = None
    produced_mana: list[str] | None = None
    frame_effects: list[str] | None = None
    multiverse_ids: list[int] | None = None


class CardList(msgspec.Struct):
    object: Literal["list"]
    data: list[Card]
    has_more: bool
    next_page: str | None = None
    total_cards: int | None = None
    warnings: list[str] | None = None


class Set(msgspec.Struct):
    object: Literal["set"]
    id: uuid.UUID
    code: str
    name: str
    set_type: str
    card_count: int
    digital: bool
    foil_only: bool
    nonfoil_only: bool
    scryfall_uri: str
    uri: str
    icon_svg_uri: str
    search_uri: str
    mtgo_code: str | None = None
    arena_code: str | None = None
    tcgplayer_id: int | None = None
    released_at: date | None = None
    block_code: str | None = None
    block: str | None = None
    parent_set_code: str | None = None
    printed_size: int | None = None


class SetList(msgspec.Struct):
    object: Literal["list"]
    data: list[Set]
    has_more: bool
