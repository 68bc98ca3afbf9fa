"""Scryfall's meaning on the real 2019 catalog (45,851 printings), on SQLite and PostgreSQL.

For each example of the syntax guide: names that must be found and names that must not. Then
data-independent equivalences, and the whole example set returning the same cards in the same order
on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from realcatalog import BACKENDS, catalogs, names, printings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory, real_catalog_templates: dict[str, str]) -> Iterator[dict[str, str]]:
    yield from catalogs(tmp_path_factory, real_catalog_templates)


EXAMPLES: list[tuple[str, list[str], list[str]]] = [
    # colours: ":" is "at least these colours"; "=" exactly; identity ":" is "fits a commander of"
    (
        "c:rg",
        ["Atarka, World Render", "Animar, Soul of Elements"],
        ["Lightning Bolt", "Llanowar Elves", "Boros Reckoner"],
    ),
    ("c=rg", ["Atarka, World Render", "Bloodbraid Elf"], ["Animar, Soul of Elements", "Lightning Bolt"]),
    (
        "c<=rg t:creature",
        ["Bloodbraid Elf", "Goblin Guide", "Llanowar Elves", "Ornithopter"],
        ["Animar, Soul of Elements"],
    ),
    ("c:c t:creature", ["Ornithopter"], ["Goblin Guide"]),
    ("c:m t:dragon", ["Crosis, the Purger", "Atarka, World Render"], ["Shivan Dragon"]),
    ("c=2 t:elf", ["Bloodbraid Elf"], ["Llanowar Elves"]),
    (
        "id<=esper",
        ["Sharuum the Hegemon", "Ethersworn Canonist", "Sol Ring"],
        ["Prossh, Skyraider of Kher", "Lightning Bolt"],
    ),
    ("id:esper t:legend t:creature", ["Sharuum the Hegemon", "Isamaru, Hound of Konda"], ["Prossh, Skyraider of Kher"]),
    ("id=esper t:legend", ["Sharuum the Hegemon"], ["Isamaru, Hound of Konda"]),
    ("has:indicator", ["Dryad Arbor", "Ancestral Vision"], ["Lightning Bolt"]),
    # text
    ("t:legend t:goblin", ["Krenko, Mob Boss", "Kiki-Jiki, Mirror Breaker"], ["Goblin Guide", "Zurgo Helmsmasher"]),
    ('t:"legendary creature" t:goblin', ["Krenko, Mob Boss"], ["Goblin Guide"]),
    ('o:"~ enters the battlefield tapped"', ["Azorius Guildgate", "Coral Atoll"], ["Overgrown Tomb", "Llanowar Elves"]),
    ('o:"draw a card" t:instant mv=1', ["Opt"], ["Lightning Bolt", "Brainstorm"]),
    ("o:/^{t}: add {g}\\.$/ t:creature", ["Llanowar Elves", "Fyndhorn Elves"], ["Birds of Paradise"]),
    ('o:"can\'t be blocked"', ["Phantom Warrior"], ["Lightning Bolt"]),
    ('fo:"can\'t block" -o:"can\'t block" t:creature', [], ["Grizzly Bears"]),
    ("ft:jaya t:instant", ["Blindblast"], ["Lightning Bolt"]),
    ("bolt", ["Lightning Bolt", "Bolt of Keranos"], ["Chain Lightning"]),
    ('"lightning bolt"', ["Lightning Bolt"], ["Lightning Helix"]),
    ('!"lightning bolt"', ["Lightning Bolt"], ["Lightning Axe"]),
    ("!fire", ["Fire // Ice"], ["Fireball"]),  # an exact face name finds the card, as /cards/named does
    ('!"fire // ice"', ["Fire // Ice"], []),
    ("name:/^lightning/", ["Lightning Bolt", "Lightning Helix"], ["Chain Lightning"]),
    ("aether vial", ["Aether Vial"], []),
    # mana
    # generic mana is an amount: a {3} cost contains {2}
    ("m:{2}{R/P}", ["Act of Aggression", "Rage Extractor", "Slash Panther"], ["Gut Shot", "Lightning Bolt"]),
    ("m:2WW t:creature", ["Ajani's Chosen", "Serra Angel"], ["Savannah Lions", "Wall of Omens"]),
    ("m={R/P}", ["Gut Shot"], ["Act of Aggression"]),
    ("m={R}", ["Lightning Bolt", "Goblin Guide", "Chain Lightning"], ["Lightning Helix", "Fireblast"]),
    ("m<={1}{R} t:instant", ["Lightning Bolt", "Shock"], ["Lightning Helix", "Fireblast"]),
    ("m>{R}{R} t:instant", ["Fireblast"], ["Lightning Bolt", "Chain Lightning"]),
    ("is:hybrid t:creature c=rw", ["Boros Reckoner"], ["Lightning Helix"]),
    ("is:phyrexian", ["Gitaxian Probe", "Gut Shot"], ["Lightning Bolt"]),
    ("mv=0 t:artifact", ["Ornithopter", "Black Lotus"], ["Sol Ring"]),
    ("mv>=16", ["Draco"], ["Emrakul, the Aeons Torn"]),
    ("devotion:{g}{g}{g} t:creature", ["Craterhoof Behemoth"], ["Llanowar Elves"]),
    ("devotion:{g}{g}{g}{g} t:creature", ["Force of Nature"], ["Craterhoof Behemoth"]),
    # stats
    ("pow>tou t:creature", ["Ball Lightning"], ["Wall of Omens", "Grizzly Bears"]),
    ("pow>=8 t:creature", ["Emrakul, the Aeons Torn"], ["Grizzly Bears"]),
    ("tou<=0 t:creature", [], ["Grizzly Bears"]),
    ("pt=4 t:bear", ["Grizzly Bears"], ["Ball Lightning"]),
    ("loy>=6 t:planeswalker", ["Ugin, the Spirit Dragon"], ["Jace, the Mind Sculptor"]),
    ("is:bear", ["Grizzly Bears", "Bear Cub"], ["Ball Lightning", "Watchwolf"]),
    # printing-level properties (a card matches when any printing does)
    ("r>=r", ["Black Lotus", "Jace, the Mind Sculptor"], ["Air Elemental", "Pacifism"]),
    ("r:common t:goblin", ["Mogg Fanatic", "Raging Goblin"], ["Krenko, Mob Boss"]),
    ("e:lea cn<10", ["Animate Wall", "Balance"], ["Black Lotus", "Serra Angel"]),
    ("s:lea t:goblin", ["Goblin King"], ["Goblin Guide"]),
    ("st:masters t:goblin", ["Goblin Guide"], ["Krenko, Tin Street Kingpin"]),
    ("b:zen t:goblin", ["Goblin Guide"], ["Raging Goblin"]),
    ("in:lea t:goblin", ["Goblin King", "Mons's Goblin Raiders"], ["Goblin Guide"]),
    ("year<=1994", ["Black Lotus", "Serra Angel"], ["Tarmogoyf", "Goblin Guide"]),
    ("date>=2019-10-01 r:mythic", [], ["Black Lotus"]),
    ('a:"rebecca guay" t:enchantment', ["Bitterblossom"], ["Rancor"]),
    ("artists>1", [], ["Lightning Bolt"]),
    ("wm:orzhov", ["Orzhov Signet"], ["Lightning Bolt"]),
    ("has:watermark t:gate", ["Azorius Guildgate"], []),
    ("border:white t:instant", ["Lightning Bolt"], []),
    ("frame:1993 t:goblin", ["Goblin King"], ["Goblin Guide"]),
    ("is:foil e:m19", ["Goblin Instigator"], []),
    ("game:mtgo t:goblin", ["Goblin Guide"], []),
    ("lang:ja", ["Cast Down"], []),
    ("prints>=20", ["Lightning Bolt", "Llanowar Elves"], ["Goblin Guide"]),
    ("sets=1 t:goblin t:legend", ["Ol' Buzzbark"], ["Krenko, Mob Boss"]),
    ("illustrations>=5", ["Llanowar Elves"], ["Goblin Guide"]),
    ("new:art t:goblin e:m19", ["Goblin Instigator"], ["Goblin Guide"]),
    ("usd>=0 t:goblin", [], []),  # the 2019 file carries almost no prices; the query must still run
    # formats
    ("f:modern -banned:modern t:instant", ["Lightning Bolt", "Path to Exile"], ["Black Lotus", "Ponder"]),
    ("banned:modern", ["Splinter Twin", "Ponder"], ["Lightning Bolt"]),
    ("restricted:vintage", ["Black Lotus", "Ancestral Recall", "Ponder"], ["Lightning Bolt"]),
    ("f:vintage mv=0 t:artifact", ["Black Lotus", "Ornithopter"], []),
    ("f:pauper t:goblin", ["Mogg Fanatic"], ["Goblin Guide"]),
    ("f:commander is:commander t:goblin", ["Krenko, Mob Boss"], ["Goblin Guide"]),
    # is:
    ("is:dfc", ["Delver of Secrets // Insectile Aberration"], ["Fire // Ice", "Lightning Bolt"]),
    ("is:split", ["Fire // Ice"], ["Delver of Secrets // Insectile Aberration"]),
    ("is:flip", ["Budoka Gardener // Dokai, Weaver of Life"], ["Fire // Ice"]),
    ("is:meld", ["Bruna, the Fading Light"], ["Fire // Ice"]),
    ("is:adventure", ["Bonecrusher Giant // Stomp"], ["Fire // Ice"]),
    ("is:saga", ["History of Benalia"], ["Lightning Bolt"]),
    ("is:leveler", ["Student of Warfare"], ["Lightning Bolt"]),
    ("is:transform", ["Delver of Secrets // Insectile Aberration"], ["Bruna, the Fading Light"]),
    ("is:reserved t:artifact", ["Black Lotus"], ["Sol Ring"]),
    ("is:vanilla t:bear", ["Grizzly Bears"], ["Ashcoat Bear"]),
    ("is:frenchvanilla mv=1 t:creature", ["Benalish Hero"], ["Llanowar Elves"]),
    ("is:spell", ["Lightning Bolt", "Grizzly Bears"], ["Forest", "Overgrown Tomb"]),
    ("is:permanent", ["Grizzly Bears", "Forest"], ["Lightning Bolt"]),
    ("is:historic", ["Sol Ring", "History of Benalia", "Krenko, Mob Boss"], ["Lightning Bolt"]),
    ("is:party t:human", ["Abbey Matron"], ["Grizzly Bears"]),
    ("is:modal t:instant", ["Cryptic Command", "Abzan Charm"], ["Lightning Bolt"]),
    ("is:shockland", ["Overgrown Tomb"], ["Tropical Island"]),
    ("is:dual", ["Tropical Island"], ["Overgrown Tomb"]),
    ("is:fetchland", ["Polluted Delta"], ["Tropical Island"]),
    ("not:reprint e:m19 t:goblin", ["Goblin Instigator"], ["Goblin Guide"]),
    ("is:digital", ["Black Lotus"], ["Unsummon"]),  # Black Lotus was printed in MTGO's Vintage Masters
    # combinations
    ("t:elf or t:goblin", ["Llanowar Elves", "Goblin Guide"], ["Grizzly Bears"]),
    ("(t:elf or t:goblin) -c:g", ["Goblin Guide"], ["Llanowar Elves"]),
    ("-(t:elf or t:goblin) t:creature mv=1 c=g", ["Pouncing Jaguar"], ["Llanowar Elves"]),
    ("t:goblin include:extras", ["Goblin Guide"], []),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("query", "include", "exclude"), EXAMPLES)
async def test_syntax_guide_examples(
    urls: dict[str, str], backend: str, query: str, include: list[str], exclude: list[str]
) -> None:
    found = set(await names(urls[backend], query))
    missing = [n for n in include if n not in found]
    wrong = [n for n in exclude if n in found]
    assert not missing, f"{query!r} should find {missing}"
    assert not wrong, f"{query!r} should not find {wrong}"


EQUIVALENT = [
    ("c>=ug", "c:ug"),
    ("-(t:elf or t:goblin)", "-t:elf -t:goblin"),
    # For real, single-faced cards: legal somewhere (no novelty "Summon"/"Hero" cards), no adventurers or
    # double-faced cards (a type search matches any face; a sorcery may transform into a creature).
    ("is:permanent f:vintage -is:adventure -is:dfc", "-t:instant -t:sorcery f:vintage -is:adventure -is:dfc"),
    ("id<=esper", "id:esper"),
    ("c<=rg", "-c:w -c:u -c:b"),
    ("r>=r", "r:r or r:m"),
    ("pow>=tou", "pow>tou or pow=tou"),
    ("not:reprint", "-is:reprint"),
    ("t:elf or t:goblin", "t:goblin or t:elf"),
    ("-(c:r and t:goblin)", "-c:r or -t:goblin"),
    ("m>={R}{R}", "m:{R}{R}"),
    ("mv>=3 mv<=3", "mv=3"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
async def test_equivalences(urls: dict[str, str], backend: str, left: str, right: str) -> None:
    a = await printings(urls[backend], left)
    assert a, f"{left!r} found nothing: the equivalence would be vacuous"
    assert a == await printings(urls[backend], right)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_even_mana_value_is_the_union_of_even_values(urls: dict[str, str], backend: str) -> None:
    from sqlalchemy import select

    from mtg_tracker.catalog.models import CardSearch
    from mtg_tracker.config import Settings
    from mtg_tracker.kit.db import Database

    db = Database(Settings(database_url=urls[backend], environment="test"))
    async with db.session(write=False) as session:
        present = sorted({v for (v,) in await session.execute(select(CardSearch.cmc).distinct()) if v is not None})
    await db.dispose()
    evens = [int(v) for v in present if v == int(v) and int(v) % 2 == 0]
    assert len(evens) >= 5
    union = " or ".join(f"mv={v}" for v in evens)
    assert await printings(urls[backend], "mv:even") == await printings(urls[backend], union)
    # disjoint as printings (two different cards may share a name: Unstable's Everythingamajig)
    assert not set(await printings(urls[backend], "mv:even")) & set(await printings(urls[backend], "mv:odd"))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_complements_are_disjoint_and_cover(urls: dict[str, str], backend: str) -> None:
    every = set(await printings(urls[backend], "mv>=0 or -mv>=0"))
    for term in ("pow>3", "t:goblin", "c:r", "is:dfc", "f:modern", "r>=r", "year<=1994"):
        inside = set(await printings(urls[backend], term))
        outside = set(await printings(urls[backend], f"-{term}"))
        assert inside and outside and not inside & outside, term
        # A card shows one printing; the union covers every card (the chosen printing may differ when a
        # property belongs to some printings only).
        assert {n for _, n in inside | outside} == {n for _, n in every}, term


@pytest.mark.skipif(len(BACKENDS) < 2, reason="needs MTG_TEST_DATABASE_URL (PostgreSQL) as well")
async def test_same_cards_in_the_same_order_on_both_backends(urls: dict[str, str]) -> None:
    queries = [q for q, _, _ in EXAMPLES] + [q for pair in EQUIVALENT for q in pair]
    queries += [
        "t:goblin order:usd", "t:goblin order:released", "t:goblin order:rarity dir:asc", "t:goblin order:color",
        "t:elf order:cmc", "t:elf order:power", "t:elf order:artist", "t:elf order:set", "t:elf unique:prints",
        "t:elf unique:art", "t:elf prefer:oldest", "t:elf prefer:newest", "t:wall lang:any",
    ]  # fmt: skip
    for q in queries:
        sqlite_rows = await printings(urls["sqlite"], q)
        pg_rows = await printings(urls["postgresql"], q)
        assert sqlite_rows == pg_rows, q
