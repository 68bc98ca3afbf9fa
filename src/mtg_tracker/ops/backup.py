"""Verified backups to a local directory or an S3-compatible bucket: create, list, verify by restoring,
restore, prune.

Each backup is one file plus a JSON manifest beside it. The manifest records, per table, the row count and
a SHA-256 over every row in primary-key order, taken from the very snapshot the file holds (the SQLite copy
itself; for PostgreSQL the exported snapshot ``pg_dump --snapshot`` dumps), so a backup made while the
service writes still verifies exactly. Verification restores into a scratch database and compares.

With MTG_BACKUP__S3_URL the bucket holds the files and manifests; a backup is made in a staging directory
(MTG_BACKUP__DIR) and uploaded, and verify/restore download it to a temporary directory there first.

The work is blocking (file copies, subprocesses); the job runs it in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, field_validator
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from mtg_tracker import __version__
from mtg_tracker.config import Settings
from mtg_tracker.kit import metrics, migrations
from mtg_tracker.kit.db import Database, sqlite_file
from mtg_tracker.kit.errors import AppError
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.ops import retention
from mtg_tracker.ops.s3store import BackupTargetError, S3Store

log = get_logger("mtg_tracker.ops.backup")


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program on PATH (its major version should be the server's or newer)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"`{name}` was not found on PATH: install the PostgreSQL client programs.")
    return found


_CHUNK = 1024 * 1024
_ROWS_PER_FETCH = 2000


class BackupError(AppError):
    status_code = 409
    code = "backup_failed"


class TableDigest(BaseModel):
    rows: int
    sha256: str


class Verification(BaseModel):
    ok: bool
    at: datetime
    detail: str


class Manifest(BaseModel):
    id: str
    created_at: datetime
    backend: Literal["sqlite", "postgresql"]
    app_version: str
    schema_revisions: list[str]
    tables: dict[str, TableDigest]
    file: str
    size_bytes: int
    sha256: str
    duration_seconds: float
    verification: Verification | None = None

    @field_validator("file")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # Prune deletes this name inside the backup directory: an edited manifest must not reach outside it.
        if not value or Path(value).name != value or value in (".", ".."):
            raise ValueError("must be a file name inside the backup directory")
        return value


@dataclass
class RestoreResult:
    manifest: Manifest
    moved_aside: list[Path]


def backup_dir(settings: Settings) -> Path:
    """MTG_BACKUP__DIR, or ``backups`` under the data directory (./var/backups by default)."""
    return (settings.backup.dir or Path(settings.data_dir) / "backups").expanduser()


def _s3(settings: Settings) -> S3Store | None:
    return S3Store(settings.backup) if settings.backup.s3_url else None


def target_name(settings: Settings) -> str:
    """Where the backups are, for messages: the s3:// URL or the local directory."""
    return settings.backup.s3_url or str(backup_dir(settings))


@contextlib.contextmanager
def _fetched(settings: Settings, name: str) -> Iterator[Path | None]:
    """A local path of the backup file ``name`` (downloaded from the bucket into a temporary directory that
    is removed afterwards), or None when it does not exist."""
    store = _s3(settings)
    if store is None:
        path = backup_dir(settings) / name
        yield path if path.exists() else None
        return
    staging = backup_dir(settings)
    staging.mkdir(parents=True, exist_ok=True)
    # Beside the local backups rather than in /tmp: a database can be larger than a tmpfs.
    with tempfile.TemporaryDirectory(dir=staging, prefix=".downloading-") as tmp:
        path = Path(tmp) / name
        yield path if store.download(name, path) else None


def _backend(settings: Settings) -> Literal["sqlite", "postgresql"]:
    return "sqlite" if settings.is_sqlite else "postgresql"


