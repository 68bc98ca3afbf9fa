"""Value vocabularies of the search language and their parsers (pure).

The parser uses them to validate a term (a bad value becomes a warning), the compiler to turn the same
value into columns and constants, so both always agree on what a value means.
"""

from __future__ import annotations

import calendar
import re
import uuid
from dataclasses import dataclass
from datetime import date

from mtg_tracker.catalog.normalize import COLOR_BITS
from mtg_tracker.catalog.searchdoc import FORMATS, SEARCH_RARITY

WUBRG = "WUBRG"
COLORLESS_BIT = 32  # in ``produced``: {C}

_COLOR_NAMES: dict[str, str] = {
    "white": "W", "blue": "U", "black": "B", "red": "R", "green": "G",
    # guilds
    "azorius": "WU", "dimir": "UB", "rakdos": "BR", "gruul": "RG", "selesnya": "GW",
    "orzhov": "WB", "izzet": "UR", "golgari": "BG", "boros": "RW", "simic": "GU",
    # shards and wedges
    "bant": "GWU", "esper": "WUB", "grixis": "UBR", "jund": "BRG", "naya": "RGW",
    "abzan": "WBG", "jeskai": "URW", "sultai": "BGU", "mardu": "RWB", "temur": "GUR",
    # Strixhaven colleges
    "silverquill": "WB", "prismari": "UR", "witherbloom": "BG", "lorehold": "RW", "quandrix": "GU",
    # four colours (Commander 2016 names, the Nephilim, and "sans" names)
    "chaos": "UBRG", "aggression": "WBRG", "altruism": "WURG", "growth": "WUBG", "artifice": "WUBR",
    "glint": "UBRG", "dune": "WBRG", "ink": "WURG", "witch": "WUBG", "yore": "WUBR",
    "sanswhite": "UBRG", "sansblue": "WBRG", "sansblack": "WURG", "sansred": "WUBG", "sansgreen": "WUBR",
    "rainbow": "WUBRG", "fivecolor": "WUBRG", "wubrg": "WUBRG",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ColorValue:
    """A colour term's value: a set of colours (``mask``), a count, colourless or multicolour."""

    mask: int = 0
    count: int | None = None
    colorless: bool = False
    multicolor: bool = False


def parse_colors(value: str) -> ColorValue | None:
    v = value.strip().lower().replace(" ", "").replace("-", "")
    if not v:
        return None
    if v.isdigit():
        # A count beyond any card's five colours is a typo, and a huge one would overflow the driver.
        return ColorValue(count=int(v)) if len(v) <= 2 else None
    if v in ("c", "colorless", "colourless"):
        return ColorValue(colorless=True)
    if v in ("m", "multicolor", "multicolour", "multicolored", "gold"):
        return ColorValue(multicolor=True)
    letters = _COLOR_NAMES.get(v)
    if letters is None:
        if not all(ch in "wubrg" for ch in v):
            return None
        letters = v.upper()
    mask = 0
    for ch in letters:
        mask |= COLOR_BITS[ch]
    return ColorValue(mask=mask)


def parse_produces(value: str) -> int | None:
    """``produces:wc`` → bit mask over W U B R G and C (32)."""
    v = value.strip().lower()
    if v in ("c", "colorless"):
        return COLORLESS_BIT
    color = parse_colors(v)
    if color is not None and color.mask:
        return color.mask
    if v and all(ch in "wubrgc" for ch in v):
        return sum(COLOR_BITS[ch.upper()] if ch != "c" else COLORLESS_BIT for ch in set(v))
    return None


def popcount(mask: int) -> int:
    return bin(mask).count("1")


# -- numbers ------------------------------------------------------------------------------------------


def parse_number(value: str) -> float | None:
    v = value.strip().replace("½", ".5")
    if not v or len(v) > 20:
        return None
    try:
        number = float(v)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number


# The largest magnitude a numeric term may compare with, per canonical keyword: beyond it a term is
# ignored with a warning like any other unusable value. Each limit is far beyond any real card (Gleemax's
# mana value is 1,000,000) and fits the column it is compared with, because PostgreSQL casts the value to
# the column's type: prices are cents in a 32-bit INTEGER ($21,000,000 is 2.1e9 cents, and the movers'
# min_price stops there too), print and set counts a SMALLINT.
PRICE_LIMIT = 21_000_000
STAT_LIMIT = 1_000_000
COUNT_LIMIT = 32_767
COLLECTOR_NUMBER_LIMIT = 1_000_000
COLLECTOR_NUMBER_LENGTH = 32
NUMBER_LIMITS: dict[str, int] = {
    "usd": PRICE_LIMIT, "eur": PRICE_LIMIT, "tix": PRICE_LIMIT,
    "manavalue": STAT_LIMIT, "power": STAT_LIMIT, "toughness": STAT_LIMIT, "loyalty": STAT_LIMIT,
    "defense": STAT_LIMIT, "powtou": 2 * STAT_LIMIT,
    "artists": COUNT_LIMIT, "prints": COUNT_LIMIT, "sets": COUNT_LIMIT, "paperprints": COUNT_LIMIT,
    "papersets": COUNT_LIMIT, "illustrations": COUNT_LIMIT,
    "number": COLLECTOR_NUMBER_LIMIT,
}  # fmt: skip


def parse_bounded(keyword: str, value: str) -> float | None:
    """``parse_number`` within the keyword's limit (``NUMBER_LIMITS``); None when out of range."""
    number = parse_number(value)
    if number is None or abs(number) > NUMBER_LIMITS[keyword]:
        return None
    return number


# -- mana -------------------------------------------------------------------------------------------

_SYMBOL = re.compile(r"\{([^{}]{1,12})\}")
_BARE = re.compile(r"(\d+|[WUBRGCSXYZwubrgcsxyz])")
_SIMPLE = frozenset("WUBRGCSXYZ")
_HYBRID = re.compile(r"^(?:[WUBRG2C]/[WUBRG](?:/P)?|[WUBRG]/P|[WUBRG]/[WUBRG]/P|H[WUBRG]|P)$")


def parse_mana(value: str) -> list[str] | None:
    """``2WW`` / ``{2}{W}{W}`` / ``{r/p}`` → canonical symbols ``['2', 'W', 'W']``; None if malformed.

    Generic mana stays one number symbol here; ``searchdoc.mana_tokens`` spreads it into units.
    """
    v = value.strip().upper()
    if not v or len(v) > 100:
        return None
    out: list[str] = []
    pos = 0
    while pos < len(v):
        if v[pos] == "{":
            m = _SYMBOL.match(v, pos)
            if m is None:
                return None
            sym = m.group(1)
            if not (sym.isdigit() or sym in _SIMPLE or _HYBRID.match(sym) or sym in ("½", "∞", "HW", "HR")):
                return None
            out.append(sym)
            pos = m.end()
        else:
            m = _BARE.match(v, pos)
            if m is None:
                return None
            out.append(m.group(1))
            pos = m.end()
    return out


def is_hybrid_symbol(sym: str) -> bool:
    parts = [p for p in sym.split("/") if p != "P"]
    return len(parts) >= 2


def is_phyrexian_symbol(sym: str) -> bool:
    return sym.endswith("/P") or sym == "P" or sym.startswith("H")


# -- enumerations ----------------------------------------------------------------------------------

RARITIES = SEARCH_RARITY
_RARITY_LETTERS = {"c": "common", "u": "uncommon", "r": "rare", "s": "special", "m": "mythic", "b": "bonus"}


def parse_rarity(value: str) -> int | None:
    v = value.strip().lower()
    v = _RARITY_LETTERS.get(v, v)
    return RARITIES.get(v)


_FORMAT_ALIASES = {"edh": "commander", "pdh": "paupercommander", "pennydreadful": "penny", "1v1": "duel"}


def parse_format(value: str) -> str | None:
    v = value.strip().lower()
    v = _FORMAT_ALIASES.get(v, v)
    return v if v in FORMATS else None


GAMES = ("paper", "mtgo", "arena", "astral", "sega")
BORDERS = ("black", "white", "silver", "borderless", "gold", "yellow")
FRAMES = ("1993", "1997", "2003", "2015", "future")
FRAME_EFFECTS = (
    "legendary", "miracle", "nyxtouched", "nyxborn", "draft", "devoid", "tombstone", "colorshifted", "inverted",
    "sunmoondfc", "compasslanddfc", "originpwdfc", "mooneldrazidfc", "waxingandwaningmoondfc", "showcase",
    "extendedart", "companion", "etched", "snow", "lesson", "shatteredglass", "convertdfc", "fandfc",
    "upsidedowndfc", "spree", "enchantment", "fullart", "stamped", "textless",
)  # fmt: skip
STAMPS = ("oval", "acorn", "triangle", "arena", "circle", "heart")
NEW_VALUES = ("art", "artist", "flavor", "frame", "language", "rarity")

LANGUAGES: dict[str, str] = {
    "en": "en", "english": "en", "es": "es", "spanish": "es", "fr": "fr", "french": "fr", "de": "de",
    "german": "de", "it": "it", "italian": "it", "pt": "pt", "portuguese": "pt", "ja": "ja", "jp": "ja",
    "japanese": "ja", "ko": "ko", "kr": "ko", "korean": "ko", "ru": "ru", "russian": "ru", "zhs": "zhs", "cs": "zhs",
    "chinese": "zhs", "simplifiedchinese": "zhs", "zht": "zht", "ct": "zht", "traditionalchinese": "zht",
    "he": "he", "hebrew": "he", "la": "la", "latin": "la", "grc": "grc", "ancientgreek": "grc", "ar": "ar",
    "arabic": "ar", "sa": "sa", "sanskrit": "sa", "ph": "ph", "phyrexian": "ph", "qya": "qya", "quenya": "qya",
}  # fmt: skip


def parse_language(value: str) -> str | None:
    return LANGUAGES.get(value.strip().lower().replace(" ", ""))


# -- dates ------------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date term: a range of days [start, end] (``year=1994`` is the whole year) or a set's release."""

    start: date | None = None
    end: date | None = None
    set_code: str | None = None


def parse_date(value: str, *, year_only: bool = False) -> DateValue | None:
    v = value.strip().lower()
    m = _DATE.match(v)
    if m:
        y = int(m.group(1))
        if not 1 <= y <= 9999:
            return None
        try:
            if year_only or m.group(2) is None:
                return DateValue(date(y, 1, 1), date(y, 12, 31))
            mo = int(m.group(2))
            if m.group(3) is None:
                # monthrange, not "the first of next month minus a day": December 9999 has no next month.
                return DateValue(date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]))
            day = date(y, mo, int(m.group(3)))
            return DateValue(day, day)
        except ValueError:
            return None
    if re.fullmatch(r"[a-z0-9]{2,8}", v):
        return DateValue(set_code=v)
    return None


# -- presentation ------------------------------------------------------------------------------------

UNIQUE_MODES = ("cards", "art", "prints")
ORDERS = (
    "name", "set", "released", "rarity", "color", "usd", "tix", "eur", "cmc", "power", "toughness", "edhrec",
    "penny", "artist", "review", "spoiled",
)  # fmt: skip
DIRECTIONS = ("auto", "asc", "desc")
PREFERS = (
    "default", "oldest", "newest", "usd-low", "usd-high", "eur-low", "eur-high", "tix-low", "tix-high", "promo",
    "atypical", "typical",
)  # fmt: skip
DISPLAYS = ("grid", "checklist", "full", "text")


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None
