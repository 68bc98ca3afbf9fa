"""Probe responses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class DependencyStatus(BaseModel):
    status: Literal["ok", "failing", "not_configured"]
    latency_ms: float | None = None
    detail: str


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    checks: dict[str, DependencyStatus]


class DetailedHealth(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    environment: str
    uptime_seconds: float
    instance: str
    dependencies: dict[str, DependencyStatus]
    jobs: dict[str, dict[str, Any]]
    components: dict[str, dict[str, Any]]
