"""Parser: grammar, every keyword and alias, operators, warnings and errors (pure, table-driven)."""

from __future__ import annotations

import pytest

from mtg_tracker.search.ast import And, Name, Node, Not, Nothing, Or, Term
from mtg_tracker.search.keywords import BY_ALIAS
from mtg_tracker.search.parser import MAX_QUERY_LENGTH, QuerySyntaxError, parse


def shape(node: Node) -> object:
    """A compact, comparable rendering of a tree."""
    if isinstance(node, Term):
        return f"{node.keyword}{node.op}{node.value}" + ("/re" if node.regex else "")
    if isinstance(node, Name):
        return ("!" if node.exact else "") + ("/" + node.value + "/" if node.regex else node.value)
    if isinstance(node, Not):
        return ("not", shape(node.child))
    if isinstance(node, And):
        return ("and", *(shape(c) for c in node.children))
    if isinstance(node, Or):
        return ("or", *(shape(c) for c in node.children))
    assert isinstance(node, Nothing)
    return "nothing"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bolt", "bolt"),
        ("lightning bolt", ("and", "lightning", "bolt")),
        ('"lightning bolt"', "lightning bolt"),
        ("'lightning bolt'", "lightning bolt"),
        ('!"Lightning Bolt"', "!Lightning Bolt"),
        ("!fire", "!fire"),
        ("/^light/", "/^light/"),
        ("t:goblin", "type:goblin"),
        ("T:Goblin", "type:Goblin"),
        ("c:rg", "color:rg"),
        ("t:legend t:goblin", ("and", "type:legend", "type:goblin")),
        ("t:elf or t:goblin", ("or", "type:elf", "type:goblin")),
        ("t:elf OR t:goblin", ("or", "type:elf", "type:goblin")),
        ("t:elf and t:goblin", ("and", "type:elf", "type:goblin")),
        ("a b or c d", ("or", ("and", "a", "b"), ("and", "c", "d"))),
        ("(a or b) c", ("and", ("or", "a", "b"), "c")),
        ("-t:land", ("not", "type:land")),
        ("-(a or b)", ("not", ("or", "a", "b"))),
        ("not:reprint", ("not", "is:reprint")),
        ("-not:reprint", ("not", ("not", "is:reprint"))),
        ('o:"draw a card"', "oracle:draw a card"),
        ('o:"~ enters the battlefield tapped"', "oracle:~ enters the battlefield tapped"),
        ("o:/^{t}:/", "oracle:^{t}:/re"),
        (r"name:/a\/b/", "name:a/b/re"),
        ("pow>tou", "power>tou"),
        ("pow>=3", "power>=3"),
        ("mv<=2", "manavalue<=2"),
        ("cmc!=3", "manavalue!=3"),
        ("r>=r", "rarity>=r"),
        ("m:{2}{R/P}", "mana:{2}{R/P}"),
        ("m:2WW", "mana:2WW"),
        ("e:lea cn<10", ("and", "set:lea", "number<10")),
        ("year<=1994", "year<=1994"),
        ("f:modern -banned:modern", ("and", "format:modern", ("not", "banned:modern"))),
        ("id<=esper", "identity<=esper"),
        ("t:goblin-lord", "type:goblin-lord"),
        ("jace's", "jace's"),
        ("((a))", "a"),
    ],
)
def test_grammar(query: str, expected: object) -> None:
    q = parse(query)
    assert shape(q.root) == expected
    assert q.warnings == []


def test_spans_point_at_the_source() -> None:
    q = parse("c:r   t:goblin")
    assert isinstance(q.root, And)
    spans = [(c.span.start, c.span.end) for c in q.root.children]
    assert spans == [(0, 3), (6, 14)]


ALIASES = [
    ("name", "name"), ("n", "name"), ("c", "color"), ("color", "color"), ("colour", "color"), ("id", "identity"),
    ("identity", "identity"), ("ci", "identity"), ("commander", "identity"), ("t", "type"), ("type", "type"),
    ("o", "oracle"), ("oracle", "oracle"), ("fo", "fulloracle"), ("fulloracle", "fulloracle"),
    ("kw", "keyword"), ("keyword", "keyword"), ("m", "mana"), ("mana", "mana"), ("mv", "manavalue"),
    ("cmc", "manavalue"), ("manavalue", "manavalue"), ("devotion", "devotion"), ("produces", "produces"),
    ("pow", "power"), ("power", "power"), ("tou", "toughness"), ("toughness", "toughness"), ("loy", "loyalty"),
    ("loyalty", "loyalty"), ("def", "defense"), ("defense", "defense"), ("pt", "powtou"), ("powtou", "powtou"),
    ("r", "rarity"), ("rarity", "rarity"), ("s", "set"), ("e", "set"), ("set", "set"), ("edition", "set"),
    ("cn", "number"), ("number", "number"), ("b", "block"), ("block", "block"), ("st", "settype"), ("in", "in"),
    ("f", "format"), ("format", "format"), ("legal", "format"), ("banned", "banned"), ("restricted", "restricted"),
    ("is", "is"), ("usd", "usd"), ("eur", "eur"), ("tix", "tix"), ("cheapest", "cheapest"), ("a", "artist"),
    ("artist", "artist"), ("artists", "artists"), ("ft", "flavor"), ("flavor", "flavor"), ("wm", "watermark"),
    ("watermark", "watermark"), ("border", "border"), ("frame", "frame"), ("stamp", "stamp"), ("game", "game"),
    ("year", "year"), ("date", "date"), ("lang", "lang"), ("language", "lang"), ("prints", "prints"),
    ("sets", "sets"), ("paperprints", "paperprints"), ("papersets", "papersets"),
    ("illustrations", "illustrations"), ("new", "new"), ("has", "has"), ("oracleid", "oracleid"),
    ("oracle_id", "oracleid"), ("illustrationid", "illustrationid"), ("illustration_id", "illustrationid"),
]  # fmt: skip

