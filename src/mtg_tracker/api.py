"""Every domain router, and each domain's process start-up/shut-down, listed explicitly."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account import deps as account_deps
from mtg_tracker.account.router import admin_router as account_admin_router
from mtg_tracker.account.router import auth_router as account_auth_router
from mtg_tracker.account.router import document_password_policy
from mtg_tracker.account.router import users_router as account_users_router
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.mtgio import router as mtgio_router
from mtg_tracker.catalog.router import router as catalog_router
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.collection.router import router as collection_router
from mtg_tracker.config import Settings
from mtg_tracker.forecast.router import router as forecast_router
from mtg_tracker.kit.features import require_feature
from mtg_tracker.kit.health import DETAIL_PROVIDERS
from mtg_tracker.marketplace import integrity as marketplace_integrity
from mtg_tracker.marketplace.router import admin_router as marketplace_admin_router
from mtg_tracker.marketplace.router import router as marketplace_router
from mtg_tracker.ops import backup as ops_backup
from mtg_tracker.ops.features import FORECASTS, MARKETPLACE
from mtg_tracker.ops.features import router as feature_flags_router
from mtg_tracker.price.router import alerts_router as price_alerts_router
from mtg_tracker.price.router import router as price_router
from mtg_tracker.search.router import router as search_router
from mtg_tracker.web import hooks as web_hooks
from mtg_tracker.web.admin import router as web_admin_router
from mtg_tracker.web.collections import router as web_collections_router
from mtg_tracker.web.images import ImageProxy
from mtg_tracker.web.prices import router as web_prices_router
from mtg_tracker.web.router import router as web_pages_router

router = APIRouter()
# magicthegathering.io v1 shapes over the same catalog: main.py mounts it at /mtgio/v1.
MTGIO_ROUTER: APIRouter = mtgio_router
# Before the catalog: its /cards/{id} and /cards/{code}/{number} would otherwise answer /cards/search,
# /cards/random and /cards/{id}/prices.
router.include_router(search_router)
router.include_router(price_router)
# Before the catalog: its /cards/{code}/{number} would otherwise claim /cards/{id}/forecast.
router.include_router(forecast_router, dependencies=[require_feature(FORECASTS.name)])
router.include_router(catalog_router)
router.include_router(price_alerts_router)
router.include_router(collection_router)
# A kill switch: MTG_FEATURES__MARKETPLACE=off (or an admin override) makes every marketplace route 404.
router.include_router(marketplace_router, dependencies=[require_feature(MARKETPLACE.name)])
router.include_router(marketplace_admin_router, dependencies=[require_feature(MARKETPLACE.name)])
router.include_router(account_auth_router)
router.include_router(account_users_router)
router.include_router(account_admin_router)
router.include_router(feature_flags_router)

# The web app's pages, served at / (outside /api/v1). Collections first: /collections/add must not be
# read as a collection id.
web_router = APIRouter()
web_router.include_router(web_collections_router)
web_router.include_router(web_prices_router)
web_router.include_router(web_admin_router)
web_router.include_router(web_pages_router)


def openapi_fixups(settings: Settings) -> list[Callable[[dict[str, Any]], None]]:
    """What the domains correct in the generated OpenAPI from the running configuration."""
    return [partial(document_password_policy, auth=settings.auth)]


# The rate limiter's budget key for a request (user, API key, or None for the client address).
rate_limit_identity = account_deps.rate_limit_identity

DETAIL_PROVIDERS["catalog"] = catalog_service.health_detail
DETAIL_PROVIDERS["backups"] = ops_backup.health_detail_provider
DETAIL_PROVIDERS["marketplace_integrity"] = marketplace_integrity.health_detail


async def _card_rulings(session: AsyncSession, card: dict[str, Any]) -> list[dict[str, Any]]:
    """The web card page's rulings: the catalog's, keyed by oracle id (reversible cards keep theirs on
    the faces, like /cards/{id}/rulings reads them)."""
    oracle = card.get("oracle_id") or next(
        (f["oracle_id"] for f in card.get("card_faces") or () if f.get("oracle_id")), None
    )
    found: list[dict[str, Any]] = orjson.loads(
        await catalog_service.rulings(session, uuid.UUID(oracle) if oracle else None)
    )["data"]
    return found


web_hooks.RULINGS_PROVIDERS.append(_card_rulings)


async def startup(app: FastAPI) -> None:
    """Process-wide resources of the domains, created once per worker."""
    app.state.scryfall = ScryfallClient(app.state.settings.scryfall, transport=app.state.upstream_transport)
    app.state.name_index = catalog_service.NameIndexHolder()
    app.state.key_ring = account_deps.key_ring(app.state.settings)
    app.state.identity_cache = account_deps.identity_cache()
    app.state.web_images = ImageProxy(app.state.settings, transport=app.state.upstream_transport)


async def shutdown(app: FastAPI) -> None:
    """Release what ``startup`` created."""
    await app.state.scryfall.aclose()
    await app.state.web_images.aclose()
