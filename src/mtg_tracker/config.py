"""Settings: environment variables only (``MTG_`` prefix, nested groups with ``__``).

Validated once at start-up so a typo in production fails loudly before the first request instead of
surfacing as a 500 an hour later.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 - refused outside development
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/mtg-tracker.db"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def _check_networks(value: list[str]) -> list[str]:
    """Every item a CIDR (or a bare address); ``ip_network`` raises ValueError with a clear message."""
    for item in value:
        ipaddress.ip_network(item, strict=False)
    return value


def _split_csv(value: object) -> object:
    """Accept ``a,b,c`` as well as a JSON list, because operators type the former."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            import json

            return json.loads(stripped)
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return value


class DatabaseSettings(BaseModel):
    pool_size: int = Field(10, ge=1, le=500, description="Connections kept per process (PostgreSQL).")
    max_overflow: int = Field(10, ge=0, le=500, description="Extra connections under load (PostgreSQL).")
    pool_timeout_seconds: float = Field(5.0, gt=0, description="Wait for a free pooled connection.")
    connect_timeout_seconds: float = Field(3.0, gt=0, description="TCP connect timeout (PostgreSQL).")
    statement_timeout_ms: int = Field(
        10_000,
        ge=0,
        description="Per-statement timeout; 0 disables (PostgreSQL server-side, SQLite via progress handler).",
    )
    sqlite_busy_timeout_ms: int = Field(10_000, ge=0, description="How long SQLite waits for the write lock.")
    echo: bool = False


class LogSettings(BaseModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto = console on a terminal (stderr is a TTY), JSON otherwise."
    )

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class SchedulerSettings(BaseModel):
    enabled: bool = True
    misfire_grace_seconds: int = Field(300, ge=0, description="A slot missed by at most this long still runs.")
    cron_overrides: dict[str, str] = Field(
        default_factory=dict,
        description='Job schedules replacing the built-in ones, JSON: {"price.forecast_train": "0 22 * * *"}.',
    )


class HttpSettings(BaseModel):
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Larger request bodies get 413.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="CIDRs whose X-Forwarded-For is believed."
    )
    hsts_seconds: int = Field(0, ge=0, description="Strict-Transport-Security max-age; 0 = header off.")

    _split = field_validator("cors_origins", "trusted_proxies", mode="before")(_split_csv)

    _networks = field_validator("trusted_proxies")(_check_networks)


class CacheSettings(BaseModel):
    ttl_seconds: int = Field(300, ge=1)
    max_items: int = Field(20_000, ge=10)
    generation_poll_seconds: float = Field(
        2.0, gt=0, description="How often each process checks whether an import invalidated the cache."
    )


class ScryfallSettings(BaseModel):
    base_url: str = "https://api.scryfall.com"
    offline: bool = Field(False, description="true = never call Scryfall.")
    user_agent: str = "MTGTracker/0.1 (+self-hosted)"
    timeout_seconds: float = Field(10.0, gt=0)
    bulk_type: Literal["default_cards", "oracle_cards", "unique_artwork", "all_cards"] = "default_cards"
    download_dir: Path = Path("./var/bulk")
    max_requests_per_second: float = Field(10.0, gt=0)
    max_search_requests_per_second: float = Field(2.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    breaker_failure_threshold: int = Field(5, ge=1)
    breaker_reset_seconds: float = Field(30.0, gt=0)
    fetch_missing_cards: bool = Field(True, description="Fetch an unknown card id from Scryfall and store it.")


class SearchSettings(BaseModel):
    timeout_ms: int = Field(
        3000, ge=100, le=60_000, description="A search statement running longer is stopped and answered with 400."
    )
    cache_results: bool = Field(True, description="Cache result pages until the next catalog import.")


class PriceSettings(BaseModel):
    movers_top: int = Field(100, ge=1, le=1000, description="Movers kept per (day, window, type, metric, direction).")
    movers_min_price: Decimal = Field(
        Decimal("1.00"),
        ge=0,
        description="Percent movers only rank printings whose old price is at least this (in the type's currency).",
    )
    max_alerts_per_user: int = Field(100, ge=1, le=100_000, description="Price alerts one account may hold.")
    webhook_allow_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="CIDRs webhooks may reach although private/loopback (e.g. 10.0.0.0/8)."
    )
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=60, description="Per attempt: connect + send + answer.")
    webhook_max_attempts: int = Field(5, ge=1, le=20, description="Attempts per firing before it is logged failed.")
    webhook_backoff_base_seconds: float = Field(1.0, ge=0, description="Back-off before retry n: up to base * 2**n.")
    webhook_backoff_cap_seconds: float = Field(60.0, ge=0, description="Longest wait between two attempts.")
    webhook_concurrency: int = Field(8, ge=1, le=100, description="Webhook deliveries in flight at once.")

    _split = field_validator("webhook_allow_networks", mode="before")(_split_csv)

    _networks = field_validator("webhook_allow_networks")(_check_networks)


