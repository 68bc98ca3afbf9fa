"""Catalog jobs."""

from __future__ import annotations

from typing import Any

from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.sync import sync_bulk
from mtg_tracker.kit.scheduler import JobContext, job


@job(
    "catalog.sync",
    cron="15 10 * * *",
    description="Import Scryfall's bulk card file when it changed (Scryfall refreshes it daily), plus /sets.",
    timeout_seconds=3 * 3600,
)
async def catalog_sync(ctx: JobContext) -> dict[str, Any]:
    if ctx.settings.scryfall.offline:
        return {"skipped": "MTG_SCRYFALL__OFFLINE=true"}
    async with ScryfallClient(ctx.settings.scryfall) as client:
        result = await sync_bulk(ctx.db, ctx.settings, client)
    return result.as_dict()
