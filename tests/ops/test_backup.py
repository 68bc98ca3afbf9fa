"""Verified backups on SQLite and PostgreSQL: create under writes, verify, wipe, restore, compare."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mtg_tracker.catalog import demo
from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.config import BackupSettings, Settings
from mtg_tracker.kit.db import Base, Database, sqlite_file, utcnow
from mtg_tracker.kit.scheduler import JobRun
from mtg_tracker.ops import backup
from support import OPS_HEADERS

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _sync_url(settings: Settings) -> str:
    return settings.database_url.replace("+aiosqlite", "")


def _digests(settings: Settings) -> dict[str, backup.TableDigest]:
    engine = create_engine(_sync_url(settings))
    try:
        with engine.connect() as conn:
            return backup.table_digests(conn)
    finally:
        engine.dispose()


def _wipe(settings: Settings) -> None:
    """Lose the database: delete the SQLite file, or drop every table of the PostgreSQL one."""
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


async def _insert_job_runs(db: Database, stop: asyncio.Event) -> int:
    """Keep writing while the backup runs: each row its own transaction, like the running service."""
    written = 0
    while not stop.is_set():
        async with db.session_scope() as session:
            now = utcnow()
            session.add(
                JobRun(
                    job_name="test.writer",
                    slot=now + timedelta(microseconds=written),
                    trigger="manual",
                    status="succeeded",
                    instance="test",
                    started_at=now,
                )
            )
        written += 1
        await asyncio.sleep(0)
    return written


async def _seed(db: Database) -> None:
    await import_sets(db, demo.SETS_PATH)
    await import_cards(db, demo.CARDS_PATH)


async def test_backup_under_writes_verifies_and_restores_exactly(db: Database, settings: Settings) -> None:
    await _seed(db)
    stop = asyncio.Event()
    writer = asyncio.create_task(_insert_job_runs(db, stop))
    await asyncio.sleep(0.05)
    manifest = await asyncio.to_thread(backup.create_backup, settings)
    await asyncio.sleep(0.05)
    stop.set()
    written = await writer
    assert written > 0
    await db.dispose()

    assert manifest.backend == ("sqlite" if settings.is_sqlite else "postgresql")
    assert manifest.tables["catalog_card"].rows > 100
    assert manifest.tables["job_run"].rows > 0  # some of the concurrent writes made it into the snapshot
    assert (backup.backup_dir(settings) / manifest.file).stat().st_size == manifest.size_bytes
    assert manifest.schema_revisions
    # The writes after the snapshot are in the live database, not in the backup.
    assert _digests(settings)["job_run"].rows > manifest.tables["job_run"].rows

    verified = await asyncio.to_thread(backup.verify_backup, settings, None)
    assert verified.verification is not None and verified.verification.ok, verified.verification
    listed = backup.list_backups(settings)
    assert [m.id for m in listed] == [manifest.id] and listed[0].verification is not None

    _wipe(settings)
    await asyncio.to_thread(backup.restore_backup, settings, manifest.id)
    restored = _digests(settings)
    for table, digest in manifest.tables.items():
        assert restored[table] == digest, table
    assert set(restored) == set(manifest.tables)


async def test_restore_refuses_a_database_with_tables_without_force(db: Database, settings: Settings) -> None:
    await _seed(db)
    await db.dispose()
    manifest = await asyncio.to_thread(backup.create_backup, settings)
    with pytest.raises(backup.BackupError, match="--force"):
        await asyncio.to_thread(backup.restore_backup, settings, manifest.id)
    result = await asyncio.to_thread(lambda: backup.restore_backup(settings, manifest.id, force=True))
    if settings.is_sqlite:
        assert result.moved_aside and result.moved_aside[0].exists()
    restored = _digests(settings)
    assert all(restored[t] == d for t, d in manifest.tables.items())


async def test_restore_refuses_a_backup_newer_than_the_code(db: Database, settings: Settings) -> None:
    await db.dispose()
    manifest = await asyncio.to_thread(backup.create_backup, settings)
    path = backup.backup_dir(settings) / f"{manifest.id}.json"
    data = json.loads(path.read_text())
    data["schema_revisions"] = ["2099_from_the_future"]
    path.write_text(json.dumps(data))
    # Refused before anything is touched, --force or not (the PostgreSQL test database is shared: kept whole).
    with pytest.raises(backup.BackupError, match="newer than this code"):
        await asyncio.to_thread(lambda: backup.restore_backup(settings, manifest.id, force=True))


async def test_verify_detects_a_tampered_manifest_and_file(db: Database, settings: Settings) -> None:
    await db.dispose()
    manifest = await asyncio.to_thread(backup.create_backup, settings)
    path = backup.backup_dir(settings) / f"{manifest.id}.json"
    data = json.loads(path.read_text())
    data["tables"]["alembic_version"]["rows"] = 7
    path.write_text(json.dumps(data))
    bad = await asyncio.to_thread(backup.verify_backup, settings, manifest.id)
    assert bad.verification is not None and not bad.verification.ok
    assert "alembic_version: 1 rows, manifest says 7" in bad.verification.detail

    (backup.backup_dir(settings) / manifest.file).write_bytes(b"not a backup")
    bad = await asyncio.to_thread(backup.verify_backup, settings, manifest.id)
    assert bad.verification is not None and "SHA-256" in bad.verification.detail


def test_cli_create_list_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from mtg_tracker.cli import app
    from mtg_tracker.config import get_settings

    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MTG_ENVIRONMENT", "test")
    monkeypatch.setenv("COLUMNS", "200")  # rich would wrap the table cells on a narrow pseudo-terminal
    monkeypatch.setenv("MTG_BACKUP__DIR", str(tmp_path / "cli-backups"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        created = runner.invoke(app, ["backup", "create"])
        assert created.exit_code == 0, created.output
        assert "Backup " in created.output and "not yet" in created.output
        listed = runner.invoke(app, ["backup", "list"])
        assert listed.exit_code == 0, listed.output
        assert " no " in listed.output or "│ no" in listed.output
        verified = runner.invoke(app, ["backup", "verify", "--latest"])
        assert verified.exit_code == 0, verified.output
        assert "ok" in verified.output
        listed = runner.invoke(app, ["backup", "list"])
        assert "ok 20" in listed.output
        both = runner.invoke(app, ["backup", "verify", "x", "--latest"])
        assert both.exit_code == 2
        assert len(list((tmp_path / "cli-backups").glob("*.json"))) == 1
    finally:
        get_settings.cache_clear()


def test_every_table_is_covered_by_the_manifest(settings: Settings) -> None:
    manifest = backup.create_backup(settings)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(manifest.tables)


async def test_daily_job_creates_verifies_prunes_and_reports(
    settings: Settings, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    from mtg_tracker.jobs import REGISTRY
    from mtg_tracker.kit import metrics
    from mtg_tracker.kit.scheduler import Scheduler

    detail = (await client.get("/health/detailed", headers=OPS_HEADERS)).json()
    assert detail["components"]["backups"]["status"] == "none"

    assert REGISTRY["ops.backup"].cron == "30 2 * * *"
    job_settings = settings.model_copy(update={"backup": BackupSettings(keep_daily=1, keep_weekly=0, keep_monthly=0)})
    job_db = Database(job_settings)
    try:
        scheduler = Scheduler(job_db, job_settings)
        for _ in range(2):
            run = await scheduler.run_now("ops.backup")
            assert run is not None and run.status == "succeeded", run.error if run else None
    finally:
        await job_db.dispose()
    backups = backup.list_backups(settings)
    # Two backups on one day with keep_daily=1: the older one is pruned, the newest is verified.
    assert len(backups) == 1 and backups[0].verification is not None and backups[0].verification.ok
    assert metrics.BACKUP_LAST_SUCCESS._value.get() == pytest.approx(backups[0].created_at.timestamp())
    assert metrics.BACKUP_SIZE._value.get() == backups[0].size_bytes

    detail = (await client.get("/health/detailed", headers=OPS_HEADERS)).json()
    component = detail["components"]["backups"]
    assert component["status"] == "ok" and component["newest_id"] == backups[0].id
    assert 0 <= component["newest_age_seconds"] < 600

    disabled = settings.model_copy(update={"backup": BackupSettings(enabled=False)})
    off_db = Database(disabled)
    try:
        run = await Scheduler(off_db, disabled).run_now("ops.backup")
    finally:
        await off_db.dispose()
    assert run is not None and run.status == "succeeded" and "skipped" in (run.result or "")
    assert len(backup.list_backups(settings)) == 1


def test_a_manifest_naming_a_file_outside_the_directory_is_ignored(settings: Settings) -> None:
    manifest = backup.create_backup(settings)
    path = backup.backup_dir(settings) / f"{manifest.id}.json"
    data = json.loads(path.read_text())
    data["file"] = "../../mtg-tracker.db"
    path.write_text(json.dumps(data))
    assert backup.list_backups(settings) == []
    assert backup.prune_backups(settings) == []


async def test_an_older_backup_is_migrated_forward_on_restore(db: Database, settings: Settings) -> None:
    from mtg_tracker.kit import migrations

    await db.dispose()
    await asyncio.to_thread(migrations.downgrade, settings, "-1")
    manifest = await asyncio.to_thread(backup.create_backup, settings)
    assert manifest.schema_revisions and set(manifest.schema_revisions) != migrations.head_revisions()
    # The live database moves on to the newest schema (plus a table no backup knows); the older backup
    # still restores over it.
    await asyncio.to_thread(migrations.upgrade, settings)
    engine = create_engine(_sync_url(settings))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE from_a_newer_migration (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    await asyncio.to_thread(lambda: backup.restore_backup(settings, manifest.id, force=True))
    fresh = Database(settings)
    try:
        assert await migrations.current_revisions(fresh) == migrations.head_revisions()
    finally:
        await fresh.dispose()
    assert "from_a_newer_migration" not in _digests(settings)
