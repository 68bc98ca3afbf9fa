"""Price history, movers and price alerts (API.md: Prices; Collections … /alerts)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from mtg_tracker.account.deps import ReadPrincipal, WritePrincipal
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.kit.deps import CacheDep, ReadSessionDep, SessionDep, SettingsDep
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.kit.http import public_url
from mtg_tracker.kit.schemas import MAX_ROW_ID, IsoDate, error_responses
from mtg_tracker.price import alerts as alert_service
from mtg_tracker.price import movers as movers_service
from mtg_tracker.price import service as price_service
from mtg_tracker.price.codecs import cents_to_price
from mtg_tracker.price.schemas import (
    AlertCreate,
    AlertCreated,
    AlertEventList,
    AlertEventRead,
    AlertList,
    AlertRead,
    PriceType,
)

router = APIRouter(tags=["prices"])
alerts_router = APIRouter(tags=["alerts"])

JSON = "application/json"


HISTORY_SHAPE = '`{"object":"price_history","card_id":…,"data":[{"date":"YYYY-MM-DD","usd":"1.23",…}]}`'
MOVERS_SHAPE = (
    '`{"object":"list","date":…,"window":…,"data":[{"object":"price_mover","card":{card object},'
    '"old":"1.00","new":"1.50","change":"0.50","change_pct":"50.00"}]}`'
)


def _ok(description: str, *errors: int) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {JSON: {}}}, **error_responses(*errors)}


@router.get(
    "/cards/{id}/prices",
    responses=_ok(HISTORY_SHAPE, 400, 404),
    summary="Price history of a printing",
)
async def price_history(
    session: ReadSessionDep,
    id: Annotated[str, Path(max_length=64, description="The printing's Scryfall id (a UUID).")],
    from_: Annotated[IsoDate | None, Query(alias="from", description="First day (YYYY-MM-DD), inclusive.")] = None,
    to: Annotated[IsoDate | None, Query(description="Last day (YYYY-MM-DD), inclusive.")] = None,
    type: Annotated[
        PriceType | None, Query(description="Only this price type (and only the days that have it).")
    ] = None,
) -> Response:
    """Every recorded day of a printing's prices, oldest first, prices as decimal strings like Scryfall's.
    One row per day: a catalog import records the day's snapshot, backfills add older days."""
    try:
        card_id = uuid.UUID(id)
    except ValueError:
        raise CardNotFound(f"No card found with id {id!r}: a Scryfall id is a UUID.") from None
    if from_ is not None and to is not None and from_ > to:
        raise BadRequest(f"from ({from_}) is after to ({to}).")
    body = await price_service.history(session, card_id, start=from_, end=to, price_type=type)
    return Response(body, media_type=JSON, headers={"Cache-Control": "public, max-age=300"})


