"""Scryfall's other response formats of a card: a plaintext block, a CSV row, the image to redirect to.
Pure: card objects (dicts) in, text out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, Literal, get_args

ImageVersion = Literal["small", "normal", "large", "png", "art_crop", "border_crop"]
IMAGE_VERSIONS: tuple[str, ...] = get_args(ImageVersion)
FACE_SEPARATOR = "----"

# The columns of format=csv: the fields a spreadsheet user sorts and filters on. Lists are joined with
# commas inside their cell; prices are today's, as in the JSON.
CSV_COLUMNS = (
    "id",
    "oracle_id",
    "name",
    "lang",
    "set",
    "set_name",
    "collector_number",
    "rarity",
    "released_at",
    "mana_cost",
    "cmc",
    "type_line",
    "oracle_text",
    "power",
    "toughness",
    "loyalty",
    "colors",
    "color_identity",
    "artist",
    "usd",
    "usd_foil",
    "usd_etched",
    "eur",
    "eur_foil",
    "tix",
    "scryfall_uri",
)


class NoSuchFace(ValueError):
    """face=back on a card that has one face (Scryfall answers 422)."""


class NoImage(LookupError):
    """The card object carries no image URI for that version."""


def _face_text(face: dict[str, Any]) -> str:
    head = face.get("name") or ""
    if face.get("mana_cost"):
        head += f" {face['mana_cost']}"
    lines = [head]
    if face.get("type_line"):
        lines.append(face["type_line"])
    if face.get("oracle_text"):
        lines.append(face["oracle_text"])
    if face.get("power") is not None and face.get("toughness") is not None:
        lines.append(f"{face['power']}/{face['toughness']}")
    if face.get("loyalty") is not None:
        lines.append(f"Loyalty: {face['loyalty']}")
    if face.get("defense") is not None:
        lines.append(f"Defense: {face['defense']}")
    return "\n".join(lines)


def card_text(card: dict[str, Any]) -> str:
    """The card as a player reads it: name and cost, type line, rules text, then power/toughness or
    loyalty; the faces of a multi-face card one after the other, separated by a ``----`` line."""
    faces = card.get("card_faces")
    if faces and all(isinstance(f, dict) for f in faces):
        return f"\n{FACE_SEPARATOR}\n".join(_face_text(f) for f in faces)
    return _face_text(card)


def cards_text(cards: Iterable[dict[str, Any]]) -> str:
    """Several cards' text blocks, one blank line apart."""
    return "\n\n".join(card_text(c) for c in cards) + "\n"


_PRICE_COLUMNS = frozenset({"usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"})
_FACE_JOINED = {"mana_cost": " // ", "type_line": " // ", "oracle_text": "\n//\n"}


def _cell(card: dict[str, Any], column: str) -> str:
    if column in _PRICE_COLUMNS:
        value = (card.get("prices") or {}).get(column)
    else:
        value = card.get(column)
        faces = card.get("card_faces")
        if value is None and column in _FACE_JOINED and faces:
            # Double-faced cards keep these on their faces only.
            value = _FACE_JOINED[column].join(str(f.get(column) or "") for f in faces if isinstance(f, dict))
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cards_csv(cards: Iterable[dict[str, Any]]) -> str:
    """A header row and one row per card (RFC 4180 quoting, so multi-line rules text stays one cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for card in cards:
        writer.writerow([_cell(card, c) for c in CSV_COLUMNS])
    return out.getvalue()


def image_uri(card: dict[str, Any], version: str, face: str | None) -> str:
    """The stored image URI of ``version``: the card's own, else its front face's (double-faced cards keep
    their images on the faces). ``face="back"`` picks the second face."""
    faces = [f for f in card.get("card_faces") or () if isinstance(f, dict)]
    if face == "back":
        if len(faces) < 2 or not faces[1].get("image_uris"):
            raise NoSuchFace(f"{card.get('name', 'This card')} has no back face with its own image.")
        uris = faces[1]["image_uris"]
    else:
        uris = card.get("image_uris") or (faces[0].get("image_uris") if faces else None) or {}
    uri = uris.get(version) if isinstance(uris, dict) else None
    if not isinstance(uri, str) or not uri:
        raise NoImage(f"No {version} image is stored for {card.get('name', 'this card')}.")
    return uri
