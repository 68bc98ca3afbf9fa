"""Alerts: admin token, SSRF refusals, crossing/re-arm, signed webhooks, retries, timeouts, delivery log."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from accounts import api_key_headers, login_headers
from cardfiles import sample_2025, write_json
from mtg_tracker.account import service as account_service
from mtg_tracker.account.models import User
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.resilience import Backoff
from mtg_tracker.price import alerts
from mtg_tracker.price import service as price_service
from mtg_tracker.price.models import PriceAlert
from mtg_tracker.price.rules import verify
from ownership import assert_hidden_from
from support import FakeTime, error_body, make_settings

API = "/api/v1"
DAY = date(2026, 2, 1)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        price={
            "max_alerts_per_user": 3,
            "webhook_allow_networks": ["127.0.0.1/32"],
            "webhook_max_attempts": 3,
            "webhook_timeout_seconds": 0.5,
        },
    )


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> dict[str, str]:
    return await login_headers(client)


@pytest.fixture
async def card(db: Database, tmp_path: Path) -> str:
    cards = sample_2025()
    await import_cards(db, write_json(tmp_path / "c.json", cards), price_day=DAY - timedelta(days=10))
    card_id: str = cards[0]["id"]
    await _price(db, card_id, DAY, 800)
    return card_id


async def _price(db: Database, card_id: str, day: date, usd: int | None) -> None:
    async with db.session_scope() as session:
        await price_service.record_points(session, day, [(uuid.UUID(card_id), {"usd": usd, "eur": 100})])


async def _create(client: httpx.AsyncClient, auth: dict[str, str], card: str, **over: Any) -> httpx.Response:
    body = {
        "card_id": card,
        "price_type": "usd",
        "direction": "above",
        "threshold": "10.00",
        "webhook_url": "http://127.0.0.1:9/hook",
        **over,
    }
    return await client.post(f"{API}/alerts", json=body, headers=auth)


class Receiver:
    """A webhook receiver at the transport: records requests, answers from a script."""

    def __init__(self, script: list[Any] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.script = list(script or [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        action = self.script.pop(0) if self.script else 200
        if isinstance(action, Exception):
            raise action
        return httpx.Response(action)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


async def _public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


async def _create_with_resolver(
    db: Database, settings: Settings, card: str, url: str, resolver: Any, owner_id: uuid.UUID | None = None
) -> None:
    """An alert above $10 created directly through the service, with a fake DNS resolver."""
    from mtg_tracker.price.schemas import AlertCreate

    async with db.session_scope() as session:
        data = AlertCreate(
            card_id=uuid.UUID(card),
            price_type="usd",
            direction="above",
            threshold="10.00",  # type: ignore[arg-type]
            webhook_url=url,
        )
        await alerts.create_alert(session, owner_id=owner_id, data=data, settings=settings.price, resolver=resolver)


async def _run(db: Database, settings: Settings, receiver: Receiver, **kw: Any) -> dict[str, Any]:
    clock = kw.pop("clock", FakeTime())
    return await alerts.evaluate_and_deliver(db, settings.price, transport=receiver.transport, sleep=clock.sleep, **kw)


# -- the routes ----------------------------------------------------------------------------------------


async def test_alert_routes_need_a_user(client: httpx.AsyncClient, card: str) -> None:
    for method, path in (("GET", "/alerts"), ("POST", "/alerts"), ("GET", "/alerts/events")):
        resp = await client.request(method, API + path, json={})
        assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
        resp = await client.request(
            method, API + path, json={}, headers={"Authorization": "Bearer wrong-token-xxxxxxxxx"}
        )
        assert resp.status_code == 401


async def test_alerts_belong_to_their_owner(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    """Another user's alert is 404 on every route and absent from their lists and delivery log; a read
    key lists but cannot create or delete."""
    created = (await _create(client, auth, card)).json()
    assert created["owner_id"] is not None
    await _price(db, card, DAY + timedelta(days=1), 1200)
    await _run(db, settings, Receiver())
    other = await login_headers(client)
    alert = f"{API}/alerts/{created['id']}"
    await assert_hidden_from(
        client,
        other,
        [("GET", alert, {}), ("DELETE", alert, {}), ("GET", f"{API}/alerts/events?alert_id={created['id']}", {})],
    )
    assert (await client.get(f"{API}/alerts", headers=other)).json()["total"] == 0
    assert (await client.get(f"{API}/alerts/events", headers=other)).json()["data"] == []
    assert len((await client.get(f"{API}/alerts/events", headers=auth)).json()["data"]) == 1

    key = await api_key_headers(client, auth, scopes=("read",))
    assert (await client.get(f"{API}/alerts", headers=key)).json()["total"] == 1
    assert error_body(await _create(client, key, card), 403)["code"] == "forbidden"
    assert error_body(await client.delete(alert, headers=key), 403)["code"] == "forbidden"
    assert (await client.get(alert, headers=auth)).status_code == 200


async def test_alerts_per_account_are_capped(client: httpx.AsyncClient, card: str, auth: dict[str, str]) -> None:
    for _ in range(3):  # max_alerts_per_user = 3 in these settings
        assert (await _create(client, auth, card)).status_code == 201
    body = error_body(await _create(client, auth, card), 409)
    assert "MTG_PRICE__MAX_ALERTS_PER_USER" in body["details"]
    other = await login_headers(client)
    assert (await _create(client, other, card)).status_code == 201  # the cap is per account


async def test_alerts_from_before_accounts_are_for_admins(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    """Alerts made with the operator token before accounts existed have no owner: admins see and delete
    them; users never do."""
    await _create_with_resolver(db, settings, card, "https://hooks.example.com/x", _public)
    assert (await client.get(f"{API}/alerts", headers=auth)).json()["total"] == 0
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    admin = await login_headers(client, admin_email)
    async with db.session_scope() as session:
        user = await account_service.get_user_by_email(session, admin_email)
        assert user is not None
        user.role = "admin"
    admin = await login_headers(client, admin_email)  # a fresh token carries the new role
    listed = (await client.get(f"{API}/alerts", headers=admin)).json()
    assert listed["total"] == 1 and listed["data"][0]["owner_id"] is None
    ownerless = listed["data"][0]["id"]
    error_body(await client.delete(f"{API}/alerts/{ownerless}", headers=auth), 404)
    assert (await client.delete(f"{API}/alerts/{ownerless}", headers=admin)).status_code == 204


async def test_a_disabled_owners_alerts_do_not_fire(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    created = (await _create(client, auth, card)).json()
    async with db.session_scope() as session:
        alert = await session.get(PriceAlert, uuid.UUID(created["id"]))
        assert alert is not None and alert.owner_id is not None
        owner = await session.get(User, alert.owner_id)
        assert owner is not None
        owner.is_active = False
    await _price(db, card, DAY + timedelta(days=1), 1200)
    receiver = Receiver()
    assert (await _run(db, settings, receiver))["fired"] == 0 and receiver.requests == []
    async with db.session_scope() as session:
        owner = await session.get(User, owner.id)
        assert owner is not None
        owner.is_active = True
    assert (await _run(db, settings, receiver))["fired"] == 1  # back: the crossing is still there


async def test_create_list_get_delete(client: httpx.AsyncClient, card: str, auth: dict[str, str]) -> None:
    resp = await _create(client, auth, card)
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["object"] == "price_alert" and created["secret"].startswith("whsec_")
    assert created["armed"] is True and created["last_price"] == "8.00" and created["owner_id"] is not None
    assert created["threshold"] == "10.00"
    listed = (await client.get(f"{API}/alerts", headers=auth)).json()
    assert [a["id"] for a in listed["data"]] == [created["id"]] and "secret" not in listed["data"][0]
    one = (await client.get(f"{API}/alerts/{created['id']}", headers=auth)).json()
    assert one["id"] == created["id"] and "secret" not in one
    assert (await client.delete(f"{API}/alerts/{created['id']}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/alerts/{created['id']}", headers=auth)).status_code == 404
    assert (await client.delete(f"{API}/alerts/{created['id']}", headers=auth)).status_code == 404


async def test_created_while_the_condition_holds_waits_for_a_crossing(
    client: httpx.AsyncClient, card: str, auth: dict[str, str]
) -> None:
    created = (await _create(client, auth, card, threshold="5.00")).json()
    assert created["armed"] is False


@pytest.mark.parametrize(
    ("over", "status", "text"),
    [
        ({"webhook_url": "http://10.0.0.5/hook"}, 400, "private"),
        ({"webhook_url": "http://169.254.169.254/latest/meta-data"}, 400, "link-local"),
        ({"webhook_url": "http://127.0.0.2:8080/"}, 400, "loopback"),
        ({"webhook_url": "http://[::1]/"}, 400, "loopback"),
        ({"webhook_url": "file:///etc/passwd"}, 400, "scheme"),
        ({"webhook_url": "http://does-not-exist.invalid/"}, 400, "cannot resolve"),
        ({"price_type": "gold"}, 400, "price_type"),
        ({"direction": "sideways"}, 400, "direction"),
        ({"threshold": "-1"}, 400, "threshold"),
        ({"threshold": "1.005"}, 400, "threshold"),
        ({"card_id": "00000000-0000-0000-0000-000000000000"}, 404, "No card"),
    ],
)
async def test_create_refusals(
    client: httpx.AsyncClient, card: str, over: dict[str, str], status: int, text: str, auth: dict[str, str]
) -> None:
    resp = await _create(client, auth, card, **over)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["object"] == "error"
    assert text in body["details"] or any(text in e["field"] for e in body.get("errors") or [])
    assert (await client.get(f"{API}/alerts", headers=auth)).json()["total"] == 0


# -- evaluation and delivery -----------------------------------------------------------------------------


async def test_fires_once_per_crossing_signs_and_rearms(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    created = (await _create(client, auth, card)).json()
    receiver = Receiver()
    assert (await _run(db, settings, receiver))["fired"] == 0  # 8.00 < 10.00
    await _price(db, card, DAY + timedelta(days=1), 1200)
    assert await _run(db, settings, receiver) == {"fired": 1, "deliveries": {"delivered": 1}}
    assert (await _run(db, settings, receiver))["fired"] == 0  # same price again: nothing
    await _price(db, card, DAY + timedelta(days=2), 1500)
    assert (await _run(db, settings, receiver))["fired"] == 0  # still above: no second firing
    await _price(db, card, DAY + timedelta(days=3), 900)
    assert (await _run(db, settings, receiver))["fired"] == 0  # crossed back: re-armed, silent
    state = (await client.get(f"{API}/alerts/{created['id']}", headers=auth)).json()
    assert state["armed"] is True and state["fired_count"] == 1 and state["last_price"] == "9.00"
    await _price(db, card, DAY + timedelta(days=4), 1000)
    assert (await _run(db, settings, receiver))["fired"] == 1  # reaching the threshold is a crossing

    assert len(receiver.requests) == 2
    request = receiver.requests[0]
    payload = json.loads(request.content)
    assert verify(created["secret"], request.content, request.headers["X-MTG-Signature"])
    assert request.headers["X-MTG-Timestamp"] == str(payload["timestamp"])
    assert request.headers["X-MTG-Delivery"] == payload["delivery_id"]
    assert payload["price"] == "12.00" and payload["date"] == (DAY + timedelta(days=1)).isoformat()
    assert payload["alert"] == {"id": created["id"], "price_type": "usd", "direction": "above", "threshold": "10.00"}
    assert payload["card"]["id"] == card and payload["card"]["name"]
    # Sent to the address that was checked, with the name in Host.
    assert request.url.host == "127.0.0.1" and request.headers["Host"] == "127.0.0.1:9"

    events = (await client.get(f"{API}/alerts/events", headers=auth)).json()
    assert [e["outcome"] for e in events["data"]] == ["delivered", "delivered"]
    assert events["data"][1]["price"] == "12.00" and events["data"][1]["status_code"] == 200


async def test_a_failing_webhook_is_retried_with_backoff(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    created = (await _create(client, auth, card)).json()
    await _price(db, card, DAY + timedelta(days=1), 1200)
    receiver = Receiver([503, httpx.ConnectError("refused"), 200])
    clock = FakeTime()
    backoff = Backoff(base_seconds=2.0, cap_seconds=60.0, rand=lambda: 1.0)
    result = await _run(db, settings, receiver, clock=clock, backoff=backoff)
    assert result["deliveries"] == {"delivered": 1}
    assert clock.sleeps == [2.0, 4.0]  # exponential
    bodies = [json.loads(r.content) for r in receiver.requests]
    assert [b["attempt"] for b in bodies] == [1, 2, 3] and len({b["delivery_id"] for b in bodies}) == 1
    for r in receiver.requests:  # each attempt signs its own body (the timestamp is inside)
        assert verify(created["secret"], r.content, r.headers["X-MTG-Signature"])
    events = (await client.get(f"{API}/alerts/events", params={"alert_id": created["id"]}, headers=auth)).json()
    log = [(e["attempt"], e["outcome"], e["status_code"]) for e in reversed(events["data"])]
    assert log == [(1, "retrying", 503), (2, "retrying", None), (3, "delivered", 200)]
    assert "ConnectError" in events["data"][1]["error"]


async def test_gives_up_after_max_attempts_and_on_client_errors(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    await _create(client, auth, card)
    await _create(client, auth, card, webhook_url="http://127.0.0.1:10/other")
    await _price(db, card, DAY + timedelta(days=1), 1200)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["Host"].endswith(":10"):
            return httpx.Response(410)
        raise httpx.ReadTimeout("slow")

    result = await alerts.evaluate_and_deliver(
        db, settings.price, transport=httpx.MockTransport(answer), sleep=FakeTime().sleep
    )
    assert result == {"fired": 2, "deliveries": {"failed": 2}}
    events = (await client.get(f"{API}/alerts/events", headers=auth)).json()["data"]
    outcomes = sorted((e["status_code"] or 0, e["attempt"], e["outcome"]) for e in events)
    assert outcomes == [(0, 1, "retrying"), (0, 2, "retrying"), (0, 3, "failed"), (410, 1, "failed")]
    assert all("timeout" in e["error"] for e in events if e["status_code"] is None)


async def test_real_timeout_against_a_silent_server(
    db: Database, settings: Settings, client: httpx.AsyncClient, card: str, auth: dict[str, str]
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await _create(client, auth, card, webhook_url=f"http://127.0.0.1:{port}/hook")
        await _price(db, card, DAY + timedelta(days=1), 1200)
        settings.price.webhook_max_attempts = 1
        result = await alerts.evaluate_and_deliver(db, settings.price)
    finally:
        server.close()
    assert result["deliveries"] == {"failed": 1}
    events = (await client.get(f"{API}/alerts/events", headers=auth)).json()["data"]
    assert "timeout" in events[0]["error"] and events[0]["duration_ms"] >= 400


async def test_real_local_receiver_gets_a_verifiable_post(
    db: Database, settings: Settings, client: httpx.AsyncClient, card: str, auth: dict[str, str]
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
        body = await reader.readexactly(int(headers["content-length"]))
        received.append((headers, body))
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        created = (await _create(client, auth, card, webhook_url=f"http://127.0.0.1:{port}/hook")).json()
        await _price(db, card, DAY + timedelta(days=1), 1234)
        result = await alerts.evaluate_and_deliver(db, settings.price)
    finally:
        server.close()
    assert result["deliveries"] == {"delivered": 1}
    headers, body = received[0]
    assert verify(created["secret"], body, headers["x-mtg-signature"])
    assert json.loads(body)["price"] == "12.34"


async def test_delivery_rechecks_the_address(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    """A name that resolved to a public address at creation and to a private one at delivery (DNS
    rebinding) is never called."""
    answers = {"hooks.example.com": ["93.184.216.34"]}

    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    me = (await client.get(f"{API}/users/me", headers=auth)).json()
    await _create_with_resolver(
        db, settings, card, "https://hooks.example.com/h", resolver, owner_id=uuid.UUID(me["id"])
    )
    answers["hooks.example.com"] = ["93.184.216.34", "10.0.0.7"]
    await _price(db, card, DAY + timedelta(days=1), 1200)
    receiver = Receiver()
    result = await _run(db, settings, receiver, resolver=resolver)
    assert result["deliveries"] == {"refused": 1}
    assert receiver.requests == []
    event = (await client.get(f"{API}/alerts/events", headers=auth)).json()["data"][0]
    assert event["outcome"] == "refused" and "10.0.0.7" in event["error"] and "private" in event["error"]


async def test_https_is_pinned_with_sni(db: Database, settings: Settings, card: str) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    await _create_with_resolver(db, settings, card, "https://hooks.example.com:8443/h?x=1", resolver)
    await _price(db, card, DAY + timedelta(days=1), 1200)
    receiver = Receiver()
    await _run(db, settings, receiver, resolver=resolver)
    request = receiver.requests[0]
    assert str(request.url) == "https://93.184.216.34:8443/h?x=1"
    assert request.headers["Host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


async def test_overlapping_runs_fire_once(
    db: Database, settings: Settings, client: httpx.AsyncClient, card: str, auth: dict[str, str]
) -> None:
    await _create(client, auth, card)
    await _price(db, card, DAY + timedelta(days=1), 1200)
    firings = await asyncio.gather(alerts.evaluate(db), alerts.evaluate(db))
    assert sorted(len(f) for f in firings) == [0, 1]


async def test_events_pagination(
    client: httpx.AsyncClient, db: Database, settings: Settings, card: str, auth: dict[str, str]
) -> None:
    await _create(client, auth, card)
    await _price(db, card, DAY + timedelta(days=1), 1200)
    await _run(db, settings, Receiver([500, 500, 500]))
    page = (await client.get(f"{API}/alerts/events", params={"limit": 2}, headers=auth)).json()
    assert page["has_more"] is True and len(page["data"]) == 2
    rest = (await client.get(page["next_page"].replace("http://testserver", ""), headers=auth)).json()
    assert rest["has_more"] is False and len(rest["data"]) == 1
    assert rest["data"][0]["id"] < page["data"][1]["id"]
