"""Every table, imported so that Alembic and the mapper registry see them all."""

from mtg_tracker.kit.cache import CacheGeneration
from mtg_tracker.kit.scheduler import JobRun

__all__ = ["CacheGeneration", "JobRun"]
