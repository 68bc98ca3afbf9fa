"""Forecast registry and serving: load price panels, train and judge models, promote, forecast one card.

A new model is judged on the newest ``backtest_days`` of history against persistence (tomorrow = today)
on the same rows. It is promoted only when its MAE is below persistence's for every horizon and its 80 %
interval covers between ``min_coverage`` and ``max_coverage`` of the realised prices; otherwise it is
stored as *refused* with the reason, and the current model keeps serving.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import orjson
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.catalog.models import Card, CardSet
from mtg_tracker.config import ForecastSettings
from mtg_tracker.forecast.backtest import rolling_origin
from mtg_tracker.forecast.errors import BadHorizon, ModelNotFound, NoForecast, NoModel, NotEnoughHistory
from mtg_tracker.forecast.features import FEATURE_NAMES, FINISHES, CardInfo
from mtg_tracker.forecast.forecasters import Forecaster, GBMParams, GradientBoosted, Persistence, SeasonalNaive
from mtg_tracker.forecast.models import ForecastModel, ForecastPoint
from mtg_tracker.forecast.panel import Panel, build_panel
from mtg_tracker.kit import metrics as metrics_module
from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.price.models import PricePoint

log = get_logger("mtg_tracker.forecast")

FINISH_COLUMNS = {"nonfoil": "usd", "foil": "usd_foil", "etched": "usd_etched"}
# Forecasts are precomputed for series whose newest price is at most this many days before the panel's
# last day (older prices are stale: nothing recent to forecast from).
STALE_DAYS = 30
POINT_BATCH = 5000
ProgressFn = Callable[[str], None]


def _noop(_: str) -> None:
    return None


async def _card_infos(
    session: AsyncSession, card_ids: set[uuid.UUID] | None, set_code: str | None
) -> dict[uuid.UUID, CardInfo]:
    stmt = select(
        Card.id, Card.oracle_id, Card.rarity, Card.set_code, Card.released_at, Card.legalities, CardSet.set_type,
        CardSet.released_at,
    ).outerjoin(CardSet, CardSet.code == Card.set_code)  # fmt: skip
    if set_code is not None:
        stmt = stmt.where(Card.set_code == set_code)
    rows = [r for r in await session.execute(stmt) if card_ids is None or r[0] in card_ids]
    oracles = {r[1] for r in rows if r[1] is not None}
    # Printings per oracle id, minus this one: how often the card has been reprinted.
    counts: dict[uuid.UUID, int] = {}
    if oracles:
        count_stmt = select(Card.oracle_id, func.count()).group_by(Card.oracle_id)
        if len(oracles) < 1000:
            count_stmt = count_stmt.where(Card.oracle_id.in_(oracles))
        counts = {o: n for o, n in await session.execute(count_stmt) if o is not None}
    out: dict[uuid.UUID, CardInfo] = {}
    for card_id, oracle_id, rarity, code, released, legalities, set_type, set_released in rows:
        legal = None
        if legalities:
            legal = sum(1 for v in orjson.loads(legalities).values() if v in ("legal", "restricted"))
        out[card_id] = CardInfo(
            rarity=rarity,
            set_code=code,
            set_type=set_type,
            released_at=set_released or released,
            reprint_count=counts.get(oracle_id, 1) - 1 if oracle_id is not None else None,
            legal_formats=legal,
        )
    return out


async def load_panel(session: AsyncSession, *, end: date, days: int, set_code: str | None = None) -> Panel:
    """USD prices (all three finishes) for the ``days`` days ending at ``end``, with catalog attributes."""
    start = end - timedelta(days=days - 1)
    stmt = select(PricePoint.card_id, PricePoint.day, PricePoint.usd, PricePoint.usd_foil, PricePoint.usd_etched).where(
        PricePoint.day >= start, PricePoint.day <= end
    )
    if set_code is not None:
        stmt = stmt.join(Card, Card.id == PricePoint.card_id).where(Card.set_code == set_code)
    points: list[tuple[uuid.UUID, str, date, int]] = []
    ids: set[uuid.UUID] = set()
    for card_id, day, *cents in await session.execute(stmt):
        ids.add(card_id)
        for finish, value in zip(FINISHES, cents, strict=True):
            if value is not None:
                points.append((card_id, finish, day, value))
    cards = await _card_infos(session, ids if set_code is None else None, set_code)
    panel = build_panel(points, cards, end=end)
    if panel.n_days and panel.start > start:
        # Pad the front so the panel starts where asked: feature windows count calendar days.
        pad = (panel.start - start).days
        logp = np.concatenate([np.full((panel.logp.shape[0], pad), np.nan), panel.logp], axis=1)
        panel = Panel(start, panel.keys, logp, panel.cards)
    return panel


@dataclass
class TrainResult:
    version: int
    status: str
    reason: str
    metrics: dict[str, Any]
    report: dict[str, Any]
    seconds: float
    series: int


def promotion_decision(metrics: dict[str, Any], horizons: list[int], settings: ForecastSettings) -> tuple[bool, str]:
    """(promote?, why): MAE below persistence's and 80 % coverage within bounds, for every horizon."""
    problems: list[str] = []
    for h in horizons:
        m = metrics.get(f"h{h}") or {}
        mae, naive, coverage = m.get("mae"), m.get("persistence_mae"), m.get("coverage")
        if mae is None or naive is None or coverage is None:
            problems.append(f"{h}-day horizon: no backtest rows")
            continue
        if not mae < naive:
            problems.append(f"{h}-day MAE {mae:.4f} is not below persistence's {naive:.4f}")
        if not settings.min_coverage <= coverage <= settings.max_coverage:
            problems.append(
                f"{h}-day 80 % interval coverage {coverage:.1%} is outside "
                f"{settings.min_coverage:.0%}–{settings.max_coverage:.0%}"
            )
    if problems:
        return False, "; ".join(problems)
    summary = ", ".join(
        f"{h}-day MAE {metrics[f'h{h}']['mae']:.4f} vs persistence {metrics[f'h{h}']['persistence_mae']:.4f}, "
        f"coverage {metrics[f'h{h}']['coverage']:.1%}"
        for h in horizons
    )
    return True, f"beats persistence: {summary}"