class ForecastSettings(BaseModel):
    horizons: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [1, 7], description="Forecast horizons in days the daily model is trained for."
    )
    history_days: int = Field(180, ge=14, le=3650, description="Days of price history a training run reads.")
    backtest_days: int = Field(7, ge=1, le=90, description="Newest days held out to judge a new model.")
    calibration_days: int = Field(2, ge=1, le=30, description="Days before the held-out ones that calibrate intervals.")
    max_rows: int = Field(600_000, ge=1000, description="Training rows per horizon (a seeded sample past this).")
    max_iter: int = Field(150, ge=1, le=5000, description="Boosting iterations per quantile model.")
    min_coverage: float = Field(0.75, gt=0, lt=1, description="Lowest backtest 80 % interval coverage promoted.")
    max_coverage: float = Field(0.85, gt=0, le=1, description="Highest backtest 80 % interval coverage promoted.")

    @field_validator("horizons", mode="before")
    @classmethod
    def _split_horizons(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("horizons")
    @classmethod
    def _check_horizons(cls, value: list[int]) -> list[int]:
        if not value or any(not 1 <= h <= 30 for h in value):
            raise ValueError("horizons must be 1..30 days")
        return sorted(set(value))


class CollectionSettings(BaseModel):
    max_import_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        description="Largest collection import upload (that route's own body limit, above MTG_HTTP__MAX_BODY_BYTES).",
    )
    max_import_rows: int = Field(200_000, ge=1, description="Most rows one collection import accepts.")
    max_report_rows: int = Field(
        100,
        ge=0,
        description="Most unresolved rows (and, separately, warnings) an import's JSON report echoes; the counts "
        "stay exact and report=csv gives every unresolved row.",
    )


class MarketplaceSettings(BaseModel):
    fee_bps: int = Field(
        500, ge=0, le=10_000, description="Platform fee on a completed order, in basis points (500 = 5 %)."
    )
    idempotency_hours: int = Field(
        48, ge=24, description="How long POST /orders replays the stored reply of an Idempotency-Key."
    )
    nats_stream: str = Field(
        "MTG_EVENTS", pattern=r"^[A-Za-z0-9_-]{1,64}$", description="JetStream stream the outbox relay publishes to."
    )
    nats_subject_prefix: str = Field(
        "mtg.events", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$", description="Subjects are <prefix>.<event type>."
    )
    webhook_url: str | None = Field(
        None, description="Without MTG_NATS_URL: events are POSTed here, signed (X-MTG-Signature: sha256=<hmac>)."
    )
    webhook_secret: SecretStr | None = Field(None, description="HMAC-SHA256 key of the webhook signature.")
    relay_batch: int = Field(500, ge=1, le=10_000, description="Events one relay pass publishes at most.")


