"""Operations endpoints, outside /api/v1: probes and metrics, never rate limited. Liveness and readiness
are public; metrics and the detailed health need an allowed address or a token (ops/deps.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from mtg_tracker.kit.errors import error_body
from mtg_tracker.kit.metrics import render
from mtg_tracker.kit.middleware import request_id_var
from mtg_tracker.kit.schemas import error_responses
from mtg_tracker.ops import service as ops_service
from mtg_tracker.ops.deps import DetailedHealthAccess, MetricsAccess
from mtg_tracker.ops.schemas import DetailedHealth, Liveness, Readiness

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Liveness, summary="Liveness probe")
@router.get("/healthz", response_model=Liveness, include_in_schema=False)
async def health() -> Liveness:
    """Answers 200 while the process can serve HTTP. Touches nothing external, so a database outage
    never makes an orchestrator restart healthy instances."""
    return Liveness()


@router.get("/ready", response_model=Readiness, summary="Readiness probe", responses=error_responses(503))
@router.get("/readyz", response_model=Readiness, include_in_schema=False)
async def ready(request: Request) -> Response:
    """200 when the database answers and is at the code's migration head (and Redis pings, when
    configured); otherwise 503 naming each failing dependency. Each check is bounded to 1.5 s."""
    results = await ops_service.readiness(request.app.state.db, request.app.state.redis)
    checks = {r.name: r.as_dict() for r in results}
    failing = [r for r in results if not r.ok]
    if failing:
        details = "Not ready: " + "; ".join(f"{r.name} ({r.detail})" for r in failing)
        body = error_body(status=503, details=details, request_id=request_id_var.get(), extra={"checks": checks})
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ready", "checks": checks}, headers={"Cache-Control": "no-store"})


@router.get(
    "/health/detailed",
    response_model=DetailedHealth,
    summary="Detailed health",
    dependencies=[DetailedHealthAccess],
    responses=error_responses(401, 403),
)
async def health_detailed(request: Request) -> DetailedHealth:
    """Version, uptime, each dependency's status and latency, each job's last run, and what the
    domains report about themselves (catalog size and freshness, …). Always 200 once allowed: it
    describes. Needs a client address in `MTG_OPS__ALLOW_NETWORKS` (loopback by default), the bearer
    token `MTG_OPS__TOKEN`, or an administrator's access token or API key; otherwise 401 (403 for a
    non-administrator's credential). File paths are never shown (only file names)."""
    state = request.app.state
    data = await ops_service.detailed(
        state.db, state.redis, started_at=state.started_at, environment=state.settings.environment.value
    )
    return DetailedHealth.model_validate(data)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition format."},
        **error_responses(401),
    },
    dependencies=[MetricsAccess],
)
async def metrics() -> Response:
    """Prometheus text format; merges all worker processes when run with several workers. Needs a client
    address in `MTG_OPS__ALLOW_NETWORKS` (loopback by default) or `Authorization: Bearer <MTG_OPS__TOKEN>`;
    otherwise 401."""
    body, content_type = render()
    return Response(body, media_type=content_type)
