"""Every table, imported so that Alembic and the mapper registry see them all."""

from mtg_tracker.account.models import ApiKey, AuditEvent, LoginFailure, RefreshToken, Session, User
from mtg_tracker.catalog.models import Card, CardMultiverse, CardName, CardSet, CatalogImport
from mtg_tracker.collection.models import Collection, CollectionEntry, CollectionValueSnapshot
from mtg_tracker.forecast.models import ForecastModel
from mtg_tracker.kit.cache import CacheGeneration
from mtg_tracker.kit.scheduler import JobRun
from mtg_tracker.price.models import PriceAlert, PriceAlertEvent, PriceMover, PricePoint

__all__ = [
    "ApiKey",
    "AuditEvent",
    "CacheGeneration",
    "Card",
    "CardMultiverse",
    "CardName",
    "CardSet",
    "CatalogImport",
    "Collection",
    "CollectionEntry",
    "CollectionValueSnapshot",
    "ForecastModel",
    "JobRun",
    "LoginFailure",
    "PriceAlert",
    "PriceAlertEvent",
    "PriceMover",
    "PricePoint",
    "RefreshToken",
    "Session",
    "User",
]