def new_backup_id(now: datetime) -> str:
    """Sortable as text in time order; milliseconds keep two backups in one second apart."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.") + f"{now.microsecond // 1000:03d}Z"


# --- manifests --------------------------------------------------------------------------------------------


def _manifest_path(directory: Path, backup_id: str) -> Path:
    return directory / f"{backup_id}.json"


def _write_manifest(settings: Settings, manifest: Manifest) -> None:
    store = _s3(settings)
    if store is not None:
        store.write_text(f"{manifest.id}.json", manifest.model_dump_json(indent=2))  # one PUT: atomic
        return
    directory = backup_dir(settings)
    # Write then rename: a crash mid-write must not leave a manifest that no longer parses.
    path = _manifest_path(directory, manifest.id)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(manifest.model_dump_json(indent=2))
    os.replace(tmp, path)


def list_backups(settings: Settings) -> list[Manifest]:
    """Every backup of the directory (or bucket), oldest first; unreadable manifests are skipped with a
    warning."""
    store = _s3(settings)
    texts: list[tuple[str, str]] = []
    if store is not None:
        texts = [(name, store.read_text(name)) for name in store.names(".json")]
    else:
        directory = backup_dir(settings)
        if not directory.is_dir():
            return []
        texts = [(path.name, path.read_text()) for path in sorted(directory.glob("*.json"))]
    found: list[Manifest] = []
    for name, content in texts:
        try:
            found.append(Manifest.model_validate_json(content))
        except ValueError as exc:
            log.warning("backup_manifest_unreadable", file=name, error=str(exc)[:200])
    return sorted(found, key=lambda m: m.id)


def get_manifest(settings: Settings, backup_id: str | None) -> Manifest:
    """The backup ``backup_id``, or the newest when it is None."""
    backups = list_backups(settings)
    if not backups:
        raise BackupError(f"no backups in {target_name(settings)}")
    if backup_id is None:
        return backups[-1]
    for manifest in backups:
        if manifest.id == backup_id:
            return manifest
    raise BackupError(f"no backup {backup_id!r}")


# --- checksums ----------------------------------------------------------------------------------------------


def _user_tables(conn: Connection) -> list[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    return [r[0] for r in conn.execute(text(sql))]


def table_digests(conn: Connection) -> dict[str, TableDigest]:
    """Row count and SHA-256 of every row, in primary-key order, of each table.

    Values are hashed through ``repr`` of what the driver returns: stable for one backend, which is all a
    backup of that backend is compared with.
    """
    quote = conn.dialect.identifier_preparer.quote
    inspector = inspect(conn)
    digests: dict[str, TableDigest] = {}
    for table in _user_tables(conn):
        try:
            pk = inspector.get_pk_constraint(table).get("constrained_columns") or []
        except Exception:  # noqa: BLE001 - virtual tables (FTS5) have no reflectable constraints
            pk = []
        if pk:
            order = ", ".join(quote(c) for c in pk)
        elif conn.dialect.name == "sqlite":
            order = "rowid"
        else:
            order = ", ".join(str(i + 1) for i in range(len(inspector.get_columns(table))))
        digest = hashlib.sha256()
        rows = 0
        result = conn.execution_options(stream_results=True, yield_per=_ROWS_PER_FETCH).execute(
            # B608: table and column names come from the database's own catalog (reflection), quoted
            text(f"SELECT * FROM {quote(table)} ORDER BY {order}")  # noqa: S608  # nosec B608
        )
        for row in result:
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
            rows += 1
        digests[table] = TableDigest(rows=rows, sha256=digest.hexdigest())
    return digests


def _schema_revisions(conn: Connection) -> list[str]:
    if "alembic_version" not in _user_tables(conn):
        return []
    return sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _compare(manifest: Manifest, actual: dict[str, TableDigest]) -> list[str]:
    problems: list[str] = []
    for table in sorted(set(manifest.tables) | set(actual)):
        want, have = manifest.tables.get(table), actual.get(table)
        if want is None or have is None:
            problems.append(f"{table}: {'missing from the restore' if have is None else 'not in the manifest'}")
        elif want.rows != have.rows:
            problems.append(f"{table}: {have.rows} rows, manifest says {want.rows}")
        elif want.sha256 != have.sha256:
            problems.append(f"{table}: checksum differs")
    return problems


# --- SQLite -------------------------------------------------------------------------------------------------


def _sqlite_engine_url(path: Path) -> str:
    return f"sqlite:///{path}"


@contextlib.contextmanager
def _sync_connection(url: str | URL, **options: Any) -> Iterator[Connection]:
    engine = create_engine(url, **options)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _sqlite_integrity(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    if [tuple(r) for r in result] != [("ok",)]:
        raise BackupError(f"integrity_check failed: {'; '.join(str(r[0]) for r in result[:5])}")


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API (one step: the source stays writable for
    others except for the moment of the copy, and a write cannot tear it)."""
    if not source.exists():
        raise BackupError(f"the database file {source} does not exist")
    src = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _gzip(source: Path, target: Path) -> None:
    with source.open("rb") as fin, gzip.open(target, "wb", compresslevel=6) as fout:
        shutil.copyfileobj(fin, fout, _CHUNK)


