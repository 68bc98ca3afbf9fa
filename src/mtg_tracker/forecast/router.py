"""Price forecasts and the model registry (API.md: Forecasts)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response

from mtg_tracker.account.deps import AdminUser
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.forecast import service
from mtg_tracker.forecast.forecasters import INTERVAL
from mtg_tracker.kit.deps import ReadSessionDep, SessionDep
from mtg_tracker.kit.schemas import error_responses

router = APIRouter(tags=["forecasts"])

JSON = "application/json"
FORECAST_SHAPE = (
    '`{"object":"forecast","card_id","finish","currency":"usd","as_of","horizon_days","target_date",'
    '"point":"1.23","lower":"1.05","upper":"1.41","interval":0.8,"persistence":"1.20","model":{"version","kind"}}`'
)
MODELS_SHAPE = '`{"object":"list","data":[{"object":"forecast_model","version","status","metrics",…}]}`'


def _ok(description: str, *errors: int) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {JSON: {}}}, **error_responses(*errors)}


def _money(value: float) -> str:
    return f"{value:.2f}"


@router.get(
    "/cards/{id}/forecast",
    responses=_ok(FORECAST_SHAPE, 400, 404, 429),
    summary="Price forecast of a printing",
)
async def card_forecast(
    session: ReadSessionDep,
    id: Annotated[str, Path(max_length=64, description="The printing's Scryfall id (a UUID).")],
    horizon: Annotated[
        int, Query(ge=1, le=30, description="Days ahead; the model serves the horizons it was trained for.")
    ] = 7,
    finish: Annotated[Literal["nonfoil", "foil", "etched"], Query(description="Which USD price.")] = "nonfoil",
    currency: Annotated[Literal["usd"], Query(description="Only USD prices are forecast.")] = "usd",
) -> dict[str, Any]:
    """The promoted model's point forecast and calibrated 80 % interval from the printing's newest price
    day, with persistence (the newest price itself) for comparison: in card prices it is hard to beat.
    Limited to 30 requests a minute per client (RateLimit headers)."""
    try:
        card_id = uuid.UUID(id)
    except ValueError:
        raise CardNotFound(f"No card found with id {id!r}: a Scryfall id is a UUID.") from None
    f = await service.forecast_card(session, card_id, horizon=horizon, finish=finish)
    return {
        "object": "forecast",
        "card_id": str(f.card_id),
        "finish": f.finish,
        "currency": currency,
        "as_of": f.as_of.isoformat(),
        "horizon_days": f.horizon,
        "target_date": (f.as_of + timedelta(days=f.horizon)).isoformat(),
        "point": _money(f.point),
        "lower": _money(f.lower),
        "upper": _money(f.upper),
        "interval": INTERVAL,
        "persistence": _money(f.persistence),
        "model": {"version": f.version, "kind": f.kind},
    }


@router.get("/forecast/models", responses=_ok(MODELS_SHAPE), summary="Forecast models in the registry")
async def forecast_models(session: ReadSessionDep) -> dict[str, Any]:
    """Every trained model, newest first: status (promoted, retired, refused) and why, training and backtest
    windows, features, and backtest metrics (`mae`, `persistence_mae`, `coverage`, … per horizon)."""
    rows = await service.list_models(session)
    return {"object": "list", "data": [service.decode(r) for r in rows]}


@router.post(
    "/forecast/models/{version}/promote",
    responses=_ok("The promoted model (`forecast_model`).", 401, 403, 404),
    summary="Promote (or roll back to) a forecast model",
)
async def promote_model(
    session: SessionDep,
    _: AdminUser,
    version: Annotated[int, Path(ge=1, le=2**31 - 1, description="The model version to serve.")],
) -> Response:
    """Admin: serve this version from now on; rolling back is promoting an earlier version. The registry's
    automatic rule does not apply here: the admin decides, and the earlier verdict stays visible."""
    row = await service.promote(session, version)
    return Response(orjson.dumps(service.decode(row)), media_type=JSON)
