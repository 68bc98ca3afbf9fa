"""Every table, imported so that Alembic and the mapper registry see them all."""

from mtg_tracker.account.models import ApiKey, AuditEvent, LoginFailure, RefreshToken, Session, User
from mtg_tracker.catalog.models import Card, CardMultiverse, CardName, CardSet, CatalogImport
from mtg_tracker.collection.models import Collection, CollectionEntry, CollectionValueSnapshot
from mtg_tracker.forecast.models import ForecastModel
from mtg_tracker.kit.cache import CacheGeneration
from mtg_tracker.kit.features import FeatureFlagOverride
from mtg_tracker.kit.scheduler import JobRun
from mtg_tracker.marketplace.models import (
    IdempotentReply,
    IntegrityRun,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Listing,
    Order,
    OrderLine,
    OutboxEvent,
    Shop,
    ShopCollection,
    ShopMember,
)
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
    "FeatureFlagOverride",
    "ForecastModel",
    "IdempotentReply",
    "IntegrityRun",
    "JobRun",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "Listing",
    "LoginFailure",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "PriceAlert",
    "PriceAlertEvent",
    "PriceMover",
    "PricePoint",
    "RefreshToken",
    "Session",
    "Shop",
    "ShopCollection",
    "ShopMember",
    "User",
]
