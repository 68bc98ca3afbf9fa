"""Bring a card or set object of any vintage up to Scryfall's current schema. Pure.

Bulk files from 2018–2019 lack fields that Scryfall's card object always carries today (``keywords``,
``finishes``, ``prices``, ``image_status``, ``set_id``, ``set_type``, …); strict client libraries refuse
such objects. The importer upgrades each object once, keeps the source object beside it, and counts per
field what it had to add. Only fields the source lacks are touched; a field that is present is trusted.
Derived values follow from the object itself (foil/nonfoil → finishes, oracle text → keywords and
produced mana, set_uri → set_id); where nothing can be derived, Scryfall's own default for that field is
used (``false`` for flags, ``null`` prices).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from mtg_tracker.catalog.cardflags import keyword_line_heads

API = "https://api.scryfall.com"
WEB = "https://scryfall.com"
# The one card back every single-faced printing shares on Scryfall (its card_back_id).
STANDARD_CARD_BACK = "0aeebaf5-8c7d-4636-9e82-8c27447861f7"
PRICE_FIELDS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")
# Ids of sets known only from card objects that name no set id: stable across imports and instances.
SET_ID_NAMESPACE = uuid.UUID("6f1f5d8e-2b7a-5c3e-9d41-7a0c2e8b9f13")
# Layouts whose faces carry their own images (and so no shared card back).
_FACE_IMAGE_LAYOUTS = frozenset(
    {"transform", "modal_dfc", "double_faced_token", "reversible_card", "art_series", "battle"}
)
_EXTRA_LAYOUTS = frozenset({"token", "double_faced_token", "emblem", "art_series"})
# Set type from a layout when neither the card nor a /sets import says it (Scryfall's set_type values).
_LAYOUT_SET_TYPES = {
    "token": "token",
    "double_faced_token": "token",
    "emblem": "token",
    "planar": "planechase",
    "scheme": "archenemy",
    "vanguard": "vanguard",
    "art_series": "memorabilia",
}

# Keyword actions (CR 701) that Scryfall's ``keywords`` lists wherever the text performs them. The
# everyday verbs (cast, counter, destroy, exile, sacrifice…) are left out because Scryfall leaves them out,
# and so is "convert" (a 2022 action), which old texts would match in "converted mana cost".
# fmt: off
KEYWORD_ACTIONS = (
    "Scry", "Fight", "Mill", "Surveil", "Proliferate", "Populate", "Investigate", "Explore", "Amass", "Adapt",
    "Bolster", "Support", "Manifest dread", "Manifest", "Monstrosity", "Detain", "Goad", "Exert", "Fateseal",
    "Clash", "Meld", "Transform", "Connive", "Learn", "Venture into the dungeon", "Incubate", "Discover",
    "Suspect", "Collect evidence", "Forage", "Endure", "Planeswalk", "Set in motion", "Abandon", "Assemble",
    "Vote",
)
# Ability words (CR 207.2c): the italic word before an em dash that names an ability.
ABILITY_WORDS = frozenset((
    "adamant", "addendum", "alliance", "battalion", "bloodrush", "celebration", "channel", "chroma", "cohort",
    "constellation", "converge", "corrupted", "council's dilemma", "coven", "delirium", "descend 4", "descend 8",
    "domain", "eerie", "eminence", "enrage", "fateful hour", "fathomless descent", "ferocious", "flurry",
    "formidable", "grandeur", "hellbent", "heroic", "imprint", "inspired", "join forces", "kinship", "landfall",
    "lieutenant", "magecraft", "metalcraft", "morbid", "pack tactics", "paradox", "parley", "radiance", "raid",
    "rally", "revolt", "secret council", "spell mastery", "strive", "survival", "sweep", "tempting offer",
    "threshold", "undergrowth", "valiant", "void", "will of the council", "max speed", "start your engines",
))
# fmt: on
# One alternation for all actions: a regex per action cost 40 scans of every text (most of the upgrade's
# time on a 45,000-card file). Longer actions first, so "manifest dread" wins over "manifest".
_ACTION_BY_WORD = {a.lower(): a for a in KEYWORD_ACTIONS}
_ACTIONS = re.compile(
    r"\b(" + "|".join(re.escape(a) for a in sorted(_ACTION_BY_WORD, key=len, reverse=True)) + r")(?:s|es|ed|d)?\b"
)
_REMINDER = re.compile(r"\([^()]*\)")
_ADD_CLAUSE = re.compile(r"\badd(?:s)?\b([^.]*)", re.IGNORECASE)
_MANA_SYMBOL = re.compile(r"\{([WUBRGC])\}")
_ANY_COLOR = re.compile(r"\bany (?:one )?colou?r\b|\bany combination of colou?rs\b|\bin any combination of colou?rs")


def _texts(obj: Mapping[str, Any]) -> list[str]:
    texts = [obj["oracle_text"]] if isinstance(obj.get("oracle_text"), str) else []
    faces = obj.get("card_faces")
    if not texts and isinstance(faces, list):
        texts = [f["oracle_text"] for f in faces if isinstance(f, dict) and isinstance(f.get("oracle_text"), str)]
    return texts


def derive_keywords(texts: list[str]) -> list[str]:
    """Keyword abilities, keyword actions and ability words of the rules text, as Scryfall spells them
    ("First strike", "Scry", "Landfall"), in order of first appearance."""
    found: list[str] = []

    def add(word: str) -> None:
        word = word[:1].upper() + word[1:]
        if word not in found:
            found.append(word)

    for text in texts:
        plain = _REMINDER.sub("", text)
        for raw_line in plain.splitlines():
            line = raw_line.strip()
            head, dash, _rest = line.partition(" — ")
            if dash and head.lower() in ABILITY_WORDS:
                add(head.lower())
                continue
            heads = keyword_line_heads(line)
            if heads:
                for h in heads:
                    add(h)
        hits = {m.group(1) for m in _ACTIONS.finditer(plain.lower())}
        for action in KEYWORD_ACTIONS:  # in the table's order, for a stable list
            if action.lower() in hits:
                add(action)
    return found


def derive_produced_mana(texts: list[str]) -> list[str] | None:
    """Colours of mana the text adds ("{T}: Add {G}.", "Add one mana of any color."), sorted like
    Scryfall's; None when the card adds no mana (Scryfall then omits the field)."""
    colours: set[str] = set()
    for text in texts:
        for clause in _ADD_CLAUSE.finditer(_REMINDER.sub("", text)):
            part = clause.group(1)
            colours.update(_MANA_SYMBOL.findall(part))
            if _ANY_COLOR.search(part.lower()):
                colours.update("WUBRG")
    return sorted(colours) if colours else None


