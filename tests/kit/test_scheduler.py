"""Scheduled jobs run exactly once per slot across instances sharing a database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.scheduler import JobContext, JobRun, JobSpec, Scheduler, cron_trigger


def _spec(name: str, calls: list[Any], *, cron: str = "* * * * * *", fail: bool = False, delay: float = 0.0) -> JobSpec:
    async def run(ctx: JobContext) -> dict[str, Any]:
        calls.append(ctx.slot)
        if delay:
            await asyncio.sleep(delay)
        if fail:
            raise ValueError("upstream said no")
        return {"slot": ctx.slot.isoformat()}

    return JobSpec(name=name, cron=cron, func=run, description="test", timeout_seconds=30)


async def _rows(db: Database, name: str) -> list[JobRun]:
    async with db.session(write=False) as s:
        return list((await s.execute(select(JobRun).where(JobRun.job_name == name))).scalars())


async def test_racing_claims_yield_one_run_per_slot(settings: Settings) -> None:
    calls: list[Any] = []
    spec = _spec("test.race", calls, delay=0.01)
    dbs = [Database(settings) for _ in range(3)]
    schedulers = [Scheduler(db, settings, {spec.name: spec}, instance=f"inst-{i}") for i, db in enumerate(dbs)]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        for n in range(10):
            slot = base + timedelta(minutes=n)
            results = await asyncio.gather(*(s.run_slot(spec, slot) for s in schedulers))
            assert sum(r is not None for r in results) == 1
        rows = await _rows(dbs[0], spec.name)
        assert len(rows) == 10 == len(calls)
        assert len({r.slot for r in rows}) == 10
        assert all(r.status == "succeeded" and r.duration_ms is not None for r in rows)
    finally:
        for db in dbs:
            await db.dispose()


async def test_two_scheduler_loops_run_each_slot_once(settings: Settings) -> None:
    calls: list[Any] = []
    spec = _spec("test.loop", calls)
    dbs = [Database(settings), Database(settings)]
    schedulers = [Scheduler(db, settings, {spec.name: spec}, instance=f"loop-{i}") for i, db in enumerate(dbs)]
    try:
        for s in schedulers:
            s.start()
        await asyncio.sleep(3.3)
        for s in schedulers:
            await s.stop()
        rows = await _rows(dbs[0], spec.name)
        assert len(rows) >= 2
        assert len(calls) == len(rows) == len({r.slot for r in rows})
        assert {r.instance for r in rows} <= {"loop-0", "loop-1"}
    finally:
        for db in dbs:
            await db.dispose()


async def test_failure_is_recorded(db: Database, settings: Settings) -> None:
    calls: list[Any] = []
    spec = _spec("test.fail", calls, fail=True)
    run = await Scheduler(db, settings, {spec.name: spec}).run_now(spec.name)
    assert run is not None
    assert run.status == "failed"
    assert run.error == "ValueError: upstream said no"
    assert run.finished_at is not None


async def test_manual_run_records_result(db: Database, settings: Settings) -> None:
    calls: list[Any] = []
    spec = _spec("test.manual", calls)
    run = await Scheduler(db, settings, {spec.name: spec}).run_now(spec.name)
    assert run is not None and run.status == "succeeded" and run.trigger == "manual"
    assert run.result is not None and "slot" in run.result
    async with db.session(write=False) as s:
        assert await s.scalar(select(func.count()).select_from(JobRun)) == 1


async def test_stale_running_rows_are_marked_abandoned(db: Database, settings: Settings) -> None:
    calls: list[Any] = []
    spec = JobSpec(name="test.stale", cron="0 * * * *", func=_spec("x", calls).func, description="", timeout_seconds=1)
    sched = Scheduler(db, settings, {spec.name: spec})
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    async with db.session_scope() as s:
        s.add(
            JobRun(
                job_name=spec.name,
                slot=long_ago,
                trigger="schedule",
                status="running",
                instance="dead:1",
                started_at=long_ago,
            )
        )
    assert await sched.mark_abandoned() == 1
    rows = await _rows(db, spec.name)
    assert rows[0].status == "abandoned"


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("30 0 * * *", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), datetime(2026, 3, 1, 0, 30, tzinfo=UTC)),
        ("30 0 * * *", datetime(2026, 3, 1, 0, 31, tzinfo=UTC), datetime(2026, 3, 2, 0, 30, tzinfo=UTC)),
        ("*/5 * * * * *", datetime(2026, 3, 1, 0, 0, 1, tzinfo=UTC), datetime(2026, 3, 1, 0, 0, 5, tzinfo=UTC)),
    ],
)
def test_cron_slots_are_deterministic(expr: str, after: datetime, expected: datetime) -> None:
    assert cron_trigger(expr).get_next_fire_time(None, after) == expected


def test_bad_cron_refused() -> None:
    with pytest.raises(ValueError, match="5 or 6 fields"):
        cron_trigger("* *")
