"""The codec's vocabulary and row shapes, shared by the reader and the writer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FORMATS: tuple[str, ...] = (
    "moxfield",
    "manabox",
    "deckbox",
    "archidekt",
    "tcgplayer",
    "dragonshield",
    "mtggoldfish",
    "delverlens",
    "cardsphere",
    "topdecked",
    "helvault",
    "scryfall_ids",
)
FINISHES = ("nonfoil", "foil", "etched")
CONDITIONS = ("M", "NM", "LP", "MP", "HP", "D")
LANGUAGES = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "ja",
    "ko",
    "ru",
    "zhs",
    "zht",
    "he",
    "la",
    "grc",
    "ar",
    "sa",
    "ph",
    "qya",
)

MAX_QUANTITY = 1_000_000

# What a round trip through each format cannot keep (besides columns the ExportRow has and the format
# lacks, e.g. tags or notes). Tests assert exactly these losses and nothing more.
LOSSES: dict[str, frozenset[str]] = {
    "moxfield": frozenset({"scryfall_id"}),
    "manabox": frozenset(),
    "deckbox": frozenset({"etched"}),  # Deckbox exports etched printings as "foil"
    "archidekt": frozenset(),
    "tcgplayer": frozenset({"scryfall_id", "etched"}),  # Printing is only Normal/Foil
    "dragonshield": frozenset({"scryfall_id"}),
    "mtggoldfish": frozenset({"condition", "language"}),
    "delverlens": frozenset(),
    "cardsphere": frozenset({"etched", "set_code", "collector_number"}),  # identifies by Scryfall ID + set name
    "topdecked": frozenset(),
    "helvault": frozenset({"condition"}),
    "scryfall_ids": frozenset({"name", "set_code", "collector_number"}),
}


class FormatError(Exception):
    """The file as a whole is unusable, so nothing of it may be imported (the caller answers 400)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message = message
        self.line = line


class InputTooLarge(FormatError):
    """The upload decompresses to more bytes than an import accepts (a gzip bomb, or just too big): 413."""


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    raw: dict[str, str]
    quantity: int
    name: str | None
    set_code: str | None
    set_name: str | None
    collector_number: str | None
    scryfall_id: str | None
    tcgplayer_id: int | None
    cardmarket_id: int | None
    mtgo_id: int | None
    multiverse_id: int | None
    finish: str
    condition: str
    language: str
    purchase_price: Decimal | None
    currency: str | None
    acquired: date | None
    tags: tuple[str, ...]
    notes: str | None
    binder: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    quantity: int
    name: str
    set_code: str
    set_name: str | None
    collector_number: str
    scryfall_id: str
    finish: str
    condition: str
    language: str
    purchase_price: Decimal | None = None
    currency: str | None = None
    acquired: date | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    rarity: str | None = None
    tcgplayer_id: int | None = None
    multiverse_id: int | None = None
    mtgo_id: int | None = None
    cardmarket_id: int | None = None


# --------------------------------------------------------------------------- vocabularies

_NON_ALNUM = re.compile(r"[\W_]+")


def _key(value: str) -> str:
    return _NON_ALNUM.sub("", value.casefold())


def _table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): code for code, aliases in groups.items() for alias in (code, *aliases)}


_FINISH = _table(
    {
        "nonfoil": ("normal", "regular", "non-foil", "non foil", "nf", "n", "no", "false", "0", "none", "plain"),
        "foil": ("f", "yes", "y", "true", "1", "foiled", "premium", "traditional foil"),
        "etched": ("etchedFoil", "etched foil", "foil_etched", "foil etched", "f-etch"),
    }
)


def normalize_finish(value: str | None) -> str | None:
    """Fold every app's finish spelling into nonfoil|foil|etched; None means blank or unknown.

    Dragon Shield keeps inventing foil treatments ("Surge Foil", "Double Rainbow Foil"), so anything
    naming foil is foil rather than an allowlist that goes stale.
    """
    if value is None:
        return None
    key = _key(value)
    if not key:
        return None
    found = _FINISH.get(key)
    if found is not None:
        return found
    if "etched" in key:
        return "etched"
    if "foil" in key and not key.startswith("non"):
        return "foil"
    return None


_CONDITION = _table(
    {
        "M": ("mint", "mt", "m"),
        "NM": ("near mint", "nearmint", "near_mint", "nm/m", "nm-m"),
        "LP": (
            "lightly played",
            "light played",
            "lightplayed",
            "slightly played",
            "sp",
            "good (lightly played)",
            "excellent",
            "ex",
            "exc",
            "very fine",
        ),
        "MP": ("moderately played", "played", "good", "gd", "mp"),
        "HP": ("heavily played", "hp", "heavy played", "pl"),
        "D": ("damaged", "dmg", "poor", "po", "d"),
    }
)
# Cardmarket-style apps (ManaBox, Dragon Shield) use the same words one step lower on the ladder.
_CARDMARKET_SCALE = {"lightplayed": "MP", "lightlyplayed": "MP", "played": "HP"}
_CONDITION_SUFFIX = re.compile(r"(?:\s+foil)?(?:\s+-\s+.*)?$", re.IGNORECASE)


def normalize_condition(value: str | None, *, cardmarket_scale: bool = False) -> str | None:
    """Fold condition spellings onto M NM LP MP HP D; None means blank or unknown.

    TCGplayer seller exports glue finish and language on ("Near Mint Foil - Japanese"); those tails
    are not part of the grade.
    """
    if value is None:
        return None
    key = _key(_CONDITION_SUFFIX.sub("", value.strip()))
    if not key:
        return None
    if cardmarket_scale and key in _CARDMARKET_SCALE:
        return _CARDMARKET_SCALE[key]
    return _CONDITION.get(key)


_LANGUAGE = _table(
    {
        "en": ("eng", "english"),
        "es": ("sp", "spa", "spanish", "español", "espanol"),
        "fr": ("fra", "fre", "french", "français", "francais"),
        "de": ("ger", "deu", "german", "deutsch"),
        "it": ("ita", "italian", "italiano"),
        "pt": ("por", "pt-BR", "pt_BR", "portuguese", "portuguese (brazil)", "brazilian portuguese", "português"),
        "ja": ("jp", "jpn", "japanese"),
        "ko": ("kr", "kor", "korean"),
        "ru": ("rus", "russian"),
        "zhs": (
            "zh",
            "zh-CN",
            "zh_CN",
            "zh-Hans",
            "cs",
            "cn",
            "chs",
            "chinese",
            "simplified chinese",
            "chinese simplified",
            "chinese (s)",
        ),
        "zht": (
            "zh-TW",
            "zh_TW",
            "zh-Hant",
            "zh-HK",
            "ct",
            "tw",
            "cht",
            "traditional chinese",
            "chinese traditional",
            "chinese (t)",
        ),
        "he": ("heb", "hebrew"),
        "la": ("lat", "latin"),
        "grc": ("ancient greek", "greek"),
        "ar": ("ara", "arabic"),
        "sa": ("san", "sanskrit"),
        "ph": ("phyrexian",),
        "qya": ("quenya",),
    }
)


def normalize_language(value: str | None) -> str | None:
    """Fold language names, ISO/BCP-47 tags and app codes (JP KR CS CT zh_TW…) onto Scryfall codes.

    "CS" is Archidekt's Simplified Chinese, not Czech: no Magic card was printed in Czech.
    """
    if value is None:
        return None
    key = _key(value)
    return _LANGUAGE.get(key) if key else None


def front_face(name: str) -> str:
    """The name apps use for the whole card when they only know one face ("A // B" → "A")."""
    return name.split("//", 1)[0].strip()
