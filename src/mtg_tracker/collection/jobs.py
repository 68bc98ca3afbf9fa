"""Collection jobs: one value snapshot per collection per day, after the catalog's prices are in."""

from __future__ import annotations

from typing import Any

from mtg_tracker.collection import valuation
from mtg_tracker.kit.scheduler import JobContext, job


@job(
    "collection.value_snapshot",
    cron="45 11 * * *",
    description="Record every collection's value (usd and eur) for today; re-running replaces today's rows.",
    timeout_seconds=1800,
)
async def value_snapshot(ctx: JobContext) -> dict[str, Any]:
    # After catalog.sync (10:15) and price.movers (11:15): the day's prices are the catalog's by then.
    async with ctx.db.session_scope() as session:
        return await valuation.snapshot_all(session, ctx.slot.date())
