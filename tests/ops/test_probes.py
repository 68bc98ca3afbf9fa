from __future__ import annotations

import httpx

from support import OPS_HEADERS


async def test_health_touches_nothing(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/healthz"):
        resp = await client.get(path)
        assert resp.status_code == 200
        assert resp.json() == {"status": "ok"}


async def test_ready_when_migrated(client: httpx.AsyncClient) -> None:
    for path in ("/ready", "/readyz"):
        resp = await client.get(path)
        assert resp.status_code == 200, resp.text
        assert resp.json()["checks"]["database"]["status"] == "ok"


async def test_health_detailed(client: httpx.AsyncClient) -> None:
    body = (await client.get("/health/detailed", headers=OPS_HEADERS)).json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["dependencies"]["database"]["status"] == "ok"
    assert body["dependencies"]["redis"]["status"] == "not_configured"
    assert "ops.prune_job_runs" in body["jobs"]


async def test_metrics_use_route_templates(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    await client.get("/no/such/thing/123")
    text = (await client.get("/metrics", headers=OPS_HEADERS)).text
    assert 'http_requests_total{method="GET",route="/health",status="200"}' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "/no/such/thing" not in text
    assert "http_request_duration_seconds_bucket" in text
    assert "http_requests_in_progress" in text
    assert "database_connections_max" in text