GOOD_VALUE = {
    "color": "rg", "identity": "esper", "mana": "{2}{R/P}", "manavalue": "3", "devotion": "{u}{u}",
    "produces": "g", "power": "3", "toughness": "3", "loyalty": "3", "defense": "3", "powtou": "5",
    "rarity": "rare", "set": "lea", "number": "10", "block": "zen", "settype": "core", "in": "lea",
    "format": "modern", "banned": "modern", "restricted": "vintage", "is": "dfc", "usd": "1.5", "eur": "2",
    "tix": "0.1", "cheapest": "usd", "artists": "2", "border": "black", "frame": "2015", "stamp": "oval",
    "game": "paper", "year": "1994", "date": "2019-10-04", "lang": "ja", "prints": "2", "sets": "2",
    "paperprints": "3", "papersets": "3", "illustrations": "2", "new": "art", "has": "indicator",
    "oracleid": "68954295-54e3-4303-a6bc-fc4547a4e3a3", "illustrationid": "0593112b-9ba0-4524-a853-52f954cd60f1",
}  # fmt: skip


@pytest.mark.parametrize(("alias", "canonical"), ALIASES)
def test_every_alias_resolves(alias: str, canonical: str) -> None:
    value = GOOD_VALUE.get(canonical, "goblin")
    q = parse(f"{alias}:{value}")
    assert q.warnings == []
    assert isinstance(q.root, Term)
    assert q.root.keyword == canonical
    assert q.root.raw_keyword == alias


@pytest.mark.parametrize("op", [":", "=", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("keyword", ["mv", "pow", "tou", "loy", "def", "pt", "usd", "eur", "tix", "c", "id", "r"])
def test_all_six_comparisons(keyword: str, op: str) -> None:
    value = {"c": "wu", "id": "wu", "r": "u"}.get(keyword, "2")
    q = parse(f"{keyword}{op}{value}")
    assert q.warnings == []
    assert isinstance(q.root, Term) and q.root.op == op and q.root.value == value


def test_every_keyword_in_the_table_has_a_test() -> None:
    tested = {alias for alias, _ in ALIASES}
    untested = {
        a for a, kw in BY_ALIAS.items() if kw.kind not in ("directive", "tagger", "not") and a not in tested
    } - {"cid", "settype", "oraclefunction"}
    assert untested == set()


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        ("mm:foo", 'Unknown keyword "mm"'),
        ("oracleid:nope", '"nope" is not an id (a UUID) for oracleid:'),
        ("illustrationid>0593112b-9ba0-4524-a853-52f954cd60f1", 'only understands ":", "=" and "!="'),
        ("c:x", 'Unknown color "x"'),
        ("id:purple", 'Unknown color "purple"'),
        ("mv:x", "The value must be a number, or even/odd"),
        ("pow:abc", "The value must be a number"),
        ("r:legendary", 'Unknown rarity "legendary"'),
        ("f:casual", 'Unknown format "casual"'),
        ("is:awesome", 'Unknown property "awesome"'),
        ("border:pink", 'Unknown border "pink"'),
        ("game:xbox", 'Unknown game "xbox"'),
        ("lang:klingon", 'Unknown language "klingon"'),
        ("date:2019-13-45", "is not a year, a date (yyyy-mm-dd) or a set code"),
        ("m:{Q}", "is not a mana cost"),
        ("otag:ramp", "Tagger"),
        ("art:squirrel", "Tagger"),
        ("cube:vintage", "Tagger"),
        ("order:sideways", 'Unknown value "sideways" for order'),
        ("t>goblin", 'only understands ":", "=" and "!="'),
        ("o:/(a/", "Invalid regular expression"),
        (r"o:/(a)\1/", "Back-references and lookaround"),
        ("o:/(?=a)b/", "Back-references and lookaround"),
        ("o:/(?P<x>a)/", "Only (…) and (?:…) groups"),
        ("o:/(?i)a/", "Only (…) and (?:…) groups"),
    ],
)
def test_bad_terms_are_ignored_with_a_warning(query: str, warning: str) -> None:
    q = parse(f"t:goblin {query}")
    assert len(q.warnings) == 1 and warning in q.warnings[0], q.warnings
    assert isinstance(q.root, And)
    assert shape(q.root.children[0]) == "type:goblin"
    assert isinstance(q.root.children[1], Nothing)
    assert not q.is_empty