def _headline(report: dict[str, Any], kind: str, horizons: list[int]) -> dict[str, Any]:
    return {f"h{h}": report[kind][f"h{h}"]["all"] for h in horizons}


async def register(
    session: AsyncSession,
    *,
    candidate: Forecaster,
    final: Forecaster,
    panel: Panel,
    backtest_targets: range,
    settings: ForecastSettings,
    params: dict[str, Any],
) -> TrainResult:
    """Backtest ``candidate`` (fitted before the window) against persistence and store ``final`` with the verdict.

    ``final`` is the same recipe refitted on all the history: the backtest judges the recipe, the refit
    serves. A refused model is stored too (with why), so operators can see every attempt.
    """
    start = time.perf_counter()
    horizons = list(candidate.horizons)
    persistence = Persistence(candidate.horizons).fit(panel, backtest_targets.start - 1)
    seasonal = SeasonalNaive(candidate.horizons).fit(panel, backtest_targets.start - 1)
    report = rolling_origin(panel, [candidate, persistence, seasonal], horizons, backtest_targets)
    metrics = _headline(report, candidate.kind, horizons)
    promote, reason = promotion_decision(metrics, horizons, settings)
    artefact = pickle.dumps(final, protocol=pickle.HIGHEST_PROTOCOL)
    now = utcnow()
    if promote:
        await session.execute(update(ForecastModel).where(ForecastModel.status == "promoted").values(status="retired"))
    row = ForecastModel(
        kind=candidate.kind,
        status="promoted" if promote else "refused",
        reason=reason,
        created_at=now,
        promoted_at=now if promote else None,
        train_start=panel.start,
        train_end=panel.day(panel.n_days - 1),
        backtest_start=panel.day(backtest_targets.start),
        backtest_end=panel.day(backtest_targets.stop - 1),
        horizons=orjson.dumps(horizons).decode(),
        features=orjson.dumps(list(FEATURE_NAMES)).decode(),
        params=orjson.dumps(params).decode(),
        metrics=orjson.dumps(metrics).decode(),
        series=len(panel.keys),
        artefact=artefact,
        artefact_sha256=hashlib.sha256(artefact).hexdigest(),
    )
    session.add(row)
    await session.flush()
    metrics_module.FORECAST_MODELS.labels(row.status).inc()
    if promote:
        log.info("forecast_model_promoted", version=row.version, reason=reason)
    else:
        log.warning("forecast_model_refused", version=row.version, reason=reason)
    return TrainResult(row.version, row.status, reason, metrics, report, time.perf_counter() - start, len(panel.keys))


