"""GET /cards/{id}/forecast, GET /forecast/models, admin promote/rollback, and the 30/min limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from accounts import login_headers
from mtg_tracker.account import service as account_service
from mtg_tracker.config import ForecastSettings
from mtg_tracker.forecast import service
from mtg_tracker.forecast.models import ForecastPoint
from mtg_tracker.kit.db import Database
from mtg_tracker.price.models import PricePoint
from support import app_factory, error_body

API = "/api/v1"
UNKNOWN = "00000000-0000-0000-0000-000000000000"
SMALL = ForecastSettings(horizons=[1, 7], backtest_days=7, calibration_days=2, max_iter=4, max_rows=5_000)


async def _train(db: Database) -> service.TrainResult:
    async with db.session_scope() as session:
        return await service.train(session, SMALL)


async def _admin(client: httpx.AsyncClient, db: Database) -> dict[str, str]:
    headers = await login_headers(client, "forecast-admin@example.com")
    async with db.session_scope() as session:
        user = await account_service.get_user_by_email(session, "forecast-admin@example.com")
        assert user is not None
        user.role = "admin"
    return headers


async def _priced_card(db: Database) -> str:
    """A printing with all 27 real days of non-foil prices."""
    async with db.session(write=False) as session:
        from sqlalchemy import func

        stmt = (
            select(PricePoint.card_id)
            .where(PricePoint.usd.is_not(None))
            .group_by(PricePoint.card_id)
            .having(func.count() >= 27)
            .order_by(PricePoint.card_id)
        )
        return str((await session.scalars(stmt)).first())


async def test_forecast_promote_and_rollback(client: httpx.AsyncClient, db: Database, priced: Any) -> None:
    card = await _priced_card(db)
    # No model yet: a clear 404 that says how to get one.
    body = error_body(await client.get(f"{API}/cards/{card}/forecast"), 404)
    assert "forecast train" in body["details"]

    first, second = await _train(db), await _train(db)
    admin = await _admin(client, db)
    user = await login_headers(client)
    denied = await client.post(f"{API}/forecast/models/{first.version}/promote", headers=user)
    error_body(denied, 403)

    resp = await client.post(f"{API}/forecast/models/{second.version}/promote", headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "promoted"

    resp = await client.get(f"{API}/cards/{card}/forecast", params={"horizon": 7})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert got["object"] == "forecast" and got["model"] == {"version": second.version, "kind": "gbm_quantile"}
    assert got["as_of"] == "2026-02-14" and got["target_date"] == "2026-02-21" and got["horizon_days"] == 7
    assert Decimal(got["lower"]) <= Decimal(got["point"]) <= Decimal(got["upper"])
    async with db.session(write=False) as session:
        import uuid

        newest = await session.scalar(
            select(PricePoint.usd).where(
                PricePoint.card_id == uuid.UUID(card), PricePoint.day == date.fromisoformat(got["as_of"])
            )
        )
    assert Decimal(got["persistence"]) * 100 == newest
    assert got["interval"] == 0.8 and got["currency"] == "usd"

    # Rollback = promoting the earlier version; the listing shows who serves.
    resp = await client.post(f"{API}/forecast/models/{first.version}/promote", headers=admin)
    assert resp.status_code == 200
    listed = (await client.get(f"{API}/forecast/models")).json()["data"]
    assert {m["version"]: m["status"] for m in listed} == {second.version: "retired", first.version: "promoted"}
    assert set(listed[0]["metrics"]["h7"]) >= {"mae", "persistence_mae", "coverage"}
    assert (await client.get(f"{API}/cards/{card}/forecast")).json()["model"]["version"] == first.version
    # Served from precomputed rows: the current and the previous version keep theirs, nothing else.
    async with db.session(write=False) as session:
        versions = set(await session.scalars(select(ForecastPoint.model_version).distinct()))
    assert versions == {first.version, second.version}
    third = await _train(db)
    async with db.session_scope() as session:
        await service.promote(session, third.version)
    async with db.session(write=False) as session:
        versions = set(await session.scalars(select(ForecastPoint.model_version).distinct()))
    assert versions == {third.version, first.version}
    assert (await client.get(f"{API}/cards/{card}/forecast")).json()["model"]["version"] == third.version

    # Bad input is a 4xx error object, never a 500.
    not_trained = error_body(await client.get(f"{API}/cards/{card}/forecast", params={"horizon": 3}), 400)
    assert "horizons 1, 7" in not_trained["details"]
    error_body(await client.get(f"{API}/cards/{card}/forecast", params={"horizon": 0}), 400)
    error_body(await client.get(f"{API}/cards/{card}/forecast", params={"finish": "gold"}), 400)
    error_body(await client.get(f"{API}/cards/not-a-uuid/forecast"), 404)
    error_body(await client.get(f"{API}/cards/00000000-0000-0000-0000-000000000000/forecast"), 404)
    error_body(await client.get(f"{API}/cards/{card}/forecast", params={"finish": "etched"}), 404)
    error_body(await client.post(f"{API}/forecast/models/999/promote", headers=admin), 404)


async def test_forecasts_are_limited_to_30_a_minute(
    database_url: str, tmp_path: Path, db: Database, priced: Any
) -> None:
    result = await _train(db)
    async with db.session_scope() as session:
        await service.promote(session, result.version)
    card = await _priced_card(db)
    async with app_factory(database_url, tmp_path) as factory:
        limits: Callable[..., Any] = factory
        app = await limits(
            rate_limit={"per_minute": 100_000, "burst": 100_000, "forecast_per_minute": 30, "forecast_burst": 30}
        )
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            first = await c.get(f"{API}/cards/{card}/forecast")
            # Every answer spends the budget, a 404 too; unknown cards keep the loop fast, so the budget
            # does not refill (one every 2 s) while it runs on a loaded machine.
            answers = [await c.get(f"{API}/cards/{UNKNOWN}/forecast") for _ in range(30)]
            other = await c.get(f"{API}/cards/{card}/prices")
    assert first.status_code == 200 and first.headers["ratelimit-limit"] == "30"
    assert first.headers["ratelimit-remaining"] == "29"
    assert [r.status_code for r in answers[:29]] == [404] * 29
    assert answers[28].headers["ratelimit-remaining"] == "0"
    refused = error_body(answers[29], 429)
    assert refused["status"] == 429 and int(answers[29].headers["retry-after"]) >= 1
    assert other.status_code == 200  # the forecast budget is its own
