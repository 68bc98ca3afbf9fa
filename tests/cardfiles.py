"""Real card files for catalog tests, written into a test's tmp dir from ../shared/data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from support import shared_data


def real_cards(name: str) -> list[dict[str, Any]]:
    with gzip.open(shared_data("cards", name)) as f:
        data = json.load(f)
    return data["data"] if isinstance(data, dict) else data  # type: ignore[no-any-return]


def page_2023() -> list[dict[str, Any]]:
    return real_cards("scryfall-search-page-2023.json.gz")


def sample_2025() -> list[dict[str, Any]]:
    return real_cards("scryfall-cards-2025-sample.json.gz")


def write_json(path: Path, cards: Any, *, gz: bool = False) -> Path:
    raw = json.dumps(cards).encode()
    if gz:
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path