def _gunzip(source: Path, target: Path) -> None:
    with gzip.open(source, "rb") as fin, target.open("wb") as fout:
        shutil.copyfileobj(fin, fout, _CHUNK)


def _create_sqlite(settings: Settings, directory: Path, backup_id: str) -> tuple[Path, list[str], dict[str, Any]]:
    source = sqlite_file(settings.database_url)
    if source is None:
        raise BackupError("only a file-backed SQLite database can be backed up")
    target = directory / f"{backup_id}.sqlite.gz"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".creating-") as tmp:
        copy = Path(tmp) / "copy.db"
        _sqlite_snapshot(source, copy)
        _sqlite_integrity(copy)
        with _sync_connection(_sqlite_engine_url(copy)) as conn:
            revisions = _schema_revisions(conn)
            digests = table_digests(conn)
        partial = Path(tmp) / target.name
        _gzip(copy, partial)
        os.replace(partial, target)
    return target, revisions, dict(digests)


def _verify_sqlite(file: Path) -> dict[str, TableDigest]:
    # Beside the backups rather than in /tmp: a database can be larger than a tmpfs.
    with tempfile.TemporaryDirectory(dir=file.parent, prefix=".verifying-") as tmp:
        copy = Path(tmp) / "verify.db"
        _gunzip(file, copy)
        _sqlite_integrity(copy)
        with _sync_connection(_sqlite_engine_url(copy)) as conn:
            return table_digests(conn)


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchall())
    finally:
        conn.close()


