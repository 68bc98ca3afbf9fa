"""Compiler: every keyword compiles on both dialects, user text only ever travels as a parameter, and
the plan's defaults (hidden extras/digital/languages, the card-level fast path) are right."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from mtg_tracker.search import compiler
from mtg_tracker.search.compiler import Options, asks_for_digital, asks_for_extras
from mtg_tracker.search.parser import parse
from mtg_tracker.search.values import NUMBER_LIMITS

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}

QUERIES = [
    "bolt", '"lightning bolt"', '!"Fire // Ice"', "/^light/", "name:/bolt$/", "t:goblin", "t:creature", "t:/^legend/",
    'o:"draw a card"', 'o:"~ enters"', "o:/^{t}:/", 'fo:"can\'t block"', "fo:~", "ft:jaya", "kw:flying",
    "c:rg", "c=rg", "c<=rg", "c<rg", "c>rg", "c>=rg", "c!=rg", "c:c", "c:m", "c=2", "c>1", "id:esper", "id<=esper",
    "id=c", "has:indicator", "m:{2}{R/P}", "m=2WW", "m<={1}{R}", "m<{1}{R}", "m>{R}", "m!={R}", "mv=3", "mv>=3",
    "mv:even", "mv!=odd", "cmc<2.5", "devotion:{u}{u}", "devotion>={u/b}{u/b}", "produces:g", "produces=wc",
    "pow>tou", "pow>=3", "tou<pow", "loy=3", "def>2", "pt>=5", "pt>mv", "r>=r", "r:m", "r!=c", "e:lea", "s!=lea",
    "cn<10", "cn=1a", "cn>=ab", "b:zen", "st:core", "in:lea", "in:rare", "in:arena", "in:ja", "f:modern",
    "banned:legacy", "restricted:vintage", "is:dfc", "is:shockland", "is:unique", "not:reprint", "is:manland",
    "usd<1", "eur>=2.5", "tix>0.1", "cheapest:usd", "a:guay", "artists>1", "wm:orzhov", "has:watermark",
    "has:flavor", "border:black", "frame:2015", "frame:showcase", "stamp:oval", "game:arena", "year<=1994",
    "year=2019", "date>=2019-10-04", "date<lea", "lang:ja", "prints>20", "sets>=3", "paperprints=1",
    "papersets<2", "illustrations>1", "new:art", "new:flavor", "new:rarity", "-t:land", "t:elf or t:goblin",
    "-(a or b) c:r", "unique:prints order:usd dir:desc", "unique:art prefer:oldest", "prefer:usd-low t:goblin",
    "order:color", "order:set", "order:released", "order:rarity", "order:edhrec", "order:artist",
]  # fmt: skip


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("query", QUERIES)
def test_every_query_compiles(query: str, dialect: str) -> None:
    parsed = parse(query)
    assert parsed.warnings == [], parsed.warnings
    plan = compiler.plan(parsed, dialect)
    for stmt in (compiler.page_statement(plan, dialect, page=2), compiler.random_statement(plan, dialect)):
        sql = str(stmt.compile(dialect=DIALECTS[dialect]))
        assert "catalog_card_search" in sql
    assert "catalog_card_search" in str(compiler.ids_statement(plan).compile(dialect=DIALECTS[dialect]))


HOSTILE = "x'); DROP TABLE catalog_card; --"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "query",
    [f'"{HOSTILE}"', f'o:"{HOSTILE}"', f't:"{HOSTILE}"', f'!"{HOSTILE}"', f'a:"{HOSTILE}"', f'e:"{HOSTILE}"',
     f'wm:"{HOSTILE}"', f'kw:"{HOSTILE}"', f'ft:"{HOSTILE}"', "o:/x'. DROP TABLE catalog_card; --/"],
)  # fmt: skip
def test_user_text_is_never_spliced_into_sql(query: str, dialect: str) -> None:
    plan = compiler.plan(parse(query), dialect)
    compiled = compiler.page_statement(plan, dialect, page=1).compile(dialect=DIALECTS[dialect])
    assert "DROP" not in str(compiled)
    assert any("drop" in str(v).lower() for v in compiled.params.values())


@pytest.mark.parametrize(
    ("query", "fast"),
    [
        ("t:goblin c:r", True),
        ("o:draw -f:modern pow>3", True),
        ("is:shockland", True),
        ("e:lea t:goblin", False),
        ("r:rare", False),
        ("a:guay", False),
        ("t:goblin include:extras", False),
        ("t:goblin unique:prints", False),
        ("t:goblin prefer:oldest", False),
        ("t:goblin lang:ja", False),
        ("t:goblin game:arena", False),
    ],
)
def test_card_level_queries_skip_grouping(query: str, fast: bool) -> None:
    assert compiler.plan(parse(query), "sqlite").first_printing_only is fast


def test_defaults_hide_what_scryfall_hides_and_other_domains_see_everything() -> None:
    default = str(compiler.plan(parse("t:goblin"), "sqlite").where.compile(dialect=DIALECTS["sqlite"]))
    assert "hidden" in default
    own_rows = compiler.plan(parse("t:goblin"), "sqlite", Options(catalog_defaults=False))
    assert "hidden" not in str(own_rows.where.compile(dialect=DIALECTS["sqlite"]))
    partial = str(compiler.plan(parse("t:goblin include:extras"), "sqlite").where.compile(dialect=DIALECTS["sqlite"]))
    assert "hidden &" in partial


@pytest.mark.parametrize(
    ("query", "extras", "digital"),
    [
        ("t:goblin", False, False),
        ("t:token", True, False),
        ("t:emblem", True, False),
        ("is:token", True, False),
        ("st:token", True, False),
        ("e:tm19", True, True),
        ("game:arena", False, True),
        ("game:paper", False, False),
        ("is:digital", False, True),
        ("in:mtgo", False, True),
        ("f:historic", False, True),
        ("f:modern", False, False),
    ],
)
def test_what_asks_for_extras_and_digital_cards(query: str, extras: bool, digital: bool) -> None:
    root = parse(query).root
    assert asks_for_extras(root) is extras
    assert asks_for_digital(root) is digital


def test_directives_override_parameters() -> None:
    plan = compiler.plan(parse("t:goblin unique:prints order:usd"), "sqlite", Options(unique="art", order="name"))
    assert (plan.unique, plan.order) == ("prints", "usd")
    plan = compiler.plan(parse("t:goblin"), "sqlite", Options(unique="art", order="cmc", direction="desc"))
    assert (plan.unique, plan.order, plan.direction) == ("art", "cmc", "desc")


LIMITS = ["usd<21000000", "eur>-21000000", "tix<=20999999.99", "mv<1000000", "pt<2000000", "cn<1000000",
          "prints<=32767", "sets>-32767", "artists<32767", "date:9999-12", "year>=0001", "c<=99"]  # fmt: skip
# Every numeric keyword at both ends of its limit, so a limit too large for its column fails here.
LIMITS += [f"{kw}{op}{sign}{limit}" for kw, limit in NUMBER_LIMITS.items() for op, sign in (("<=", ""), (">=", "-"))]
_INT_RANGE = {"SMALLINT": 2**15, "INTEGER": 2**31, "BIGINT": 2**63}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("query", LIMITS)
def test_numbers_at_the_limits_fit_the_columns_they_are_compared_with(query: str, dialect: str) -> None:
    # PostgreSQL casts a bound value to the column's type: a price in cents must fit INTEGER, a count SMALLINT.
    parsed = parse(query)
    assert parsed.warnings == []
    compiled = compiler.page_statement(compiler.plan(parsed, dialect), dialect, page=1).compile(
        dialect=DIALECTS[dialect]
    )
    for bind, name in compiled.bind_names.items():
        value = compiled.params[name]
        if isinstance(value, float):
            assert value == value and abs(value) != float("inf"), (query, name)
        bound = _INT_RANGE.get(str(bind.type))
        if bound is not None and isinstance(value, int | float):
            assert -bound <= value < bound, (query, name, value, bind.type)


def test_a_term_the_parser_would_drop_does_not_compile() -> None:
    # Defence in depth: a tree built without the parser cannot smuggle an overflowing value to SQL.
    from mtg_tracker.search.ast import Span, Term

    bad = parse("usd>1")
    assert isinstance(bad.root, Term)
    bad.root = Term("usd", ">", "1e17", Span(0, 8))
    with pytest.raises(compiler.CompileError):
        compiler.plan(bad, "sqlite")
