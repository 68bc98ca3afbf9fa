"""Every domain router, and each domain's process start-up/shut-down, listed explicitly."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.router import router as catalog_router
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.kit.health import DETAIL_PROVIDERS
from mtg_tracker.search.router import router as search_router

router = APIRouter()
# Search first: /cards/search and /cards/random must win over the catalog's /cards/{id}.
router.include_router(search_router)
router.include_router(catalog_router)

DETAIL_PROVIDERS["catalog"] = catalog_service.health_detail


async def startup(app: FastAPI) -> None:
    """Process-wide resources of the domains, created once per worker."""
    app.state.scryfall = ScryfallClient(app.state.settings.scryfall, transport=app.state.upstream_transport)
    app.state.name_index = catalog_service.NameIndexHolder()


async def shutdown(app: FastAPI) -> None:
    """Release what ``startup`` created."""
    await app.state.scryfall.aclose()
