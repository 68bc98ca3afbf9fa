from __future__ import annotations

import pytest
from pydantic import ValidationError

from mtg_tracker.config import DEFAULT_DATABASE_URL, Settings, normalise_database_url


def test_defaults_are_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("MTG_DATABASE_URL", "MTG_ENVIRONMENT", "MTG_REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    s = Settings()
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.redis_url is None
    assert s.scheduler.enabled is True


def test_nested_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTG_SCHEDULER__ENABLED", "false")
    monkeypatch.setenv("MTG_LOG__LEVEL", "debug")
    monkeypatch.setenv("MTG_LOG__FORMAT", "console")
    monkeypatch.setenv("MTG_HTTP__CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("MTG_HTTP__TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("MTG_SCRYFALL__OFFLINE", "true")
    s = Settings()
    assert s.scheduler.enabled is False
    assert s.log.level == "DEBUG" and s.log.format == "console"
    assert s.http.cors_origins == ["https://a.example", "https://b.example"]
    assert s.http.trusted_proxies == ["10.0.0.0/8"]
    assert s.scryfall.offline is True


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("MTG_ENVIRONMENT", "staging"),
        ("MTG_LOG__FORMAT", "xml"),
        ("MTG_DATABASE_URL", "mysql://x/y"),
        ("MTG_REDIS_URL", "http://localhost"),
        ("MTG_HTTP__TRUSTED_PROXIES", "not-a-network"),
        ("MTG_HTTP__MAX_BODY_BYTES", "-1"),
    ],
)
def test_invalid_values_refused(monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError):
        Settings()


def test_production_refuses_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTG_ENVIRONMENT", "production")
    monkeypatch.delenv("MTG_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="MTG_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("MTG_SECRET_KEY", "short")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("MTG_SECRET_KEY", "k" * 40)
    assert Settings().environment == "production"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_url_normalised(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_ops_access_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    assert s.ops.token is None and s.ops.allow_networks == ["127.0.0.0/8", "::1/128"]
    monkeypatch.setenv("MTG_OPS__TOKEN", "a-scrape-token-of-enough-length")
    monkeypatch.setenv("MTG_OPS__ALLOW_NETWORKS", "10.0.0.0/8, fd00::/8")
    s = Settings()
    assert s.ops.token is not None and s.ops.token.get_secret_value() == "a-scrape-token-of-enough-length"
    assert "a-scrape-token" not in repr(s)
    assert s.ops.allow_networks == ["10.0.0.0/8", "fd00::/8"]
    monkeypatch.setenv("MTG_OPS__ALLOW_NETWORKS", "")
    monkeypatch.setenv("MTG_OPS__TOKEN", "")
    s = Settings()
    assert s.ops.allow_networks == [] and s.ops.token is None


@pytest.mark.parametrize(("key", "value"), [("MTG_OPS__TOKEN", "short"), ("MTG_OPS__ALLOW_NETWORKS", "not-a-cidr")])
def test_ops_settings_refuse_bad_values(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError):
        Settings()


def test_log_format_defaults_to_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MTG_LOG__FORMAT", raising=False)
    assert Settings().log.format == "auto"
    for value in ("json", "console", "auto"):
        monkeypatch.setenv("MTG_LOG__FORMAT", value)
        assert Settings().log.format == value
    monkeypatch.setenv("MTG_LOG__FORMAT", "xml")
    with pytest.raises(ValidationError):
        Settings()


def test_readme_configuration_table_is_one_table() -> None:
    """A blank line inside the table splits it in two, and the second half renders as plain text."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    last = max(i for i, line in enumerate(lines) if line.startswith("| `MTG_"))
    assert all(line.startswith("|") for line in lines[first : last + 1])
