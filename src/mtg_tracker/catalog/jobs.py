"""Catalog jobs."""

from __future__ import annotations

from typing import Any

from mtg_tracker.catalog import bulk
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.sync import sync_bulk, sync_migrations, sync_rulings
from mtg_tracker.kit.scheduler import JobContext, job


@job(
    "catalog.sync",
    cron="15 10 * * *",
    description="Import Scryfall's bulk card and rulings files when they changed (refreshed daily), plus /sets.",
    timeout_seconds=3 * 3600,
)
async def catalog_sync(ctx: JobContext) -> dict[str, Any]:
    if ctx.settings.scryfall.offline:
        return {"skipped": "MTG_SCRYFALL__OFFLINE=true"}
    async with ScryfallClient(ctx.settings.scryfall) as client:
        result = await sync_bulk(ctx.db, ctx.settings, client)
        # After the cards: a ruling is keyed by oracle id, and is served for whatever card carries it.
        rulings = await sync_rulings(ctx.db, ctx.settings, client)
        migrations = await sync_migrations(ctx.db, client)
    out = {**result.as_dict(), "rulings": rulings.as_dict(), "migrations": migrations.as_dict()}
    if ctx.settings.public_url:
        # Rebuild the /bulk-data files now rather than in the first request after the import. Without
        # MTG_PUBLIC_URL the files depend on the requesting host, so the API builds them on demand.
        built = [
            await bulk.ensure(ctx.db, ctx.settings.data_dir, ctx.settings.public_url.rstrip("/"), t) for t in bulk.TYPES
        ]
        out["bulk_data"] = {f.type: f.count for f in built}
    return out
