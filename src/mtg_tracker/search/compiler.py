"""Syntax tree → one parameterised SQL SELECT over the search index (pure: builds, never executes).

Every user value reaches the database as a bound parameter. The two backends differ only where they
must: substring search goes through SQLite's FTS5 trigram table (LIKE) or PostgreSQL's pg_trgm indexes
(LIKE), regular expressions through an RE2 ``regexp`` function or ``~*``, and ordering uses byte order
("C" collation) so both backends return the same cards in the same order.

Every leaf predicate is NULL-safe (a missing power is "false", never "unknown"), so ``-term`` is the
exact complement of ``term`` — what people expect from ``-pow>3``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    and_,
    case,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.sql.elements import UnaryExpression

from mtg_tracker.catalog.cardflags import LAND_FLAGS
from mtg_tracker.catalog.models import Card, CardName, CardSearch, CardSet, CardText
from mtg_tracker.catalog.normalize import COLOR_BITS, GAME_BITS, normalize_name
from mtg_tracker.catalog.searchdoc import (
    FIRST_BITS,
    FLAG_BITS,
    FORMAT_BITS,
    HIDDEN_DIGITAL,
    HIDDEN_EXTRA,
    HIDDEN_LANGUAGE,
    HIDDEN_VARIATION,
    LADDER_TOP,
    LAND_BITS,
    TYPE_BITS,
    mana_tokens,
)
from mtg_tracker.catalog.searchindex import default_preference
from mtg_tracker.search import values
from mtg_tracker.search.ast import And, Directives, Name, Node, Not, Nothing, Op, Or, Query, Term, walk
from mtg_tracker.search.keywords import FIELD_VALUES

S = cast(Table, CardSearch.__table__)
T = cast(Table, CardText.__table__)
NAMES = cast(Table, CardName.__table__)
CARDS = cast(Table, Card.__table__)
SETS = cast(Table, CardSet.__table__)
# The FTS5 table is created by the migration on SQLite only; it is not part of the ORM metadata.
FTS = Table(
    "catalog_card_text_fts",
    MetaData(),
    Column("rowid", Integer),
    *(Column(c, Text) for c in ("name", "type", "full", "flavor")),
)

PAGE_SIZE = 175
_HIDE_ALL = HIDDEN_EXTRA | HIDDEN_DIGITAL | HIDDEN_VARIATION | HIDDEN_LANGUAGE
_ALL_COLORS = 31

_DIGITAL_FORMATS = frozenset({"historic", "timeless", "alchemy", "brawl", "historicbrawl", "gladiator", "explorer"})
_EXTRA_TYPES = ("token", "emblem", "scheme", "plane", "phenomenon", "vanguard", "dungeon", "card")


class CompileError(ValueError):
    """A term that parsed but cannot be compiled (should not happen: the parser validated it)."""


@dataclass(frozen=True, slots=True)
class Options:
    """API parameters; the query's own directives win over them."""

    unique: str = "cards"
    order: str = "name"
    direction: str = "auto"
    prefer: str = "default"
    include_extras: bool = False
    include_multilingual: bool = False
    include_variations: bool = False
    # False for callers that search their own rows (a collection holds what it holds): no hiding of
    # extras, digital cards, other languages or variations.
    catalog_defaults: bool = True


@dataclass(frozen=True, slots=True)
class Plan:
    """What the service runs: the filtered, de-duplicated, ordered statement and how it was built."""

    where: ColumnElement[bool]
    unique: str
    order: str
    direction: str
    prefer: str
    # Every filter is a property of the card (not of one printing) and the default hiding applies: each
    # card's first-ranked printing is then the one to show, with no grouping at all.
    first_printing_only: bool = False


