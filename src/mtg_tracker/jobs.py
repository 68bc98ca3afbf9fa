"""The job registry: importing this module registers every domain's jobs (explicit list)."""

from mtg_tracker.catalog import jobs as catalog_jobs  # noqa: F401
from mtg_tracker.collection import jobs as collection_jobs  # noqa: F401
from mtg_tracker.forecast import jobs as forecast_jobs  # noqa: F401
from mtg_tracker.kit.scheduler import REGISTRY
from mtg_tracker.marketplace import jobs as marketplace_jobs  # noqa: F401
from mtg_tracker.ops import jobs as ops_jobs  # noqa: F401
from mtg_tracker.price import jobs as price_jobs  # noqa: F401

__all__ = ["REGISTRY"]
