"""Marketplace jobs: the nightly integrity audit."""

from __future__ import annotations

from typing import Any

from mtg_tracker.kit.scheduler import JobContext, job
from mtg_tracker.marketplace import integrity, outbox


@job(
    "marketplace.integrity_audit",
    cron="30 3 * * *",
    description="Prove the ledger balances and stock reconciles; findings at /admin/integrity and in "
    "/health/detailed. Read-only apart from the stored run, so running it twice is harmless.",
    timeout_seconds=1800,
)
async def integrity_audit(ctx: JobContext) -> dict[str, Any]:
    run = await integrity.run_and_store(ctx.db)
    return {"findings": run.finding_count, "seconds": run.seconds}


@job(
    "marketplace.outbox_relay",
    cron="* * * * *",
    description="Publish waiting marketplace events (order.created, order.paid, order.cancelled, "
    "listing.sold_out) to NATS JetStream, or to the signed webhook; at least once, deduplicated by event id.",
    timeout_seconds=50,
)
async def outbox_relay(ctx: JobContext) -> dict[str, Any]:
    return await outbox.relay_once(ctx.db, ctx.settings)
