"""The keyword table: aliases, allowed operators, value checks, and presentation directives (pure).

``resolve`` turns one parsed term into its canonical form, or into a warning when the term has to be
ignored (Scryfall's behaviour: the rest of the query still runs).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from typing import Literal

from mtg_tracker.catalog.cardflags import LAND_FLAGS, PRINTING_FLAGS
from mtg_tracker.search import values
from mtg_tracker.search.ast import Directives, Node, Not, Nothing, Term

Kind = Literal[
    "text", "color", "mana", "number", "devotion", "produces", "rarity", "set", "block", "settype", "in",
    "format", "is", "not", "has", "border", "frame", "stamp", "game", "date", "lang", "new", "keyword",
    "cheapest", "cn", "directive", "tagger", "uuid",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Keyword:
    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    regex: bool = False


_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("name", "text", ("name", "n"), regex=True),
    Keyword("color", "color", ("c", "color", "colour")),
    Keyword("identity", "color", ("id", "identity", "ci", "cid", "commander")),
    Keyword("has", "has", ("has",)),
    Keyword("type", "text", ("t", "type"), regex=True),
    Keyword("oracle", "text", ("o", "oracle"), regex=True),
    Keyword("fulloracle", "text", ("fo", "fulloracle"), regex=True),
    Keyword("keyword", "keyword", ("kw", "keyword")),
    Keyword("mana", "mana", ("m", "mana")),
    Keyword("manavalue", "number", ("mv", "cmc", "manavalue")),
    Keyword("devotion", "devotion", ("devotion",)),
    Keyword("produces", "produces", ("produces",)),
    Keyword("power", "number", ("pow", "power")),
    Keyword("toughness", "number", ("tou", "toughness")),
    Keyword("loyalty", "number", ("loy", "loyalty")),
    Keyword("defense", "number", ("def", "defense")),
    Keyword("powtou", "number", ("pt", "powtou")),
    Keyword("rarity", "rarity", ("r", "rarity")),
    Keyword("set", "set", ("s", "e", "set", "edition")),
    Keyword("number", "cn", ("cn", "number")),
    Keyword("block", "block", ("b", "block")),
    Keyword("settype", "settype", ("st", "settype")),
    Keyword("in", "in", ("in",)),
    Keyword("format", "format", ("f", "format", "legal")),
    Keyword("banned", "format", ("banned",)),
    Keyword("restricted", "format", ("restricted",)),
    Keyword("is", "is", ("is",)),
    Keyword("not", "not", ("not",)),
    Keyword("usd", "number", ("usd",)),
    Keyword("eur", "number", ("eur",)),
    Keyword("tix", "number", ("tix",)),
    Keyword("cheapest", "cheapest", ("cheapest",)),
    Keyword("artist", "text", ("a", "artist"), regex=True),
    Keyword("artists", "number", ("artists",)),
    Keyword("flavor", "text", ("ft", "flavor"), regex=True),
    Keyword("watermark", "text", ("wm", "watermark")),
    Keyword("border", "border", ("border",)),
    Keyword("frame", "frame", ("frame",)),
    Keyword("stamp", "stamp", ("stamp",)),
    Keyword("game", "game", ("game",)),
    Keyword("year", "date", ("year",)),
    Keyword("date", "date", ("date",)),
    Keyword("lang", "lang", ("lang", "language")),
    Keyword("prints", "number", ("prints",)),
    Keyword("sets", "number", ("sets",)),
    Keyword("paperprints", "number", ("paperprints",)),
    Keyword("papersets", "number", ("papersets",)),
    Keyword("illustrations", "number", ("illustrations",)),
    Keyword("new", "new", ("new",)),
    # Scryfall's own URIs use these: prints_search_uri is "oracleid:<uuid> unique:prints".
    Keyword("oracleid", "uuid", ("oracleid", "oracle_id")),
    Keyword("illustrationid", "uuid", ("illustrationid", "illustration_id")),
    Keyword("include", "directive", ("include",)),
    Keyword("unique", "directive", ("unique",)),
    Keyword("order", "directive", ("order",)),
    Keyword("direction", "directive", ("direction", "dir")),
    Keyword("prefer", "directive", ("prefer",)),
    Keyword("display", "directive", ("display",)),
    Keyword("oracletag", "tagger", ("otag", "oracletag", "function", "oraclefunction")),
    Keyword("arttag", "tagger", ("art", "atag", "arttag")),
    Keyword("cube", "tagger", ("cube",)),
)

BY_ALIAS: dict[str, Keyword] = {alias: kw for kw in _KEYWORDS for alias in kw.aliases}

# Fields a numeric term may compare against (``pow>tou``): keyword → canonical numeric keyword.
FIELD_VALUES = {
    "pow": "power", "power": "power", "tou": "toughness", "toughness": "toughness", "loy": "loyalty",
    "loyalty": "loyalty", "def": "defense", "defense": "defense", "mv": "manavalue", "cmc": "manavalue",
    "manavalue": "manavalue", "pt": "powtou", "powtou": "powtou",
}  # fmt: skip
_STAT_KEYWORDS = frozenset({"power", "toughness", "loyalty", "defense", "manavalue", "powtou"})

IS_VALUES = frozenset(PRINTING_FLAGS) | frozenset(LAND_FLAGS) | {"unique", "permanent", "manland", "snarl"}
HAS_VALUES = frozenset({"indicator", "watermark", "flavor", "artist", "security_stamp", "stamp"})
SET_TYPES = frozenset(
    {
        "core", "expansion", "masters", "alchemy", "masterpiece", "arsenal", "from_the_vault", "spellbook",
        "premium_deck", "duel_deck", "draft_innovation", "treasure_chest", "commander", "planechase", "archenemy",
        "vanguard", "funny", "starter", "box", "promo", "token", "memorabilia", "minigame", "eternal",
    }
)  # fmt: skip

_EQUALITY_OPS = (":", "=", "!=")
_EQUALITY_ONLY = frozenset(
    {
        "set",
        "block",
        "settype",
        "in",
        "is",
        "not",
        "has",
        "border",
        "frame",
        "stamp",
        "game",
        "lang",
        "keyword",
        "new",
        "uuid",
    }
)


def accepts_regex(raw_keyword: str) -> bool:
    kw = BY_ALIAS.get(raw_keyword.lower())
    return kw is not None and kw.regex


def is_directive(raw_keyword: str) -> bool:
    kw = BY_ALIAS.get(raw_keyword.lower())
    return kw is not None and kw.kind == "directive"


MAX_REGEX_LENGTH = 200
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\(\?<?[=!]")
# Group syntax beyond (?:…) is spelled differently by the two engines (named groups, inline flags).
_UNPORTABLE = re.compile(r"\(\?(?!:)")


def check_regex(pattern: str) -> str | None:
    """A warning when the regular expression cannot be used (syntax, back-references, lookaround, size).

    Back-references and lookaround are refused because they are what makes matching exponential, and
    the engines behind both databases (RE2 for SQLite, PostgreSQL's own) do not share them.
    """
    if not pattern:
        return "An empty regular expression was ignored"
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"Regular expressions are limited to {MAX_REGEX_LENGTH} characters; /{pattern[:20]}…/ was ignored"
    if _BACKREF.search(pattern):
        return f"Back-references and lookaround are not supported in regular expressions; /{pattern}/ was ignored"
    if _UNPORTABLE.search(pattern):
        return f"Only (…) and (?:…) groups are supported in regular expressions; /{pattern}/ was ignored"
    try:
        with warnings.catch_warnings():
            # "Possible nested set" and friends are about Python's own future syntax, not this check's.
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"Invalid regular expression /{pattern}/ ({exc}) was ignored"
    return None


def _ignored(message: str, source: str) -> str:
    return f'{message}; the term "{source}" was ignored'


def resolve(term: Term, source: str, directives: Directives) -> Node | str:
    """Canonical term, a rewritten node (``not:X``), ``Nothing`` for a directive, or a warning."""
    kw = BY_ALIAS.get(term.keyword)
    if kw is None:
        return _ignored(f'Unknown keyword "{term.raw_keyword}"', source)
    term = replace(term, keyword=kw.name)
    if term.regex:
        problem = check_regex(term.value)
        return problem if problem else term
    value = term.value.strip()
    if kw.kind == "tagger":
        return _ignored(f'"{term.raw_keyword}:" needs Scryfall Tagger data, which bulk data does not carry', source)
    if kw.kind == "directive":
        problem = _apply_directive(kw.name, term.op, value.lower(), directives)
        return _ignored(problem, source) if problem else Nothing(term.span)
    if not value and kw.kind != "text":
        return _ignored(f'"{term.raw_keyword}" needs a value', source)
    problem = _check(kw, term, value)
    if problem is not None:
        return _ignored(problem, source)
    if kw.kind == "not":
        return Not(replace(term, keyword="is", op=":"), term.span)
    if kw.kind == "lang" and value.lower() == "any":
        directives.include_multilingual = True
        return Nothing(term.span)
    return term


def _check(kw: Keyword, term: Term, value: str) -> str | None:
    op = term.op
    v = value.lower()
    kind = kw.kind
    if kind == "text":
        if op not in _EQUALITY_OPS:
            return f'"{term.raw_keyword}" only understands ":", "=" and "!="'
        if not value:
            return f'"{term.raw_keyword}" needs a value'
        return None
    if kind == "color":
        return None if values.parse_colors(value) is not None else f'Unknown color "{value}"'
    if kind in ("mana", "devotion"):
        symbols = values.parse_mana(value)
        if symbols is None:
            return f'"{value}" is not a mana cost'
        if kind == "devotion" and not any(ch in s for s in symbols for ch in values.WUBRG):
            return f'Devotion needs coloured mana symbols, not "{value}"'
        return None
    if kind == "number":
        if v in FIELD_VALUES and kw.name in _STAT_KEYWORDS:
            return None
        if kw.name == "manavalue" and v in ("even", "odd"):
            return None if op in _EQUALITY_OPS else '"even" and "odd" only work with ":", "=" and "!="'
        if values.parse_number(value) is None:
            if kw.name == "manavalue":
                return "The value must be a number, or even/odd"
            if kw.name in _STAT_KEYWORDS:
                return f'The value must be a number, or one of pow, tou, loy, def, mv ("{value}" given)'
            return f'The value must be a number ("{value}" given)'
        return _out_of_range(kw, term, value)
    if kind == "cn":
        if len(value) > values.COLLECTOR_NUMBER_LENGTH:
            return f"Collector numbers are at most {values.COLLECTOR_NUMBER_LENGTH} characters long"
        # Orderings compare the number part when there is one; equality compares the text.
        if op not in _EQUALITY_OPS and values.parse_number(value) is not None:
            return _out_of_range(kw, term, value)
        return None
    if kind == "produces":
        return None if values.parse_produces(value) is not None else f'Unknown color "{value}"'
    if kind == "rarity":
        return None if values.parse_rarity(value) is not None else f'Unknown rarity "{value}"'
    if kind in _EQUALITY_ONLY and op not in _EQUALITY_OPS:
        return f'"{term.raw_keyword}" only understands ":", "=" and "!="'
    if kind == "settype" and v not in SET_TYPES:
        return f'Unknown set type "{value}"'
    if kind in ("is", "not") and v not in IS_VALUES:
        return f'Unknown property "{value}" for {term.raw_keyword}:'
    if kind == "has" and v not in HAS_VALUES:
        return f'Unknown property "{value}" for has:'
    if kind == "format" and values.parse_format(value) is None:
        return f'Unknown format "{value}"'
    if kind == "border" and v not in values.BORDERS:
        return f'Unknown border "{value}"'
    if kind == "frame" and v not in values.FRAMES and v not in values.FRAME_EFFECTS:
        return f'Unknown frame "{value}"'
    if kind == "stamp" and v not in values.STAMPS:
        return f'Unknown security stamp "{value}"'
    if kind == "game" and v not in values.GAMES:
        return f'Unknown game "{value}"'
    if kind == "lang" and v != "any" and values.parse_language(value) is None:
        return f'Unknown language "{value}"'
    if kind == "date" and values.parse_date(value, year_only=kw.name == "year") is None:
        return f'"{value}" is not a year, a date (yyyy-mm-dd) or a set code'
    if kind == "new" and v not in values.NEW_VALUES:
        return f'Unknown value "{value}" for new: (one of {", ".join(values.NEW_VALUES)})'
    if kind == "uuid" and values.parse_uuid(value) is None:
        return f'"{value}" is not an id (a UUID) for {term.raw_keyword}:'
    if kind == "cheapest" and v not in ("usd", "eur", "tix"):
        return f'Unknown currency "{value}" for cheapest: (usd, eur or tix)'
    return None


def _out_of_range(kw: Keyword, term: Term, value: str) -> str | None:
    if values.parse_bounded(kw.name, value) is not None:
        return None
    limit = values.NUMBER_LIMITS[kw.name]
    return f'"{value}" is out of range for "{term.raw_keyword}" (from -{limit:,} to {limit:,})'


def _apply_directive(name: str, op: str, value: str, d: Directives) -> str | None:
    if op not in (":", "="):
        return f'"{name}" only understands ":"'
    if name == "include":
        if value == "extras":
            d.include_extras = True
        elif value in ("multilingual", "languages"):
            d.include_multilingual = True
        elif value == "variations":
            d.include_variations = True
        else:
            return f'Unknown value "{value}" for include: (extras, multilingual or variations)'
        return None
    choices = {
        "unique": values.UNIQUE_MODES,
        "order": values.ORDERS,
        "direction": values.DIRECTIONS,
        "prefer": values.PREFERS,
        "display": values.DISPLAYS,
    }[name]
    if value not in choices:
        return f'Unknown value "{value}" for {name}: (one of {", ".join(choices)})'
    setattr(d, name, value)
    return None