async def train(
    session: AsyncSession,
    settings: ForecastSettings,
    *,
    end: date | None = None,
    progress: ProgressFn = _noop,
) -> TrainResult:
    """Read history, fit the gradient-boosted recipe before the backtest window, judge it, refit, register."""
    started = time.perf_counter()
    panel, params, cutoff = await _training_panel(session, settings, end, progress)
    horizons = tuple(settings.horizons)
    progress("Fitting the backtest model")
    candidate = GradientBoosted(horizons, params).fit(panel, cutoff - 1, progress)
    progress("Refitting on all history")
    final = GradientBoosted(horizons, params).fit(panel, panel.n_days - 1, progress)
    progress("Backtesting against persistence")
    result = await register(
        session,
        candidate=candidate,
        final=final,
        panel=panel,
        backtest_targets=range(cutoff, panel.n_days),
        settings=settings,
        params=asdict(params),
    )
    if result.status == "promoted":
        progress("Precomputing the served forecasts")
        previous = await _previous_version(session, result.version)
        await store_points(session, result.version, final, panel)
        await prune_points(session, {result.version, *([previous] if previous else [])})
    result.seconds = time.perf_counter() - started
    return result


async def backtest(
    session: AsyncSession, settings: ForecastSettings, *, end: date | None = None, progress: ProgressFn = _noop
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The training recipe judged on the newest ``backtest_days`` without registering anything.

    Returns (report, context): the rolling-origin report of the model and both baselines, and the windows.
    """
    panel, params, cutoff = await _training_panel(session, settings, end, progress)
    horizons = tuple(settings.horizons)
    progress("Fitting the backtest model")
    candidate = GradientBoosted(horizons, params).fit(panel, cutoff - 1, progress)
    progress("Backtesting against the baselines")
    baselines: list[Forecaster] = [
        Persistence(horizons).fit(panel, cutoff - 1),
        SeasonalNaive(horizons).fit(panel, cutoff - 1),
    ]
    report = rolling_origin(panel, [candidate, *baselines], list(horizons), range(cutoff, panel.n_days))
    context = {
        "series": len(panel.keys),
        "training window": f"{panel.start} → {panel.day(cutoff - 1)}",
        "backtest window (target days)": f"{panel.day(cutoff)} → {panel.day(panel.n_days - 1)}",
        "horizons": ", ".join(str(h) for h in horizons),
        "params": asdict(params),
    }
    return report, context


async def _training_panel(
    session: AsyncSession, settings: ForecastSettings, end: date | None, progress: ProgressFn
) -> tuple[Panel, GBMParams, int]:
    end = end or await session.scalar(select(func.max(PricePoint.day)))
    if end is None:
        raise NotEnoughHistory("There is no price history yet.")
    progress("Loading price history")
    panel = await load_panel(session, end=end, days=settings.history_days)
    first = int(np.argmax(~np.all(np.isnan(panel.logp), axis=0))) if panel.keys else panel.n_days
    # Drop the empty days before the first price: they teach nothing and cost memory.
    if first:
        panel = Panel(panel.day(first), panel.keys, panel.logp[:, first:], panel.cards)
    horizons = tuple(settings.horizons)
    # At least three origins to fit the longest horizon on, before the calibration and backtest days.
    needed = max(horizons) + settings.calibration_days + settings.backtest_days + 3
    if panel.n_days < needed:
        raise NotEnoughHistory(
            f"{panel.n_days} days of price history; training the {max(horizons)}-day horizon with "
            f"{settings.calibration_days} calibration and {settings.backtest_days} backtest days needs {needed}."
        )
    params = GBMParams(
        max_iter=settings.max_iter, max_rows=settings.max_rows, calibration_days=settings.calibration_days
    )
    return panel, params, panel.n_days - settings.backtest_days


async def list_models(session: AsyncSession) -> list[ForecastModel]:
    rows = await session.scalars(select(ForecastModel).order_by(ForecastModel.version.desc()))
    return list(rows)


async def promote(session: AsyncSession, version: int) -> ForecastModel:
    """Serve ``version`` (an admin's decision: a rollback is the promotion of an earlier version).

    Its forecasts are computed now unless they are still stored (the previous version's are kept, so a
    rollback is a switch); points of versions that are neither current nor previous are deleted.
    """
    row = await session.get(ForecastModel, version)
    if row is None:
        raise ModelNotFound(f"No forecast model with version {version}.")
    previous = await session.scalar(select(ForecastModel.version).where(ForecastModel.status == "promoted"))
    if previous == version:  # already served: keep the one it replaced
        previous = await _previous_version(session, version)
    else:
        stored = await session.scalar(
            select(ForecastPoint.model_version).where(ForecastPoint.model_version == version).limit(1)
        )
        if stored is None:
            model = _unpickle(row.artefact, row.artefact_sha256, version)
            end = await session.scalar(select(func.max(PricePoint.day)))
            if end is not None:
                panel = await load_panel(session, end=end, days=(row.train_end - row.train_start).days + 1)
                await store_points(session, version, model, panel)
        await session.execute(update(ForecastModel).where(ForecastModel.status == "promoted").values(status="retired"))
    row.status = "promoted"
    row.promoted_at = utcnow()
    row.reason = f"promoted by an administrator; earlier verdict kept in the metrics ({row.reason})"[:2000]
    await session.flush()
    await prune_points(session, {version, *([previous] if previous is not None else [])})
    return row


async def _previous_version(session: AsyncSession, current: int) -> int | None:
    """The version served before ``current`` was promoted: the most recently promoted other one."""
    stmt = (
        select(ForecastModel.version)
        .where(ForecastModel.version != current, ForecastModel.promoted_at.is_not(None))
        .order_by(ForecastModel.promoted_at.desc(), ForecastModel.version.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


async def prune_points(session: AsyncSession, keep: set[int]) -> None:
    await session.execute(delete(ForecastPoint).where(ForecastPoint.model_version.not_in(keep)))


def compute_points(model: Any, version: int, panel: Panel) -> list[dict[str, Any]]:
    """Every series' forecast from its newest price day, for every horizon the model serves, in cents.

    Vectorised: one prediction over the whole panel per (distinct as-of day, horizon), the same features
    as in training (the set-median feature sees every series of the set at that day).
    """
    n = panel.n_days
    if not panel.keys or n == 0:
        return []
    present = ~np.isnan(panel.logp)
    has = present.any(axis=1)
    last = n - 1 - np.argmax(present[:, ::-1], axis=1)
    rows: list[dict[str, Any]] = []
    for t in sorted({int(v) for v in last[has] if v >= n - 1 - STALE_DAYS}):
        members = np.flatnonzero(has & (last == t))
        as_of = panel.day(t)
        now = np.rint(np.exp(panel.logp[members, t]) * 100)
        for h in model.horizons:
            pred = model.predict(panel, t, h)
            values = np.exp(np.column_stack([pred.point[members], pred.lower[members], pred.upper[members]])) * 100
            ok = ~np.isnan(values).any(axis=1)
            cents = np.rint(np.clip(values, 1, 2**31 - 1)).astype(np.int64)
            target = as_of + timedelta(days=h)
            for j in np.flatnonzero(ok):
                card_id, finish = panel.keys[members[j]]
                rows.append(
                    {
                        "model_version": version,
                        "card_id": card_id,
                        "finish": finish,
                        "horizon_days": h,
                        "as_of": as_of,
                        "target_date": target,
                        "point": int(cents[j, 0]),
                        "lower": int(cents[j, 1]),
                        "upper": int(cents[j, 2]),
                        "persistence": int(now[j]),
                    }
                )
    return rows


async def store_points(session: AsyncSession, version: int, model: Any, panel: Panel) -> int:
    """Compute (in a worker thread: numpy and scikit-learn) and insert ``version``'s forecasts in batches."""
    started = time.perf_counter()
    rows = await asyncio.to_thread(compute_points, model, version, panel)
    await session.execute(delete(ForecastPoint).where(ForecastPoint.model_version == version))
    for i in range(0, len(rows), POINT_BATCH):
        await session.execute(insert(ForecastPoint), rows[i : i + POINT_BATCH])
    log.info("forecast_points_stored", version=version, rows=len(rows), seconds=round(time.perf_counter() - started, 2))
    return len(rows)


# Unpickled artefacts by (version, sha256): a model is loaded once per process, not per request.
_LOADED: dict[tuple[int, str], Any] = {}


def _unpickle(artefact: bytes, sha256: str, version: int) -> Any:
    if hashlib.sha256(artefact).hexdigest() != sha256:
        raise NoModel(f"The artefact of forecast model {version} does not match its checksum; promote another.")
    # The bytes were written by this service's own training job into its own database (checksummed
    # above); they are never accepted from a client.
    return pickle.loads(artefact)  # noqa: S301  # nosec B301


@dataclass(frozen=True)
class ServedModel:
    version: int
    kind: str


async def current_model(session: AsyncSession) -> tuple[ServedModel, Any]:
    """The promoted model and its fitted forecaster; the artefact is read and unpickled once per version."""
    row = (
        await session.execute(
            select(ForecastModel.version, ForecastModel.artefact_sha256, ForecastModel.kind).where(
                ForecastModel.status == "promoted"
            )
        )
    ).first()
    if row is None:
        raise NoModel()
    key = (row[0], row[1])
    if key not in _LOADED:
        artefact = await session.scalar(select(ForecastModel.artefact).where(ForecastModel.version == row[0]))
        assert artefact is not None
        _LOADED.clear()
        _LOADED[key] = _unpickle(artefact, row[1], row[0])
    return ServedModel(row[0], row[2]), _LOADED[key]


@dataclass
class CardForecast:
    card_id: uuid.UUID
    finish: str
    as_of: date
    horizon: int
    point: float
    lower: float
    upper: float
    persistence: float
    version: int
    kind: str


async def forecast_card(session: AsyncSession, card_id: uuid.UUID, *, horizon: int, finish: str) -> CardForecast:
    """One printing's precomputed forecast from the promoted model: one indexed row, no inference."""
    served = (
        await session.execute(
            select(ForecastModel.version, ForecastModel.kind, ForecastModel.horizons).where(
                ForecastModel.status == "promoted"
            )
        )
    ).first()
    if served is None:
        if await session.scalar(select(Card.id).where(Card.id == card_id)) is None:
            raise CardNotFound(f"No card found with id {card_id}.")
        raise NoModel()
    version, kind, horizons_json = served
    horizons: list[int] = orjson.loads(horizons_json)
    if horizon not in horizons:
        raise BadHorizon(
            f"Forecast model {version} forecasts horizons {', '.join(map(str, horizons))} (days), not {horizon}; "
            f"ask for horizon={' or horizon='.join(map(str, horizons))}."
        )
    point = await session.get(ForecastPoint, (version, card_id, finish, horizon))
    if point is None:
        if await session.scalar(select(Card.id).where(Card.id == card_id)) is None:
            raise CardNotFound(f"No card found with id {card_id}.")
        raise NoForecast(f"No {finish} forecast for card {card_id}: it has too little recent USD price history.")
    metrics_module.FORECASTS_SERVED.labels(str(horizon)).inc()
    return CardForecast(
        card_id,
        finish,
        point.as_of,
        horizon,
        point.point / 100,
        point.lower / 100,
        point.upper / 100,
        point.persistence / 100,
        version,
        kind,
    )


def decode(row: ForecastModel) -> dict[str, Any]:
    return {
        "object": "forecast_model",
        "version": row.version,
        "kind": row.kind,
        "status": row.status,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
        "promoted_at": row.promoted_at.isoformat() if row.promoted_at else None,
        "training_window": {"start": row.train_start.isoformat(), "end": row.train_end.isoformat()},
        "backtest_window": {"start": row.backtest_start.isoformat(), "end": row.backtest_end.isoformat()},
        "horizons": orjson.loads(row.horizons),
        "features": orjson.loads(row.features),
        "params": orjson.loads(row.params),
        "metrics": orjson.loads(row.metrics),
        "series": row.series,
    }
