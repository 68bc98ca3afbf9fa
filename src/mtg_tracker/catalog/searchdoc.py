"""Card object → the rows of the search index (pure).

Two tables serve the search engine: ``catalog_card_search`` (one narrow row of numbers, codes and bit
sets per printing, so that scans of the whole catalog stay cheap) and ``catalog_card_text`` (the
lowercased texts, indexed with FTS5 trigrams on SQLite and pg_trgm on PostgreSQL). Everything the
language compares is computed here once, at import, instead of parsing JSON per query.
"""

from __future__ import annotations

import re
from typing import Any

from mtg_tracker.catalog.cardflags import LAND_FLAGS, PRINTING_FLAGS, card_mask, land_mask
from mtg_tracker.catalog.normalize import normalize_name

# Bump when the derivation changes: ``catalog reindex`` (and ``db upgrade``) rebuild stale rows.
SEARCH_VERSION = 1

FORMATS: tuple[str, ...] = (
    "standard", "future", "historic", "timeless", "gladiator", "pioneer", "explorer", "modern", "legacy",
    "pauper", "vintage", "penny", "commander", "oathbreaker", "standardbrawl", "brawl", "alchemy",
    "paupercommander", "duel", "oldschool", "premodern", "predh", "historicbrawl", "frontier",
)  # fmt: skip
FORMAT_BITS = {name: 1 << i for i, name in enumerate(FORMATS)}
# Card types and supertypes, as whole words of the type line (t:creature is a bit test).
TYPE_WORDS: tuple[str, ...] = (
    "artifact", "battle", "conspiracy", "creature", "dungeon", "emblem", "enchantment", "hero", "instant",
    "kindred", "land", "phenomenon", "plane", "planeswalker", "scheme", "sorcery", "tribal", "vanguard",
    "basic", "legendary", "ongoing", "snow", "world", "elite", "host", "token", "card",
)  # fmt: skip
TYPE_BITS = {name: 1 << i for i, name in enumerate(TYPE_WORDS)}
FLAG_BITS = {name: 1 << i for i, name in enumerate(PRINTING_FLAGS)}
LAND_BITS = {name: 1 << i for i, name in enumerate(LAND_FLAGS)}

# Rarity in search order. Special and bonus sit outside the common → mythic ladder: ``r>=r`` is rare and
# mythic, and only ``r:special`` / ``r:bonus`` find those.
SEARCH_RARITY = {"common": 0, "uncommon": 1, "rare": 2, "mythic": 3, "special": 4, "bonus": 5}
LADDER_TOP = SEARCH_RARITY["mythic"]

# Per printing, "first printing of its card with this …" (new:…) and "cheapest printing" (cheapest:…).
FIRST_BITS = {
    "art": 1, "artist": 2, "flavor": 4, "frame": 8, "language": 16, "rarity": 32,
    "cheapest_usd": 64, "cheapest_eur": 128, "cheapest_tix": 256,
}  # fmt: skip

# What a default search leaves out (``hidden = 0`` is one comparison per row); each has its way back in:
# include:extras, a digital keyword, include:multilingual or lang:, include:variations.
HIDDEN_EXTRA = 1
HIDDEN_DIGITAL = 2
HIDDEN_VARIATION = 4
HIDDEN_LANGUAGE = 8

_SYMBOL = re.compile(r"\{([^{}]+)\}")
_REMINDER = re.compile(r"\s*\([^()]*\)")
_SPACES = re.compile(r"[ \t]+")
_ATYPICAL_EFFECTS = frozenset({"showcase", "extendedart", "inverted", "etched", "shatteredglass", "fullart"})


_WORD = re.compile(r"[a-z]+")


def type_mask(type_line: str) -> int:
    mask = 0
    for word in _WORD.findall(type_line.lower()):
        mask |= TYPE_BITS.get(word, 0)
    return mask


def cost_symbols(mana_cost: str | None) -> list[str]:
    """``{2}{W/P} // {G}`` → ``['2', 'W/P', 'G']`` (every face)."""
    return [s.upper() for s in _SYMBOL.findall(mana_cost or "")]


