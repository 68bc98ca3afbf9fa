"""Seams for data other domains will provide; ``api.py`` wires a provider when one exists.

The card page asks these for a printing's forecast band and for a card's rulings. Until a domain
registers a provider (forecasts are being built; the catalog does not import rulings yet) they answer
"none", and the page shows no band and no rulings section rather than invented data.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# (session, card id, price type) -> [(day, low, high)] for future days, or None.
ForecastProvider = Callable[[AsyncSession, uuid.UUID, str], Awaitable[list[tuple[date, Decimal, Decimal]] | None]]
# (session, card object) -> [{"published_at": …, "source": …, "comment": …}], or None.
RulingsProvider = Callable[[AsyncSession, dict[str, Any]], Awaitable[list[dict[str, Any]] | None]]

FORECAST_PROVIDERS: list[ForecastProvider] = []
RULINGS_PROVIDERS: list[RulingsProvider] = []


async def forecast_band(
    session: AsyncSession, card_id: uuid.UUID, price_type: str
) -> list[tuple[date, Decimal, Decimal]] | None:
    for provider in FORECAST_PROVIDERS:
        band = await provider(session, card_id, price_type)
        if band:
            return band
    return None


async def rulings(session: AsyncSession, card: dict[str, Any]) -> list[dict[str, Any]] | None:
    for provider in RULINGS_PROVIDERS:
        found = await provider(session, card)
        if found is not None:
            return found
    return None