@router.get("/prices/movers", responses=_ok(MOVERS_SHAPE, 400, 404), summary="Biggest price movers")
async def price_movers(
    session: ReadSessionDep,
    cache: CacheDep,
    window: Annotated[Literal["1d", "7d", "30d", "90d"], Query(description="Compare with this many days ago.")] = "7d",
    type: Annotated[PriceType, Query(description="Price type.")] = "usd",
    direction: Annotated[Literal["up", "down"], Query(description="Rises or falls.")] = "up",
    metric: Annotated[
        Literal["percent", "absolute"],
        Query(description="Rank by percentage change (old price at least the configured minimum) or by amount."),
    ] = "percent",
    min_price: Annotated[
        Decimal | None,
        Query(ge=0, le=Decimal("21000000"), description="Only printings whose old price is at least this."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many movers.")] = 20,
    day: Annotated[
        IsoDate | None, Query(description="Any day whose movers are stored (YYYY-MM-DD); default: the newest.")
    ] = None,
) -> Response:
    """The movers of one day (default: the newest day the `price.movers` job computed), best first.
    Backfilled days have movers too (`prices import` computes them). `min_price` narrows
    the stored top list; it cannot add printings the job's own minimum (percent ranking) left out."""
    min_cents = int((min_price * 100).to_integral_value()) if min_price is not None else None
    body = await movers_service.movers(
        session,
        cache,
        window=window,
        price_type=type,
        direction=direction,
        metric=metric,
        min_price_cents=min_cents,
        limit=limit,
        day=day,
    )
    return Response(body, media_type=JSON, headers={"Cache-Control": "public, max-age=300"})


# -- alerts: each belongs to the user who made it; another user's alert is 404 ------------------------------

_ALERT_ERRORS = (400, 401, 403, 404)


@alerts_router.get("/alerts", response_model=AlertList, responses=error_responses(401, 403), summary="My alerts")
async def list_alerts(session: ReadSessionDep, principal: ReadPrincipal) -> AlertList:
    """Your price alerts with their crossing state, oldest first (admins also see alerts made with the
    operator token before accounts existed)."""
    alerts = await alert_service.list_alerts(session, viewer=principal.user_id, admin=principal.is_admin)
    return AlertList(total=len(alerts), data=[AlertRead(**alert_service.alert_dict(a)) for a in alerts])


@alerts_router.post(
    "/alerts",
    status_code=201,
    response_model=AlertCreated,
    responses=error_responses(*_ALERT_ERRORS, 409),
    summary="Create an alert",
)
async def create_alert(
    data: AlertCreate, session: SessionDep, settings: SettingsDep, principal: WritePrincipal
) -> AlertCreated:
    """Watch a printing's price; when it crosses the threshold the webhook gets a signed POST
    (`X-MTG-Signature: sha256=<HMAC-SHA256 of the body with the secret>`, `X-MTG-Timestamp`). The alert
    fires once per crossing and re-arms when the price crosses back; created while the condition already
    holds, it waits for the price to cross back first. The `secret` is only in this response. An account
    holds at most `MTG_PRICE__MAX_ALERTS_PER_USER` alerts (409 beyond)."""
    alert, secret = await alert_service.create_alert(
        session, owner_id=principal.user_id, data=data, settings=settings.price
    )
    return AlertCreated(**alert_service.alert_dict(alert), secret=secret)


@alerts_router.get(
    "/alerts/events",
    response_model=AlertEventList,
    responses=error_responses(*_ALERT_ERRORS),
    summary="Webhook delivery log",
)
async def alert_events(
    request: Request,
    session: ReadSessionDep,
    principal: ReadPrincipal,
    alert_id: Annotated[uuid.UUID | None, Query(description="Only this alert's deliveries.")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ROW_ID, description="Cursor: events older than this event id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
) -> AlertEventList:
    """Every delivery attempt of your alerts, newest first: outcome, HTTP status, error, attempt number,
    duration."""
    events, has_more = await alert_service.list_events(
        session, viewer=principal.user_id, admin=principal.is_admin, alert_id=alert_id, before=before, limit=limit
    )
    next_page = None
    if has_more and events:
        next_page = public_url(request, request.url.path, request.url.include_query_params(before=events[-1].id).query)
    return AlertEventList(
        has_more=has_more,
        next_page=next_page,
        data=[
            AlertEventRead(
                id=e.id,
                alert_id=e.alert_id,
                delivery_id=e.delivery_id,
                attempt=e.attempt,
                outcome=e.outcome,
                status_code=e.status_code,
                error=e.error,
                date=e.day,
                price=cents_to_price(e.price_cents) or "0.00",
                duration_ms=e.duration_ms,
                created_at=e.created_at,
            )
            for e in events
        ],
    )


# Routed as ``{alert_id:uuid}`` so that no other word (``DELETE /alerts/events``) is taken for an id: that
# is a 405 from /alerts/events, not a 400 about a malformed id.
AlertId = Annotated[uuid.UUID, Path(description="The alert's id.")]


@alerts_router.get(
    "/alerts/{alert_id:uuid}", response_model=AlertRead, responses=error_responses(*_ALERT_ERRORS), summary="One alert"
)
async def get_alert(alert_id: AlertId, session: ReadSessionDep, principal: ReadPrincipal) -> AlertRead:
    """One of your alerts and its crossing state."""
    alert = await alert_service.get_alert(session, alert_id, viewer=principal.user_id, admin=principal.is_admin)
    return AlertRead(**alert_service.alert_dict(alert))


@alerts_router.delete(
    "/alerts/{alert_id:uuid}", status_code=204, responses=error_responses(*_ALERT_ERRORS), summary="Delete an alert"
)
async def delete_alert(alert_id: AlertId, session: SessionDep, principal: WritePrincipal) -> Response:
    """Delete one of your alerts and its delivery log."""
    await alert_service.delete_alert(session, alert_id, viewer=principal.user_id, admin=principal.is_admin)
    return Response(status_code=204)
