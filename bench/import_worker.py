"""One import in a fresh process, so peak RSS belongs to that import alone. Prints a JSON line."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database


async def main(url: str, path: str, mode: str) -> dict[str, float | int | str]:
    db = Database(Settings(database_url=url, environment="test"))
    start = time.perf_counter()
    try:
        if mode == "naive":
            read = await naive(db, Path(path))
            result: dict[str, float | int | str] = {"read": read}
        else:
            summary = await import_cards(db, Path(path), force=mode == "force")
            result = {
                "read": summary.read,
                "inserted": summary.inserted,
                "unchanged": summary.unchanged,
                "identical_file": summary.identical_to_import is not None,
            }
    finally:
        await db.dispose()
    result["seconds"] = round(time.perf_counter() - start, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


async def naive(db: Database, path: Path) -> int:
    """The baseline the issue names: json.load the whole file, one ORM insert per card."""
    import gzip

    from mtg_tracker.catalog.models import Card
    from mtg_tracker.catalog.normalize import normalize_card
    from mtg_tracker.kit.db import utcnow

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        cards = json.load(f)
    async with db.session_scope() as session:
        for obj in cards:
            c = normalize_card(obj)
            session.add(Card(**c.row, data=c.data, content_hash=c.content_hash, updated_at=utcnow()))
            await session.flush()
    return len(cards)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))))
