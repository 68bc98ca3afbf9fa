"""``mtg-tracker backup …``: verified backups of the configured database to MTG_BACKUP__DIR or
MTG_BACKUP__S3_URL. Exit codes: 1 a backup failed (or did not verify), 2 usage or an unusable target (missing
bucket, refused credentials)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from mtg_tracker.kit.cli import console, quiet_settings
from mtg_tracker.kit.errors import AppError
from mtg_tracker.ops import backup
from mtg_tracker.ops.s3store import BackupTargetError

app = typer.Typer(help="Verified backups: create, list, verify by restoring, restore, prune.", no_args_is_help=True)
T = TypeVar("T")

BackupId = Annotated[str | None, typer.Argument(help="Backup id (see `backup list`); omit with --latest.")]
Latest = Annotated[bool, typer.Option("--latest", help="The newest backup.")]


def _pick(backup_id: str | None, latest: bool) -> str | None:
    if (backup_id is None) == latest:  # exactly one of the two
        return backup_id
    console.print("[red]Give a backup id or --latest (one of them).[/]")
    raise typer.Exit(2)


def _step(label: str, fn: Callable[[], T]) -> T:
    """Run one long step under a spinner; an expected failure is a message and exit code 1 (2 when the
    backup target itself cannot be used)."""
    try:
        with console.status(f"[bold]{label}…"):
            return fn()
    except BackupTargetError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    except AppError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return str(n)


def _summary(manifest: backup.Manifest) -> Table:
    table = Table("backup", "value", title=f"Backup {manifest.id}")
    table.add_row("backend", manifest.backend)
    table.add_row("file", manifest.file)
    table.add_row("size", _size(manifest.size_bytes))
    table.add_row("schema", ",".join(manifest.schema_revisions) or "none")
    table.add_row("tables / rows", f"{len(manifest.tables)} / {sum(t.rows for t in manifest.tables.values()):,}")
    table.add_row("duration", f"{manifest.duration_seconds:.1f} s")
    verification = manifest.verification
    table.add_row("verified", "not yet" if verification is None else ("ok" if verification.ok else "FAILED"))
    if verification is not None and not verification.ok:
        table.add_row("problems", verification.detail)
    return table


@app.command("create")
def create(
    verify: Annotated[bool, typer.Option(help="Verify the new backup right away by restoring it.")] = False,
) -> None:
    """Back up the configured database (SQLite online backup API, or pg_dump -Fc) with a manifest."""
    settings = quiet_settings()
    manifest = _step("Creating backup", lambda: backup.create_backup(settings))
    if verify:
        manifest = _step(
            "Verifying (restoring into a scratch database)", lambda: backup.verify_backup(settings, manifest.id)
        )
    Console().print(_summary(manifest))
    if manifest.verification is not None and not manifest.verification.ok:
        raise typer.Exit(1)


@app.command("list")
def list_() -> None:
    """The backups of MTG_BACKUP__DIR, oldest first."""
    settings = quiet_settings()
    backups = _step("Listing", lambda: backup.list_backups(settings))
    table = Table("id", "created (UTC)", "backend", "size", "schema", "verified")
    for m in backups:
        v = m.verification
        verified = "no" if v is None else (f"ok {v.at:%Y-%m-%d %H:%M}" if v.ok else "FAILED")
        table.add_row(
            m.id,
            f"{m.created_at:%Y-%m-%d %H:%M:%S}",
            m.backend,
            _size(m.size_bytes),
            ",".join(m.schema_revisions),
            verified,
        )
    Console().print(table)
    console.print(f"{len(backups)} backup(s) in {backup.target_name(settings)}")


@app.command("verify")
def verify(backup_id: BackupId = None, latest: Latest = False) -> None:
    """Check the file's SHA-256, restore it into a scratch database, compare every table with the manifest."""
    settings = quiet_settings()
    chosen = _pick(backup_id, latest)
    manifest = _step("Verifying (restoring into a scratch database)", lambda: backup.verify_backup(settings, chosen))
    Console().print(_summary(manifest))
    if manifest.verification is None or not manifest.verification.ok:
        raise typer.Exit(1)


@app.command("restore")
def restore(
    backup_id: BackupId = None,
    latest: Latest = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a database that has tables.")] = False,
) -> None:
    """Replace the configured database with a backup, then migrate it to this code's schema. Stop the
    service first: open connections would keep using the old database."""
    settings = quiet_settings()
    chosen = _pick(backup_id, latest)
    result = _step("Restoring", lambda: backup.restore_backup(settings, chosen, force=force))
    console.print(f"[green]Restored backup {result.manifest.id}[/] and migrated it to the code's schema")
    for path in result.moved_aside:
        console.print(f"  previous file kept as {path}")


@app.command("prune")
def prune() -> None:
    """Delete backups outside the retention (MTG_BACKUP__KEEP_DAILY/WEEKLY/MONTHLY); the newest always stays."""
    settings = quiet_settings()
    deleted = _step("Pruning", lambda: backup.prune_backups(settings))
    table = Table("deleted", "kept")
    table.add_row(str(len(deleted)), str(len(_step("Listing", lambda: backup.list_backups(settings)))))
    Console().print(table)
