"""Movers and price alerts pages."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.kit.deps import CacheDep, ReadSessionDep, SessionDep, SettingsDep
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.price import alerts as alerts_service
from mtg_tracker.price import movers as movers_service
from mtg_tracker.price.errors import NoMovers
from mtg_tracker.price.schemas import AlertCreate
from mtg_tracker.web.pages import WebRoute, card_dict, check_csrf, redirect, render, require_login, text_field

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Window = Literal["1d", "7d", "30d", "90d"]
PriceType = Literal["usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"]


@router.get("/movers")
async def movers_page(
    request: Request,
    session: ReadSessionDep,
    cache: CacheDep,
    window: Window = "7d",
    type: PriceType = "usd",
    direction: Literal["up", "down"] = "up",
    metric: Literal["percent", "absolute"] = "percent",
    min_price: Annotated[Decimal | None, Query(ge=0, le=Decimal("21000000"))] = None,
) -> Response:
    min_cents = int((min_price * 100).to_integral_value()) if min_price is not None else None
    try:
        raw = await movers_service.movers(
            session, cache, window=window, price_type=type, direction=direction, metric=metric,
            min_price_cents=min_cents, limit=100,
        )  # fmt: skip
        result: dict[str, Any] | None = orjson.loads(raw)
    except NoMovers:
        result = None
    return await render(
        request,
        "movers.html",
        {"result": result, "window": window, "type": type, "direction": direction, "metric": metric,
         "min_price": min_price, "windows": get_args(Window), "types": get_args(PriceType)},
    )  # fmt: skip


async def _alerts_context(request: Request, session: Any, cache: Any) -> dict[str, Any]:
    principal = await require_login(request)
    alerts = await alerts_service.list_alerts(session, viewer=principal.user_id, admin=principal.is_admin)
    events, _ = await alerts_service.list_events(
        session, viewer=principal.user_id, admin=principal.is_admin, alert_id=None, before=None, limit=50
    )
    names: dict[uuid.UUID, str] = {}
    for alert in alerts:
        try:
            names[alert.card_id] = card_dict(
                (await catalog_service.card_by_id(request.app.state.db, cache, alert.card_id)).body
            )["name"]
        except CardNotFound:
            names[alert.card_id] = str(alert.card_id)
    return {"alerts": [alerts_service.alert_dict(a) for a in alerts], "events": events, "names": names,
            "types": get_args(PriceType), "new_secret": None, "card": None}  # fmt: skip


@router.get("/alerts")
async def alerts_page(
    request: Request, session: ReadSessionDep, cache: CacheDep, card: uuid.UUID | None = None
) -> Response:
    ctx = await _alerts_context(request, session, cache)
    if card is not None:
        ctx["card"] = card_dict((await catalog_service.card_by_id(request.app.state.db, cache, card)).body)
    return await render(request, "alerts.html", ctx)


@router.post("/alerts")
async def create_alert(request: Request, session: SessionDep, settings: SettingsDep, cache: CacheDep) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    try:
        data = AlertCreate(
            card_id=text_field(form, "card_id"),
            price_type=text_field(form, "price_type", "usd"),
            direction=text_field(form, "direction", "above"),
            threshold=text_field(form, "threshold"),
            webhook_url=text_field(form, "webhook_url"),
        )
    except ValidationError as exc:
        raise BadRequest(
            "Some fields are not valid.",
            errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
        ) from None
    alert, secret = await alerts_service.create_alert(
        session, owner_id=principal.user_id, data=data, settings=settings.price
    )
    ctx = await _alerts_context(request, session, cache)
    # The signing secret is shown on this response only, as the API does.
    ctx["new_secret"] = secret
    ctx["new_alert_id"] = alert.id
    return await render(request, "alerts.html", ctx, status_code=201)


@router.post("/alerts/{alert_id}/delete")
async def delete_alert(request: Request, alert_id: uuid.UUID, session: SessionDep) -> Response:
    principal = await require_login(request)
    await check_csrf(request)
    await alerts_service.delete_alert(session, alert_id, viewer=principal.user_id, admin=principal.is_admin)
    return redirect(request, "/alerts")
