"""Backups to an S3-compatible bucket (a local moto server) on SQLite and PostgreSQL: create, list, verify,
wipe, restore, prune; a missing bucket or refused credentials is a clear error, never a traceback."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mtg_tracker.catalog import demo
from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.config import BackupSettings, Settings
from mtg_tracker.kit.db import Database, sqlite_file
from mtg_tracker.ops import backup
from mtg_tracker.ops.s3store import BackupTargetError, parse_s3_url

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::DeprecationWarning")

BUCKET = "mtg-backups"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # The server's request log would write from its thread into whatever stderr CliRunner swapped in.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


@pytest.fixture
def s3_settings(settings: Settings, s3_endpoint: str, request: pytest.FixtureRequest) -> Settings:
    """The test's settings with a fresh bucket prefix on the moto server (one bucket, a prefix per test)."""
    client = _client(s3_endpoint)
    buckets = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if BUCKET not in buckets:
        client.create_bucket(Bucket=BUCKET)
    prefix = f"{request.node.name}".replace("[", "-").replace("]", "")
    return _with_backup(
        settings,
        s3_url=f"s3://{BUCKET}/{prefix}",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )


def _with_backup(settings: Settings, **values: Any) -> Settings:
    merged = {**settings.backup.model_dump(), **values}
    return settings.model_copy(update={"backup": BackupSettings(**merged)})


def _digests(settings: Settings) -> dict[str, backup.TableDigest]:
    engine = create_engine(settings.database_url.replace("+aiosqlite", ""))
    try:
        with engine.connect() as conn:
            return backup.table_digests(conn)
    finally:
        engine.dispose()


def _wipe(settings: Settings) -> None:
    path = sqlite_file(settings.database_url) if settings.is_sqlite else None
    if path is not None:
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    engine = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _keys(s3_settings: Settings) -> list[str]:
    bucket, prefix = parse_s3_url(s3_settings.backup.s3_url or "")
    listed = _client(s3_settings.backup.s3_endpoint_url or "").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"][len(prefix) :] for item in listed.get("Contents", []))


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    with pytest.raises(BackupTargetError, match="s3://bucket/prefix"):
        parse_s3_url("https://bucket/x")


async def test_s3_create_list_verify_restore_round_trip(db: Database, s3_settings: Settings) -> None:
    await import_sets(db, demo.SETS_PATH)
    await import_cards(db, demo.CARDS_PATH)
    await db.dispose()

    manifest = await asyncio.to_thread(backup.create_backup, s3_settings)
    assert _keys(s3_settings) == sorted([manifest.file, f"{manifest.id}.json"])
    # Nothing is left behind locally: the staging directory is empty but for itself.
    staging = backup.backup_dir(s3_settings)
    assert not staging.exists() or not list(staging.iterdir())
    assert manifest.tables["catalog_card"].rows > 100

    listed = backup.list_backups(s3_settings)
    assert [m.id for m in listed] == [manifest.id]
    verified = await asyncio.to_thread(backup.verify_backup, s3_settings, None)
    assert verified.verification is not None and verified.verification.ok, verified.verification
    # The verification is recorded in the bucket's manifest.
    again = backup.list_backups(s3_settings)[0]
    assert again.verification is not None and again.verification.ok

    _wipe(s3_settings)
    await asyncio.to_thread(backup.restore_backup, s3_settings, manifest.id)
    restored = _digests(s3_settings)
    for table, digest in manifest.tables.items():
        assert restored[table] == digest, table


async def test_s3_verify_detects_a_damaged_object(db: Database, s3_settings: Settings) -> None:
    await db.dispose()
    manifest = await asyncio.to_thread(backup.create_backup, s3_settings)
    bucket, prefix = parse_s3_url(s3_settings.backup.s3_url or "")
    client = _client(s3_settings.backup.s3_endpoint_url or "")
    client.put_object(Bucket=bucket, Key=f"{prefix}{manifest.file}", Body=b"not a backup")
    bad = await asyncio.to_thread(backup.verify_backup, s3_settings, manifest.id)
    assert bad.verification is not None and "SHA-256" in bad.verification.detail
    client.delete_object(Bucket=bucket, Key=f"{prefix}{manifest.file}")
    bad = await asyncio.to_thread(backup.verify_backup, s3_settings, manifest.id)
    assert bad.verification is not None and "missing" in bad.verification.detail
    with pytest.raises(backup.BackupError, match="missing"):
        await asyncio.to_thread(lambda: backup.restore_backup(s3_settings, manifest.id, force=True))


