"""Every Prometheus object of the service, in one place.

With several worker processes prometheus_client must run in multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR`` set before this module is imported — ``mtg-tracker serve --workers N``
does that); gauges then declare how the per-process values combine.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered, by route template.", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being answered now.", multiprocess_mode="livesum")
DB_CONNECTIONS_ACTIVE = Gauge(
    "database_connections_active", "Pooled connections checked out now.", ["role"], multiprocess_mode="livesum"
)
DB_CONNECTIONS_MAX = Gauge(
    "database_connections_max", "Pool capacity (size + overflow).", ["role"], multiprocess_mode="livesum"
)
JOB_RUNS = Counter("job_runs_total", "Scheduled job runs, by outcome.", ["job", "status"])
JOB_DURATION = Histogram(
    "job_duration_seconds",
    "Duration of job runs.",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
)
JOB_LAST_SUCCESS = Gauge(
    "job_last_success_timestamp_seconds", "Unix time of the last successful run.", ["job"], multiprocess_mode="max"
)
CACHE_REQUESTS = Counter("cache_requests_total", "Cache look-ups.", ["cache", "result"])
UPSTREAM_REQUESTS = Counter(
    "upstream_requests_total", "Calls to upstream services, by outcome.", ["endpoint", "outcome"]
)
UPSTREAM_BREAKER_STATE = Gauge(
    "upstream_breaker_state",
    "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
    ["upstream"],
    multiprocess_mode="max",
)
CATALOG_IMPORT_CARDS = Counter("catalog_import_cards_total", "Cards seen by catalog imports, by result.", ["result"])
PRICE_BACKFILL_POINTS = Counter(
    "price_backfill_points_total", "Price points merged by backfills, by format.", ["format"]
)
FORECAST_MODELS = Counter(
    "forecast_models_total", "Forecast models trained and judged against persistence, by verdict.", ["status"]
)
FORECASTS_SERVED = Counter("forecasts_served_total", "Forecasts answered, by horizon.", ["horizon"])
PRICE_ALERTS_FIRED = Counter("price_alerts_fired_total", "Price alerts whose threshold was crossed.")
PRICE_ALERT_DELIVERIES = Counter(
    "price_alert_deliveries_total",
    "Webhook delivery attempts of price alerts, by outcome (delivered, retrying, failed, refused).",
    ["outcome"],
)


def render() -> tuple[bytes, str]:
    """The exposition text; in multiprocess mode it merges every worker's files."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    if MULTIPROCESS:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


SEARCH_QUERIES = Counter(
    "search_queries_total", "Card searches, by outcome (ok, no_match, bad_query, timeout).", ["outcome"]
)
SEARCH_DURATION = Histogram(
    "search_duration_seconds",
    "Time to answer a card search (parse, SQL, card bodies), cache misses only.",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

JWT_ISSUED = Counter("jwt_tokens_issued_total", "Access tokens issued (logins and refreshes).")
AUTH_FAILURES = Counter(
    "authentication_failures_total",
    "Rejected credentials, by reason (bad_credentials, locked, token_expired, refresh_reuse, api_key_revoked, …).",
    ["reason"],
)
RATE_LIMITED = Counter("rate_limited_requests_total", "Requests refused by the rate limiter, by budget.", ["route"])

MARKETPLACE_INTEGRITY_FINDINGS = Gauge(
    "marketplace_integrity_findings",
    "Findings of the newest marketplace integrity audit (0 = the ledger and stock reconcile).",
    multiprocess_mode="mostrecent",
)
MARKETPLACE_INTEGRITY_RUNS = Counter(
    "marketplace_integrity_runs_total", "Marketplace integrity audits run, by outcome.", ["outcome"]
)

BACKUP_LAST_SUCCESS = Gauge(
    "backup_last_success_timestamp_seconds",
    "Unix time of the newest backup that was created and verified.",
    multiprocess_mode="max",
)
BACKUP_SIZE = Gauge("backup_size_bytes", "Size of the newest backup file.", multiprocess_mode="mostrecent")
BACKUP_DURATION = Gauge(
    "backup_duration_seconds",
    "Time the newest backup run took (create and verify).",
    multiprocess_mode="mostrecent",
)