def set_id_for(code: str, set_uri: Any) -> str:
    """The set's Scryfall id from the card's set_uri (``…/sets/<uuid>``), else a stable uuid5 of the code."""
    if isinstance(set_uri, str):
        tail = set_uri.rstrip("/").rsplit("/", 1)[-1]
        try:
            return str(uuid.UUID(tail))
        except ValueError:
            pass
    return str(uuid.uuid5(SET_ID_NAMESPACE, code.lower()))


def guess_set_type(obj: Mapping[str, Any]) -> str:
    layout = obj.get("layout")
    if isinstance(layout, str) and layout in _LAYOUT_SET_TYPES:
        return _LAYOUT_SET_TYPES[layout]
    if obj.get("promo"):
        return "promo"
    return "expansion"


def upgrade_card(obj: dict[str, Any], set_types: Mapping[str, str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """(the object in the current schema, the fields that had to be added or converted).

    The input is not modified; when nothing is missing the same object comes back with an empty list.
    ``set_types`` (set code → set_type, from a /sets import) beats the layout-based guess.
    """
    out = dict(obj)
    changed: list[str] = []

    def put(key: str, value: Any) -> None:
        out[key] = value
        changed.append(key)

    code = str(obj.get("set") or "").lower()
    layout = obj.get("layout") if isinstance(obj.get("layout"), str) else "normal"
    if "object" not in out:
        put("object", "card")
    if "prices" not in out:
        # 2018 objects had top-level usd/eur/tix; Scryfall moved them into ``prices``.
        legacy: dict[str, Any] = {k: out.pop(k) for k in ("usd", "eur", "tix") if k in out}
        put("prices", {k: legacy.get(k) for k in PRICE_FIELDS})
    elif isinstance(out["prices"], dict) and any(k not in out["prices"] for k in PRICE_FIELDS):
        put("prices", {k: out["prices"].get(k) for k in PRICE_FIELDS} | out["prices"])
    if "finishes" not in out:
        put("finishes", [f for f, has in (("nonfoil", obj.get("nonfoil")), ("foil", obj.get("foil"))) if has])
    for flag in ("foil", "nonfoil"):
        if flag not in out and isinstance(out.get("finishes"), list):
            put(flag, flag in out["finishes"])
    texts = _texts(obj)
    if "keywords" not in out:
        put("keywords", derive_keywords(texts))
    if "produced_mana" not in out:
        produced = derive_produced_mana(texts)
        if produced is not None:
            put("produced_mana", produced)
    if "frame_effect" in out:
        legacy_effect = out.pop("frame_effect")
        if "frame_effects" not in out and legacy_effect:
            put("frame_effects", [legacy_effect])
        else:
            changed.append("frame_effect")
    if "image_status" not in out:
        raw_faces = obj.get("card_faces")
        faces: list[Any] = raw_faces if isinstance(raw_faces, list) else []
        has_image = "image_uris" in obj or any(isinstance(f, dict) and "image_uris" in f for f in faces)
        put("image_status", "highres_scan" if obj.get("highres_image") else "lowres" if has_image else "missing")
    if "highres_image" not in out:
        put("highres_image", out.get("image_status") == "highres_scan")
    if code:
        if "set_id" not in out:
            put("set_id", set_id_for(code, obj.get("set_uri")))
        if "set_type" not in out:
            put("set_type", (set_types or {}).get(code) or guess_set_type(obj))
        if "set_uri" not in out:
            put("set_uri", f"{API}/sets/{out['set_id']}")
        if "set_search_uri" not in out:
            put("set_search_uri", f"{API}/cards/search?order=set&q=e%3A{code}&unique=prints")
        if "scryfall_set_uri" not in out:
            put("scryfall_set_uri", f"{WEB}/sets/{code}?utm_source=api")
    card_id = obj.get("id")
    if isinstance(card_id, str):
        if "uri" not in out:
            put("uri", f"{API}/cards/{card_id}")
        if "rulings_uri" not in out:
            put("rulings_uri", f"{API}/cards/{card_id}/rulings")
        oracle_id = obj.get("oracle_id")
        if "prints_search_uri" not in out and isinstance(oracle_id, str):
            put("prints_search_uri", f"{API}/cards/search?order=released&q=oracleid%3A{oracle_id}&unique=prints")
    if "booster" not in out:
        put("booster", not obj.get("promo") and not obj.get("oversized") and layout not in _EXTRA_LAYOUTS)
    if "card_back_id" not in out and layout not in _FACE_IMAGE_LAYOUTS:
        put("card_back_id", STANDARD_CARD_BACK)
    for flag in ("textless", "variation", "story_spotlight", "full_art", "oversized", "reserved", "promo", "reprint"):
        if flag not in out:
            put(flag, False)
    if "games" not in out:
        put("games", ["paper"] if not obj.get("digital") else [])
    if "related_uris" not in out:
        put("related_uris", {})
    if "legalities" not in out:
        put("legalities", {})
    if "color_identity" not in out:
        put("color_identity", [])
    out_faces = out.get("card_faces")
    if isinstance(out_faces, list) and any(isinstance(f, dict) and "object" not in f for f in out_faces):
        out["card_faces"] = [{"object": "card_face", **f} if isinstance(f, dict) else f for f in out_faces]
        changed.append("card_faces.object")
    return out, changed


def upgrade_set(obj: dict[str, Any], *, foil_only: bool = False, nonfoil_only: bool = False) -> dict[str, Any]:
    """A set object with every field Scryfall's set object always carries; ``foil_only``/``nonfoil_only``
    come from the catalog's printings when the source lacks them."""
    out = dict(obj)
    code = str(out.get("code") or "").lower()
    if not out.get("id"):
        out["id"] = set_id_for(code, None)
    out.setdefault("object", "set")
    out.setdefault("uri", f"{API}/sets/{out['id']}")
    out.setdefault("scryfall_uri", f"{WEB}/sets/{code}")
    search = f"{API}/cards/search?include_extras=true&include_variations=true&order=set&q=e%3A{code}&unique=prints"
    out.setdefault("search_uri", search)
    out.setdefault("icon_svg_uri", f"https://svgs.scryfall.io/sets/{code}.svg")
    out.setdefault("set_type", "expansion")
    out.setdefault("card_count", 0)
    out.setdefault("digital", False)
    out.setdefault("foil_only", foil_only)
    out.setdefault("nonfoil_only", nonfoil_only)
    return out