def test_s3_prune_deletes_in_the_bucket(s3_settings: Settings) -> None:
    first = backup.create_backup(s3_settings)
    second = backup.create_backup(s3_settings)
    pruning = _with_backup(s3_settings, keep_daily=1, keep_weekly=0, keep_monthly=0)
    assert backup.prune_backups(pruning) == [first.id]
    assert _keys(s3_settings) == sorted([second.file, f"{second.id}.json"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"s3_url": "s3://no-such-bucket/x"}, "the bucket does not exist"),
        ({"s3_access_key_id": None, "s3_secret_access_key": None}, "Unable to locate credentials"),
        ({"s3_endpoint_url": "http://127.0.0.1:9"}, "Could not connect to the endpoint"),
    ],
    ids=["missing-bucket", "no-credentials", "unreachable-endpoint"],
)
def test_s3_unusable_target_is_a_clear_error(
    s3_settings: Settings, change: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # moto's server accepts any key pair, so "bad credentials" is tested as none at all: no standard AWS
    # variables, no shared files.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bad = _with_backup(s3_settings, **change)
    with pytest.raises(BackupTargetError, match=message) as caught:
        backup.create_backup(bad)
    assert (bad.backup.s3_url or "") in caught.value.message
    with pytest.raises(BackupTargetError, match=message):
        backup.list_backups(bad)
    assert backup.health_detail(bad)["status"] == "target_unavailable"


def test_s3_cli_and_job_report_a_missing_bucket(
    s3_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mtg_tracker.cli import app
    from mtg_tracker.config import get_settings

    monkeypatch.setenv("MTG_DATABASE_URL", s3_settings.database_url)
    monkeypatch.setenv("MTG_ENVIRONMENT", "test")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("MTG_BACKUP__DIR", str(tmp_path / "staging"))
    monkeypatch.setenv("MTG_BACKUP__S3_ENDPOINT_URL", s3_settings.backup.s3_endpoint_url or "")
    monkeypatch.setenv("MTG_BACKUP__S3_REGION", "us-east-1")
    monkeypatch.setenv("MTG_BACKUP__S3_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("MTG_BACKUP__S3_SECRET_ACCESS_KEY", "test")
    runner = CliRunner()
    get_settings.cache_clear()
    try:
        monkeypatch.setenv("MTG_BACKUP__S3_URL", s3_settings.backup.s3_url or "")
        created = runner.invoke(app, ["backup", "create", "--verify"])
        assert created.exit_code == 0, created.output
        listed = runner.invoke(app, ["backup", "list"])
        # Rich wraps at the terminal's width (80 columns under CI): compare with the line breaks folded.
        assert listed.exit_code == 0 and "1 backup(s) in s3://" in " ".join(listed.output.split()), listed.output

        get_settings.cache_clear()
        monkeypatch.setenv("MTG_BACKUP__S3_URL", "s3://no-such-bucket/prefix")
        for command in (
            ["backup", "create"],
            ["backup", "list"],
            ["backup", "verify", "--latest"],
            ["backup", "prune"],
        ):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, (command, result.output)
            folded = " ".join(result.output.split())
            assert "no-such-bucket" in folded and "does not exist" in folded, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
    finally:
        get_settings.cache_clear()


async def test_s3_job_failure_is_recorded(s3_settings: Settings) -> None:
    from mtg_tracker.kit.scheduler import Scheduler

    bad = _with_backup(s3_settings, s3_url="s3://no-such-bucket/prefix")
    job_db = Database(bad)
    try:
        run = await Scheduler(job_db, bad).run_now("ops.backup")
    finally:
        await job_db.dispose()
    assert run is not None and run.status == "failed"
    assert "no-such-bucket" in (run.error or "") and "does not exist" in (run.error or "")
