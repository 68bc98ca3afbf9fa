"""Scryfall ``is:`` properties of one card object, as flag names and bit masks. Pure, no I/O.

The search engine answers ``is:``/``not:`` queries (``is:spell``, ``is:foil``, ``is:shockland``…) from bit
masks stored per printing. This module derives them once per card at import, so it must be cheap (it runs
over every card of a bulk file) and must read every schema Scryfall has shipped:

* the 2019 dump: singular ``frame_effect``, ``foil``/``nonfoil`` booleans, no ``keywords``/``finishes``/
  ``promo_types``/``security_stamp``, mostly no ``set_type``/``booster``/``textless``/``variation``, and
  Oracle wording "enters the battlefield tapped" with the card's own name in its text;
* current objects: ``finishes``, ``keywords``, ``frame_effects``, ``promo_types``, ``security_stamp``, and
  Oracle wording "enters tapped", "this land".

Meanings follow https://scryfall.com/docs/syntax. Scryfall documents the land nicknames only by name, so each
one is written here as the rule its cycle's Oracle text follows, not as a name list: reprints and later
members are recognised without a per-set table to maintain. A field the object lacks counts as false: an
old object cannot say it was sold in boosters, and guessing would make ``is:booster`` lie.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

PRINTING_FLAGS: tuple[str, ...] = (
    "spell",
    "permanent",
    "historic",
    "party",
    "modal",
    "vanilla",
    "frenchvanilla",
    "bear",
    "split",
    "flip",
    "transform",
    "meld",
    "leveler",
    "dfc",
    "mdfc",
    "adventure",
    "saga",
    "class",
    "battle",
    "commander",
    "brawler",
    "companion",
    "duelcommander",
    "oathbreaker",
    "reserved",
    "hybrid",
    "phyrexian",
    "foil",
    "nonfoil",
    "etched",
    "glossy",
    "full",
    "hires",
    "digital",
    "promo",
    "spotlight",
    "reprint",
    "firstprint",
    "booster",
    "funny",
    "textless",
    "oversized",
    "variation",
    "new",
    "old",
    "colorshifted",
    "masterpiece",
    "token",
    "extra",
)

LAND_FLAGS: tuple[str, ...] = (
    "dual",
    "shockland",
    "fetchland",
    "checkland",
    "fastland",
    "painland",
    "scryland",
    "triome",
    "bikeland",
    "bounceland",
    "canopyland",
    "filterland",
    "gainland",
    "shadowland",
    "slowland",
    "storageland",
    "creatureland",
    "tangoland",
    "pathway",
    "bondland",
    "manland",
    "snarl",
    "surveilland",
)

# Masks live in signed 64-bit columns: bit 63 would make them negative.
assert len(PRINTING_FLAGS) < 63
assert len(LAND_FLAGS) < 63
assert len(set(PRINTING_FLAGS)) == len(PRINTING_FLAGS)
assert len(set(LAND_FLAGS)) == len(LAND_FLAGS)

_P: dict[str, int] = {name: 1 << i for i, name in enumerate(PRINTING_FLAGS)}
_L: dict[str, int] = {name: 1 << i for i, name in enumerate(LAND_FLAGS)}


def flag_mask(names: Iterable[str], table: tuple[str, ...]) -> int:
    """The bit mask of ``names`` in ``table`` (bit i is ``table[i]``); an unknown name is a ValueError."""
    # Identity, not equality: hashing a 49-name tuple on every call would cost more than the lookup.
    if table is PRINTING_FLAGS:
        bits = _P
    elif table is LAND_FLAGS:
        bits = _L
    else:
        bits = {name: 1 << i for i, name in enumerate(table)}
    mask = 0
    for name in names:
        bit = bits.get(name)
        if bit is None:
            raise ValueError(f"unknown flag {name!r} (not in the table)")
        mask |= bit
    return mask


def _names(mask: int, table: tuple[str, ...], cache: dict[int, frozenset[str]]) -> frozenset[str]:
    # Few distinct masks occur (a few thousand over a whole catalog): share one frozenset per mask.
    names = cache.get(mask)
    if names is None:
        names = cache[mask] = frozenset(name for i, name in enumerate(table) if mask >> i & 1)
    return names


_PRINTING_NAMES: dict[int, frozenset[str]] = {}
_LAND_NAMES: dict[int, frozenset[str]] = {}


def card_flags(obj: dict[str, Any]) -> frozenset[str]:
    """The names from PRINTING_FLAGS this Scryfall card object has."""
    return _names(card_mask(obj), PRINTING_FLAGS, _PRINTING_NAMES)


def land_flags(obj: dict[str, Any]) -> frozenset[str]:
    """The names from LAND_FLAGS (Scryfall's land-cycle nicknames) this Scryfall card object has."""
    return _names(land_mask(obj), LAND_FLAGS, _LAND_NAMES)


# ---------------------------------------------------------------------------------------------------------
# Card anatomy
# ---------------------------------------------------------------------------------------------------------

# Objects that are not cards you put in a deck: Scryfall hides them unless asked (include:extras), and they
# are neither spells nor permanent cards even when their type line says "Creature".
_NON_CARD_LAYOUTS = frozenset(
    {"token", "double_faced_token", "emblem", "art_series", "planar", "scheme", "vanguard", "augment", "host"}
)
_EXTRA_SET_TYPES = frozenset({"token", "memorabilia"})
# Only the front of these is ever cast: the back (or the flipped half) only turns up on the battlefield.
_FRONT_ONLY_LAYOUTS = frozenset({"transform", "meld", "flip", "double_faced_token"})
# Double-faced in the rules' sense (CR 712). A reversible card is two unrelated cards on one piece of
# cardboard and an art-series card is no game card, so neither counts.
_DFC_LAYOUTS = frozenset({"transform", "modal_dfc", "meld", "double_faced_token"})
_OWN_FLAG_LAYOUTS = frozenset({"split", "flip", "transform", "meld", "leveler", "adventure"})
_FINISH_BITS = {finish: _P[finish] for finish in ("foil", "nonfoil", "etched", "glossy")}
# Printing fields that are true or absent, and the flag each one sets.
_TRUTHY_FIELDS = tuple(
    (field, _P[flag])
    for field, flag in (
        ("reserved", "reserved"),
        ("full_art", "full"),
        ("highres_image", "hires"),
        ("digital", "digital"),
        ("promo", "promo"),
        ("story_spotlight", "spotlight"),
        ("booster", "booster"),
        ("textless", "textless"),
        ("oversized", "oversized"),
        ("variation", "variation"),
    )
)
# Matched against one half of a type line (see _Face), as regexes: one C-level scan, not a generator.
_SPELL_TYPES = re.compile(r"Artifact|Battle|Creature|Enchantment|Instant|Kindred|Planeswalker|Sorcery|Tribal")
_PERMANENT_TYPES = re.compile(r"Artifact|Battle|Creature|Enchantment|Land|Planeswalker")
_PARTY_TYPES = re.compile(r"Cleric|Rogue|Warrior|Wizard")
_BASIC_TYPES = frozenset({"Plains", "Island", "Swamp", "Mountain", "Forest"})
# Sets Scryfall types "masterpiece", for objects from before cards carried their set_type.
_MASTERPIECE_SETS = frozenset({"exp", "mps", "mp2", "med"})

_HYBRID = re.compile(r"\{(?:[WUBRGC]|\d+)/[WUBRG](?:/P)?\}")
_PHYREXIAN = re.compile(r"\{(?:[WUBRGC]/){1,2}P\}")
_REMINDER = re.compile(r"\s*\([^()]*\)")
# Modal (CR 700.2): a bulleted list of modes ("Choose one —", Escalate, also the Sieges' "choose Khans or
# Dragons"), Spree/Tiered's "+ {cost} —" modes, and the pre-bullet wording "Choose one — X; or Y".
_MODAL_LINE = re.compile(r"^(?:•|\+ \{)", re.MULTILINE)
_MODAL_OLD = re.compile(r"\bchoose (?:one|two|three|four|five) —", re.IGNORECASE)
_CHANGELING = re.compile(r"^changeling\b", re.IGNORECASE | re.MULTILINE)
_COMPANION = re.compile(r"^companion\s*—", re.MULTILINE)


# One face (or a one-faced card): (its mapping, type line left of the dash, right of it, rules text). The type
# line halves stay strings tested with ``in``: no supertype, card type or subtype tested here is a substring
# of another word that can stand in the same half. Plain tuples, not objects: this is the hot path.
_Face = tuple[Mapping[str, Any], str, str, str]


def _face(raw: Mapping[str, Any], type_line: str) -> _Face:
    types, _, subtypes = type_line.partition("—")
    return raw, types, subtypes, raw.get("oracle_text") or ""


def _faces(obj: Mapping[str, Any]) -> list[_Face]:
    raw = obj.get("card_faces")
    if not raw:
        return [_face(obj, obj.get("type_line") or "")]
    # Some faces carry no type line of their own: fall back on their half of the card's.
    halves = (obj.get("type_line") or "").split(" // ")
    return [
        _face(face, face.get("type_line") or (halves[i] if i < len(halves) else halves[0]))
        for i, face in enumerate(raw)
    ]


def _is_meld_result(obj: Mapping[str, Any]) -> bool:
    name = obj.get("name")
    return any(
        part.get("component") == "meld_result" and part.get("name") == name for part in obj.get("all_parts") or ()
    )


# ---------------------------------------------------------------------------------------------------------
# French vanilla: rules text made of keyword abilities only
# ---------------------------------------------------------------------------------------------------------

# Keyword abilities of the Comprehensive Rules (702.x), lower case. Keyword *actions* (scry, fight…) and
# ability words (landfall…) are left out: a line made of those is an ability, not a keyword.
# fmt: off
_KEYWORDS = frozenset((
    "deathtouch", "defender", "double strike", "enchant", "equip", "first strike", "flash", "flying", "haste",
    "hexproof", "indestructible", "intimidate", "lifelink", "protection", "reach", "shroud", "trample", "vigilance",
    "ward", "banding", "rampage", "cumulative upkeep", "flanking", "phasing", "buyback", "shadow", "cycling", "echo",
    "horsemanship", "fading", "kicker", "multikicker", "flashback", "madness", "fear", "morph", "megamorph",
    "amplify", "provoke", "storm", "affinity", "entwine", "modular", "sunburst", "bushido", "soulshift", "splice",
    "ninjutsu", "commander ninjutsu", "epic", "convoke", "dredge", "transmute", "bloodthirst", "haunt", "replicate",
    "forecast", "graft", "recover", "ripple", "split second", "suspend", "vanishing", "absorb", "aura swap", "delve",
    "fortify", "frenzy", "gravestorm", "poisonous", "transfigure", "champion", "changeling", "evoke", "hideaway",
    "prowl", "reinforce", "conspire", "persist", "wither", "retrace", "devour", "exalted", "unearth", "cascade",
    "annihilator", "level up", "rebound", "totem armor", "umbra armor", "infect", "battle cry", "living weapon",
    "undying", "miracle", "soulbond", "overload", "scavenge", "unleash", "cipher", "evolve", "extort", "fuse",
    "bestow", "tribute", "dethrone", "hidden agenda", "double agenda", "outlast", "prowess", "dash", "exploit",
    "menace", "renown", "awaken", "devoid", "ingest", "myriad", "surge", "skulk", "emerge", "escalate", "melee",
    "crew", "fabricate", "partner", "undaunted", "improvise", "aftermath", "embalm", "eternalize", "afflict",
    "ascend", "assist", "jump-start", "mentor", "afterlife", "riot", "spectacle", "escape", "companion", "mutate",
    "encore", "boast", "foretell", "demonstrate", "daybound", "nightbound", "disturb", "decayed", "cleave",
    "training", "compleated", "reconfigure", "blitz", "casualty", "enlist", "read ahead", "ravenous", "squad",
    "space sculptor", "visit", "prototype", "living metal", "more than meets the eye", "for mirrodin!", "toxic",
    "backup", "bargain", "craft", "disguise", "solved", "plot", "saddle", "spree", "freerunning", "gift", "offspring",
    "impending", "harmonize", "mobilize", "warp", "station", "tiered", "job select", "firebending",
    "start your engines!", "sneak",
))
# fmt: on
# Keywords whose parameter is a phrase: "protection from red", "partner with Will Kenrith", "equip Knight {1}".
_PHRASE_KEYWORDS = (
    "protection from ",
    "hexproof from ",
    "partner with ",
    "bands with other ",
    "affinity for ",
    "champion a",
    "enchant ",
    "splice onto ",
    "craft with ",
    "equip ",
    "gift a",
)
# One keyword is a head and a parameter: a number, a mana cost (with a double kicker's "and/or", a
# prototype's P/T), or a non-mana cost after a dash ("Ward—Pay 2 life.", "Suspend 4—{U}", "Escape—{3}{B},
# Exile …"). The head is cut where a parameter starts and looked up in the set: one regex with the head as a
# 200-way alternation (or a lazy group) backtracks for microseconds per line.
_PARAM_START = re.compile(r" \d| x\b| ?\{|—")
_PARAM = re.compile(r"(?: (?:\d+|x))?(?: ?(?:\{[^}]*\})+(?: and/or (?:\{[^}]*\})+)?)?(?: — \d+/\d+)?(?:—.+)?\.?")
_PART_SEPARATOR = re.compile(r"[,;] ")


def _is_keyword(part: str, extra: frozenset[str]) -> bool:
    if part.startswith(_PHRASE_KEYWORDS):
        return True
    start = _PARAM_START.search(part)
    if start is None:
        head = part[:-1] if part.endswith(".") else part
    else:
        head = part[: start.start()]
        if _PARAM.fullmatch(part, start.start()) is None:
            return False
    if head in _KEYWORDS or head in extra:
        return True
    # Landwalk ("islandwalk", "nonbasic landwalk"), typecycling ("basic landcycling"), offering.
    return head.count(" ") <= 1 and head.endswith(("walk", "cycling", " offering"))


def keyword_line_heads(line: str) -> list[str] | None:
    """The keyword abilities a rules line is made of (lower case, in order), or None when the line is
    anything else. "Flying, protection from red" → ["flying", "protection"]; "Kicker {2}{R}" → ["kicker"].

    Used to derive a 2019 object's ``keywords``: Scryfall lists a keyword ability only where the card
    *has* it, i.e. on a line of keywords, never where the text merely mentions one ("gains flying").
    """
    line = line.strip().lower()
    if not line:
        return None
    # The whole line first: a dash cost may hold commas ("Escape—{3}{B}, Exile four …").
    parts = [line] if _is_keyword(line, frozenset()) else _PART_SEPARATOR.split(line)
    heads: list[str] = []
    for part in parts:
        if not _is_keyword(part, frozenset()):
            return None
        heads.append(_keyword_head(part))
    return heads


def _keyword_head(part: str) -> str:
    for phrase in _PHRASE_KEYWORDS:
        if part.startswith(phrase):
            # "protection from red" → protection; "champion a" → champion; "bands with other" → banding
            head = phrase.split(" ")[0]
            return {"bands": "banding"}.get(head, head)
    start = _PARAM_START.search(part)
    head = part[: start.start()] if start else part
    return head[:-1] if head.endswith(".") else head


def _french_vanilla(rules: str, keywords: Sequence[str]) -> bool:
    """Whether every line of ``rules`` (reminder text removed, not empty) is keyword abilities only."""
    # A current object's own keyword list names keywords newer than the list above.
    extra = frozenset(k.lower() for k in keywords) if keywords else frozenset()
    for line in rules.lower().splitlines():
        line = line.strip()
        # The whole line first: a dash cost may hold commas ("Escape—{3}{B}, Exile four …").
        if (
            line
            and not _is_keyword(line, extra)
            and not all(_is_keyword(part, extra) for part in _PART_SEPARATOR.split(line))
        ):
            return False
    return True


# ---------------------------------------------------------------------------------------------------------
# Printing flags
# ---------------------------------------------------------------------------------------------------------


def card_mask(obj: Mapping[str, Any]) -> int:
    """``card_flags`` as a bit mask over PRINTING_FLAGS (bit i is PRINTING_FLAGS[i]), for a bit column."""
    p = _P
    mask = 0
    get = obj.get
    layout = get("layout") or "normal"
    faces = _faces(obj)
    front, front_types, front_subtypes, text = faces[0]
    if len(faces) == 1:
        types, subtypes = front_types, front_subtypes
    else:
        types = " ".join(f[1] for f in faces)
        subtypes = " ".join(f[2] for f in faces)
        text = "\n".join(f[3] for f in faces)
    real_card = layout not in _NON_CARD_LAYOUTS and "Token" not in front_types and "Emblem" not in front_types
    # A melded back half (Brisela) is a permanent once melded, but no card anyone casts or builds a deck around.
    deck_card = real_card and not (layout == "meld" and _is_meld_result(obj))

    # --- what kind of card ---
    if deck_card:
        castable = faces[:1] if layout in _FRONT_ONLY_LAYOUTS else faces
        # Dryad Arbor is a creature but never cast: a land type makes a face unplayable as a spell.
        if any("Land" not in f[1] and _SPELL_TYPES.search(f[1]) for f in castable):
            mask |= p["spell"]
    if real_card and _PERMANENT_TYPES.search(types):
        mask |= p["permanent"]
    if "Legendary" in types or "Artifact" in types or "Saga" in subtypes:
        mask |= p["historic"]
    if "Creature" in types:
        for _, face_types, face_subtypes, face_text in faces:
            if "Creature" in face_types and (
                _PARTY_TYPES.search(face_subtypes) or ("hangeling" in face_text and _CHANGELING.search(face_text))
            ):
                mask |= p["party"]
                break
    if "•" in text or ("+ {" in text and _MODAL_LINE.search(text)) or ("hoose" in text and _MODAL_OLD.search(text)):
        mask |= p["modal"]
    if "Creature" in front_types:
        # Reminder text is not rules text (Icehide Golem's "({S} can be paid …)" leaves it vanilla).
        rules = (_REMINDER.sub("", text) if "(" in text else text).strip()
        if not rules:
            mask |= p["vanilla"]
        elif _french_vanilla(rules, get("keywords") or ()):
            mask |= p["frenchvanilla"]
        if get("cmc") == 2 and front.get("power") == "2" and front.get("toughness") == "2":
            mask |= p["bear"]

    # --- layouts ---
    if layout in _OWN_FLAG_LAYOUTS:
        mask |= p[layout]
    if layout in _DFC_LAYOUTS:
        mask |= p["dfc"]
    if layout == "modal_dfc":
        mask |= p["mdfc"]
    if layout == "saga" or "Saga" in subtypes:
        mask |= p["saga"]
    if layout == "class" or "Class" in subtypes:
        mask |= p["class"]
    if layout == "battle" or "Battle" in types:
        mask |= p["battle"]

    # --- deck building ---
    if deck_card:
        legalities: Mapping[str, str] = get("legalities") or {}
        legendary = "Legendary" in front_types
        says_so = "can be your commander" in text
        # A Background is a commander next to a "Choose a Background" creature.
        if says_so or (legendary and ("Creature" in front_types or "Background" in front_subtypes)):
            if legalities.get("commander") != "banned":
                mask |= p["commander"]
            # Duel Commander's "restricted" is "banned as commander" (still allowed in the 99).
            if legalities.get("duel") not in ("banned", "restricted"):
                mask |= p["duelcommander"]
        if (says_so or (legendary and ("Creature" in front_types or "Planeswalker" in front_types))) and (
            legalities.get("brawl") != "banned"
        ):
            mask |= p["brawler"]
        if "Planeswalker" in front_types and legalities.get("oathbreaker") != "banned":
            mask |= p["oathbreaker"]
        keywords = get("keywords")
        if (keywords and "Companion" in keywords) or ("ompanion" in text and _COMPANION.search(text)):
            mask |= p["companion"]
    costs = get("mana_cost") or ""
    if len(faces) > 1:
        costs += "".join(f[0].get("mana_cost") or "" for f in faces)
    if "/" in costs and _HYBRID.search(costs):
        mask |= p["hybrid"]
    # Phyrexian symbols count in rules text too (Blinding Souleater's {W/P} ability), hybrid ones only in the
    # mana cost (not Tasigur's ability): the split Scryfall's own results show.
    if ("P}" in costs and _PHYREXIAN.search(costs)) or ("/P}" in text and _PHYREXIAN.search(text)):
        mask |= p["phyrexian"]

    # --- finishes ---
    finishes = get("finishes")
    frame_effects = get("frame_effects") or ()
    if finishes is not None:
        for finish in finishes:
            # "glossy" was briefly a finish before it became a promo type.
            mask |= _FINISH_BITS.get(finish, 0)
    else:
        if get("foil"):
            mask |= p["foil"]
        if get("nonfoil"):
            mask |= p["nonfoil"]
        # Before the finishes field (2021), an etched foil printing said so as a frame effect.
        if "etched" in frame_effects:
            mask |= p["etched"]
    if "glossy" in (get("promo_types") or ()):
        mask |= p["glossy"]

    # --- printing ---
    for key, bit in _TRUTHY_FIELDS:
        if get(key):
            mask |= bit
    mask |= p["reprint"] if get("reprint") else p["firstprint"]
    set_type = get("set_type")
    # Silver borders are the Un-sets' (and their promos'); the acorn stamp marks today's non-tournament cards.
    if set_type == "funny" or get("border_color") == "silver" or get("security_stamp") == "acorn":
        mask |= p["funny"]
    frame = get("frame")
    # Scryfall: is:new is the 2015 holofoil-stamp frame, is:old the 1993/1997 classic frames; the 2003 frame
    # is is:modern, neither of them.
    if frame == "2015":
        mask |= p["new"]
    elif frame == "1993" or frame == "1997":
        mask |= p["old"]
    # frame_effect (singular) is the 2019 schema's.
    if get("frame_effect") == "colorshifted" or "colorshifted" in frame_effects:
        mask |= p["colorshifted"]
    if set_type == "masterpiece" or (set_type is None and get("set") in _MASTERPIECE_SETS):
        mask |= p["masterpiece"]
    if layout == "token" or layout == "double_faced_token" or "Token" in front_types:
        mask |= p["token"]
    # Gold borders are the World Championship decks' and Pro Tour collector sets' (memorabilia): objects from
    # before set_type had no other mark of it.
    if layout in _NON_CARD_LAYOUTS or set_type in _EXTRA_SET_TYPES or get("border_color") == "gold":
        mask |= p["extra"]
    return mask


# ---------------------------------------------------------------------------------------------------------
# Land nicknames
# ---------------------------------------------------------------------------------------------------------

_SELF = re.compile(r"\bthis (?:land|permanent|card)\b")
_C = r"\{[wubrg]\}"
_TWO_COLOR_TAP = re.compile(rf"\{{t\}}: add {_C} or {_C}\.")
_ENTERS_TAPPED = re.compile(r"^~ enters tapped\.$", re.MULTILINE)
_SHOCK = re.compile(r"\bas ~ enters, you may pay 2 life\. if you don't, (?:~|it) enters tapped\.")
_FETCH = re.compile(r"\{t\}, pay 1 life, sacrifice ~: search your library for an? [a-z]+ or [a-z]+ card\b")
_CHECK = re.compile(r"~ enters tapped unless you control an? [a-z]+ or an? [a-z]+\.")
_FAST = re.compile(r"~ enters tapped unless you control two or fewer other lands\.")
_SLOW = re.compile(r"~ enters tapped unless you control two or more other lands\.")
_TANGO = re.compile(r"~ enters tapped unless you control two or more basic lands\.")
_BOND = re.compile(r"~ enters tapped unless you have two or more opponents\.")
_PAIN = re.compile(rf"\{{t\}}: add {_C} or {_C}\. ~ deals 1 damage to you\.")
_COLORLESS_TAP = re.compile(r"\{t\}: add \{c\}\.")
_SCRY = re.compile(r"\bwhen ~ enters, scry 1\.")
_SURVEIL = re.compile(r"\bwhen ~ enters, surveil 1\.")
_GAIN = re.compile(r"\bwhen ~ enters, you gain 1 life\.")
_SHADOW = re.compile(
    r"\bas ~ enters, you may reveal an? [a-z]+ or [a-z]+ card from your hand\. if you don't, ~ enters tapped\."
)
_CYCLING_2 = re.compile(r"^cycling \{2\}$", re.MULTILINE)
# Ravnica's karoos return any land; Mirage/Visions' an untapped land of one basic type.
_BOUNCE = re.compile(r"\breturn an? (?:untapped )?[a-z]+ you control to its owner's hand\b")
_CANOPY_MANA = re.compile(rf"\{{t\}}, pay 1 life: add {_C} or {_C}\.")
_CANOPY_DRAW = re.compile(r"\bsacrifice ~: draw a card\.")
# Filter lands turn mana (and {T}) into two or more coloured: Shadowmoor/Eventide's "{W/U}, {T}: Add {W}{W},
# {W}{U}, or {U}{U}.", Odyssey's "{1}, {T}: Add {U}{B}.", Crystal Quarry's "{5}, {T}: Add {W}{U}{B}{R}{G}."
# and Cascading Cataracts' "… five mana in any combination of colors".
_FILTER = re.compile(
    r"^\{[^}]+\}, \{t\}: add (?:(?:\{[wubrg]\}){2,}(?:, (?:\{[wubrg]\}){2})*(?:,? or (?:\{[wubrg]\}){2})?"
    r"|[a-z]+ mana in any combination of colors)\.$",
    re.MULTILINE,
)
# "~ becomes a 2/2 … creature": the land animates itself (not another land, which would read "target …").
_ANIMATE = re.compile(r"(?:~|\bit) becomes an? (?:[^.]* )?creature\b")


def _land_text(text: str, names: Iterable[str]) -> str:
    """A land face's rules text normalised for matching across Oracle vintages.

    The card's (and each face's) name becomes ``~`` like "this land" in current Oracle text, reminder text
    goes, and 2019's "enters the battlefield" becomes today's "enters".
    """
    for name in names:
        if name and name in text:
            text = text.replace(name, "~")
    text = _REMINDER.sub("", text).lower()
    if "this " in text:
        text = _SELF.sub("~", text)
    return text.replace("enters the battlefield", "enters").strip()


# (pattern, bits, only when the land enters tapped): cycles told apart by one sentence of rules text.
_LandRule = tuple[re.Pattern[str], int, bool]
_TWO_BASIC_TYPES_RULES: tuple[_LandRule, ...] = (
    (_SHOCK, _L["shockland"], False),
    (_TANGO, _L["tangoland"], False),
    (_CYCLING_2, _L["bikeland"], True),
    (_SURVEIL, _L["surveilland"], True),
)
_TWO_COLOR_RULES: tuple[_LandRule, ...] = (
    (_CHECK, _L["checkland"], False),
    (_FAST, _L["fastland"], False),
    (_SLOW, _L["slowland"], False),
    (_BOND, _L["bondland"], False),
    (_SCRY, _L["scryland"], True),
    (_GAIN, _L["gainland"], True),
    (_SHADOW, _L["shadowland"] | _L["snarl"], False),
)


def _matching(rules: tuple[_LandRule, ...], text: str, enters_tapped: bool) -> int:
    mask = 0
    for pattern, bits, needs_tapped in rules:
        if (enters_tapped or not needs_tapped) and pattern.search(text):
            mask |= bits
    return mask


def land_mask(obj: Mapping[str, Any]) -> int:
    """``land_flags`` as a bit mask over LAND_FLAGS (bit i is LAND_FLAGS[i]), for a bit column."""
    if "Land" not in (obj.get("type_line") or ""):
        return 0
    lb = _L
    mask = 0
    faces = _faces(obj)
    _, types, subtypes, text = faces[0]
    if obj.get("layout") == "modal_dfc" and len(faces) > 1 and all("Land" in f[1] for f in faces):
        mask |= lb["pathway"]
    if "Land" not in types:
        return mask

    # Longest first, so a face name inside the card's "A // B" name is not replaced piecemeal.
    names = sorted({obj.get("name") or "", *(f[0].get("name") or "" for f in faces)}, key=len, reverse=True)
    text = _land_text(text, names)
    basics = len(_BASIC_TYPES.intersection(subtypes.split()))
    two_colors = basics == 2 or _TWO_COLOR_TAP.search(text) is not None
    enters_tapped = _ENTERS_TAPPED.search(text) is not None

    if basics == 2:
        if not text and "Basic" not in types:
            mask |= lb["dual"]
        mask |= _matching(_TWO_BASIC_TYPES_RULES, text, enters_tapped)
    elif basics == 3:
        mask |= lb["triome"]
    if _FETCH.search(text):
        mask |= lb["fetchland"]
    if two_colors:
        mask |= _matching(_TWO_COLOR_RULES, text, enters_tapped)
    # Tempest's painlands enter tapped: another cycle than the ten Ice Age/Apocalypse painlands.
    if not enters_tapped and _PAIN.search(text) and _COLORLESS_TAP.search(text):
        mask |= lb["painland"]
    if _BOUNCE.search(text):
        mask |= lb["bounceland"]
    if _CANOPY_MANA.search(text) and _CANOPY_DRAW.search(text):
        mask |= lb["canopyland"]
    if _FILTER.search(text):
        mask |= lb["filterland"]
    if "storage counter" in text:
        mask |= lb["storageland"]
    if _ANIMATE.search(text):
        mask |= lb["creatureland"] | lb["manland"]
    return mask
