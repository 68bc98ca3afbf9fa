"""The daily retraining job: train, judge against persistence, promote only a winner."""

from __future__ import annotations

from typing import Any

from mtg_tracker.forecast import service
from mtg_tracker.kit.scheduler import JobContext, job


@job(
    "price.forecast_train",
    cron="0 23 * * *",
    description="Train a price-forecast model, backtest it against persistence, promote it only if it wins "
    "(schedule: MTG_SCHEDULER__CRON_OVERRIDES).",
    timeout_seconds=3600,
)
async def forecast_train(ctx: JobContext) -> dict[str, Any]:
    # 23:00 UTC: after the day's catalog sync (10:15) and movers (11:15), so the newest day is complete.
    # One transaction: a failure (too little history, out of memory, timeout) writes nothing and the
    # promoted model keeps serving; a refused model is stored with its reason and changes nothing either.
    async with ctx.db.session_scope() as session:
        result = await service.train(session, ctx.settings.forecast)
    return {
        "version": result.version,
        "status": result.status,
        "reason": result.reason,
        "series": result.series,
        "seconds": round(result.seconds, 1),
        "metrics": result.metrics,
    }
