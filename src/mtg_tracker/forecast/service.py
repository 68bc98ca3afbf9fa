"""Forecast registry and serving: load price panels, train and judge models, promote, forecast one card.

A new model is judged on the newest ``backtest_days`` of history against persistence (tomorrow = today)
on the same rows. It is promoted only when its MAE is below persistence's for every horizon and its 80 %
interval covers between ``min_coverage`` and ``max_coverage`` of the realised prices; otherwise it is
stored as *refused* with the reason, and the current model keeps serving.
"""

from __future__ import annotations

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
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.catalog.models import Card, CardSet
from mtg_tracker.config import ForecastSettings
from mtg_tracker.forecast.backtest import rolling_origin
from mtg_tracker.forecast.errors import BadHorizon, ModelNotFound, NoForecast, NoModel, NotEnoughHistory
from mtg_tracker.forecast.features import FEATURE_NAMES, FINISHES, CardInfo
from mtg_tracker.forecast.forecasters import Forecaster, GBMParams, GradientBoosted, Persistence, SeasonalNaive
from mtg_tracker.forecast.models import ForecastModel
from mtg_tracker.forecast.panel import Panel, build_panel
from mtg_tracker.kit import metrics as metrics_module
from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.price.models import PricePoint

log = get_logger("mtg_tracker.forecast")

FINISH_COLUMNS = {"nonfoil": "usd", "foil": "usd_foil", "etched": "usd_etched"}
# Serving reads this many days before the as-of day: the longest feature window (30 days) plus one.
SERVING_DAYS = 31
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
    """Serve ``version`` (an admin's decision: a rollback is the promotion of an earlier version)."""
    row = await session.get(ForecastModel, version)
    if row is None:
        raise ModelNotFound(f"No forecast model with version {version}.")
    await session.execute(update(ForecastModel).where(ForecastModel.status == "promoted").values(status="retired"))
    row.status = "promoted"
    row.promoted_at = utcnow()
    row.reason = f"promoted by an administrator; earlier verdict kept in the metrics ({row.reason})"[:2000]
    await session.flush()
    return row


# Unpickled artefacts by (version, sha256): a model is loaded once per process, not per request.
_LOADED: dict[tuple[int, str], Any] = {}


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
        if hashlib.sha256(artefact).hexdigest() != row[1]:
            raise NoModel(f"The artefact of forecast model {row[0]} does not match its checksum; promote another.")
        # The bytes were written by this service's own training job into its own database (checksummed
        # above); they are never accepted from a client.
        _LOADED.clear()
        _LOADED[key] = pickle.loads(artefact)  # noqa: S301
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
    """One printing's forecast from its newest price day, features computed exactly as in training."""
    set_code = await session.scalar(select(Card.set_code).where(Card.id == card_id))
    if set_code is None:
        raise CardNotFound(f"No card found with id {card_id}.")
    row, model = await current_model(session)
    if horizon not in model.horizons:
        raise BadHorizon(
            f"Forecast model {row.version} forecasts horizons {', '.join(map(str, model.horizons))} (days), "
            f"not {horizon}."
        )
    column = PricePoint.__table__.c[FINISH_COLUMNS[finish]]
    as_of = await session.scalar(
        select(func.max(PricePoint.day)).where(PricePoint.card_id == card_id, column.is_not(None))
    )
    if as_of is None:
        raise NoForecast(f"No {finish} USD price is stored for card {card_id}.")
    # The set's other printings feed the cross-sectional feature (the set's median recent return).
    panel = await load_panel(session, end=as_of, days=SERVING_DAYS, set_code=set_code)
    try:
        i = panel.keys.index((card_id, finish))
    except ValueError:
        raise NoForecast() from None
    t = panel.n_days - 1
    pred = model.predict(panel, t, horizon)
    values = [pred.point[i], pred.lower[i], pred.upper[i], panel.logp[i, t]]
    if any(np.isnan(v) for v in values):
        raise NoForecast()
    point, lower, upper, now = (float(np.exp(v)) for v in values)
    metrics_module.FORECASTS_SERVED.labels(str(horizon)).inc()
    return CardForecast(card_id, finish, as_of, horizon, point, lower, upper, now, row.version, row.kind)


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