def mana_tokens(symbols: list[str]) -> list[str]:
    """Multiset of symbols as ``SYM#k`` tokens (the k-th copy); generic mana counts in units, so ``{3}``
    is three ``1`` tokens and a {3} cost contains {2}.

    Stored as ``|T1|T2|…|``: "the cost contains the query's symbols" becomes one LIKE per query token.
    """
    counts: dict[str, int] = {}
    for sym in symbols:
        if sym.isdigit():
            counts["1"] = counts.get("1", 0) + int(sym)
        else:
            counts[sym] = counts.get(sym, 0) + 1
    return [f"{sym}#{k}" for sym, n in sorted(counts.items()) for k in range(1, min(n, 30) + 1)]


def devotion(symbols: list[str]) -> dict[str, int]:
    """Per colour, the symbols that count toward devotion to it (a hybrid symbol counts for each)."""
    out = dict.fromkeys("WUBRG", 0)
    for sym in symbols:
        for part in set(sym.split("/")):
            if part in out:
                out[part] += 1
    return out


def strip_reminder(text: str) -> str:
    """Oracle text without reminder text (what ``o:`` searches; ``fo:`` searches the full text)."""
    lines = (_SPACES.sub(" ", _REMINDER.sub("", line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def with_tilde(text: str, names: list[str]) -> str | None:
    """Oracle text with the card's own name(s) replaced by ``~``; None when it never names itself."""
    out = text
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        out = out.replace(name.lower(), "~")
    return out if out != text else None


def _legal_masks(legalities: Any) -> tuple[int, int, int]:
    legal = banned = restricted = 0
    if isinstance(legalities, dict):
        for fmt, status in legalities.items():
            bit = FORMAT_BITS.get(fmt)
            if bit is None:
                continue
            if status == "legal":
                legal |= bit
            elif status == "banned":
                banned |= bit
            elif status == "restricted":
                restricted |= bit
    return legal, banned, restricted


def _face_texts(obj: dict[str, Any], key: str) -> list[str]:
    raw = obj.get("card_faces")
    faces: list[Any] = raw if isinstance(raw, list) else []
    return [f[key] for f in faces if isinstance(f, dict) and isinstance(f.get(key), str)]


def _artist_count(obj: dict[str, Any], artist: str | None) -> int:
    ids = obj.get("artist_ids")
    if isinstance(ids, list) and ids:
        return len(ids)
    if not artist:
        return 0
    return len([a for a in re.split(r"\s+(?:&|and)\s+", artist) if a.strip()])


def hidden_bits(row: dict[str, Any]) -> int:
    return (
        (HIDDEN_EXTRA if row.get("is_extra") else 0)
        | (HIDDEN_DIGITAL if row.get("digital") else 0)
        | (HIDDEN_VARIATION if row.get("variation") else 0)
        | (HIDDEN_LANGUAGE if row["lang"] != "en" else 0)
    )


def prefer_class(row: dict[str, Any], obj: dict[str, Any]) -> int:
    """Which printing stands for a card by default (lower wins; ties go to the newest).

    Anything a default search hides comes last (so a card's first-ranked printing is visible whenever
    any of its printings is — the compiler relies on it), then promos and oversized cards, then
    showcase, borderless, full-art and extended-art treatments.
    """
    effects = set((row.get("frame_effects") or "").split())
    atypical = bool(row.get("full_art") or row.get("border_color") == "borderless" or effects & _ATYPICAL_EFFECTS)
    promo = bool(row.get("promo") or obj.get("oversized"))
    return (hidden_bits(row) << 2) | (2 if promo else 0) | (1 if atypical else 0)


def search_prices(cents: dict[str, Any]) -> dict[str, int | None]:
    """The prices searches compare (``usd<1``, ``order:usd``): the non-foil price, else foil, else etched
    — a foil-only printing costs its foil price."""
    usd = next((cents[k] for k in ("usd", "usd_foil", "usd_etched") if cents.get(k) is not None), None)
    eur = next((cents[k] for k in ("eur", "eur_foil") if cents.get(k) is not None), None)
    return {"usd": usd, "eur": eur, "tix": cents.get("tix")}


def search_rows(obj: dict[str, Any], row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(search row, text row) for one printing. ``row`` is ``normalize_card``'s flattened columns."""
    symbols = cost_symbols(row.get("mana_cost"))
    tokens = mana_tokens(symbols)
    dev = devotion(symbols)
    legal, banned, restricted = _legal_masks(obj.get("legalities"))
    keywords = obj.get("keywords") if isinstance(obj.get("keywords"), list) else []
    produced = row.get("produced_mana")
    produced_raw = obj.get("produced_mana")
    if isinstance(produced_raw, list) and "C" in produced_raw:
        produced = (produced or 0) | 32
    frame_effects = (row.get("frame_effects") or "").split()
    name: str = row["name"]
    face_names = _face_texts(obj, "name")
    oracle_full = (row.get("oracle_text") or "").lower()
    oracle = strip_reminder(oracle_full)
    search = {
        "version": SEARCH_VERSION,
        "oracle_key": row.get("oracle_id") or row["id"],
        "art_key": row.get("illustration_id") or row["id"],
        "name_sort": row["name_norm"],
        "lang": row["lang"],
        "set_code": row["set_code"],
        "set_type": obj.get("set_type") if isinstance(obj.get("set_type"), str) else None,
        "cn": row["collector_number"],
        "cn_num": row.get("cn_sort"),
        "rarity": SEARCH_RARITY.get(row["rarity"], 0),
        "released": row.get("released_at"),
        "cmc": row.get("cmc"),
        "power": row.get("power_num"),
        "toughness": row.get("toughness_num"),
        "loyalty": row.get("loyalty_num"),
        "defense": row.get("defense_num"),
        "colors": row["colors"],
        "color_count": bin(row["colors"]).count("1"),
        "identity": row["color_identity"],
        "identity_count": bin(row["color_identity"]).count("1"),
        "indicator": row.get("color_indicator") is not None,
        "produced": produced,
        "mana": ("|" + "|".join(tokens) + "|") if tokens else None,
        "mana_count": len(tokens),
        "dev_w": dev["W"],
        "dev_u": dev["U"],
        "dev_b": dev["B"],
        "dev_r": dev["R"],
        "dev_g": dev["G"],
        "keywords": ("|" + "|".join(str(k).lower() for k in keywords) + "|") if keywords else None,
        "legal": legal,
        "banned": banned,
        "restricted": restricted,
        "games": row["games"],
        "finishes": row["finishes"],
        "flags": card_mask(obj),
        "lands": land_mask(obj),
        "frame": row.get("frame"),
        "frame_effects": ("|" + "|".join(frame_effects) + "|") if frame_effects else None,
        "border": row.get("border_color"),
        "stamp": row.get("security_stamp"),
        "watermark": (row.get("watermark") or "").lower() or None,
        "artist": (row.get("artist") or "").lower() or None,
        "artist_count": _artist_count(obj, row.get("artist")),
        **search_prices(row),
        "edhrec_rank": row.get("edhrec_rank"),
        "penny_rank": row.get("penny_rank"),
        "prefer": prefer_class(row, obj),
        "pref_rank": 1,  # set for the whole card by searchindex.rank_printings after the write
        "card_no": 0.0,  # likewise, and the per-card facts below
        "prints": 1,
        "paperprints": 0,
        "sets": 1,
        "papersets": 0,
        "illustrations": 1,
        "firsts": 0,
        "hidden": hidden_bits(row),
        "types": type_mask(row.get("type_line") or ""),
    }
    flavor = (row.get("flavor_text") or "").lower()
    text = {
        "name": normalize_name(name),
        "name_lc": name.lower(),
        "type": (row.get("type_line") or "").lower(),
        "oracle": oracle,
        "full": oracle_full,
        "tilde": with_tilde(oracle, [name, *face_names]),
        "flavor": flavor or None,
    }
    return search, text
