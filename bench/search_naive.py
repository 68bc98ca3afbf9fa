"""The naive baseline of the search benchmark: every card in memory, a recursive Python predicate per card.

The card file is ``json.load``-ed once into a list of raw Scryfall dicts. Each query is parsed with our
parser and its tree evaluated card by card, reading the raw dict as a straightforward implementation
would: no index, no column precomputed at load time; pure helpers of the project (``card_flags``,
``strip_reminder``, ``cost_symbols``, ``search.values``…) are called per card and per query. Terms that
compare a card with its other printings (``prints``, ``in:``, ``new:``, ``cheapest:``) group the catalog
by oracle id once per query, which is what anyone would write instead of a quadratic scan.

It is also a cross-check: the same query must give the engine's total. The meaning of each keyword is
taken from ``search/compiler.py`` (the executable spec), re-expressed over the raw objects.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mtg_tracker.catalog.cardflags import card_flags, land_flags
from mtg_tracker.catalog.normalize import COLOR_BITS, EXTRA_LAYOUTS, GAME_BITS, normalize_name
from mtg_tracker.catalog.searchdoc import (
    FORMATS,
    cost_symbols,
    devotion,
    mana_tokens,
    strip_reminder,
    with_tilde,
)
from mtg_tracker.search import values
from mtg_tracker.search.ast import And, Name, Node, Not, Nothing, Or, Query, Term
from mtg_tracker.search.compiler import PAGE_SIZE, asks_for_digital, asks_for_extras
from mtg_tracker.search.keywords import FIELD_VALUES
from mtg_tracker.search.parser import parse

Card = dict[str, Any]

_ALL_COLORS = 31
_STATS = ("power", "toughness", "loyalty", "defense", "manavalue", "powtou")
# keywords whose meaning is equality only; "!=" is "not that" (as in the compiler)
_NEGATE_FOR_NE = frozenset(
    {
        "name", "type", "oracle", "fulloracle", "flavor", "artist", "watermark", "keyword", "set", "block",
        "settype", "in", "format", "banned", "restricted", "is", "has", "border", "frame", "stamp", "game", "lang",
        "new", "cheapest",
    }
)  # fmt: skip


# -- reading one raw card ---------------------------------------------------------------------------------


def _faces(o: Card) -> list[Card]:
    faces = o.get("card_faces")
    return [f for f in faces if isinstance(f, dict)] if isinstance(faces, list) else []


def _joined(o: Card, key: str, sep: str) -> str | None:
    if isinstance(o.get(key), str):
        return str(o[key])
    parts = [f[key] for f in _faces(o) if isinstance(f.get(key), str)]
    return sep.join(parts) if parts else None


def _first(o: Card, key: str) -> Any:
    if o.get(key) is not None:
        return o[key]
    for f in _faces(o):
        if f.get(key) is not None:
            return f[key]
    return None


def _mask(colors: Any) -> int:
    return sum(COLOR_BITS.get(c, 0) for c in set(colors or ()) if isinstance(c, str))


def _colors(o: Card) -> int:
    if o.get("colors") is not None:
        return _mask(o["colors"])
    out = 0
    for f in _faces(o):
        out |= _mask(f.get("colors"))
    return out


def _oracle_key(o: Card) -> str:
    faces = _faces(o)
    return str(o.get("oracle_id") or (faces[0].get("oracle_id") if faces else None) or o["id"])


def _art_key(o: Card) -> str:
    faces = _faces(o)
    return str(o.get("illustration_id") or (faces[0].get("illustration_id") if faces else None) or o["id"])


def _set(o: Card) -> str:
    return str(o["set"]).lower()


def _lang(o: Card) -> str:
    return str(o.get("lang") or "en")


def _rarity(o: Card) -> int:
    """The rank the language orders rarities by (``values.RARITIES``: … rare < mythic < special < bonus)."""
    return values.RARITIES.get(o.get("rarity") or "common", 0)


def _released(o: Card) -> date | None:
    r = o.get("released_at")
    return date.fromisoformat(r[:10]) if isinstance(r, str) else None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).replace("½", ".5").strip())
    except ValueError:
        return None


def _stat(o: Card, name: str) -> float | None:
    if name == "powtou":
        p, t = _stat(o, "power"), _stat(o, "toughness")
        return None if p is None or t is None else p + t
    if name == "manavalue":
        cmc = o.get("cmc")
        return float(cmc) if cmc is not None else None
    return _number(_first(o, name))


def _cents(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def _price(o: Card, currency: str) -> int | None:
    raw = o.get("prices")
    prices: dict[str, Any] = raw if isinstance(raw, dict) else {k: o.get(k) for k in ("usd", "eur", "tix")}
    keys = {"usd": ("usd", "usd_foil", "usd_etched"), "eur": ("eur", "eur_foil"), "tix": ("tix",)}[currency]
    return next((c for k in keys if (c := _cents(prices.get(k))) is not None), None)


def _artist(o: Card) -> str | None:
    faces = _faces(o)
    a = o.get("artist") or (faces[0].get("artist") if faces else None)
    return a.lower() if a else None


def _artist_count(o: Card) -> int:
    ids = o.get("artist_ids")
    if isinstance(ids, list) and ids:
        return len(ids)
    faces = _faces(o)
    a = o.get("artist") or (faces[0].get("artist") if faces else None)
    return len([x for x in re.split(r"\s+(?:&|and)\s+", a) if x.strip()]) if a else 0


def _watermark(o: Card) -> str | None:
    faces = _faces(o)
    w = o.get("watermark") or (faces[0].get("watermark") if faces else None)
    return w.lower() if w else None


def _frame_effects(o: Card) -> list[str]:
    fx = o.get("frame_effects")
    if fx is None and isinstance(o.get("frame_effect"), str):
        fx = [o["frame_effect"]]
    return [str(f) for f in fx or ()]


def _symbols(o: Card) -> list[str]:
    return cost_symbols(_joined(o, "mana_cost", " // "))


def _full_oracle(o: Card) -> str:
    return (_joined(o, "oracle_text", "\n\n") or "").lower()


def _names(o: Card) -> list[str]:
    return [o["name"], *(f["name"] for f in _faces(o) if isinstance(f.get("name"), str))]


def _text(o: Card, column: str) -> str | None:
    """The text the engine indexes in ``column`` (lowercase)."""
    if column == "name":
        return normalize_name(o["name"])
    if column == "name_lc":
        return str(o["name"]).lower()
    if column == "type":
        return (_joined(o, "type_line", " // ") or "").lower()
    if column == "oracle":
        return strip_reminder(_full_oracle(o))
    if column == "full":
        return _full_oracle(o)
    if column == "tilde":
        return with_tilde(strip_reminder(_full_oracle(o)), _names(o))
    if column == "flavor":
        return (_joined(o, "flavor_text", "\n\n") or "").lower() or None
    raise ValueError(column)


def _is_extra(o: Card) -> bool:
    return (o.get("layout") or "normal") in EXTRA_LAYOUTS or o.get("set_type") in ("token", "memorabilia")


def _prefer_class(o: Card) -> int:
    effects = set(_frame_effects(o))
    atypical = (
        o.get("variation")
        or o.get("full_art")
        or o.get("border_color") == "borderless"
        or bool(effects & {"showcase", "extendedart", "inverted", "etched", "shatteredglass", "fullart"})
    )
    return (
        (16 if _is_extra(o) else 0)
        + (8 if o.get("digital") else 0)
        + (4 if _lang(o) != "en" else 0)
        + (2 if o.get("promo") or o.get("oversized") else 0)
        + (1 if atypical else 0)
    )


def _compare(left: Any, op: str, right: Any) -> bool:
    if op in (":", "="):
        return bool(left == right)
    return bool(
        {
            "!=": lambda: left != right,
            "<": lambda: left < right,
            "<=": lambda: left <= right,
            ">": lambda: left > right,
            ">=": lambda: left >= right,
        }[op]()
    )


# -- the evaluator ----------------------------------------------------------------------------------------


class _Eval:
    """One query over the catalog: ``match(node, card)`` is True, False, or None (constrains nothing)."""

    def __init__(self, catalog: NaiveCatalog) -> None:
        self.catalog = catalog
        self.groups: dict[int, Any] = {}  # per-card answers of one term (id(term) → set), built on first use

    def match(self, node: Node, o: Card) -> bool | None:
        if isinstance(node, Nothing):
            return None
        if isinstance(node, Not):
            inner = self.match(node.child, o)
            return None if inner is None else not inner
        if isinstance(node, And | Or):
            results = [r for r in (self.match(c, o) for c in node.children) if r is not None]
            if not results:
                return None
            return all(results) if isinstance(node, And) else any(results)
        if isinstance(node, Name):
            return self.name(node, o)
        return self.term(node, o)

    # text
    def _contains(self, o: Card, column: str, value: str) -> bool:
        text = _text(o, column)
        return text is not None and value in text

    def _regex(self, o: Card, column: str, pattern: str) -> bool:
        text = _text(o, column)
        return text is not None and re.search("(?m)" + pattern, text, re.IGNORECASE) is not None

    def name(self, node: Name, o: Card) -> bool:
        if node.exact:
            wanted = normalize_name(node.value)
            return any(normalize_name(n) == wanted for n in _names(o))
        if node.regex:
            return self._regex(o, "name_lc", node.value)
        value = normalize_name(node.value)
        if not value:
            return self._contains(o, "name_lc", node.value.lower())
        return self._contains(o, "name", value)

    def term(self, t: Term, o: Card) -> bool:
        handler: Callable[[Term, Card], bool] = getattr(self, f"k_{t.keyword}")
        result = handler(t, o)
        if t.op == "!=" and t.keyword in _NEGATE_FOR_NE:
            return not result
        return result

    def _textterm(self, t: Term, o: Card, column: str) -> bool:
        if t.regex:
            return self._regex(o, column, t.value)
        return self._contains(o, column, t.value.lower())

    def k_name(self, t: Term, o: Card) -> bool:
        if t.regex:
            return self._regex(o, "name_lc", t.value)
        return self.name(Name(t.value, t.span, quoted=t.quoted), o)

    def k_type(self, t: Term, o: Card) -> bool:
        return self._textterm(t, o, "type")

    def k_oracle(self, t: Term, o: Card) -> bool:
        if not t.regex and "~" in t.value:
            return self._contains(o, "tilde", t.value.lower())
        return self._textterm(t, o, "oracle")

    def k_fulloracle(self, t: Term, o: Card) -> bool:
        if not t.regex and "~" in t.value:
            return self._contains(o, "tilde", t.value.lower())
        return self._textterm(t, o, "full")

    def k_flavor(self, t: Term, o: Card) -> bool:
        return self._textterm(t, o, "flavor")

    def k_artist(self, t: Term, o: Card) -> bool:
        artist = _artist(o)
        return artist is not None and t.value.lower() in artist

    def k_watermark(self, t: Term, o: Card) -> bool:
        return _watermark(o) == t.value.lower()

    def k_keyword(self, t: Term, o: Card) -> bool:
        raw = o.get("keywords")
        kws: list[Any] = raw if isinstance(raw, list) else []
        return t.value.lower().strip() in [str(k).lower() for k in kws]

    # colours
    def _color(self, t: Term, mask_of_card: int, *, identity: bool) -> bool:
        cv = values.parse_colors(t.value)
        assert cv is not None
        op = t.op
        count = values.popcount(mask_of_card)
        if cv.count is not None:
            return _compare(count, "=" if op == ":" else op, cv.count)
        if cv.multicolor:
            return (count >= 2) != (op == "!=")
        mask = 0 if cv.colorless else cv.mask
        if op == ":":
            op = "<=" if identity else ">="
        superset = mask_of_card & mask == mask
        subset = mask_of_card & (_ALL_COLORS ^ mask) == 0
        exact = mask_of_card == mask
        if cv.colorless and op == ">=" and not identity:
            return exact
        return {
            ">=": superset,
            "=": exact,
            "!=": not exact,
            "<=": subset,
            "<": subset and not exact,
            ">": superset and not exact,
        }[op]

    def k_color(self, t: Term, o: Card) -> bool:
        return self._color(t, _colors(o), identity=False)

    def k_identity(self, t: Term, o: Card) -> bool:
        return self._color(t, _mask(o.get("color_identity")), identity=True)

    def k_produces(self, t: Term, o: Card) -> bool:
        raw = o.get("produced_mana")
        if not isinstance(raw, list):
            return t.op == "!="
        produced = _mask([m for m in raw if m != "C"]) | (values.COLORLESS_BIT if "C" in raw else 0)
        mask = values.parse_produces(t.value)
        assert mask is not None
        superset = produced & mask == mask
        subset = produced & (63 ^ mask) == 0
        cond = {
            ":": superset,
            ">=": superset,
            "=": produced == mask,
            "!=": produced == mask,
            "<=": subset,
            "<": subset and produced != mask,
            ">": superset and produced != mask,
        }[t.op]
        return not cond if t.op == "!=" else cond

    # mana
    def k_mana(self, t: Term, o: Card) -> bool:
        symbols = values.parse_mana(t.value)
        assert symbols is not None
        wanted = set(mana_tokens(symbols))
        have = set(mana_tokens(_symbols(o)))
        superset = wanted <= have
        subset = have <= wanted
        n = len(wanted)
        cond = {
            ":": superset,
            ">=": superset,
            ">": superset and len(have) > n,
            "=": superset and len(have) == n,
            "!=": superset and len(have) == n,
            "<=": subset,
            "<": subset and len(have) < n,
        }[t.op]
        return not cond if t.op == "!=" else cond

    def k_devotion(self, t: Term, o: Card) -> bool:
        symbols = values.parse_mana(t.value)
        assert symbols is not None
        wanted = devotion([s.upper() for s in symbols])
        have = devotion(_symbols(o))
        op = ">=" if t.op == ":" else t.op
        parts = [_compare(have[c], op, n) for c, n in wanted.items() if n]
        return any(parts) if op == "!=" else all(parts)

    # numbers
    def _numeric(self, t: Term, value: float | int | None, scale: float = 1, o: Card | None = None) -> bool:
        v = t.value.strip().lower()
        op = "=" if t.op == ":" else t.op
        if v in FIELD_VALUES and t.keyword in _STATS:
            assert o is not None
            other = _stat(o, FIELD_VALUES[v])
            return value is not None and other is not None and _compare(value, op, other)
        if v in ("even", "odd"):
            cond = value is not None and value == int(value) and int(value) % 2 == (0 if v == "even" else 1)
            return not cond if op == "!=" else cond
        number = values.parse_number(v)
        assert number is not None
        target: float | int = round(number * scale) if scale != 1 else number
        if op == "!=":
            return not (value is not None and value == target)
        return value is not None and _compare(value, op, target)

    def k_manavalue(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "manavalue"), o=o)

    def k_power(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "power"), o=o)

    def k_toughness(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "toughness"), o=o)

    def k_loyalty(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "loyalty"), o=o)

    def k_defense(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "defense"), o=o)

    def k_powtou(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _stat(o, "powtou"), o=o)

    def k_usd(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _price(o, "usd"), 100)

    def k_eur(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _price(o, "eur"), 100)

    def k_tix(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _price(o, "tix"), 100)

    def k_artists(self, t: Term, o: Card) -> bool:
        return self._numeric(t, _artist_count(o))

    # counts over every printing of the card (one pass over the catalog per term)
    def _per_card(self, t: Term, o: Card, measure: Callable[[Card], Any], where: Callable[[Card], bool]) -> bool:
        key = id(t)
        if key not in self.groups:
            distinct: dict[str, set[Any]] = defaultdict(set)
            for card in self.catalog.cards:
                if where(card):
                    distinct[_oracle_key(card)].add(measure(card))
            number = values.parse_number(t.value)
            op = "=" if t.op == ":" else t.op
            self.groups[key] = {k for k, v in distinct.items() if _compare(len(v), op, number)}
        return _oracle_key(o) in self.groups[key]

    def k_prints(self, t: Term, o: Card) -> bool:
        return self._per_card(t, o, lambda c: (_set(c), c["collector_number"]), lambda c: True)

    def k_paperprints(self, t: Term, o: Card) -> bool:
        return self._per_card(
            t, o, lambda c: (_set(c), c["collector_number"]), lambda c: "paper" in (c.get("games") or ())
        )

    def k_sets(self, t: Term, o: Card) -> bool:
        return self._per_card(t, o, _set, lambda c: True)

    def k_papersets(self, t: Term, o: Card) -> bool:
        return self._per_card(t, o, _set, lambda c: "paper" in (c.get("games") or ()))

    def k_illustrations(self, t: Term, o: Card) -> bool:
        return self._per_card(t, o, _art_key, lambda c: True)

    # codes and enumerations
    def k_rarity(self, t: Term, o: Card) -> bool:
        rank = values.parse_rarity(t.value)
        op = "=" if t.op == ":" else t.op
        mine = _rarity(o)
        if op in ("=", "!="):
            return _compare(mine, op, rank)
        # orderings live on the common → mythic ladder: special and bonus are not "above rare"
        return mine <= values.RARITIES["mythic"] and _compare(mine, op, rank)

    def k_set(self, t: Term, o: Card) -> bool:
        return _set(o) == t.value.strip().lower()

    def k_number(self, t: Term, o: Card) -> bool:
        v = t.value.strip()
        cn = str(o["collector_number"])
        if t.op in (":", "=", "!="):
            return (cn == v) != (t.op == "!=")
        number = values.parse_number(v)
        if number is None:
            return _compare(cn.encode(), t.op, v.encode())
        m = re.match(r"\d+", cn)
        return m is not None and _compare(int(m.group()), t.op, number)

    def k_block(self, t: Term, o: Card) -> bool:
        key = id(t)
        if key not in self.groups:
            code = t.value.strip().lower()
            sets = self.catalog.sets
            blocks = {s["block_code"] for c, s in sets.items() if c == code and s.get("block_code")}
            self.groups[key] = {
                c for c, s in sets.items() if s.get("block_code") == code or s.get("block_code") in blocks
            }
        return _set(o) in self.groups[key]

    def k_settype(self, t: Term, o: Card) -> bool:
        return o.get("set_type") == t.value.strip().lower()

    def k_in(self, t: Term, o: Card) -> bool:
        key = id(t)
        if key not in self.groups:
            v = t.value.strip().lower()
            rank = values.parse_rarity(v) if len(v) > 1 else None
            lang = values.parse_language(v)
            cond: Callable[[Card], bool]
            if rank is not None:
                cond = lambda c: _rarity(c) == rank  # noqa: E731
            elif v in GAME_BITS:
                cond = lambda c: v in (c.get("games") or ())  # noqa: E731
            elif lang is not None and len(v) > 1:
                cond = lambda c: _lang(c) == lang  # noqa: E731
            else:
                cond = lambda c: _set(c) == v  # noqa: E731
            self.groups[key] = {_oracle_key(c) for c in self.catalog.cards if cond(c)}
        return _oracle_key(o) in self.groups[key]

    def _status(self, t: Term, o: Card, statuses: Iterable[str]) -> bool:
        fmt = values.parse_format(t.value)
        raw = o.get("legalities")
        legalities: dict[str, Any] = raw if isinstance(raw, dict) else {}
        return fmt in FORMATS and legalities.get(str(fmt)) in set(statuses)

    def k_format(self, t: Term, o: Card) -> bool:
        return self._status(t, o, ("legal", "restricted"))

    def k_banned(self, t: Term, o: Card) -> bool:
        return self._status(t, o, ("banned",))

    def k_restricted(self, t: Term, o: Card) -> bool:
        return self._status(t, o, ("restricted",))

    def k_is(self, t: Term, o: Card) -> bool:
        v = t.value.strip().lower()
        if v == "unique":
            return self._unique(t, o)
        if v in ("manland", "snarl") and v not in _LAND_NAMES:
            v = {"manland": "creatureland", "snarl": "shadowland"}[v]
        if v in _LAND_NAMES:
            return v in land_flags(o)
        return v in card_flags(o)

    def _unique(self, t: Term, o: Card) -> bool:
        key = id(t)
        if key not in self.groups:
            prints: dict[str, set[Any]] = defaultdict(set)
            for c in self.catalog.cards:
                prints[_oracle_key(c)].add((_set(c), c["collector_number"]))
            self.groups[key] = {k for k, v in prints.items() if len(v) == 1}
        return _oracle_key(o) in self.groups[key]

    def k_has(self, t: Term, o: Card) -> bool:
        v = t.value.strip().lower()
        if v == "indicator":
            return _first(o, "color_indicator") is not None
        if v == "watermark":
            return _watermark(o) is not None
        if v == "artist":
            return _artist(o) is not None
        if v in ("stamp", "security_stamp"):
            return o.get("security_stamp") is not None
        if v == "flavor":
            return _text(o, "flavor") is not None
        raise ValueError(v)

    def k_border(self, t: Term, o: Card) -> bool:
        return o.get("border_color") == t.value.strip().lower()

    def k_frame(self, t: Term, o: Card) -> bool:
        v = t.value.strip().lower()
        if v in values.FRAMES:
            return o.get("frame") == v
        return v in _frame_effects(o)

    def k_stamp(self, t: Term, o: Card) -> bool:
        return o.get("security_stamp") == t.value.strip().lower()

    def k_game(self, t: Term, o: Card) -> bool:
        return t.value.strip().lower() in (o.get("games") or ())

    def _date(self, t: Term, o: Card) -> bool:
        dv = values.parse_date(t.value, year_only=t.keyword == "year")
        assert dv is not None
        released = _released(o)
        op = "=" if t.op == ":" else t.op
        if dv.set_code is not None:
            other = (self.catalog.sets.get(dv.set_code) or {}).get("released_at")
            if released is None or other is None:
                return False  # NULL: neither the term nor its negation holds
            return _compare(released, op, other)
        if released is None:
            return op == "!="
        assert dv.start is not None
        assert dv.end is not None
        within = dv.start <= released <= dv.end
        return {
            "=": within,
            "!=": not within,
            "<": released < dv.start,
            "<=": released <= dv.end,
            ">": released > dv.end,
            ">=": released >= dv.start,
        }[op]

    def k_year(self, t: Term, o: Card) -> bool:
        return self._date(t, o)

    def k_date(self, t: Term, o: Card) -> bool:
        return self._date(t, o)

    def k_lang(self, t: Term, o: Card) -> bool:
        return _lang(o) == values.parse_language(t.value)

    def k_new(self, t: Term, o: Card) -> bool:
        key = id(t)
        if key not in self.groups:
            v = t.value.strip().lower()
            prop: Callable[[Card], Any] = {
                "art": _art_key,
                "artist": _artist,
                "frame": lambda c: c.get("frame"),
                "language": _lang,
                "rarity": lambda c: _rarity(c),
                "flavor": lambda c: _text(c, "flavor"),
            }[v]
            by_card: dict[str, list[tuple[date, Any]]] = defaultdict(list)
            for c in self.catalog.cards:
                r = _released(c)
                if r is not None:
                    by_card[_oracle_key(c)].append((r, prop(c)))
            first: dict[tuple[str, Any], date] = {}
            for k, items in by_card.items():
                for r, p in items:
                    if p is not None and (first.get((k, p)) is None or r < first[(k, p)]):
                        first[(k, p)] = r
            self.groups[key] = (first, prop, v)
        first, prop, v = self.groups[key]
        released = _released(o)
        if released is None:
            return False
        p = prop(o)
        if p is None:
            return bool(v != "flavor")  # a NULL property equals no earlier printing's: always "new" (flavor: never)
        return not bool(first[(_oracle_key(o), p)] < released)

    def k_cheapest(self, t: Term, o: Card) -> bool:
        currency = t.value.strip().lower()
        key = id(t)
        if key not in self.groups:
            low: dict[str, int] = {}
            for c in self.catalog.cards:
                price = _price(c, currency)
                k = _oracle_key(c)
                if price is not None and (k not in low or price < low[k]):
                    low[k] = price
            self.groups[key] = low
        price = _price(o, currency)
        return price is not None and price <= self.groups[key][_oracle_key(o)]


_LAND_NAMES = frozenset(
    {
        "dual", "shockland", "fetchland", "checkland", "fastland", "painland", "scryland", "triome", "bikeland",
        "bounceland", "canopyland", "filterland", "gainland", "shadowland", "slowland", "storageland",
        "creatureland", "tangoland", "pathway", "bondland", "manland", "snarl", "surveilland",
    }
)  # fmt: skip


# -- the catalog ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class NaiveResult:
    total: int
    ids: list[str]
    seconds: float


_ORDER_KEYS: dict[str, Callable[[Card], Any]] = {
    "released": _released,
    "spoiled": _released,
    "review": _released,
    "rarity": lambda c: _rarity(c),
    "usd": lambda c: _price(c, "usd"),
    "eur": lambda c: _price(c, "eur"),
    "tix": lambda c: _price(c, "tix"),
    "cmc": lambda c: c.get("cmc"),
    "power": lambda c: _stat(c, "power"),
    "toughness": lambda c: _stat(c, "toughness"),
    "edhrec": lambda c: c.get("edhrec_rank"),
    "penny": lambda c: c.get("penny_rank"),
    "artist": _artist,
    "set": lambda c: _set(c),
}
_DESC_BY_DEFAULT = frozenset({"released", "spoiled", "rarity", "usd", "eur", "tix", "review"})


class NaiveCatalog:
    def __init__(self, cards: list[Card], sets: dict[str, dict[str, Any]]) -> None:
        self.cards = cards
        self.sets = sets

    @classmethod
    def load(cls, path: Path, sets_path: Path | None = None) -> NaiveCatalog:
        """``json.load`` the card file (and the /sets file when given, for blocks and release dates)."""
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            cards: list[Card] = json.load(f)
        cards = [c for c in cards if isinstance(c, dict) and c.get("object", "card") == "card"]
        sets: dict[str, dict[str, Any]] = {}
        for c in cards:  # what the importer derives from the cards themselves
            s = sets.setdefault(_set(c), {"released_at": None, "block_code": None})
            r = _released(c)
            if r is not None and (s["released_at"] is None or r < s["released_at"]):
                s["released_at"] = r
        if sets_path is not None:  # full set objects win
            with (gzip.open if sets_path.suffix == ".gz" else open)(sets_path, "rb") as f:
                raw = json.load(f)
            for s in raw["data"] if isinstance(raw, dict) else raw:
                rel = s.get("released_at")
                sets[s["code"].lower()] = {
                    "released_at": date.fromisoformat(rel) if rel else None,
                    "block_code": s.get("block_code"),
                }
        return cls(cards, sets)

    def search(self, q: str, page_size: int = PAGE_SIZE) -> NaiveResult:
        started = time.perf_counter()
        query: Query = parse(q)
        ev = _Eval(self)
        d = query.directives
        hide_extras = not (d.include_extras or asks_for_extras(query.root))
        hide_digital = not asks_for_digital(query.root)
        hide_variations = not d.include_variations
        only_en = not (d.include_multilingual or _mentions_lang(query.root))
        matched = []
        for o in self.cards:
            if ev.match(query.root, o) is False:
                continue
            if hide_extras and _is_extra(o):
                continue
            if hide_digital and o.get("digital"):
                continue
            if hide_variations and o.get("variation"):
                continue
            if only_en and _lang(o) != "en":
                continue
            matched.append(o)
        unique = d.unique or "cards"
        if unique != "prints":
            prefer = d.prefer or "default"
            best: dict[str, Card] = {}
            key_of = _oracle_key if unique == "cards" else _art_key
            for o in matched:
                k = key_of(o)
                if k not in best or _better(o, best[k], prefer):
                    best[k] = o
            matched = list(best.values())
        order = d.order or "name"
        desc = d.direction == "desc" or (d.direction in (None, "auto") and order in _DESC_BY_DEFAULT)
        matched.sort(key=lambda c: (normalize_name(c["name"]), _set(c), c["collector_number"]))
        if order not in ("name", "color"):
            value = _ORDER_KEYS[order]
            present = [c for c in matched if value(c) is not None]
            absent = [c for c in matched if value(c) is None]
            present.sort(key=value, reverse=desc)
            matched = present + absent
        return NaiveResult(len(matched), [c["id"] for c in matched[:page_size]], time.perf_counter() - started)


def _mentions_lang(root: Node) -> bool:
    from mtg_tracker.search.ast import walk

    return any(isinstance(n, Term) and n.keyword == "lang" for n in walk(root))


def _better(a: Card, b: Card, prefer: str) -> bool:
    """Whether printing ``a`` rather than ``b`` stands for the card."""
    if prefer in ("oldest", "newest"):
        ra, rb = _released(a), _released(b)
        if ra != rb and ra is not None and rb is not None:
            return ra < rb if prefer == "oldest" else ra > rb
    pa, pb = _prefer_class(a), _prefer_class(b)
    if pa != pb:
        return pa < pb
    ra, rb = _released(a) or date.min, _released(b) or date.min
    return ra > rb
