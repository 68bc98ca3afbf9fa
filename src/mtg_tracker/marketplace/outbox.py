"""The transactional outbox and its relay.

``emit`` adds an event row in the caller's transaction, so an event exists exactly when its change was
committed. The relay (job ``marketplace.outbox_relay``) publishes unpublished events oldest first and
stamps them; a crash between publishing and stamping publishes again, so delivery is at least once and
the event ``id`` is the idempotency key: JetStream drops a repeated ``Nats-Msg-Id`` inside its duplicate
window, and webhook receivers deduplicate on ``X-MTG-Event-Id``.

With ``MTG_NATS_URL`` events go to JetStream (stream ``MTG_MARKETPLACE__NATS_STREAM``, subject
``<prefix>.<type>``); otherwise to ``MTG_MARKETPLACE__WEBHOOK_URL``, signed with HMAC-SHA256. When the
broker is down nothing is lost: the pass stops at the first failure and the events wait in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.marketplace.models import OutboxEvent

log = get_logger("mtg_tracker.marketplace.outbox")

EVENT_TYPES = ("order.created", "order.paid", "order.cancelled", "listing.sold_out")


async def emit(session: AsyncSession, event_type: str, payload: dict[str, Any]) -> None:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    session.add(
        OutboxEvent(
            id=uuid.uuid4(),
            type=event_type,
            payload=orjson.dumps(payload).decode(),
            created_at=utcnow(),
            attempts=0,
        )
    )


def envelope(event: OutboxEvent) -> bytes:
    """What consumers receive: the id to deduplicate on, the type, when it happened, and the data."""
    return orjson.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "created_at": event.created_at.isoformat(),
            "data": orjson.loads(event.payload),
        }
    )


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class Publisher(Protocol):
    async def publish(self, event: OutboxEvent, body: bytes) -> None: ...

    async def close(self) -> None: ...


class NatsPublisher:
    """JetStream with the event id as ``Nats-Msg-Id`` (server-side deduplication of re-publishes)."""

    def __init__(self, nc: Any, js: Any, prefix: str) -> None:
        self._nc, self._js, self._prefix = nc, js, prefix

    @classmethod
    async def connect(cls, url: str, stream: str, prefix: str) -> NatsPublisher:
        import nats
        from nats.js.api import StreamConfig
        from nats.js.errors import BadRequestError

        async def quiet(_exc: Exception) -> None:
            return None  # the relay logs the outcome once; the client would log every retry

        # nats-py keeps retrying a refused first connection; the relay wants a prompt answer and a retry
        # on its next pass instead.
        nc = await asyncio.wait_for(
            nats.connect(url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0, error_cb=quiet),
            timeout=5,
        )
        js = nc.jetstream(timeout=5)
        # A stream that exists with another configuration (the operator's) is used as it is.
        with contextlib.suppress(BadRequestError):
            await js.add_stream(StreamConfig(name=stream, subjects=[f"{prefix}.>"], duplicate_window=86_400))
        return cls(nc, js, prefix)

    async def publish(self, event: OutboxEvent, body: bytes) -> None:
        await self._js.publish(f"{self._prefix}.{event.type}", body, headers={"Nats-Msg-Id": str(event.id)})

    async def close(self) -> None:
        await self._nc.close()


class WebhookPublisher:
    def __init__(self, url: str, secret: bytes, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url, self._secret = url, secret
        self._client = httpx.AsyncClient(timeout=10, transport=transport, follow_redirects=False)

    async def publish(self, event: OutboxEvent, body: bytes) -> None:
        resp = await self._client.post(
            self._url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-MTG-Event-Id": str(event.id),
                "X-MTG-Event-Type": event.type,
                "X-MTG-Signature": signature(self._secret, body),
            },
        )
        if resp.status_code >= 300:
            raise RuntimeError(f"webhook answered {resp.status_code}")

    async def close(self) -> None:
        await self._client.aclose()


PublisherFactory = Callable[[], Awaitable[Publisher | None]]


def publisher_factory(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> PublisherFactory:
    async def make() -> Publisher | None:
        market = settings.marketplace
        if settings.nats_url:
            return await NatsPublisher.connect(settings.nats_url, market.nats_stream, market.nats_subject_prefix)
        if market.webhook_url:
            secret = market.webhook_secret.get_secret_value() if market.webhook_secret else ""
            return WebhookPublisher(market.webhook_url, secret.encode(), transport)
        return None

    return make


async def relay_once(db: Database, settings: Settings, make: PublisherFactory | None = None) -> dict[str, Any]:
    """One pass: publish up to ``relay_batch`` waiting events in order; stop at the first failure (the
    rest keep their order for the next pass). Returns counts for the job log."""
    async with db.session(write=False) as session:
        waiting = list(
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.created_at, OutboxEvent.id)
                .limit(settings.marketplace.relay_batch)
            )
        )
    if not waiting:
        return {"published": 0, "waiting": 0}
    published: list[tuple[uuid.UUID, datetime]] = []
    error: str | None = None
    publisher: Publisher | None = None
    try:
        publisher = await (make or publisher_factory(settings))()
        if publisher is None:
            return {"published": 0, "waiting": len(waiting), "sink": "none configured"}
        for event in waiting:
            await publisher.publish(event, envelope(event))
            published.append((event.id, utcnow()))
    except Exception as exc:  # noqa: BLE001 - a broker outage is expected; the events wait and are retried
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("outbox_relay_failed", error=error, published=len(published), waiting=len(waiting))
    finally:
        if publisher is not None:
            try:
                await publisher.close()
            except Exception:
                log.debug("outbox_publisher_close_failed", exc_info=True)
    async with db.session_scope() as session:
        for event_id, at in published:
            row = await session.get(OutboxEvent, event_id)
            if row is not None:
                row.published_at, row.attempts = at, row.attempts + 1
        if error is not None:
            failed = waiting[len(published)]
            row = await session.get(OutboxEvent, failed.id)
            if row is not None:
                row.attempts, row.last_error = row.attempts + 1, error
    return {"published": len(published), "waiting": len(waiting) - len(published), "error": error}