def test_all_terms_ignored_is_empty() -> None:
    q = parse("mm:foo c:x")
    assert q.is_empty
    assert len(q.warnings) == 2


def test_ignored_term_inside_or_drops_out() -> None:
    q = parse("t:elf or zz:top")
    assert isinstance(q.root, Or)
    assert isinstance(q.root.children[1], Nothing)
    assert q.warnings and 'Unknown keyword "zz"' in q.warnings[0]


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("(t:goblin", 0, "Unclosed ("),
        ("t:goblin (c:r or (c:g)", 9, "Unclosed ("),
        ("t:goblin)", 8, "Unmatched )"),
        ('o:"draw a card', 2, "Unclosed quote"),
        ('"bolt', 0, "Unclosed quote"),
        ("name:/abc", 5, "Unclosed regular expression"),
        ("/abc", 0, "Unclosed regular expression"),
    ],
)
def test_structural_errors_name_the_position(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.position == position
    assert message in err.value.message
    assert str(position + 1) in err.value.message


def test_length_limit() -> None:
    parse("a" * MAX_QUERY_LENGTH)
    with pytest.raises(QuerySyntaxError, match="longer than 1000"):
        parse("a" * (MAX_QUERY_LENGTH + 1))


def test_nesting_limit() -> None:
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("(" * 100 + "a" + ")" * 100)
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("-" * 100 + "a")
    parse("(" * 20 + "a" + ")" * 20)


def test_directives_leave_the_tree() -> None:
    q = parse("t:goblin unique:prints order:usd dir:desc prefer:oldest include:extras display:text")
    assert shape(q.root) == ("and", "type:goblin", "nothing", "nothing", "nothing", "nothing", "nothing", "nothing")
    d = q.directives
    assert (d.unique, d.order, d.direction, d.prefer, d.display, d.include_extras) == (
        "prints", "usd", "desc", "oldest", "text", True,
    )  # fmt: skip
    assert q.warnings == []


def test_include_cannot_be_negated() -> None:
    q = parse("t:goblin -include:extras")
    assert not q.directives.include_extras
    assert q.warnings and "cannot be negated" in q.warnings[0]


def test_lang_any_includes_every_language() -> None:
    q = parse("bolt lang:any")
    assert q.directives.include_multilingual
    assert q.warnings == []


@pytest.mark.parametrize("query", ["-", "t:goblin or", "or", "- -"])
def test_dangling_operators_warn(query: str) -> None:
    q = parse(query)
    assert q.warnings


def test_escaped_quote_in_value() -> None:
    q = parse(r'o:"say \"hi\""')
    assert isinstance(q.root, Term) and q.root.value == 'say "hi"'


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        ("usd>1e17", 'out of range for "usd"'),
        ("usd>99999999999999999999", 'out of range for "usd"'),
        ("eur<1e300", 'out of range for "eur"'),
        ("tix>=1e17", 'out of range for "tix"'),
        ("usd>1e308", 'out of range for "usd"'),
        ("usd<-1e10", 'out of range for "usd"'),
        ("usd>21000000.01", 'out of range for "usd"'),
        ("prints>32768", 'out of range for "prints"'),
        ("usd>1e400", "The value must be a number"),
        ("mv>1e308", 'out of range for "mv"'),
        ("pow<-2000000", 'out of range for "pow"'),
        ("tou=1e9", 'out of range for "tou"'),
        ("loy>1e7", 'out of range for "loy"'),
        ("pt>1e307", 'out of range for "pt"'),
        ("prints>1e18", 'out of range for "prints"'),
        ("artists>=1e10", 'out of range for "artists"'),
        ("cn>1e17", 'out of range for "cn"'),
        ("cn<99999999999999999999", 'out of range for "cn"'),
        ("cn:" + "1" * 33, "Collector numbers are at most 32 characters"),
        ("c=99999999999999999999", 'Unknown color "99999999999999999999"'),
        ("id>=100", 'Unknown color "100"'),
        ("year>0000", "is not a year"),
        ("date<10000-01-01", "is not a year"),
        ("date>2019-02-30", "is not a year"),
    ],
)
def test_out_of_range_numbers_are_ignored_with_a_warning(query: str, warning: str) -> None:
    q = parse(f"t:goblin {query}")
    assert len(q.warnings) == 1 and warning in q.warnings[0], q.warnings
    assert isinstance(q.root, And) and isinstance(q.root.children[1], Nothing)


@pytest.mark.parametrize(
    "query",
    ["usd<21000000", "eur>-21000000", "tix<=20999999.99", "mv<1000000", "pow>-1000000", "pt<2000000",
     "prints<=32767", "cn<1000000", "cn>=abc", "c<=99", "year<=9999", "date<=9999-12-31", "date:9999-12",
     "year>=0001"],
)  # fmt: skip
def test_numbers_at_the_limits_are_kept(query: str) -> None:
    q = parse(query)
    assert q.warnings == [] and isinstance(q.root, Term)