class AuthSettings(BaseModel):
    signing_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "JWT HMAC keys as `kid:secret`, newest first: the first signs, every listed key verifies (rotation "
            "without logging anyone out). Empty = one key derived from MTG_SECRET_KEY."
        ),
    )
    issuer: str = Field("mtg-tracker", description="JWT `iss`, checked on every token.")
    audience: str = Field("mtg-tracker-api", description="JWT `aud`, checked on every token.")
    access_token_seconds: int = Field(900, ge=30, le=86_400, description="Lifetime of an access token.")
    refresh_token_days: int = Field(30, ge=1, le=365, description="Lifetime of a refresh token (rotated on use).")
    registration_open: bool = Field(True, description="false = only admins create users (`users create`).")
    password_min_length: int = Field(12, ge=8, le=128)
    password_max_length: int = Field(256, ge=16, le=4096, description="Bounded so hashing cannot be abused.")
    login_max_failures: int = Field(
        5, ge=1, le=1000, description="Failed logins per account from one client address within the window."
    )
    login_max_failures_per_account: int = Field(
        100,
        ge=1,
        le=100_000,
        description="Failed logins per account from all addresses within the window (a distributed guess).",
    )
    login_max_failures_per_address: int = Field(
        20, ge=1, le=10_000, description="Failed logins from one client address within the window."
    )
    login_window_seconds: int = Field(900, ge=10, le=86_400, description="Brute-force window and lock-out length.")

    _split = field_validator("signing_keys", mode="before")(_split_csv)

    @field_validator("signing_keys")
    @classmethod
    def _valid_keys(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for item in value:
            kid, sep, secret = item.partition(":")
            if not sep or not kid or not secret:
                raise ValueError("each key must be written kid:secret")
            if len(secret) < 32:
                raise ValueError(f"key {kid!r}: the secret must be at least 32 characters")
            if kid in seen:
                raise ValueError(f"key id {kid!r} is listed twice")
            seen.add(kid)
        return value


class RateLimitSettings(BaseModel):
    enabled: bool = Field(True, description="false = no limits at all (headers are not sent either).")
    # Defaults sit above Scryfall's published limits (10 requests/s, 2/s for search), so that a client
    # written to throttle itself for Scryfall never sees a 429 here (README "Use your client").
    per_minute: int = Field(900, ge=1, description="Default budget: requests per minute per principal or address.")
    burst: int = Field(100, ge=1, description="Default budget: requests allowed at once before the rate applies.")
    search_per_minute: int = Field(150, ge=1, description="Card search, random and autocomplete.")
    search_burst: int = Field(30, ge=1)
    auth_per_minute: int = Field(10, ge=1, description="Token, refresh and register (per address).")
    auth_burst: int = Field(10, ge=1)
    import_per_minute: int = Field(6, ge=1, description="Collection imports.")
    import_burst: int = Field(3, ge=1)
    order_per_minute: int = Field(30, ge=1, description="Marketplace order creations (POST /orders).")
    order_burst: int = Field(10, ge=1)
    forecast_per_minute: int = Field(30, ge=1, description="Price forecasts per client (model inference is costly).")
    forecast_burst: int = Field(30, ge=1, description="Forecasts a fresh client may ask at once.")
    allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="CIDRs never limited (monitoring, internal jobs)."
    )

    _split = field_validator("allowlist", mode="before")(_split_csv)

    _networks = field_validator("allowlist")(_check_networks)