def _restore_sqlite(settings: Settings, file: Path) -> list[Path]:
    target = sqlite_file(settings.database_url)
    if target is None:
        raise BackupError("only a file-backed SQLite database can be restored")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same directory as the target, so the final rename is atomic (one filesystem).
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restoring-")
    os.close(fd)
    tmp = Path(tmp_name)
    moved: list[Path] = []
    try:
        _gunzip(file, tmp)
        _sqlite_integrity(tmp)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        # The old WAL belongs to the old file: left in place, SQLite would replay it into the restored one.
        for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            if old.exists():
                aside = old.with_name(f"{old.name}.pre-restore-{stamp}")
                os.replace(old, aside)
                moved.append(aside)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return moved


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _libpq(url: str | URL) -> tuple[str, dict[str, str]]:
    """The libpq URL (``postgresql://``) without the password, and an environment carrying it: a password
    on the command line would be visible to every user in the process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed binaries
    if proc.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr.strip()[:500]}")


def _create_postgresql(settings: Settings, directory: Path, backup_id: str) -> tuple[Path, list[str], dict[str, Any]]:
    target = directory / f"{backup_id}.pgdump"
    partial = directory / f".{backup_id}.pgdump.partial"
    libpq_url, env = _libpq(settings.database_url)
    with _sync_connection(settings.database_url, isolation_level="REPEATABLE READ") as conn:
        # pg_dump dumps the snapshot this transaction exported, and the digests are read in the same
        # transaction: file and manifest describe one moment even while the service writes.
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        try:
            _run(
                [_pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(partial), libpq_url], env
            )
            revisions = _schema_revisions(conn)
            digests = table_digests(conn)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        conn.rollback()
    os.replace(partial, target)
    return target, revisions, dict(digests)


@contextlib.contextmanager
def _scratch_postgresql(settings: Settings) -> Iterator[URL]:
    base = make_url(settings.database_url)
    name = f"mtg_verify_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _verify_postgresql(settings: Settings, file: Path) -> dict[str, TableDigest]:
    with _scratch_postgresql(settings) as scratch:
        libpq_url, env = _libpq(scratch)
        _run([_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", libpq_url, str(file)], env)
        with _sync_connection(scratch) as conn:
            return table_digests(conn)


def _postgresql_has_tables(settings: Settings) -> bool:
    with _sync_connection(settings.database_url) as conn:
        return bool(_user_tables(conn))


def _drop_all_tables(settings: Settings) -> list[str]:
    """Drop every table first: ``pg_restore --clean`` drops only what the dump holds, so a table or foreign
    key from a newer migration would block its drops and then the upgrade after the restore."""
    with _sync_connection(settings.database_url) as conn:
        quote = conn.dialect.identifier_preparer.quote
        tables = _user_tables(conn)
        if tables:
            conn.execute(text(f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE"))
        conn.commit()
    return tables


def _restore_postgresql(settings: Settings, file: Path) -> None:
    libpq_url, env = _libpq(settings.database_url)
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            libpq_url,
            str(file),
        ],
        env,
    )


# --- the operations -----------------------------------------------------------------------------------------


def create_backup(settings: Settings) -> Manifest:
    """Write a backup of the configured database and its manifest; returns the manifest (unverified)."""
    started = time.monotonic()
    store = _s3(settings)
    if store is not None:
        store.check()  # a missing bucket or refused credentials fail before the database is read
    directory = backup_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if store is not None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=directory, prefix=".uploading-")))
        manifest = _create_in(settings, directory, started)
        if store is not None:
            store.upload(directory / manifest.file, manifest.file)
            manifest.duration_seconds = round(time.monotonic() - started, 3)
    _write_manifest(settings, manifest)
    log.info(
        "backup_created",
        backup=manifest.id,
        size_bytes=manifest.size_bytes,
        tables=len(manifest.tables),
        target=target_name(settings),
    )
    return manifest


def _create_in(settings: Settings, directory: Path, started: float) -> Manifest:
    now = datetime.now(UTC)
    backup_id = new_backup_id(now)
    backend = _backend(settings)
    if backend == "sqlite":
        file, revisions, digests = _create_sqlite(settings, directory, backup_id)
    else:
        file, revisions, digests = _create_postgresql(settings, directory, backup_id)
    return Manifest(
        id=backup_id,
        created_at=now,
        backend=backend,
        app_version=__version__,
        schema_revisions=revisions,
        tables=digests,
        file=file.name,
        size_bytes=file.stat().st_size,
        sha256=_file_sha256(file),
        duration_seconds=round(time.monotonic() - started, 3),
    )


def verify_backup(settings: Settings, backup_id: str | None) -> Manifest:
    """Restore a backup into a scratch database and compare it with its manifest; the result is recorded
    in the manifest (a failed verification is recorded too, and returned, not raised)."""
    manifest = get_manifest(settings, backup_id)
    problems: list[str] = []
    with _fetched(settings, manifest.file) as file:
        if file is None:
            problems.append(f"file {manifest.file} is missing")
        elif _file_sha256(file) != manifest.sha256:
            problems.append("file SHA-256 differs from the manifest")
        else:
            try:
                if manifest.backend == "sqlite":
                    actual = _verify_sqlite(file)
                else:
                    if settings.is_sqlite:
                        raise BackupError("a PostgreSQL backup is verified with a PostgreSQL MTG_DATABASE_URL")
                    actual = _verify_postgresql(settings, file)
                problems.extend(_compare(manifest, actual))
            except BackupTargetError:
                raise
            except BackupError as exc:
                problems.append(exc.message)
    ok = not problems
    detail = "restored; every table's row count and checksum match" if ok else "; ".join(problems)[:2000]
    manifest.verification = Verification(ok=ok, at=datetime.now(UTC), detail=detail)
    _write_manifest(settings, manifest)
    log.info("backup_verified", backup=manifest.id, ok=ok, detail=detail[:200])
    return manifest


def restore_backup(settings: Settings, backup_id: str | None, *, force: bool = False) -> RestoreResult:
    """Replace the configured database with a backup, then migrate it to the code's head.

    Refuses a backup of another backend, one whose schema the code does not know (newer than the code),
    one whose file no longer matches its checksum, and a target that has tables unless ``force``.
    """
    manifest = get_manifest(settings, backup_id)
    if manifest.backend != _backend(settings):
        raise BackupError(f"backup {manifest.id} is {manifest.backend}; the configured database is not")
    unknown = set(manifest.schema_revisions) - migrations.known_revisions()
    if unknown:
        raise BackupError(
            f"backup {manifest.id} has schema {','.join(sorted(unknown))}, newer than this code: "
            "restore it with the version that made it"
        )
    with _fetched(settings, manifest.file) as file:
        if file is None or _file_sha256(file) != manifest.sha256:
            raise BackupError(f"backup {manifest.id}: the file is missing or does not match its SHA-256")
        moved = _restore_file(settings, manifest, file, force=force)
    log.info("backup_restored", backup=manifest.id, moved_aside=[p.name for p in moved])
    return RestoreResult(manifest=manifest, moved_aside=moved)


def _restore_file(settings: Settings, manifest: Manifest, file: Path, *, force: bool) -> list[Path]:
    moved: list[Path] = []
    if manifest.backend == "sqlite":
        target = sqlite_file(settings.database_url)
        if target is not None and _sqlite_has_tables(target) and not force:
            raise BackupError("the database has tables; pass --force to replace it")
        moved = _restore_sqlite(settings, file)
    else:
        if _postgresql_has_tables(settings) and not force:
            raise BackupError("the database has tables; pass --force to replace it")
        # Reached only for an empty database or with force: the old tables go, in one transaction.
        _drop_all_tables(settings)
        _restore_postgresql(settings, file)
    # An older backup is migrated forward so the restored database matches the running code.
    migrations.upgrade(settings)
    return moved


def prune_backups(settings: Settings) -> list[str]:
    """Delete the backups the retention policy does not keep; returns their ids.

    Retention counts buckets that hold backups, not calendar time: a job stopped for a month never
    empties the directory when it resumes.
    """
    backups = list_backups(settings)
    policy = retention.Policy(
        daily=settings.backup.keep_daily, weekly=settings.backup.keep_weekly, monthly=settings.backup.keep_monthly
    )
    kept = retention.keep(((m.id, m.created_at) for m in backups), policy)
    directory = backup_dir(settings)
    store = _s3(settings)
    deleted: list[str] = []
    for manifest in backups:
        if manifest.id in kept:
            continue
        if store is not None:
            store.delete(manifest.file)
            store.delete(f"{manifest.id}.json")
        else:
            (directory / manifest.file).unlink(missing_ok=True)
            _manifest_path(directory, manifest.id).unlink(missing_ok=True)
        deleted.append(manifest.id)
    if deleted:
        log.info("backups_pruned", deleted=len(deleted), kept=len(kept))
    return deleted


def record_metrics(manifest: Manifest) -> None:
    metrics.BACKUP_SIZE.set(manifest.size_bytes)
    metrics.BACKUP_DURATION.set(manifest.duration_seconds)
    if manifest.verification is not None and manifest.verification.ok:
        metrics.BACKUP_LAST_SUCCESS.set(manifest.created_at.timestamp())


def health_detail(settings: Settings) -> dict[str, Any]:
    """What /health/detailed says about backups: the newest one's age and whether it verified."""
    try:
        backups = list_backups(settings)
    except BackupTargetError as exc:
        return {"status": "target_unavailable", "enabled": settings.backup.enabled, "error": exc.message}
    if not backups:
        return {"status": "none", "enabled": settings.backup.enabled, "count": 0}
    newest = backups[-1]
    verified = [m for m in backups if m.verification is not None and m.verification.ok]
    outcome = {None: "unverified", True: "ok", False: "verification_failed"}
    status = outcome[newest.verification.ok if newest.verification is not None else None]
    return {
        "status": status,
        "enabled": settings.backup.enabled,
        "count": len(backups),
        "newest_id": newest.id,
        "newest_age_seconds": round((datetime.now(UTC) - newest.created_at).total_seconds(), 1),
        "newest_verified_age_seconds": (
            round((datetime.now(UTC) - verified[-1].created_at).total_seconds(), 1) if verified else None
        ),
        "newest_size_bytes": newest.size_bytes,
    }


async def health_detail_provider(db: Database) -> dict[str, Any]:
    """The DETAIL_PROVIDERS entry: reading manifests is file I/O, kept off the event loop."""
    return await asyncio.to_thread(health_detail, db.settings)
