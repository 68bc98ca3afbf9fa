"""price.forecast_train: once per slot across instances; a failed run leaves the promoted model serving."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from mtg_tracker.config import Settings
from mtg_tracker.forecast import jobs as forecast_jobs
from mtg_tracker.forecast import service
from mtg_tracker.forecast.models import ForecastModel
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.scheduler import REGISTRY, Scheduler

SMALL = {"horizons": [1, 7], "backtest_days": 7, "calibration_days": 2, "max_iter": 4, "max_rows": 5_000}


def _settings(settings: Settings, **forecast: Any) -> Settings:
    return settings.model_copy(update={"forecast": settings.forecast.model_copy(update={**SMALL, **forecast})})


async def test_runs_once_per_slot_across_two_instances_and_a_failure_keeps_the_model(
    settings: Settings, db: Database, priced: Any
) -> None:
    spec = REGISTRY["price.forecast_train"]
    assert spec.func is forecast_jobs.forecast_train and spec.cron == "0 23 * * *"
    small = _settings(settings)
    dbs = [Database(small) for _ in range(2)]
    try:
        schedulers = [Scheduler(d, small, {spec.name: spec}, instance=f"inst-{i}") for i, d in enumerate(dbs)]
        slot = datetime(2026, 2, 14, 23, 0, tzinfo=UTC)
        runs = await asyncio.gather(*(s.run_slot(spec, slot) for s in schedulers))
        ran = [r for r in runs if r is not None]
        assert len(ran) == 1 and ran[0].status == "succeeded", ran[0].error
        async with db.session(write=False) as session:
            assert len(list(await session.scalars(select(ForecastModel)))) == 1
            first = (await service.list_models(session))[0]
        # Whatever the verdict on this small sample, make it the served model, then fail a training run.
        async with db.session_scope() as session:
            await service.promote(session, first.version)

        failing = _settings(settings, history_days=14)  # 14 days cannot train a 7-day horizon
        run = await Scheduler(dbs[0], failing, {spec.name: spec}).run_slot(spec, datetime(2026, 2, 15, 23, tzinfo=UTC))
        assert run is not None and run.status == "failed" and "needs" in (run.error or "")
        async with db.session(write=False) as session:
            current, _ = await service.current_model(session)
            assert len(list(await session.scalars(select(ForecastModel)))) == 1
        assert current.version == first.version
    finally:
        for d in dbs:
            await d.dispose()


def test_the_schedule_is_configurable(settings: Settings) -> None:
    spec = REGISTRY["price.forecast_train"]
    custom = settings.model_copy(
        update={"scheduler": settings.scheduler.model_copy(update={"cron_overrides": {spec.name: "30 22 * * *"}})}
    )
    scheduler = Scheduler(Database(custom), custom, {spec.name: spec})
    assert scheduler.jobs[spec.name].cron == "30 22 * * *"
