"""Price alerts: create/list/delete, evaluation after each snapshot, signed webhook delivery with retries.

Evaluation and delivery are separate transactions on purpose: the crossing state is committed first
(a compare-and-set on ``armed``, so two overlapping runs cannot both fire), then webhooks are called
with no database lock held, and every attempt is logged in its own short transaction.

Webhook targets are checked twice against SSRF: when the alert is created and again before every
attempt (DNS can change in between), and the request is sent to the very address that was checked
(the hostname goes in ``Host`` and TLS SNI), so a second DNS answer cannot redirect it.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import httpx
import orjson
from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account import service as account_service
from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.catalog.models import Card
from mtg_tracker.config import PriceSettings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.kit.http import parse_networks
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.resilience import Backoff, Sleep
from mtg_tracker.price.codecs import cents_to_price
from mtg_tracker.price.errors import AlertNotFound, TooManyAlerts, WebhookRefused
from mtg_tracker.price.models import PriceAlert, PriceAlertEvent, PricePoint
from mtg_tracker.price.rules import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    RefusedURL,
    address_refusal,
    initial_armed,
    sign,
    split_webhook_url,
    step,
)
from mtg_tracker.price.schemas import AlertCreate

log = get_logger("mtg_tracker.price.alerts")

Resolver = Callable[[str, int], Awaitable[list[str]]]
POINT_TABLE = cast(Table, PricePoint.__table__)
RESOLVE_TIMEOUT_SECONDS = 5.0
_RETRY_STATUSES = frozenset({408, 425, 429})
_IN_CHUNK = 500


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_webhook(url: str, settings: PriceSettings, resolver: Resolver = system_resolver) -> list[str]:
    """The addresses a webhook URL may be called at, or ``RefusedURL`` with the reason.

    Every address the name resolves to must be allowed: a name answering both a public and a private
    address is refused, since either could be the one connected to.
    """
    _scheme, host, port = split_webhook_url(url)
    allowed = parse_networks(settings.webhook_allow_networks)
    if _is_ip(host):
        addresses = [host]
    else:
        try:
            addresses = await asyncio.wait_for(resolver(host, port), RESOLVE_TIMEOUT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise RefusedURL(f"cannot resolve {host}: {exc or 'timeout'}") from None
        if not addresses:
            raise RefusedURL(f"{host} resolves to no address")
    for address in addresses:
        reason = address_refusal(address, allowed)
        if reason is not None:
            raise RefusedURL(f"{host} → {reason}" if host != address else reason)
    return addresses


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# -- alerts --------------------------------------------------------------------------------------------


def alert_dict(alert: PriceAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "owner_id": alert.owner_id,
        "card_id": alert.card_id,
        "price_type": alert.price_type,
        "direction": alert.direction,
        "threshold": cents_to_price(alert.threshold_cents),
        "webhook_url": alert.webhook_url,
        "armed": alert.armed,
        "last_price": cents_to_price(alert.last_price_cents),
        "last_date": alert.last_day,
        "fired_count": alert.fired_count,
        "created_at": alert.created_at,
        "last_fired_at": alert.last_fired_at,
    }


async def latest_price(session: AsyncSession, card_id: uuid.UUID, price_type: str) -> tuple[date, int | None] | None:
    """The newest point of a printing (its day and the type's price), read through the primary key."""
    row = (
        await session.execute(
            select(PricePoint.day, POINT_TABLE.c[price_type])
            .where(PricePoint.card_id == card_id)
            .order_by(PricePoint.day.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def create_alert(
    session: AsyncSession,
    *,
    owner_id: uuid.UUID | None,
    data: AlertCreate,
    settings: PriceSettings,
    resolver: Resolver = system_resolver,
) -> tuple[PriceAlert, str]:
    """A new alert and its secret. The URL is checked before any database work (no lock held over DNS).

    Each user may hold ``settings.max_alerts_per_user`` alerts: every alert is evaluated hourly and may
    send webhooks, so one account must not be able to make the job arbitrarily long. (Two creates racing
    at the limit may both pass; the cap is a guard against abuse, not an invariant.)
    """
    if owner_id is not None:
        held = await session.scalar(select(func.count()).select_from(PriceAlert).where(PriceAlert.owner_id == owner_id))
        if (held or 0) >= settings.max_alerts_per_user:
            raise TooManyAlerts(
                f"You have {held} price alerts, the most one account may have; delete one first "
                f"(MTG_PRICE__MAX_ALERTS_PER_USER)."
            )
    try:
        await check_webhook(data.webhook_url, settings, resolver)
    except RefusedURL as exc:
        raise WebhookRefused(f"This webhook URL is not allowed: {exc}.") from None
    if await session.scalar(select(Card.id).where(Card.id == data.card_id)) is None:
        raise CardNotFound(f"No card found with id {data.card_id}.")
    threshold = int((data.threshold * 100).to_integral_value())
    latest = await latest_price(session, data.card_id, data.price_type)
    price = latest[1] if latest else None
    secret = "whsec_" + secrets.token_urlsafe(32)
    alert = PriceAlert(
        id=uuid.uuid4(),
        owner_id=owner_id,
        card_id=data.card_id,
        price_type=data.price_type,
        direction=data.direction,
        threshold_cents=threshold,
        webhook_url=data.webhook_url,
        secret=secret,
        armed=initial_armed(data.direction, threshold, price),
        last_price_cents=price,
        last_day=latest[0] if latest else None,
        fired_count=0,
        created_at=utcnow(),
    )
    session.add(alert)
    await session.flush()
    return alert, secret


def _visible(viewer: uuid.UUID, *, admin: bool) -> Any:
    """The viewer's own alerts; admins also see the ownerless ones made with the operator token before
    accounts existed (nobody else could ever reach or delete those)."""
    mine = PriceAlert.owner_id == viewer
    return or_(mine, PriceAlert.owner_id.is_(None)) if admin else mine


async def list_alerts(session: AsyncSession, *, viewer: uuid.UUID, admin: bool) -> list[PriceAlert]:
    stmt = select(PriceAlert).where(_visible(viewer, admin=admin)).order_by(PriceAlert.created_at, PriceAlert.id)
    return list((await session.execute(stmt)).scalars())


async def get_alert(session: AsyncSession, alert_id: uuid.UUID, *, viewer: uuid.UUID, admin: bool) -> PriceAlert:
    """The alert if the viewer may see it; another user's alert is 404 like a missing one."""
    alert = await session.scalar(select(PriceAlert).where(PriceAlert.id == alert_id, _visible(viewer, admin=admin)))
    if alert is None:
        raise AlertNotFound(f"No price alert found with id {alert_id}.")
    return alert


async def delete_alert(session: AsyncSession, alert_id: uuid.UUID, *, viewer: uuid.UUID, admin: bool) -> None:
    await session.delete(await get_alert(session, alert_id, viewer=viewer, admin=admin))
    await session.flush()


async def list_events(
    session: AsyncSession,
    *,
    viewer: uuid.UUID,
    admin: bool,
    alert_id: uuid.UUID | None,
    before: int | None,
    limit: int,
) -> tuple[list[PriceAlertEvent], bool]:
    """Delivery attempts of the viewer's alerts, newest first; ``before`` is the keyset cursor (an event id).
    Naming another user's alert is 404, as reading it would be."""
    stmt = (
        select(PriceAlertEvent)
        .join(PriceAlert, PriceAlert.id == PriceAlertEvent.alert_id)
        .where(_visible(viewer, admin=admin))
        .order_by(PriceAlertEvent.id.desc())
        .limit(limit + 1)
    )
    if alert_id is not None:
        await get_alert(session, alert_id, viewer=viewer, admin=admin)
        stmt = stmt.where(PriceAlertEvent.alert_id == alert_id)
    if before is not None:
        stmt = stmt.where(PriceAlertEvent.id < before)
    rows = list((await session.execute(stmt)).scalars())
    return rows[:limit], len(rows) > limit


# -- evaluation ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Firing:
    alert_id: uuid.UUID
    delivery_id: uuid.UUID
    url: str
    secret: str
    day: date
    price: int
    payload: dict[str, Any]


async def _latest_points(session: AsyncSession, card_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The newest point of each printing (a correlated max per card, served by the primary key)."""
    inner = POINT_TABLE.alias("newest")
    points: dict[uuid.UUID, Any] = {}
    ids = list(card_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        max_day = select(inner.c.day).where(inner.c.card_id == POINT_TABLE.c.card_id).order_by(inner.c.day.desc())
        stmt = select(POINT_TABLE).where(
            POINT_TABLE.c.card_id.in_(chunk), POINT_TABLE.c.day == max_day.limit(1).scalar_subquery()
        )
        for row in await session.execute(stmt):
            points[row.card_id] = row
    return points


async def evaluate(db: Database) -> list[Firing]:
    """Run every alert's state machine against its printing's newest price; returns what fired.

    Idempotent: the same prices evaluated again fire nothing. State changes are compare-and-set on
    ``armed``, so an overlapping run (a manual one during a scheduled one) cannot fire an alert twice.
    """
    firings: list[Firing] = []
    async with db.session_scope() as session:
        # Ownerless alerts predate accounts (the operator's); a disabled owner's alerts wait until re-enabled.
        live = or_(PriceAlert.owner_id.is_(None), PriceAlert.owner_id.in_(account_service.active_user_ids()))
        alerts = list((await session.execute(select(PriceAlert).where(live))).scalars())
        if not alerts:
            return []
        points = await _latest_points(session, list({a.card_id for a in alerts}))
        cards = {
            r[0]: r[1:]
            for r in await session.execute(
                select(Card.id, Card.name, Card.set_code, Card.collector_number).where(
                    Card.id.in_({a.card_id for a in alerts if a.card_id in points})
                )
            )
        }
        now = utcnow()
        for alert in alerts:
            point = points.get(alert.card_id)
            if point is None:
                continue
            price: int | None = getattr(point, alert.price_type)
            result = step(armed=alert.armed, direction=alert.direction, threshold=alert.threshold_cents, price=price)
            values: dict[str, Any] = {"armed": result.armed, "last_day": point.day}
            if price is not None:
                values["last_price_cents"] = price
            if result.fire:
                values["fired_count"] = PriceAlert.fired_count + 1
                values["last_fired_at"] = now
            if result.armed == alert.armed and point.day == alert.last_day and price == alert.last_price_cents:
                continue
            res = await session.execute(
                update(PriceAlert).where(PriceAlert.id == alert.id, PriceAlert.armed == alert.armed).values(**values)
            )
            if result.fire and res.rowcount == 1 and price is not None:  # type: ignore[attr-defined]
                name, set_code, number = cards.get(alert.card_id, (None, None, None))
                delivery_id = uuid.uuid4()
                firings.append(
                    Firing(
                        alert_id=alert.id,
                        delivery_id=delivery_id,
                        url=alert.webhook_url,
                        secret=alert.secret,
                        day=point.day,
                        price=price,
                        payload={
                            "object": "price_alert_event",
                            "delivery_id": str(delivery_id),
                            "alert": {
                                "id": str(alert.id),
                                "price_type": alert.price_type,
                                "direction": alert.direction,
                                "threshold": cents_to_price(alert.threshold_cents),
                            },
                            "card": {
                                "id": str(alert.card_id),
                                "name": name,
                                "set": set_code,
                                "collector_number": number,
                            },
                            "date": point.day.isoformat(),
                            "price": cents_to_price(price),
                            "previous_price": cents_to_price(alert.last_price_cents),
                        },
                    )
                )
    metrics.PRICE_ALERTS_FIRED.inc(len(firings))
    return firings


# -- delivery ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    outcome: str
    status_code: int | None = None
    error: str | None = None


def _pinned_request(url: str, address: str, body: bytes, headers: dict[str, str]) -> httpx.Request:
    """The request sent to ``address`` itself; the name travels in ``Host`` and (https) SNI."""
    original = httpx.URL(url)
    target = original.copy_with(host=address)
    request = httpx.Request("POST", target, content=body, headers={**headers, "Host": original.netloc.decode()})
    if original.scheme == "https":
        request.extensions["sni_hostname"] = original.host
    return request


async def _attempt(
    client: httpx.AsyncClient, firing: Firing, attempt: int, settings: PriceSettings, resolver: Resolver
) -> Outcome:
    try:
        addresses = await check_webhook(firing.url, settings, resolver)
    except RefusedURL as exc:
        return Outcome("refused", error=str(exc))
    stamp = int(time.time())
    body = orjson.dumps({**firing.payload, "attempt": attempt, "timestamp": stamp})
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MTGTracker-Webhook/1",
        SIGNATURE_HEADER: sign(firing.secret, body),
        TIMESTAMP_HEADER: str(stamp),
        "X-MTG-Delivery": str(firing.delivery_id),
        "X-MTG-Attempt": str(attempt),
    }
    try:
        response = await client.send(_pinned_request(firing.url, addresses[0], body, headers))
        await response.aclose()
    except httpx.TimeoutException as exc:
        return Outcome("retrying", error=f"timeout: {type(exc).__name__}")
    except httpx.HTTPError as exc:
        return Outcome("retrying", error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome("delivered", status_code=response.status_code)
    if response.status_code >= 500 or response.status_code in _RETRY_STATUSES:
        return Outcome("retrying", status_code=response.status_code, error=f"HTTP {response.status_code}")
    # Other 4xx and redirects (never followed: they could point inside) will not get better by retrying.
    return Outcome("failed", status_code=response.status_code, error=f"HTTP {response.status_code}, not retried")


async def _log_attempt(db: Database, firing: Firing, attempt: int, result: Outcome, duration: float) -> None:
    async with db.session_scope() as session:
        session.add(
            PriceAlertEvent(
                alert_id=firing.alert_id,
                delivery_id=firing.delivery_id,
                attempt=attempt,
                outcome=result.outcome,
                status_code=result.status_code,
                error=result.error,
                day=firing.day,
                price_cents=firing.price,
                duration_ms=int(duration * 1000),
                created_at=utcnow(),
            )
        )
    metrics.PRICE_ALERT_DELIVERIES.labels(result.outcome).inc()


async def deliver(
    db: Database,
    settings: PriceSettings,
    firing: Firing,
    client: httpx.AsyncClient,
    *,
    resolver: Resolver = system_resolver,
    sleep: Sleep = asyncio.sleep,
    backoff: Backoff | None = None,
) -> str:
    """Deliver one firing: up to ``webhook_max_attempts`` attempts with exponential back-off; each logged."""
    backoff = backoff or Backoff(settings.webhook_backoff_base_seconds, settings.webhook_backoff_cap_seconds)
    result = Outcome("failed")
    for attempt in range(1, settings.webhook_max_attempts + 1):
        started = time.perf_counter()
        result = await _attempt(client, firing, attempt, settings, resolver)
        if result.outcome == "retrying" and attempt == settings.webhook_max_attempts:
            result.outcome = "failed"
        await _log_attempt(db, firing, attempt, result, time.perf_counter() - started)
        if result.outcome != "retrying":
            break
        await sleep(backoff.delay(attempt - 1))
    log.info("price_alert_delivery", alert_id=str(firing.alert_id), outcome=result.outcome, attempts=attempt)
    return result.outcome


async def evaluate_and_deliver(
    db: Database,
    settings: PriceSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver = system_resolver,
    sleep: Sleep = asyncio.sleep,
    backoff: Backoff | None = None,
) -> dict[str, Any]:
    """The ``price.alerts`` job: evaluate, then deliver every firing (a few at a time)."""
    firings = await evaluate(db)
    outcomes: dict[str, int] = {}
    if firings:
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False) as client:
            gate = asyncio.Semaphore(settings.webhook_concurrency)

            async def one(firing: Firing) -> str:
                async with gate:
                    return await deliver(db, settings, firing, client, resolver=resolver, sleep=sleep, backoff=backoff)

            for outcome in await asyncio.gather(*(one(f) for f in firings)):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"fired": len(firings), "deliveries": outcomes}
