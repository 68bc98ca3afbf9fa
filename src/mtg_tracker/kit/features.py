"""Feature flags: one registry (owner and sunset for each), set at start from the environment and at run
time from the database.

A flag's value is ``on``, ``off`` or a percentage ``0``–``100`` (a gradual rollout: the same caller —
client address — always lands on the same side, and raising the percentage only adds callers).
Precedence: a database override (``PUT /api/v1/admin/features/{name}``) over ``MTG_FEATURES__<NAME>``
over the flag's default. Overrides are read through a per-process cache of ``CACHE_SECONDS``, so every
instance follows a change within that time without a restart.

Routes behind a flag depend on :func:`require_feature`, which answers 404 (the route does not exist for
this caller) while the flag is off.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base, Database, UTCDateTime, utcnow
from mtg_tracker.kit.errors import NotFound
from mtg_tracker.kit.middleware import client_ip_var

CACHE_SECONDS = 10.0


class FeatureFlagOverride(Base):
    """A run-time value for a flag, set by an administrator; absent = the environment or the default."""

    __tablename__ = "feature_flag"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


@dataclass(frozen=True)
class Flag:
    name: str
    owner: str
    sunset: date
    description: str
    default: str = "off"


REGISTRY: dict[str, Flag] = {}


def register_flag(flag: Flag) -> Flag:
    if flag.name in REGISTRY:
        raise ValueError(f"feature flag {flag.name!r} registered twice")
    if flag.name != flag.name.lower() or not flag.name.replace("_", "").isalnum():
        raise ValueError(f"feature flag names are lower_snake_case (they become MTG_FEATURES__<NAME>): {flag.name!r}")
    parse_value(flag.default)
    REGISTRY[flag.name] = flag
    return flag


def parse_value(raw: str) -> int:
    """``on`` → 100, ``off`` → 0, ``"25"`` → 25; anything else is a ValueError naming what is accepted."""
    value = raw.strip().lower()
    if value in {"on", "true"}:
        return 100
    if value in {"off", "false"}:
        return 0
    if value.isdigit() and 0 <= int(value) <= 100:
        return int(value)
    raise ValueError(f"a feature flag is on, off or a percentage 0-100, not {raw!r}")


def bucket(name: str, subject: str) -> int:
    """A stable 0–99 for (flag, caller): per flag, so one caller is not first in every rollout."""
    digest = hashlib.sha256(f"{name}:{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


class FeatureFlags:
    """The flags' values in one process: environment at start, database overrides at run time."""

    def __init__(self, db: Database | None, environment: dict[str, str]) -> None:
        self._db = db
        self._env: dict[str, int] = {}
        for name, raw in environment.items():
            key = name.lower()
            if key not in REGISTRY:
                raise ValueError(f"MTG_FEATURES__{name.upper()}: no such feature flag (known: {sorted(REGISTRY)})")
            try:
                self._env[key] = parse_value(raw)
            except ValueError as exc:
                raise ValueError(f"MTG_FEATURES__{name.upper()}: {exc}") from None
        self._overrides: dict[str, str] = {}
        self._loaded_at = float("-inf")

    async def _current_overrides(self) -> dict[str, str]:
        if self._db is None:
            return {}
        if time.monotonic() - self._loaded_at >= CACHE_SECONDS:
            async with self._db.session_scope(write=False) as session:
                rows = (await session.execute(select(FeatureFlagOverride))).scalars().all()
            self._overrides = {row.name: row.value for row in rows}
            self._loaded_at = time.monotonic()
        return self._overrides

    async def percent(self, name: str) -> int:
        flag = REGISTRY[name]  # a KeyError here is a programming error: require_feature checks names
        overrides = await self._current_overrides()
        if name in overrides:
            return parse_value(overrides[name])
        if name in self._env:
            return self._env[name]
        return parse_value(flag.default)

    async def enabled(self, name: str, subject: str | None) -> bool:
        share = await self.percent(name)
        if share >= 100 or share <= 0:
            return share >= 100
        return subject is not None and bucket(name, subject) < share

    async def describe(self) -> list[dict[str, Any]]:
        overrides = await self._current_overrides()
        return [
            {
                "name": flag.name,
                "owner": flag.owner,
                "sunset": flag.sunset,
                "description": flag.description,
                "default": flag.default,
                "environment": _show(self._env.get(flag.name)),
                "override": overrides.get(flag.name),
                "effective": _label(await self.percent(flag.name)),
            }
            for flag in sorted(REGISTRY.values(), key=lambda f: f.name)
        ]

    async def set_override(self, name: str, value: str, actor: str | None) -> None:
        if name not in REGISTRY:
            raise NotFound(f"No feature flag named {name!r}.")
        normalised = _label(parse_value(value))
        assert self._db is not None
        async with self._db.session_scope() as session:
            row = await session.get(FeatureFlagOverride, name)
            if row is None:
                session.add(FeatureFlagOverride(name=name, value=normalised, updated_at=utcnow(), updated_by=actor))
            else:
                row.value, row.updated_at, row.updated_by = normalised, utcnow(), actor
        self._loaded_at = float("-inf")  # this instance sees its own change at once

    async def clear_override(self, name: str) -> None:
        if name not in REGISTRY:
            raise NotFound(f"No feature flag named {name!r}.")
        assert self._db is not None
        async with self._db.session_scope() as session:
            await session.execute(delete(FeatureFlagOverride).where(FeatureFlagOverride.name == name))
        self._loaded_at = float("-inf")


def _label(percent: int) -> str:
    return {0: "off", 100: "on"}.get(percent, str(percent))


def _show(percent: int | None) -> str | None:
    return None if percent is None else _label(percent)


def require_feature(name: str) -> Any:
    """A route dependency: 404 while the flag is off for this caller (the route "does not exist")."""

    async def check(request: Request) -> None:
        if name not in REGISTRY:
            raise RuntimeError(f"require_feature({name!r}): no such flag is registered")
        flags: FeatureFlags = request.app.state.features
        if not await flags.enabled(name, client_ip_var.get()):
            raise NotFound()

    return Depends(check)
