"""Feature flags: the registry's owners and sunsets, values from the environment and the database,
gradual rollouts, the admin API, and require_feature's 404."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from accounts import login_headers
from mtg_tracker.kit import features, handlers
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.features import REGISTRY, FeatureFlags, Flag, bucket, parse_value, require_feature
from mtg_tracker.ops import features as registry_module
from support import error_body, make_settings


def test_every_flag_has_an_owner_and_is_before_its_sunset() -> None:
    """The day a flag passes its sunset this fails: remove the flag (and the dead branch it guards)."""
    assert {"forecasts", "marketplace"} <= set(REGISTRY)
    assert registry_module.FORECASTS is REGISTRY["forecasts"]
    today = datetime.now(UTC).date()
    for flag in REGISTRY.values():
        assert flag.owner.strip(), flag.name
        assert flag.description.strip(), flag.name
        assert flag.sunset >= today, f"feature flag {flag.name} is past its sunset {flag.sunset}: remove it"


def test_values() -> None:
    assert [parse_value(v) for v in ("on", "OFF", "0", "37", "100", " true ")] == [100, 0, 0, 37, 100, 100]
    for bad in ("", "maybe", "101", "-1", "12.5", "50%"):
        with pytest.raises(ValueError, match="on, off or a percentage"):
            parse_value(bad)


def test_registering_refuses_duplicates_and_bad_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "REGISTRY", dict(REGISTRY))
    with pytest.raises(ValueError, match="twice"):
        features.register_flag(Flag("forecasts", "x", date(2030, 1, 1), "x"))
    with pytest.raises(ValueError, match="lower_snake_case"):
        features.register_flag(Flag("Bad-Name", "x", date(2030, 1, 1), "x"))


def test_rollout_is_stable_proportional_and_only_grows() -> None:
    subjects = [f"198.51.100.{i}" if i < 256 else f"2001:db8::{i:x}" for i in range(2000)]
    at = {p: {s for s in subjects if bucket("forecasts", s) < p} for p in (10, 25, 50)}
    assert at[10] <= at[25] <= at[50]
    assert 0.20 < len(at[25]) / len(subjects) < 0.30
    assert bucket("forecasts", "203.0.113.9") == bucket("forecasts", "203.0.113.9")
    # Per flag: the callers in one rollout's first 10 % are not those of another's.
    assert at[10] != {s for s in subjects if bucket("marketplace", s) < 10}


async def test_environment_is_read_at_start_and_checked() -> None:
    flags = FeatureFlags(None, {"forecasts": "on", "MARKETPLACE": "20"})
    assert await flags.percent("forecasts") == 100
    assert await flags.percent("marketplace") == 20
    assert await flags.enabled("forecasts", None)
    assert await FeatureFlags(None, {}).enabled("forecasts", "203.0.113.9")  # shipped on: the flag is a kill switch
    assert not await FeatureFlags(None, {"forecasts": "off"}).enabled("forecasts", "203.0.113.9")
    with pytest.raises(ValueError, match="MTG_FEATURES__NOPE: no such feature flag"):
        FeatureFlags(None, {"nope": "on"})
    with pytest.raises(ValueError, match="MTG_FEATURES__FORECASTS: a feature flag is on, off"):
        FeatureFlags(None, {"forecasts": "sometimes"})


async def test_the_service_refuses_to_start_with_a_bad_flag(tmp_path: Path) -> None:
    from asgi_lifespan import LifespanManager

    from mtg_tracker.main import create_app

    app = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path, features={"forcasts": "on"}))
    with pytest.raises(ValueError, match="MTG_FEATURES__FORCASTS"):
        async with LifespanManager(app):
            pass


async def test_require_feature_answers_404_while_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "beta_thing", Flag("beta_thing", "ops", date(2030, 1, 1), "a test flag"))
    app = FastAPI()
    handlers.install(app)  # the service's error objects

    @app.get("/beta", dependencies=[require_feature("beta_thing")])
    async def beta() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/typo", dependencies=[require_feature("beta_thnig")])
    async def typo() -> None: ...

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        app.state.features = FeatureFlags(None, {})
        off = await client.get("/beta")
        assert off.status_code == 404 and off.json()["code"] == "not_found"
        app.state.features = FeatureFlags(None, {"beta_thing": "on"})
        assert (await client.get("/beta")).json() == {"ok": True}
        # A flag name nobody registered is a bug, not a hidden route.
        assert (await client.get("/typo")).status_code == 500


async def _admin(client: httpx.AsyncClient, db: Any) -> dict[str, str]:
    from mtg_tracker.account import service

    headers = await login_headers(client, "flags-admin@example.com")
    async with db.session_scope() as session:
        user = await service.get_user_by_email(session, "flags-admin@example.com")
        assert user is not None
        user.role = "admin"
    return headers


async def test_admin_api_sets_flags_at_run_time_for_every_instance(
    client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await _admin(client, db)
    user = await login_headers(client, "flags-user@example.com")
    error_body(await client.get("/api/v1/admin/features", headers=user), 403)
    error_body(await client.put("/api/v1/admin/features/forecasts", json={"value": "on"}, headers=user), 403)

    listed = (await client.get("/api/v1/admin/features", headers=admin)).json()
    forecasts = next(f for f in listed["data"] if f["name"] == "forecasts")
    assert forecasts == {
        "object": "feature_flag",
        "name": "forecasts",
        "owner": REGISTRY["forecasts"].owner,
        "sunset": REGISTRY["forecasts"].sunset.isoformat(),
        "description": REGISTRY["forecasts"].description,
        "default": "on",
        "environment": None,
        "override": None,
        "effective": "on",
    }

    # Another instance on the same database, with the flag set in its environment.
    other = FeatureFlags(db, {"forecasts": "on"})
    monkeypatch.setattr(features, "CACHE_SECONDS", 0.0)
    assert await other.enabled("forecasts", "203.0.113.9")

    resp = await client.put("/api/v1/admin/features/forecasts", json={"value": "off"}, headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["override"] == "off" and resp.json()["effective"] == "off"
    assert not await other.enabled("forecasts", "203.0.113.9")  # the database wins over the environment

    resp = await client.put("/api/v1/admin/features/forecasts", json={"value": "30"}, headers=admin)
    assert resp.json()["effective"] == "30"
    assert await other.percent("forecasts") == 30

    error_body(await client.put("/api/v1/admin/features/forecasts", json={"value": "maybe"}, headers=admin), 400)
    error_body(await client.put("/api/v1/admin/features/nope", json={"value": "on"}, headers=admin), 404)

    resp = await client.delete("/api/v1/admin/features/forecasts", headers=admin)
    assert resp.json()["override"] is None and resp.json()["effective"] == "on"
    assert await other.enabled("forecasts", "203.0.113.9")  # back to its environment