# -- text ---------------------------------------------------------------------------------------------


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains_exactly(column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
    """``value`` occurs in the column: a plain substring test with no pattern language at all."""
    return func.instr(column, value) > 0


class _Compiler:
    def __init__(self, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise CompileError(f"unsupported dialect {dialect!r}")
        self.dialect = dialect

    # text helpers
    def contains(self, column: str, value: str) -> ColumnElement[bool]:
        """Printings whose text column contains ``value`` (already lowercased).

        On SQLite the trigram index covers name, type, full oracle text and flavor; the oracle text
        without reminder text and the ``~`` form are checked on the stored text of the rows the index
        finds in the full text (a longest ``~``-free piece of the value narrows the search).

        User text reaches the FTS5 index only as ``LIKE '%piece%'`` where the piece holds no wildcard:
        SQLite before 3.41 died with SIGSEGV on trigram GLOB and LIKE patterns with a wildcard or character
        class among multi-byte characters (``*🔥[?]🔥🔥«🔥*``, ``%ͯ\\%ég🧙%``). A value with ``%``, ``_`` (or,
        for the ``~`` form, ``~``) asks the index for its longest piece without them, and ``instr`` on the
        stored text keeps the exact occurrences.
        """
        if self.dialect != "sqlite":
            return S.c.rid.in_(select(T.c.rid).where(T.c[column].like(f"%{_like_escape(value)}%")))
        indexed = column if column in FTS.c else "full"
        separators = "[%_~]" if column == "tilde" else "[%_]"
        fragment = max(re.split(separators, value), key=len)
        if indexed == column and fragment == value:  # the index alone answers exactly
            return S.c.rid.in_(select(FTS.c.rowid).where(FTS.c[column].like(f"%{value}%")))
        check = _contains_exactly(T.c[column], value)
        if len(fragment.strip()) < 3:  # trigrams need three characters: read the stored text
            return S.c.rid.in_(select(T.c.rid).where(check))
        # Index first, then the stored text of only the rows it found (rid is the text table's rowid).
        found = select(FTS.c.rowid).where(FTS.c[indexed].like(f"%{fragment}%"))
        return S.c.rid.in_(select(T.c.rid).where(T.c.rid.in_(found), check))

    def matches(self, column: str, pattern: str) -> ColumnElement[bool]:
        """Printings whose text column matches the regular expression (case-insensitive, ^/$ per line)."""
        return S.c.rid.in_(select(T.c.rid).where(self.regexp(T.c[column], pattern)))

    def regexp(self, column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
        if self.dialect == "sqlite":
            return column.op("REGEXP")(pattern)
        translated = pattern.replace("\\b", "\\y").replace("\\B", "\\Y")
        return column.op("~*")("(?n)" + translated)

    def like(self, column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
        """``LIKE`` with ``\\`` escaping on both: PostgreSQL escapes with it by default, SQLite has no default
        escape character (``\\%`` would be a backslash followed by a wildcard there) and needs ESCAPE."""
        return column.like(pattern, escape="\\") if self.dialect == "sqlite" else column.like(pattern)

    def like_token(self, column: ColumnElement[Any], token: str) -> ColumnElement[bool]:
        return and_(column.is_not(None), self.like(column, f"%|{_like_escape(token)}|%"))

    def collate(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column.collate("C") if self.dialect == "postgresql" else column

    # the tree
    def node(self, node: Node) -> ColumnElement[bool] | None:
        if isinstance(node, Nothing):
            return None
        if isinstance(node, Not):
            inner = self.node(node.child)
            return None if inner is None else not_(inner)
        if isinstance(node, And | Or):
            parts = [p for p in (self.node(c) for c in node.children) if p is not None]
            if not parts:
                return None
            if len(parts) == 1:
                return parts[0]
            return and_(*parts) if isinstance(node, And) else or_(*parts)
        if isinstance(node, Name):
            return self.name(node)
        return self.term(node)

    def name(self, node: Name) -> ColumnElement[bool]:
        if node.exact:
            return S.c.card_id.in_(select(NAMES.c.card_id).where(NAMES.c.name_norm == normalize_name(node.value)))
        if node.regex:
            return self.matches("name_lc", node.value)
        value = normalize_name(node.value)
        if not value:  # only punctuation: search the raw lowercase name instead
            return self.contains("name_lc", node.value.lower())
        return self.contains("name", value)

    def term(self, t: Term) -> ColumnElement[bool]:
        handler = getattr(self, f"k_{t.keyword}", None)
        if handler is None:
            raise CompileError(f"no compiler for keyword {t.keyword!r}")
        cond = cast(ColumnElement[bool], handler(t))
        # "!=" on keywords whose handlers only know equality means "not that".
        if t.op == "!=" and t.keyword in _NEGATE_FOR_NE:
            return not_(cond)
        return cond

    # text keywords
    def _text(self, t: Term, column: str) -> ColumnElement[bool]:
        if t.regex:
            return self.matches(column, t.value)
        return self.contains(column, t.value.lower())

    def k_name(self, t: Term) -> ColumnElement[bool]:
        if t.regex:
            return self.matches("name_lc", t.value)
        return self.name(Name(t.value, t.span, quoted=t.quoted))

    def k_type(self, t: Term) -> ColumnElement[bool]:
        word = t.value.strip().lower()
        if not t.regex and word in TYPE_BITS:
            # A whole card type or supertype: a bit test instead of a text search (t:creature matches
            # most of the catalog, which no text index makes cheap).
            return S.c.types.op("&")(TYPE_BITS[word]) != 0
        return self._text(t, "type")

    def k_oracle(self, t: Term) -> ColumnElement[bool]:
        if not t.regex and "~" in t.value:
            return self.contains("tilde", t.value.lower())
        return self._text(t, "oracle")

    def k_fulloracle(self, t: Term) -> ColumnElement[bool]:
        if not t.regex and "~" in t.value:
            return self.contains("tilde", t.value.lower())
        return self._text(t, "full")

    def k_flavor(self, t: Term) -> ColumnElement[bool]:
        return self._text(t, "flavor")

    def k_artist(self, t: Term) -> ColumnElement[bool]:
        if t.regex:  # the keyword table offers a:/…/ (Scryfall does not document it, but it costs nothing)
            return and_(S.c.artist.is_not(None), self.regexp(S.c.artist, t.value))
        return and_(S.c.artist.is_not(None), self.like(S.c.artist, f"%{_like_escape(t.value.lower())}%"))

    def k_watermark(self, t: Term) -> ColumnElement[bool]:
        return and_(S.c.watermark.is_not(None), S.c.watermark == t.value.lower())

    def k_keyword(self, t: Term) -> ColumnElement[bool]:
        return self.like_token(S.c.keywords, t.value.lower().strip())

    # colours
    def _color(self, t: Term, column: ColumnElement[int], count: ColumnElement[int], *, identity: bool) -> Any:
        cv = values.parse_colors(t.value)
        assert cv is not None
        op: Op = t.op
        if cv.count is not None:
            return _compare(count, "=" if op == ":" else op, cv.count)
        if cv.multicolor:
            multi = count >= 2
            return not_(multi) if op == "!=" else multi
        mask = 0 if cv.colorless else cv.mask
        if op == ":":
            op = "<=" if identity else ">="
        superset = column.op("&")(mask) == mask
        subset = column.op("&")(_ALL_COLORS ^ mask) == 0
        exact = column == mask
        if cv.colorless and op == ">=" and not identity:
            return exact  # c:c is "colourless", not "at least no colours"
        return {
            ">=": superset,
            "=": exact,
            "!=": not_(exact),
            "<=": subset,
            "<": and_(subset, column != mask),
            ">": and_(superset, column != mask),
        }[op]

    def k_color(self, t: Term) -> Any:
        return self._color(t, S.c.colors, S.c.color_count, identity=False)

    def k_identity(self, t: Term) -> Any:
        return self._color(t, S.c.identity, S.c.identity_count, identity=True)

    def k_produces(self, t: Term) -> Any:
        mask = values.parse_produces(t.value)
        assert mask is not None
        col = S.c.produced
        superset = col.op("&")(mask) == mask
        subset = col.op("&")(63 ^ mask) == 0
        cond = {
            ":": superset,
            ">=": superset,
            "=": col == mask,
            "!=": col == mask,
            "<=": subset,
            "<": and_(subset, col != mask),
            ">": and_(superset, col != mask),
        }[t.op]
        cond = and_(col.is_not(None), cond)
        return not_(cond) if t.op == "!=" else cond

    # mana
    def k_mana(self, t: Term) -> Any:
        symbols = values.parse_mana(t.value)
        assert symbols is not None
        tokens = mana_tokens(symbols)
        present = [self.like_token(S.c.mana, tok) for tok in tokens]
        superset = and_(true(), *present)
        # how many of the card's tokens are among the query's: all of them means the card ⊆ query
        inside = sum((case((p, 1), else_=0) for p in present), literal(0))
        subset = inside == S.c.mana_count
        n = len(tokens)
        cond = {
            ":": superset,
            ">=": superset,
            ">": and_(superset, S.c.mana_count > n),
            "=": and_(superset, S.c.mana_count == n),
            "!=": and_(superset, S.c.mana_count == n),
            "<=": subset,
            "<": and_(subset, S.c.mana_count < n),
        }[t.op]
        return not_(cond) if t.op == "!=" else cond

    def k_devotion(self, t: Term) -> Any:
        symbols = values.parse_mana(t.value)
        assert symbols is not None
        wanted: dict[str, int] = dict.fromkeys(values.WUBRG, 0)
        for sym in symbols:
            for c in set(sym.split("/")):
                if c in wanted:
                    wanted[c] += 1
        op: Op = ">=" if t.op == ":" else t.op
        parts = [_compare(S.c[f"dev_{c.lower()}"], op, n) for c, n in wanted.items() if n]
        return and_(*parts) if op != "!=" else or_(*parts)

    # numbers
    def _stat(self, name: str) -> ColumnElement[Any]:
        if name == "powtou":
            return S.c.power + S.c.toughness
        column = {"manavalue": "cmc", "power": "power", "toughness": "toughness"}.get(name, name)
        return S.c[column]

    def _numeric(self, t: Term, column: ColumnElement[Any], scale: float = 1) -> Any:
        v = t.value.strip().lower()
        op: Op = "=" if t.op == ":" else t.op
        if v in FIELD_VALUES and t.keyword in ("power", "toughness", "loyalty", "defense", "manavalue", "powtou"):
            other = self._stat(FIELD_VALUES[v])
            return and_(column.is_not(None), other.is_not(None), _compare(column, op, other))
        if v in ("even", "odd"):
            whole = func.cast(column, Integer)
            cond = and_(column.is_not(None), column == whole, (whole % 2) == (0 if v == "even" else 1))
            return not_(cond) if op == "!=" else cond
        number = values.parse_bounded(t.keyword, v)
        if number is None:
            raise CompileError(f"{t.keyword} value {v!r} out of range")  # the parser warns and drops it
        target: float | int = round(number * scale) if scale != 1 else number
        if op == "!=":
            return not_(and_(column.is_not(None), column == target))
        return and_(column.is_not(None), _compare(column, op, target))

    def k_manavalue(self, t: Term) -> Any:
        return self._numeric(t, S.c.cmc)

    def k_power(self, t: Term) -> Any:
        return self._numeric(t, S.c.power)

    def k_toughness(self, t: Term) -> Any:
        return self._numeric(t, S.c.toughness)

    def k_loyalty(self, t: Term) -> Any:
        return self._numeric(t, S.c.loyalty)

    def k_defense(self, t: Term) -> Any:
        return self._numeric(t, S.c.defense)

    def k_powtou(self, t: Term) -> Any:
        return self._numeric(t, S.c.power + S.c.toughness)

    def k_usd(self, t: Term) -> Any:
        return self._numeric(t, S.c.usd, 100)

    def k_eur(self, t: Term) -> Any:
        return self._numeric(t, S.c.eur, 100)

    def k_tix(self, t: Term) -> Any:
        return self._numeric(t, S.c.tix, 100)

    def k_artists(self, t: Term) -> Any:
        return self._numeric(t, S.c.artist_count)

    # counts over all printings of the card (kept on every printing by searchindex.rank_printings)
    def k_prints(self, t: Term) -> Any:
        return self._numeric(t, S.c.prints)

    def k_paperprints(self, t: Term) -> Any:
        return self._numeric(t, S.c.paperprints)

    def k_sets(self, t: Term) -> Any:
        return self._numeric(t, S.c.sets)

    def k_papersets(self, t: Term) -> Any:
        return self._numeric(t, S.c.papersets)

    def k_illustrations(self, t: Term) -> Any:
        return self._numeric(t, S.c.illustrations)

    # codes and enumerations
    def k_rarity(self, t: Term) -> Any:
        rank = values.parse_rarity(t.value)
        assert rank is not None
        op: Op = "=" if t.op == ":" else t.op
        if op in ("=", "!="):
            return _compare(S.c.rarity, op, rank)
        # Orderings live on the common → mythic ladder; special and bonus are not "above rare".
        return and_(S.c.rarity <= LADDER_TOP, _compare(S.c.rarity, op, rank))

    def k_set(self, t: Term) -> Any:
        return S.c.set_code == t.value.strip().lower()

    def k_number(self, t: Term) -> Any:
        v = t.value.strip()
        if t.op in (":", "=", "!="):
            cond = S.c.cn == v
            return not_(cond) if t.op == "!=" else cond
        if values.parse_number(v) is None:
            return and_(S.c.cn.is_not(None), _compare(self.collate(S.c.cn), t.op, v))
        number = values.parse_bounded("number", v)
        if number is None:
            raise CompileError(f"collector number {v!r} out of range")  # the parser warns and drops it
        return and_(S.c.cn_num.is_not(None), _compare(S.c.cn_num, t.op, number))

    def k_block(self, t: Term) -> Any:
        code = t.value.strip().lower()
        blocks = select(SETS.c.block_code).where(SETS.c.code == code, SETS.c.block_code.is_not(None))
        member_sets = select(SETS.c.code).where(or_(SETS.c.block_code == code, SETS.c.block_code.in_(blocks)))
        return S.c.set_code.in_(member_sets)

    def k_settype(self, t: Term) -> Any:
        # The card object's set_type when it had one (2019 objects did not), else the set's.
        value = t.value.strip().lower()
        in_sets = S.c.set_code.in_(select(SETS.c.code).where(SETS.c.set_type == value))
        return or_(and_(S.c.set_type.is_not(None), S.c.set_type == value), in_sets)

    def k_in(self, t: Term) -> Any:
        v = t.value.strip().lower()
        inner = S.alias("i")
        rank = values.parse_rarity(v) if len(v) > 1 else None
        if rank is not None:
            cond = inner.c.rarity == rank
        elif v in GAME_BITS:
            cond = inner.c.games.op("&")(GAME_BITS[v]) != 0
        elif (lang := values.parse_language(v)) is not None and len(v) > 1:
            cond = inner.c.lang == lang
        else:
            cond = inner.c.set_code == v
        return S.c.oracle_key.in_(select(inner.c.oracle_key).where(cond))

    def _format(self, t: Term, *columns: ColumnElement[int]) -> Any:
        fmt = values.parse_format(t.value)
        assert fmt is not None
        bit = FORMAT_BITS[fmt]
        return or_(*(c.op("&")(bit) != 0 for c in columns))

    def k_format(self, t: Term) -> Any:
        return self._format(t, S.c.legal, S.c.restricted)

    def k_banned(self, t: Term) -> Any:
        return self._format(t, S.c.banned)

    def k_restricted(self, t: Term) -> Any:
        return self._format(t, S.c.restricted)

    def k_is(self, t: Term) -> Any:
        v = t.value.strip().lower()
        v = {"manland": "creatureland", "snarl": "shadowland"}.get(v, v) if v not in LAND_BITS else v
        if v == "unique":
            return S.c.prints == 1
        if v in FLAG_BITS:
            return S.c.flags.op("&")(FLAG_BITS[v]) != 0
        if v in LAND_BITS:
            return S.c.lands.op("&")(LAND_BITS[v]) != 0
        raise CompileError(f"unknown is: value {v!r}")

    def k_has(self, t: Term) -> Any:
        v = t.value.strip().lower()
        if v == "indicator":
            return S.c.indicator == true()
        if v == "watermark":
            return S.c.watermark.is_not(None)
        if v == "artist":
            return S.c.artist.is_not(None)
        if v in ("stamp", "security_stamp"):
            return S.c.stamp.is_not(None)
        if v == "flavor":
            return S.c.rid.in_(select(T.c.rid).where(T.c.flavor.is_not(None)))
        raise CompileError(f"unknown has: value {v!r}")

    def k_border(self, t: Term) -> Any:
        return and_(S.c.border.is_not(None), S.c.border == t.value.strip().lower())

    def k_frame(self, t: Term) -> Any:
        v = t.value.strip().lower()
        if v in values.FRAMES:
            return and_(S.c.frame.is_not(None), S.c.frame == v)
        return self.like_token(S.c.frame_effects, v)

    def k_stamp(self, t: Term) -> Any:
        return and_(S.c.stamp.is_not(None), S.c.stamp == t.value.strip().lower())

    def k_game(self, t: Term) -> Any:
        return S.c.games.op("&")(GAME_BITS[t.value.strip().lower()]) != 0

    def _date(self, t: Term) -> Any:
        dv = values.parse_date(t.value, year_only=t.keyword == "year")
        assert dv is not None
        col = S.c.released
        op: Op = "=" if t.op == ":" else t.op
        if dv.set_code is not None:
            released = select(SETS.c.released_at).where(SETS.c.code == dv.set_code).scalar_subquery()
            cond = and_(col.is_not(None), _compare(col, "=" if op == "!=" else op, released))
            return not_(cond) if op == "!=" else cond
        start, end = dv.start, dv.end
        within = and_(col.is_not(None), col >= start, col <= end)
        return {
            "=": within,
            "!=": not_(within),
            "<": and_(col.is_not(None), col < start),
            "<=": and_(col.is_not(None), col <= end),
            ">": and_(col.is_not(None), col > end),
            ">=": and_(col.is_not(None), col >= start),
        }[op]

    def k_year(self, t: Term) -> Any:
        return self._date(t)

    def k_date(self, t: Term) -> Any:
        return self._date(t)

    def k_lang(self, t: Term) -> Any:
        return S.c.lang == values.parse_language(t.value)

    def k_new(self, t: Term) -> Any:
        return S.c.firsts.op("&")(FIRST_BITS[t.value.strip().lower()]) != 0

    # Keys of the search row: the oracle id (illustration id), or the card's own id for the few printings
    # without one, so these are plain indexed equality tests.
    def k_oracleid(self, t: Term) -> Any:
        return S.c.oracle_key == values.parse_uuid(t.value)

    def k_illustrationid(self, t: Term) -> Any:
        return S.c.art_key == values.parse_uuid(t.value)

    def k_cheapest(self, t: Term) -> Any:
        bit = FIRST_BITS["cheapest_" + t.value.strip().lower()]
        return S.c.firsts.op("&")(bit) != 0


# keywords whose handler implements ":"/"=" only; "!=" is its negation
_NEGATE_FOR_NE = frozenset(
    {
        "name", "type", "oracle", "fulloracle", "flavor", "artist", "watermark", "keyword", "set", "block",
        "settype", "in", "format", "banned", "restricted", "is", "has", "border", "frame", "stamp", "game", "lang",
        "new", "cheapest", "oracleid", "illustrationid",
    }
)  # fmt: skip


def _compare(left: Any, op: str, right: Any) -> ColumnElement[bool]:
    if op in (":", "="):
        return cast(ColumnElement[bool], left == right)
    return cast(
        ColumnElement[bool],
        {
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op],
    )


# -- defaults and presentation ---------------------------------------------------------------------


def _mentions(root: Node, keyword: str, predicate: Any = None) -> bool:
    return any(isinstance(n, Term) and n.keyword == keyword and (predicate is None or predicate(n)) for n in walk(root))


def asks_for_extras(root: Node) -> bool:
    """Searching for tokens, emblems, planes… (or naming a set) shows extras without include:extras."""
    return (
        _mentions(root, "type", lambda t: any(x in t.value.lower() for x in _EXTRA_TYPES))
        or _mentions(root, "is", lambda t: t.value.lower() in ("token", "extra"))
        or _mentions(root, "settype", lambda t: t.value.lower() in ("token", "memorabilia"))
        or _mentions(root, "set")
        or _mentions(root, "block")
    )


def asks_for_digital(root: Node) -> bool:
    return (
        _mentions(root, "game", lambda t: t.value.lower() != "paper")
        or _mentions(root, "is", lambda t: t.value.lower() == "digital")
        or _mentions(root, "in", lambda t: t.value.lower() in ("mtgo", "arena", "astral", "sega"))
        or _mentions(root, "set")
        or _mentions(root, "settype", lambda t: t.value.lower() == "alchemy")
        or any(
            _mentions(root, k, lambda t: (values.parse_format(t.value) or "") in _DIGITAL_FORMATS)
            for k in ("format", "banned", "restricted")
        )
    )


# Keywords whose value is the same on every printing of a card (Scryfall's oracle-level fields).
_CARD_LEVEL_KEYWORDS = frozenset(
    {
        "name", "type", "oracle", "fulloracle", "keyword", "color", "identity", "mana", "manavalue", "devotion",
        "produces", "power", "toughness", "loyalty", "defense", "powtou", "format", "banned", "restricted", "prints",
        "sets", "paperprints", "papersets", "illustrations", "in",
    }
)  # fmt: skip
_CARD_LEVEL_IS = frozenset(
    {
        "spell", "permanent", "historic", "party", "modal", "vanilla", "frenchvanilla", "bear", "split", "flip",
        "transform", "meld", "leveler", "dfc", "mdfc", "adventure", "saga", "class", "battle", "commander",
        "brawler", "companion", "duelcommander", "oathbreaker", "reserved", "hybrid", "phyrexian", "unique",
        "manland", "snarl", *LAND_FLAGS,
    }
)  # fmt: skip


def card_level(node: Node) -> bool:
    """True when the whole tree only tests properties shared by every printing of a card."""
    for n in walk(node):
        if isinstance(n, Term):
            if n.keyword == "is" and n.value.strip().lower() in _CARD_LEVEL_IS:
                continue
            if n.keyword == "has" and n.value.strip().lower() == "indicator":
                continue
            if n.keyword not in _CARD_LEVEL_KEYWORDS:
                return False
    return True


def plan(query: Query, dialect: str, options: Options | None = None) -> Plan:
    """The WHERE clause (filters plus the catalog's default hiding) and the presentation to use."""
    options = options or Options()
    d: Directives = query.directives
    compiler = _Compiler(dialect)
    cond = compiler.node(query.root)
    # The cheap, selective default filters first: SQLite tests a row's terms in this order and stops
    # at the first false one.
    parts: list[ColumnElement[bool]] = []
    hide = 0
    if options.catalog_defaults:
        if not (d.include_extras or options.include_extras or asks_for_extras(query.root)):
            hide |= HIDDEN_EXTRA
        if not asks_for_digital(query.root):
            hide |= HIDDEN_DIGITAL
        if not (d.include_variations or options.include_variations):
            hide |= HIDDEN_VARIATION
        if not (d.include_multilingual or options.include_multilingual or _mentions(query.root, "lang")):
            hide |= HIDDEN_LANGUAGE
        if hide == _HIDE_ALL:
            parts.append(S.c.hidden == 0)
        elif hide:
            parts.append(S.c.hidden.op("&")(hide) == 0)
    unique = d.unique or options.unique
    prefer = d.prefer or options.prefer
    return Plan(
        where=and_(true(), *parts, *([cond] if cond is not None else [])),
        unique=unique,
        order=d.order or options.order,
        direction=d.direction or options.direction,
        prefer=prefer,
        first_printing_only=(
            options.catalog_defaults
            and hide == _HIDE_ALL
            and unique == "cards"
            and prefer in ("default", "typical")
            and card_level(query.root)
        ),
    )


_DESC_BY_DEFAULT = frozenset({"released", "spoiled", "rarity", "usd", "eur", "tix", "review"})


def _order_columns(rel: Any, order: str, direction: str, dialect: str) -> list[UnaryExpression[Any]]:
    c = rel.c
    desc = direction == "desc" or (direction == "auto" and order in _DESC_BY_DEFAULT)

    def collate(col: Any) -> Any:
        return col.collate("C") if dialect == "postgresql" else col

    def directed(col: Any) -> UnaryExpression[Any]:
        ordered: UnaryExpression[Any] = (col.desc() if desc else col.asc()).nulls_last()
        return ordered

    if order == "color":
        primary = [
            case(
                (c.color_count == 0, 7),
                (c.color_count > 1, 6),
                (c.colors == COLOR_BITS["W"], 1),
                (c.colors == COLOR_BITS["U"], 2),
                (c.colors == COLOR_BITS["B"], 3),
                (c.colors == COLOR_BITS["R"], 4),
                else_=5,
            )
        ]
    elif order == "name":
        primary = [c.card_no]
    elif order == "set":
        primary = [collate(c.set_code), c.cn_num, collate(c.cn)]
    else:
        column = {"spoiled": "released", "review": "released", "edhrec": "edhrec_rank", "penny": "penny_rank"}
        primary = [collate(c[column.get(order, order)]) if order == "artist" else c[column.get(order, order)]]
    cols = [directed(col) for col in primary]
    # Deterministic tie-breaks, identical on both backends: name order, then the card's own ranking
    # of its printings (unique per printing).
    tail = [c.card_no, c.pref_rank]
    return [*cols, *(col.asc().nulls_last() for col in tail)]


def _prefer_columns(rel: Any, prefer: str, dialect: str) -> list[Any]:
    c = rel.c
    promo_bit = FLAG_BITS["promo"]
    lead: dict[str, list[Any]] = {
        "default": [],
        "typical": [],
        "oldest": [c.released.asc().nulls_last()],
        "newest": [c.released.desc().nulls_last()],
        "usd-low": [c.usd.asc().nulls_last()],
        "usd-high": [c.usd.desc().nulls_last()],
        "eur-low": [c.eur.asc().nulls_last()],
        "eur-high": [c.eur.desc().nulls_last()],
        "tix-low": [c.tix.asc().nulls_last()],
        "tix-high": [c.tix.desc().nulls_last()],
        "promo": [case((c.flags.op("&")(promo_bit) != 0, 0), else_=1).asc()],
        "atypical": [(c.prefer.op("&")(1)).desc()],
    }
    return [*lead[prefer], *default_preference(rel, dialect)]


# What each order needs carried out of the filtered rows (the fewer, the cheaper the sort that groups).
_ORDER_NEEDS: dict[str, tuple[str, ...]] = {
    "name": (), "set": ("set_code", "cn_num", "cn"), "released": ("released",), "spoiled": ("released",),
    "review": ("released",), "rarity": ("rarity",), "color": ("colors", "color_count"), "usd": ("usd",),
    "eur": ("eur",), "tix": ("tix",), "cmc": ("cmc",), "power": ("power",), "toughness": ("toughness",),
    "edhrec": ("edhrec_rank",), "penny": ("penny_rank",), "artist": ("artist",),
}  # fmt: skip


def _carried(p: Plan) -> list[str]:
    return ["rid", "card_no", "pref_rank", *_ORDER_NEEDS[p.order]]


def _candidates(p: Plan, dialect: str) -> Any:
    """Matching printings, one per card (or artwork) when ``unique`` asks for it, as a subquery carrying
    only the row id and the sort keys (the card ids of one page are looked up afterwards).

    With the default preference each card's printings are already ranked (``pref_rank``), so the one
    to show is the lowest-ranked match: SQLite's ``min()`` with bare columns, PostgreSQL's DISTINCT ON —
    a single pass, where a window function would sort every match.
    """
    names = _carried(p)
    cols = [S.c[name] for name in names]
    if p.unique == "prints":
        return select(*cols).where(p.where).subquery("m")
    if p.first_printing_only:
        return select(*cols).where(S.c.pref_rank == 1, p.where).subquery("m")
    key = S.c.card_no if p.unique == "cards" else S.c.art_key
    if p.prefer in ("default", "typical"):
        if dialect == "sqlite":
            others = [c for c in cols if c.name != "pref_rank"]
            # "+col": group with a sort of the matches; SQLite would otherwise walk an index on the key
            # and fetch every row of the table at random to do it.
            group: ColumnElement[Any] = literal_column(f"+{S.name}.{key.name}")
            grouped = select(*others, func.min(S.c.pref_rank).label("pref_rank")).where(p.where).group_by(group)
        else:
            grouped = select(*cols).where(p.where).ext(distinct_on(key)).order_by(key, S.c.pref_rank)
        return grouped.subquery("m")
    rank = func.row_number().over(partition_by=key, order_by=_prefer_columns(S, p.prefer, dialect))
    ranked = select(*cols, rank.label("rn")).where(p.where).subquery("r")
    return select(*(ranked.c[name] for name in names)).where(ranked.c.rn == 1).subquery("m")


def page_statement(
    p: Plan, dialect: str, *, page: int, page_size: int = PAGE_SIZE, with_columns: Sequence[Any] = ()
) -> Select[Any]:
    """One page of card ids in display order, each row carrying the total count of the whole result and
    ``with_columns`` of the catalog's card row (the card bodies, in the same round trip)."""
    m = _candidates(p, dialect)
    total = func.count().over().label("total")
    paged = (
        select(*(m.c[n] for n in _carried(p)), total)
        .order_by(*_order_columns(m, p.order, p.direction, dialect))
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("pg")
    )
    stmt = select(S.c.card_id, paged.c.total, *with_columns).join_from(paged, S, S.c.rid == paged.c.rid)
    if with_columns:
        stmt = stmt.join(CARDS, CARDS.c.id == S.c.card_id)
    return stmt.order_by(*_order_columns(paged, p.order, p.direction, dialect))


def random_statement(p: Plan, dialect: str) -> Select[Any]:
    m = _candidates(p, dialect)
    pick = select(m.c.rid).order_by(func.random()).limit(1).scalar_subquery()
    return select(S.c.card_id).where(S.c.rid == pick)


def ids_statement(p: Plan) -> Select[Any]:
    """Every matching printing's id (no de-duplication): for other domains' ``IN`` filters."""
    return select(S.c.card_id).where(p.where)