class OpsSettings(BaseModel):
    token: SecretStr | None = Field(
        None,
        description=(
            "Bearer token that opens /metrics and /health/detailed from any address (Prometheus sends it); "
            "unset = only MTG_OPS__ALLOW_NETWORKS (and, for /health/detailed, administrators)."
        ),
    )
    allow_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"],
        description="CIDRs that reach /metrics and /health/detailed without a token; empty = none.",
    )

    _split = field_validator("allow_networks", mode="before")(_split_csv)

    _networks = field_validator("allow_networks")(_check_networks)

    @field_validator("token", mode="before")
    @classmethod
    def _empty_token(cls, value: object) -> object:
        return None if value is None or value == "" else value

    @field_validator("token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("the operations token must be at least 16 characters")
        return value


class BackupSettings(BaseModel):
    enabled: bool = Field(True, description="false = the daily `ops.backup` job does nothing (the CLI still works).")
    dir: Path | None = Field(
        None, description="Local directory holding backup files and manifests; unset = MTG_DATA_DIR/backups."
    )
    keep_daily: int = Field(7, ge=0, le=3660, description="Newest backup of each of the last N days with backups.")
    keep_weekly: int = Field(4, ge=0, le=520, description="Newest backup of each of the last N ISO weeks.")
    keep_monthly: int = Field(12, ge=0, le=1200, description="Newest backup of each of the last N months.")
    s3_url: str | None = Field(
        None,
        description="`s3://bucket/prefix`: keep backups in an S3-compatible bucket instead of MTG_BACKUP__DIR.",
        pattern=r"^s3://[^/]+(/.*)?$",
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint (MinIO, Ceph, R2…); unset = AWS (or AWS_ENDPOINT_URL)."
    )
    s3_region: str | None = Field(None, description="Region of the bucket; unset = AWS_REGION / the AWS config.")
    s3_access_key_id: str | None = Field(None, description="Unset = the standard AWS credential chain.")
    s3_secret_access_key: SecretStr | None = Field(None, description="Unset = the standard AWS credential chain.")


class OtelSettings(BaseModel):
    endpoint: str | None = Field(
        None, description="OTLP/HTTP collector (`http://otel-collector:4318`); unset = tracing off, at no cost."
    )
    service_name: str = Field("mtg-tracker", description="`service.name` of the spans.")
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0, description="Share of traces kept (parent-based).")


class WebSettings(BaseModel):
    cookie_secure: bool = Field(
        True,
        description="Mark the web app's session cookies Secure (HTTPS only; browsers also accept them on "
        "http://localhost). false only for a plain-HTTP deployment on another host name.",
    )
    image_proxy_timeout_seconds: float = Field(
        3.0, gt=0, le=30, description="How long /img waits for Scryfall's image host before showing the placeholder."
    )


class Settings(BaseSettings):
    """Every knob of the service. See README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="MTG_",
        env_nested_delimiter="__",
        extra="ignore",
        case_sensitive=False,
    )

    environment: Environment = Environment.development
    database_url: str = DEFAULT_DATABASE_URL
    read_database_url: str | None = None
    redis_url: str | None = None
    nats_url: str | None = None  # MTG_NATS_URL: the marketplace's event relay publishes to JetStream
    # The URL clients reach the service at (scheme, host, optional port and path prefix), for the links
    # the API hands out; unset = the request's own host (X-Forwarded-* only from trusted proxies).
    public_url: str | None = None
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    data_dir: Path = Path("./var")

    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    scryfall: ScryfallSettings = Field(default_factory=ScryfallSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    price: PriceSettings = Field(default_factory=PriceSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    collection: CollectionSettings = Field(default_factory=CollectionSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    marketplace: MarketplaceSettings = Field(default_factory=MarketplaceSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    ops: OpsSettings = Field(default_factory=OpsSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    otel: OtelSettings = Field(default_factory=OtelSettings)
    features: dict[str, str] = Field(
        default_factory=dict,
        description="MTG_FEATURES__<NAME>=on|off|<percent>: feature flags at start (registry: ops/features.py).",
    )
    web: WebSettings = Field(default_factory=WebSettings)

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _normalise_db_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return normalise_database_url(value)

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlsplit(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
            raise ValueError("must be an http(s) URL without query or fragment, e.g. https://cards.example.org")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _empty_redis(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.environment == Environment.production:
            secret = self.secret_key.get_secret_value()
            if not secret or secret == DEFAULT_SECRET or len(secret) < 32:
                raise ValueError("MTG_SECRET_KEY must be set to a random value of at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Map the URLs operators usually have (``postgres://``, ``sqlite:///``) onto our async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgresql+psycopg2://") or url.startswith("postgresql+asyncpg://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
        return url
    raise ValueError("only sqlite and postgresql database URLs are supported")


@lru_cache
def get_settings() -> Settings:
    return Settings()
