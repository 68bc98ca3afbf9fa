"""Opt-in OpenTelemetry tracing: spans for requests, SQL, Redis, upstream calls and jobs; nothing when off."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mtg_tracker.kit import tracing
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.scheduler import REGISTRY, Scheduler
from mtg_tracker.main import create_app
from support import make_settings

REDIS_URL = os.environ.get("MTG_TEST_REDIS_URL")


def test_off_imports_nothing_from_opentelemetry(tmp_path: Path) -> None:
    """Zero cost when off: starting the app loads no OpenTelemetry SDK, exporter or instrumentation (FastAPI
    itself imports the bare OpenTelemetry API when it is installed; that API alone records nothing)."""
    code = (
        "import asyncio, sys\n"
        "from asgi_lifespan import LifespanManager\n"
        "from mtg_tracker.main import create_app\n"
        "from support import make_settings\n"
        "from pathlib import Path\n"
        f"tmp = Path({str(tmp_path)!r})\n"
        "app = create_app(make_settings(f'sqlite+aiosqlite:///{tmp}/x.db', tmp))\n"
        "async def main():\n"
        "    async with LifespanManager(app):\n"
        "        pass\n"
        "asyncio.run(main())\n"
        "from mtg_tracker.kit import tracing\n"
        "assert not tracing.enabled()\n"
        "prefixes = ('opentelemetry.sdk', 'opentelemetry.instrumentation', 'opentelemetry.exporter')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(prefixes))\n"
        "print('LOADED', loaded)\n"
    )
    tests_dir = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTG_OTEL")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tests_dir, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LOADED []" in result.stdout, result.stdout


def test_traces_url() -> None:
    assert tracing.traces_url("http://otel:4318") == "http://otel:4318/v1/traces"
    assert tracing.traces_url("http://otel:4318/") == "http://otel:4318/v1/traces"
    assert tracing.traces_url("http://otel:4318/v1/traces") == "http://otel:4318/v1/traces"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    yield spans
    tracing.shutdown()  # the instrumentations patch libraries process-wide: undo them for other tests


async def test_spans_for_requests_sql_redis_upstream_and_jobs(
    database_url: str, tmp_path: Path, exporter: InMemorySpanExporter
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"object": "error", "status": 404, "code": "not_found", "details": "x"})

    overrides: dict[str, Any] = {"scryfall": {"offline": False, "base_url": "https://scryfall.test"}}
    if REDIS_URL:
        overrides["redis_url"] = REDIS_URL
    settings = make_settings(database_url, tmp_path, **overrides)
    app = create_app(settings, upstream_transport=httpx.MockTransport(upstream), span_exporter=exporter)
    assert tracing.enabled()
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            resp = await client.get(f"/api/v1/cards/{uuid.uuid4()}")
            assert resp.status_code == 404
            assert (await client.get("/health")).status_code == 200

    db = Database(settings)
    tracing.instrument_database(db)
    try:
        await Scheduler(db, settings).run_slot(REGISTRY["ops.prune_job_runs"], datetime.now(UTC), trigger="manual")
    finally:
        await db.dispose()

    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    server = [s for s in spans if s.name == "GET /api/v1/cards/{id}" and s.kind.name == "SERVER"]
    assert server, names
    trace_id = server[0].context.trace_id
    in_request = [s for s in spans if s.context.trace_id == trace_id]
    # SQL and the upstream attempt are children of the request's trace.
    assert any(s.attributes and s.attributes.get("db.system") in {"sqlite", "postgresql"} for s in in_request), names
    assert any(s.name == "upstream scryfall" for s in in_request), names
    if REDIS_URL:
        assert any(s.attributes and s.attributes.get("db.system") == "redis" for s in spans), names
    # Probes are polled constantly: no spans for them.
    assert not any("/health" in s.name for s in spans), names
    job = [s for s in spans if s.name == "job ops.prune_job_runs"]
    assert job and job[0].attributes is not None and job[0].attributes["job.trigger"] == "manual"
    assert any(
        s.context.trace_id == job[0].context.trace_id and s.attributes and "db.system" in s.attributes for s in spans
    ), "the job's SQL belongs to the job's trace"
