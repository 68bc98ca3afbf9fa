"""Every domain router, and each domain's process start-up/shut-down, listed explicitly."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI

from mtg_tracker.account import deps as account_deps
from mtg_tracker.account.router import admin_router as account_admin_router
from mtg_tracker.account.router import auth_router as account_auth_router
from mtg_tracker.account.router import document_password_policy
from mtg_tracker.account.router import users_router as account_users_router
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.router import router as catalog_router
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.collection.router import router as collection_router
from mtg_tracker.config import Settings
from mtg_tracker.forecast.router import router as forecast_router
from mtg_tracker.kit.health import DETAIL_PROVIDERS
from mtg_tracker.ops import backup as ops_backup
from mtg_tracker.price.router import alerts_router as price_alerts_router
from mtg_tracker.price.router import router as price_router
from mtg_tracker.search.router import router as search_router

router = APIRouter()
# Before the catalog: its /cards/{id} and /cards/{code}/{number} would otherwise answer /cards/search,
# /cards/random and /cards/{id}/prices.
router.include_router(search_router)
router.include_router(price_router)
# Before the catalog: its /cards/{code}/{number} would otherwise claim /cards/{id}/forecast.
router.include_router(forecast_router)
router.include_router(catalog_router)
router.include_router(price_alerts_router)
router.include_router(collection_router)
router.include_router(account_auth_router)
router.include_router(account_users_router)
router.include_router(account_admin_router)


def openapi_fixups(settings: Settings) -> list[Callable[[dict[str, Any]], None]]:
    """What the domains correct in the generated OpenAPI from the running configuration."""
    return [partial(document_password_policy, auth=settings.auth)]


# The rate limiter's budget key for a request (user, API key, or None for the client address).
rate_limit_identity = account_deps.rate_limit_identity

DETAIL_PROVIDERS["catalog"] = catalog_service.health_detail
DETAIL_PROVIDERS["backups"] = ops_backup.health_detail_provider


async def startup(app: FastAPI) -> None:
    """Process-wide resources of the domains, created once per worker."""
    app.state.scryfall = ScryfallClient(app.state.settings.scryfall, transport=app.state.upstream_transport)
    app.state.name_index = catalog_service.NameIndexHolder()
    app.state.key_ring = account_deps.key_ring(app.state.settings)
    app.state.identity_cache = account_deps.identity_cache()


async def shutdown(app: FastAPI) -> None:
    """Release what ``startup`` created."""
    await app.state.scryfall.aclose()
