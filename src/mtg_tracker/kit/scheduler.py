"""Scheduled jobs that run exactly once per slot across any number of instances.

Every instance runs the same in-process scheduler. When a slot (the cron fire time, identical on every
instance) comes due, each instance tries to insert the row ``(job_name, slot)`` into ``job_run``; the
unique constraint lets exactly one succeed, and only that one runs the job. No leader election, no "only
one pod has cron enabled" convention, and a crashed instance cannot hold a lock forever.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.config import Settings
from mtg_tracker.kit import metrics, tracing
from mtg_tracker.kit.db import Base, Database, UTCDateTime, dialect_insert, unavailable_reason, utcnow
from mtg_tracker.kit.logging import get_logger

log = get_logger("mtg_tracker.scheduler")

JobFunc = Callable[["JobContext"], Awaitable[dict[str, Any] | None]]


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job_name", "slot"),
        Index("ix_job_run_job_name_started_at", "job_name", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_name: Mapped[str] = mapped_column(String(100))
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | manual
    status: Mapped[str] = mapped_column(String(20))  # running | succeeded | failed | abandoned
    instance: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class JobSpec:
    name: str
    cron: str
    func: JobFunc
    description: str
    timeout_seconds: float

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.cron)


@dataclass
class JobContext:
    db: Database
    settings: Settings
    slot: datetime
    trigger: str
    extra: dict[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, cron: str, *, description: str = "", timeout_seconds: float = 3600) -> Callable[[JobFunc], JobFunc]:
    """Register a job. Jobs must be safe to run twice: a manual run may overlap a scheduled one."""
    cron_trigger(cron)  # validate at import time, not at 3 a.m.

    def decorator(func: JobFunc) -> JobFunc:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"job {name!r} registered twice")
        REGISTRY[name] = JobSpec(
            name=name,
            cron=cron,
            func=func,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            timeout_seconds=timeout_seconds,
        )
        return func

    return decorator


def cron_trigger(expr: str) -> CronTrigger:
    """Five fields (minute precision) like crontab, or six with seconds first (used by tests)."""
    parts = expr.split()
    if len(parts) == 5:
        return CronTrigger.from_crontab(expr, timezone=UTC)
    if len(parts) == 6:
        second, minute, hour, day, month, dow = parts
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=dow, timezone=UTC)
    raise ValueError(f"cron expression needs 5 or 6 fields: {expr!r}")


def default_instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        jobs: dict[str, JobSpec] | None = None,
        *,
        instance: str | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.jobs = dict(REGISTRY if jobs is None else jobs)
        for name, expr in settings.scheduler.cron_overrides.items():
            # An override for a job this build does not have is ignored (it may belong to a newer one).
            if name in self.jobs:
                cron_trigger(expr)  # a bad expression fails at start-up, not at the slot
                self.jobs[name] = replace(self.jobs[name], cron=expr)
        self.instance = instance or default_instance_name()
        self._stop = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._running: dict[str, asyncio.Task[Any]] = {}

    async def claim(self, spec: JobSpec, slot: datetime, trigger: str) -> int | None:
        """Insert the run row; ``None`` means another instance (or an earlier run) owns this slot."""
        async with self.db.session_scope() as session:
            stmt = (
                dialect_insert(session)(JobRun)
                .values(
                    job_name=spec.name,
                    slot=slot,
                    trigger=trigger,
                    status="running",
                    instance=self.instance,
                    started_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["job_name", "slot"])
                .returning(JobRun.id)
            )
            return (await session.execute(stmt)).scalar_one_or_none()

    async def run_slot(self, spec: JobSpec, slot: datetime, *, trigger: str = "schedule") -> JobRun | None:
        run_id = await self.claim(spec, slot, trigger)
        if run_id is None:
            log.debug("job_slot_taken", job=spec.name, slot=slot.isoformat())
            return None
        log.info("job_started", job=spec.name, slot=slot.isoformat(), trigger=trigger, run_id=run_id)
        start = time.perf_counter()
        status, error, result = "succeeded", None, None
        try:
            ctx = JobContext(db=self.db, settings=self.settings, slot=slot, trigger=trigger)
            with tracing.span(f"job {spec.name}", {"job.name": spec.name, "job.trigger": trigger}):
                result = await asyncio.wait_for(spec.func(ctx), timeout=spec.timeout_seconds)
        except asyncio.CancelledError:
            status, error = "failed", "cancelled (shutdown)"
            raise
        except Exception as exc:  # a job failure is recorded, never crashes the scheduler
            status = "failed"
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            log.exception("job_failed", job=spec.name, slot=slot.isoformat(), run_id=run_id)
        finally:
            duration = time.perf_counter() - start
            await self._finish(run_id, status=status, error=error, result=result, duration=duration)
            metrics.JOB_RUNS.labels(spec.name, status).inc()
            metrics.JOB_DURATION.labels(spec.name).observe(duration)
            if status == "succeeded":
                metrics.JOB_LAST_SUCCESS.labels(spec.name).set(time.time())
            log.info("job_finished", job=spec.name, status=status, duration_ms=round(duration * 1000), run_id=run_id)
        async with self.db.session(write=False) as session:
            return await session.get(JobRun, run_id)

    async def _finish(
        self, run_id: int, *, status: str, error: str | None, result: dict[str, Any] | None, duration: float
    ) -> None:
        async with self.db.session_scope() as session:
            await session.execute(
                update(JobRun)
                .where(JobRun.id == run_id)
                .values(
                    status=status,
                    error=error,
                    result=orjson.dumps(result).decode() if result is not None else None,
                    finished_at=utcnow(),
                    duration_ms=int(duration * 1000),
                )
            )

    async def run_now(self, name: str) -> JobRun | None:
        """A manual run (CLI, admin): its own slot, recorded like any other."""
        spec = self.jobs.get(name)
        if spec is None:
            raise KeyError(name)
        return await self.run_slot(spec, utcnow(), trigger="manual")

    async def mark_abandoned(self) -> int:
        """Runs left 'running' past their timeout belonged to a process that died; say so."""
        count = 0
        async with self.db.session_scope() as session:
            for spec in self.jobs.values():
                cutoff = utcnow() - timedelta(seconds=spec.timeout_seconds + 60)
                res = await session.execute(
                    update(JobRun)
                    .where(JobRun.job_name == spec.name, JobRun.status == "running", JobRun.started_at < cutoff)
                    .values(status="abandoned", error="the instance running it stopped", finished_at=utcnow())
                )
                count += res.rowcount or 0  # type: ignore[attr-defined]
        return count

    # -- the loop ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._loop_task is None:
            self._stop.clear()
            self._loop_task = asyncio.create_task(self.run_forever(), name="scheduler")

    async def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._loop_task is not None:
            await asyncio.wait([self._loop_task], timeout=timeout)
            self._loop_task = None
        running = list(self._running.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=timeout)
            for task in pending:
                task.cancel()

    async def run_forever(self) -> None:
        if not self.jobs:
            return
        try:
            await self.mark_abandoned()
        except Exception as exc:
            # A database that is down or not migrated yet is reported by /ready; say so in one line.
            reason = unavailable_reason(exc)
            if reason:
                log.warning("scheduler_cleanup_failed", reason=reason, error=str(exc).splitlines()[0][:200])
            else:
                log.warning("scheduler_cleanup_failed", exc_info=True)
        triggers = {name: spec.trigger() for name, spec in self.jobs.items()}
        now = datetime.now(UTC)
        due: dict[str, datetime] = {}
        for name, trig in triggers.items():
            nxt = trig.get_next_fire_time(None, now)
            if nxt is not None:
                due[name] = nxt
        log.info("scheduler_started", instance=self.instance, jobs=sorted(self.jobs))
        grace = self.settings.scheduler.misfire_grace_seconds
        while not self._stop.is_set() and due:
            next_at = min(due.values())
            delay = (next_at - datetime.now(UTC)).total_seconds()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
                    break
                except TimeoutError:
                    pass
            now = datetime.now(UTC)
            for name, slot in list(due.items()):
                if slot > now:
                    continue
                nxt = triggers[name].get_next_fire_time(slot, slot + timedelta(microseconds=1))
                if nxt is None:
                    del due[name]
                else:
                    due[name] = nxt
                if (now - slot).total_seconds() > grace:
                    log.warning("job_slot_missed", job=name, slot=slot.isoformat())
                    continue
                if name in self._running:
                    log.warning("job_still_running", job=name, slot=slot.isoformat())
                    continue
                self._spawn(self.jobs[name], slot)

    def _spawn(self, spec: JobSpec, slot: datetime) -> None:
        async def _guarded() -> None:
            try:
                await self.run_slot(spec, slot)
            except Exception:
                log.exception("job_claim_failed", job=spec.name, slot=slot.isoformat())
            finally:
                self._running.pop(spec.name, None)

        self._running[spec.name] = asyncio.create_task(_guarded(), name=f"job:{spec.name}")


async def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """The newest run of every job, for /health/detailed and ``jobs list``."""
    async with db.session(write=False) as session:
        newest = select(JobRun.job_name, func.max(JobRun.id).label("id")).group_by(JobRun.job_name).subquery()
        rows = (await session.execute(select(JobRun).join(newest, JobRun.id == newest.c.id))).scalars()
        return {
            r.job_name: {
                "status": r.status,
                "trigger": r.trigger,
                "slot": r.slot.isoformat(),
                "started_at": r.started_at.isoformat(),
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                "duration_ms": r.duration_ms,
                "error": r.error,
            }
            for r in rows
        }
