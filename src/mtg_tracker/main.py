"""The application factory: lifespan, middleware, error handlers, routers, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from mtg_tracker import __version__, api, jobs
from mtg_tracker.config import Settings, get_settings
from mtg_tracker.kit import handlers, metrics, tracing
from mtg_tracker.kit.cache import Cache
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.deprecation import DeprecationHeadersMiddleware
from mtg_tracker.kit.docs import install_docs
from mtg_tracker.kit.features import FeatureFlags
from mtg_tracker.kit.health import check_database
from mtg_tracker.kit.http import API_PREFIX, parse_networks
from mtg_tracker.kit.links import LinkRewriteMiddleware
from mtg_tracker.kit.logging import configure_logging, get_logger
from mtg_tracker.kit.middleware import RequestContextMiddleware
from mtg_tracker.kit.ratelimit import RateLimitMiddleware
from mtg_tracker.kit.scheduler import Scheduler
from mtg_tracker.kit.schemas import install_openapi
from mtg_tracker.ops.router import router as ops_router

log = get_logger("mtg_tracker.app")
WEB_STATIC = Path(__file__).resolve().parent / "static" / "web"

DESCRIPTION = """
A self-hosted Magic: The Gathering service. Card-facing endpoints under `/api/v1` speak Scryfall's
shapes (card, list, catalog and error objects), so existing Scryfall clients work against it.
Every error is a JSON error object with a `request_id`.
"""


# The origin of Scryfall's API in stored card and set objects; rewritten to this server on output.
SCRYFALL_API_ORIGIN = "https://api.scryfall.com"

# Stricter budgets: (budget, path pattern, method or None). First match wins; everything else is "default".
RATE_LIMIT_ROUTES: list[tuple[str, re.Pattern[str], str | None]] = [
    ("search", re.compile(r"^/api/v1/cards/(search|random|autocomplete)$"), None),
    ("auth", re.compile(r"^/api/v1/auth/(token|refresh|register)$"), "POST"),
    ("import", re.compile(r"^/api/v1/collections/[^/]+/import$"), "POST"),
    ("order", re.compile(r"^/api/v1/orders$"), "POST"),
    # The web app's forms spend the same budgets as the API calls they stand for.
    ("search", re.compile(r"^/search$"), None),
    ("auth", re.compile(r"^/(login|register)$"), "POST"),
    ("import", re.compile(r"^/collections/[^/]+/import(/confirm)?$"), "POST"),
    ("forecast", re.compile(r"^/api/v1/cards/[^/]+/forecast$"), None),
]


def _redis_client(settings: Settings) -> Any | None:
    if not settings.redis_url:
        return None
    import redis.asyncio as redis

    return redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)


def create_app(
    settings: Settings | None = None,
    *,
    run_scheduler: bool | None = None,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    span_exporter: Any = None,
) -> FastAPI:
    """The ASGI app. ``upstream_transport`` replaces the network under the Scryfall client (tests);
    ``span_exporter`` turns tracing on into that exporter (tests)."""
    settings = settings or get_settings()
    configure_logging(settings.log.level, settings.log.format)
    tracing.setup(settings, exporter=span_exporter)
    scheduler_on = settings.scheduler.enabled if run_scheduler is None else run_scheduler
    assert jobs.REGISTRY is not None  # the import registers every domain's jobs, also for /health/detailed

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        tracing.instrument_database(db)
        app.state.db = db
        app.state.redis = _redis_client(settings)
        app.state.cache = Cache.from_settings(settings)
        app.state.features = FeatureFlags(db, settings.features)
        app.state.started_at = time.monotonic()
        # Serve even when the database is down or behind: liveness stays up, readiness says why.
        status = await check_database(db, timeout=2.0)
        if not status.ok:
            log.warning(
                "database_not_ready",
                check=status.name,
                detail=status.detail,
                hint="run `mtg-tracker db upgrade` (or `make run`) once the database is reachable",
            )
        poller = asyncio.create_task(
            app.state.cache.poll_generations(db, settings.cache.generation_poll_seconds), name="cache-generations"
        )
        await api.startup(app)
        scheduler: Scheduler | None = None
        if scheduler_on:
            scheduler = Scheduler(db, settings)
            scheduler.start()
        app.state.scheduler = scheduler
        log.info("app_started", version=__version__, environment=settings.environment.value, scheduler=scheduler_on)
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            await api.shutdown(app)
            await app.state.cache.close()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await db.dispose()
            metrics.mark_process_dead(os.getpid())
            log.info("app_stopped")

    app = FastAPI(
        title="MTG Tracker",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # kit.docs serves /docs from the package's own Swagger UI files (works offline)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.upstream_transport = upstream_transport
    handlers.install(app)
    install_docs(app, openapi_url="/openapi.json")
    # Innermost: it reads the matched route from the scope when the response starts.
    app.add_middleware(DeprecationHeadersMiddleware)
    # Next: Scryfall's API links in stored objects become links to this server (kit.links).
    app.add_middleware(
        LinkRewriteMiddleware,
        upstream=SCRYFALL_API_ORIGIN,
        mount_path=API_PREFIX,
        public_url=settings.public_url,
        trusted_proxies=parse_networks(settings.http.trusted_proxies),
    )
    if settings.rate_limit.enabled:
        # Added first, so it runs inside CORS (a 429 still carries CORS headers and preflights are not
        # counted) and inside RequestContextMiddleware (request id and client address are set).
        app.add_middleware(
            RateLimitMiddleware,
            settings=settings.rate_limit,
            redis_url=settings.redis_url,
            identify=api.rate_limit_identity,
            routes=RATE_LIMIT_ROUTES,
        )
    if settings.http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.http.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "X-Request-ID",
                "Idempotency-Key",
                "If-None-Match",
            ],
            expose_headers=[
                "X-Request-ID",
                "ETag",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Retry-After",
                "Deprecation",
                "Sunset",
                "Link",
            ],
            max_age=600,
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.http.max_body_bytes,
        trusted_proxies=parse_networks(settings.http.trusted_proxies),
        hsts_seconds=settings.http.hsts_seconds,
        # Collection imports take files up to MTG_COLLECTION__MAX_IMPORT_BYTES (50 MB); nothing else may.
        body_limits=[
            (r"/api/v1/collections/[^/]+/import", settings.collection.max_import_bytes),
            (r"/collections/[^/]+/import", settings.collection.max_import_bytes),
        ],
    )
    app.include_router(ops_router)
    app.include_router(api.router, prefix=API_PREFIX)
    # magicthegathering.io v1 shapes over the same catalog, for code written against that API.
    app.include_router(api.MTGIO_ROUTER, prefix="/mtgio/v1")
    app.mount("/static/web", StaticFiles(directory=WEB_STATIC), name="web-static")
    app.include_router(api.web_router)
    install_openapi(app, api.openapi_fixups(settings))
    tracing.instrument_app(app)
    return app
