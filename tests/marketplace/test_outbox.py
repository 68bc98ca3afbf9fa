"""Events (issue #14, item 5): written with their change; with NATS down orders still succeed and events
wait; when NATS returns each is delivered exactly once per consumer (JetStream deduplicates the event id,
even when the relay publishes again after a crash); without NATS, signed webhooks.

A private nats-server (JetStream, its own port and store) is started per test; the test is skipped only when
the binary is missing and MTG_TEST_NATS is not set (CI sets it, so a missing server fails there).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from markettools import Market
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.marketplace import outbox
from mtg_tracker.marketplace.models import OutboxEvent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NatsServer:
    def __init__(self, store: Path) -> None:
        self.binary = shutil.which("nats-server")
        if self.binary is None:
            if os.environ.get("MTG_TEST_NATS"):
                pytest.fail("MTG_TEST_NATS is set but nats-server is not on PATH", pytrace=False)
            pytest.skip("nats-server not installed (set MTG_TEST_NATS to require it)")
        self.port = _free_port()
        self.store = store
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def start(self) -> None:
        assert self.binary is not None
        cmd = [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise AssertionError("nats-server did not start")

    async def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), timeout=10)
            self.proc = None


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    server = NatsServer(tmp_path / "jetstream")
    yield server
    await server.stop()


async def _waiting(db: Database) -> list[OutboxEvent]:
    async with db.session(write=False) as session:
        return list(await session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))))


async def _consume(url: str, stream: str, durable: str) -> list[dict[str, Any]]:
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe("mtg.events.>", durable=durable, stream=stream)
        out: list[dict[str, Any]] = []
        while True:
            try:
                msgs = await sub.fetch(100, timeout=1)
            except nats.errors.TimeoutError:
                return out
            for msg in msgs:
                out.append(json.loads(msg.data))
                await msg.ack()
    finally:
        await nc.close()


async def test_nats_outage_holds_events_then_delivers_each_once(
    market: Market, db: Database, settings: Settings, nats_server: NatsServer
) -> None:
    relay_settings = settings.model_copy(update={"nats_url": nats_server.url})
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 2)
    first = (await market.order(buyer, listing["id"], 2)).json()  # sells out the listing
    assert (await market.act(buyer, first["id"], "pay")).status_code == 200
    second_listing = await market.listing(seller, 1)
    second = (await market.order(buyer, second_listing["id"])).json()
    assert (await market.act(seller, second["id"], "cancel")).status_code == 200

    # NATS is down: the orders above succeeded, and the relay leaves every event waiting.
    expected = {"order.created": 2, "listing.sold_out": 2, "order.paid": 1, "order.cancelled": 1}
    waiting = await _waiting(db)
    assert sorted(e.type for e in waiting) == sorted(t for t, n in expected.items() for _ in range(n))
    result = await outbox.relay_once(db, relay_settings)
    assert result["published"] == 0 and result["error"]
    assert len(await _waiting(db)) == 6

    await nats_server.start()
    assert (await outbox.relay_once(db, relay_settings))["published"] == 6
    assert await _waiting(db) == []
    # A relay that crashed after publishing but before stamping publishes the same events again.
    async with db.session_scope() as session:
        await session.execute(update(OutboxEvent).values(published_at=None))
    assert (await outbox.relay_once(db, relay_settings))["published"] == 6

    for consumer in ("billing", "shipping"):
        received = await _consume(nats_server.url, settings.marketplace.nats_stream, consumer)
        assert len(received) == 6 and len({e["id"] for e in received}) == 6
        assert {e["id"] for e in received} == {str(e.id) for e in waiting}
        created = [e for e in received if e["type"] == "order.created"]
        assert {e["data"]["order_id"] for e in created} == {first["id"], second["id"]}


async def test_webhook_relay_signs_events(market: Market, db: Database, settings: Settings) -> None:
    seen: list[httpx.Request] = []
    fail = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if fail[0] else 204)

    market_settings = settings.marketplace.model_copy(
        update={"webhook_url": "https://hooks.example.com/mtg", "webhook_secret": SecretStr("s3cret")}
    )
    hook = settings.model_copy(update={"marketplace": market_settings})
    make = outbox.publisher_factory(hook, transport=httpx.MockTransport(handler))
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 3)
    await market.order(buyer, listing["id"])

    # The receiver is failing: nothing is stamped, the event waits.
    assert (await outbox.relay_once(db, hook, make))["published"] == 0
    assert len(await _waiting(db)) == 1
    fail[0] = False
    assert (await outbox.relay_once(db, hook, make))["published"] == 1
    request = seen[-1]
    body = request.content
    assert request.headers["X-MTG-Signature"] == outbox.signature(b"s3cret", body)
    event = json.loads(body)
    assert event["type"] == "order.created" and request.headers["X-MTG-Event-Id"] == event["id"]
    assert await _waiting(db) == []


async def test_prune_job_drops_only_old_replies_and_published_events(
    market: Market, db: Database, settings: Settings
) -> None:
    from datetime import timedelta

    from mtg_tracker.kit.db import utcnow
    from mtg_tracker.kit.scheduler import JobContext
    from mtg_tracker.marketplace import jobs
    from mtg_tracker.marketplace.models import IdempotentReply

    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 3)
    old = await market.order(buyer, listing["id"], key="old-key")
    await market.order(buyer, listing["id"], key="new-key")
    now = utcnow()
    async with db.session_scope() as session:
        await session.execute(
            update(IdempotentReply).where(IdempotentReply.key == "old-key").values(created_at=now - timedelta(hours=49))
        )
        first = await session.scalar(select(OutboxEvent).order_by(OutboxEvent.created_at).limit(1))
        assert first is not None
        first.published_at = now - timedelta(days=8)
    ctx = JobContext(db=db, settings=settings, slot=now, trigger="test")
    assert await jobs.prune(ctx) == {"replies": 1, "events": 1}
    assert await jobs.prune(ctx) == {"replies": 0, "events": 0}
    # The expired key is free again: the same key makes a new order instead of replaying the old reply.
    again = await market.order(buyer, listing["id"], key="old-key")
    assert again.status_code == 201 and again.json()["id"] != old.json()["id"]
