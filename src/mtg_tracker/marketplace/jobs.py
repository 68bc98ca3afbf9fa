"""Marketplace jobs: the nightly integrity audit, the event relay and pruning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.scheduler import JobContext, job
from mtg_tracker.marketplace import integrity, outbox, pegging
from mtg_tracker.marketplace.models import IdempotentReply, OutboxEvent

# Published events are kept a week for inspection (a consumer's own dedup window is the event id).
PUBLISHED_EVENT_DAYS = 7


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


@job(
    "marketplace.prune",
    cron="50 3 * * *",
    description="Delete Idempotency-Key replies past MTG_MARKETPLACE__IDEMPOTENCY_HOURS and events published "
    "more than 7 days ago; re-running deletes nothing more.",
    timeout_seconds=600,
)
async def prune(ctx: JobContext) -> dict[str, Any]:
    now = utcnow()
    async with ctx.db.session_scope() as session:
        replies = await session.execute(
            delete(IdempotentReply).where(
                IdempotentReply.created_at < now - timedelta(hours=ctx.settings.marketplace.idempotency_hours)
            )
        )
        events = await session.execute(
            delete(OutboxEvent).where(OutboxEvent.published_at < now - timedelta(days=PUBLISHED_EVENT_DAYS))
        )
    return {"replies": replies.rowcount, "events": events.rowcount}  # type: ignore[attr-defined]


@job(
    "marketplace.refresh_pegged_prices",
    cron="20 * * * *",
    description="Store the effective price of pegged listings (market price less their percentage) from the "
    "newest price day, for listing search and sort; orders and reads compute it themselves. Idempotent.",
    timeout_seconds=600,
)
async def refresh_pegged_prices(ctx: JobContext) -> dict[str, Any]:
    async with ctx.db.session_scope() as session:
        return await pegging.refresh_stored(session)
