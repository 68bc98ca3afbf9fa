"""Deprecated routes carry Deprecation/Sunset/Link headers; no route outlives its sunset."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from mtg_tracker.config import Settings
from mtg_tracker.kit.deprecation import DeprecationHeadersMiddleware, deprecated, route_deprecation
from mtg_tracker.main import create_app
from support import make_settings


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(DeprecationHeadersMiddleware)

    @app.get("/old/{x}", **deprecated(since=date(2026, 12, 1), sunset=date(2027, 6, 1), successor="/new/{x}"))
    async def old(x: int) -> dict[str, int]:
        if x == 0:
            raise HTTPException(404)
        return {"x": x}

    @app.get("/current")
    async def current() -> dict[str, str]:
        return {}

    return app


async def test_deprecated_route_answers_carry_the_headers() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path, status in (("/old/1", 200), ("/old/0", 404), ("/old/nan", 422)):
            resp = await client.get(path)
            assert resp.status_code == status
            # 2026-12-01T00:00:00Z
            assert resp.headers["deprecation"] == "@1796083200"
            assert resp.headers["sunset"] == "Tue, 01 Jun 2027 00:00:00 GMT"
            assert resp.headers["link"] == '</new/{x}>; rel="successor-version"'
        resp = await client.get("/current")
        assert "deprecation" not in resp.headers and "sunset" not in resp.headers
        spec = (await client.get("/openapi.json")).json()["paths"]["/old/{x}"]["get"]
        assert spec["deprecated"] is True
        assert spec["x-sunset"] == "2027-06-01"


def test_a_deprecation_needs_ninety_days_notice() -> None:
    with pytest.raises(ValueError, match="90 days"):
        deprecated(since=date(2027, 1, 1), sunset=date(2027, 2, 1))


def test_deprecated_without_a_sunset_is_not_announced() -> None:
    """Plain FastAPI `deprecated=True` has no dates; the policy test below refuses such routes."""
    app = FastAPI()

    @app.get("/x", deprecated=True)
    async def x() -> None: ...

    route = next(r for r in app.routes if getattr(r, "path", "") == "/x")
    assert route_deprecation(route) is None


def _policy_violations(app: FastAPI, today: date) -> list[str]:
    problems = []
    for route in app.routes:
        if not getattr(route, "deprecated", False):
            continue
        notice = route_deprecation(route)
        path = getattr(route, "path", "?")
        if notice is None:
            problems.append(f"{path}: deprecated without a sunset; use kit.deprecation.deprecated()")
        elif notice.sunset < today:
            problems.append(f"{path}: past its sunset {notice.sunset}; remove it")
    return problems


def test_policy_check_catches_violations() -> None:
    app = _app()
    assert _policy_violations(app, date(2027, 1, 1)) == []
    assert _policy_violations(app, date(2027, 6, 2)) == ["/old/{x}: past its sunset 2027-06-01; remove it"]


def test_no_route_of_the_service_is_deprecated_without_a_sunset_or_past_it(tmp_path: Path) -> None:
    settings: Settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path)
    app = create_app(settings)
    assert _policy_violations(app, datetime.now(UTC).date()) == []
