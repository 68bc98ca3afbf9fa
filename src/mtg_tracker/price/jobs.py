"""Price jobs: movers once a day after the catalog sync, alert evaluation after every snapshot."""

from __future__ import annotations

from typing import Any

from mtg_tracker.kit.scheduler import JobContext, job
from mtg_tracker.price import alerts, movers


@job(
    "price.movers",
    cron="15 11 * * *",
    description="Biggest rises and falls per window (1d/7d/30d/90d) and price type, for the newest price day.",
    timeout_seconds=1800,
)
async def price_movers(ctx: JobContext) -> dict[str, Any]:
    # An hour after catalog.sync (10:15): a full bulk import takes minutes; recomputing later the same
    # day (jobs run) replaces that day's movers.
    settings = ctx.settings.price
    return await movers.compute(ctx.db, top=settings.movers_top, min_price=settings.movers_min_price)


@job(
    "price.alerts",
    cron="5 * * * *",
    description="Evaluate price alerts against the newest prices and deliver the webhooks of those that crossed.",
    timeout_seconds=1800,
)
async def price_alerts(ctx: JobContext) -> dict[str, Any]:
    # Hourly rather than chained to one importer: whichever path wrote the snapshot (sync, CLI import,
    # an on-demand card fetch), the next run sees it; evaluating unchanged prices fires nothing.
    return await alerts.evaluate_and_deliver(ctx.db, ctx.settings.price)
