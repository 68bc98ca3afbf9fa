"""Every table, imported so that Alembic and the mapper registry see them all."""

from mtg_tracker.catalog.models import Card, CardMultiverse, CardName, CardSet, CatalogImport
from mtg_tracker.kit.cache import CacheGeneration
from mtg_tracker.kit.scheduler import JobRun
from mtg_tracker.price.models import PriceAlert, PriceAlertEvent, PriceMover, PricePoint

__all__ = [
    "CacheGeneration",
    "Card",
    "CardMultiverse",
    "CardName",
    "CardSet",
    "CatalogImport",
    "JobRun",
    "PriceAlert",
    "PriceAlertEvent",
    "PriceMover",
    "PricePoint",
]
