"""Housekeeping jobs of the operations domain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.scheduler import JobContext, JobRun, job

JOB_RUN_RETENTION_DAYS = 90


@job("ops.prune_job_runs", cron="17 3 * * *", description="Delete job run records older than 90 days.")
async def prune_job_runs(ctx: JobContext) -> dict[str, Any]:
    cutoff = utcnow() - timedelta(days=JOB_RUN_RETENTION_DAYS)
    async with ctx.db.session_scope() as session:
        result = await session.execute(delete(JobRun).where(JobRun.started_at < cutoff, JobRun.status != "running"))
    return {"deleted": result.rowcount or 0}  # type: ignore[attr-defined]
