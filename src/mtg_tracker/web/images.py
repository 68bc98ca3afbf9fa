"""Card images through a same-origin proxy that never answers with a broken image.

Browsers show a broken-image icon when an <img> fails and the CSP forbids the inline script an
``onerror`` fallback would need, so ``/img/{card}`` fetches the stored Scryfall image URI itself and
answers the placeholder SVG when the host is unreachable (offline installs, tests). Only URIs stored on
the card are fetched, and only from Scryfall's image hosts: the proxy cannot be pointed anywhere else.
Recent images and recent failures are kept in memory, so an offline host costs one attempt a minute.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cachetools import LRUCache

from mtg_tracker.config import Settings
from mtg_tracker.kit.logging import get_logger

log = get_logger("mtg_tracker.web.images")

PLACEHOLDER = (Path(__file__).resolve().parent.parent / "static" / "web" / "card-placeholder.svg").read_bytes()
IMAGE_HOSTS = frozenset({"cards.scryfall.io", "c1.scryfall.com", "img.scryfall.com", "svgs.scryfall.io"})
SIZES = ("small", "normal", "large", "png", "art_crop", "border_crop")
_MAX_IMAGE_BYTES = 4 * 1024 * 1024
_FAILURE_SECONDS = 60.0


def allowed_image_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in IMAGE_HOSTS


class ImageProxy:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.offline = settings.scryfall.offline
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=settings.web.image_proxy_timeout_seconds,
            headers={"User-Agent": settings.scryfall.user_agent, "Accept": "image/*"},
            follow_redirects=False,
        )
        self.images: LRUCache[str, tuple[bytes, str]] = LRUCache(maxsize=300)
        self.failed_at: LRUCache[str, float] = LRUCache(maxsize=5000)

    async def fetch(self, url: str | None) -> tuple[bytes, str]:
        """(body, media type): the image, or the placeholder SVG when it cannot be had."""
        if not url or self.offline or not allowed_image_url(url):
            return PLACEHOLDER, "image/svg+xml"
        hit = self.images.get(url)
        if hit is not None:
            return hit
        host = urlsplit(url).hostname or ""
        failed = self.failed_at.get(host)
        if failed is not None and time.monotonic() - failed < _FAILURE_SECONDS:
            return PLACEHOLDER, "image/svg+xml"
        try:
            response = await self.client.get(url)
        except httpx.HTTPError as exc:
            log.info("card_image_unreachable", host=host, error=type(exc).__name__)
            self.failed_at[host] = time.monotonic()
            return PLACEHOLDER, "image/svg+xml"
        media = response.headers.get("content-type", "").split(";")[0]
        if response.status_code != 200 or not media.startswith("image/") or len(response.content) > _MAX_IMAGE_BYTES:
            return PLACEHOLDER, "image/svg+xml"
        self.images[url] = (response.content, media)
        return response.content, media

    async def aclose(self) -> None:
        await self.client.aclose()
