"""Housekeeping jobs of the operations domain."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.scheduler import JobContext, JobRun, job
from mtg_tracker.ops import backup

JOB_RUN_RETENTION_DAYS = 90


@job("ops.prune_job_runs", cron="17 3 * * *", description="Delete job run records older than 90 days.")
async def prune_job_runs(ctx: JobContext) -> dict[str, Any]:
    cutoff = utcnow() - timedelta(days=JOB_RUN_RETENTION_DAYS)
    async with ctx.db.session_scope() as session:
        result = await session.execute(delete(JobRun).where(JobRun.started_at < cutoff, JobRun.status != "running"))
    return {"deleted": result.rowcount or 0}  # type: ignore[attr-defined]


@job(
    "ops.backup",
    cron="30 2 * * *",
    description="Back up the database, verify the backup by restoring it, prune by retention.",
    timeout_seconds=6 * 3600,
)
async def backup_database(ctx: JobContext) -> dict[str, Any]:
    if not ctx.settings.backup.enabled:
        return {"skipped": "MTG_BACKUP__ENABLED=false"}

    def _work() -> tuple[backup.Manifest, list[str]]:
        created = backup.create_backup(ctx.settings)
        verified = backup.verify_backup(ctx.settings, created.id)
        # Only a verified backup may cost an older one its place: pruning after a failed verify could
        # leave nothing restorable.
        pruned = backup.prune_backups(ctx.settings) if verified.verification and verified.verification.ok else []
        return verified, pruned

    manifest, pruned = await asyncio.to_thread(_work)
    backup.record_metrics(manifest)
    verification = manifest.verification
    if verification is None or not verification.ok:
        raise RuntimeError(f"backup {manifest.id} failed verification: {verification.detail if verification else ''}")
    return {"backup": manifest.id, "size_bytes": manifest.size_bytes, "pruned": len(pruned)}
