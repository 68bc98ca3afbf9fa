"""Shared pieces of the command line: settings loading with readable errors, the stderr console."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from mtg_tracker.config import Settings, get_settings
from mtg_tracker.kit import sqlitelib

console = Console(stderr=True)
T = TypeVar("T")


def load_settings() -> Settings:
    """Settings, or a readable message and exit code 2: a bad variable must not look like a crash."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        console.print("[bold red]Invalid configuration:[/]")
        for err in exc.errors():
            loc = "__".join(str(p) for p in err["loc"]).upper()
            name = f"MTG_{loc}" if loc else "MTG_*"
            console.print(f"  {name}: {err['msg']}")
        raise typer.Exit(2) from None
    if settings.database_url.startswith("sqlite"):
        try:
            sqlitelib.check()
        except sqlitelib.UnsupportedSQLiteError as exc:
            console.print(f"[bold red]Unsupported SQLite:[/] {exc}")
            raise typer.Exit(2) from None
    return settings


def quiet_settings() -> Settings:
    """Settings for a command that draws progress bars: info logs would tear them, so only warnings."""
    settings = load_settings()
    from mtg_tracker.kit.logging import configure_logging

    configure_logging("WARNING" if settings.log.level == "INFO" else settings.log.level, settings.log.format)
    return settings


def require_database(settings: Settings) -> None:
    """Exit with a readable message when the SQLite file does not exist: only `db upgrade` creates it."""
    from mtg_tracker.kit.db import sqlite_file

    path = sqlite_file(settings.database_url) if settings.database_url.startswith("sqlite") else None
    if path is not None and not path.exists():
        console.print(f"[bold red]No database at {path}.[/] Create it with `mtg-tracker db upgrade` (or `make run`).")
        raise typer.Exit(2)


def run_with_db(settings: Settings, fn: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``fn(database)`` on a fresh event loop and dispose of the engines afterwards."""
    from mtg_tracker.kit.db import Database

    require_database(settings)

    async def _main() -> T:
        db = Database(settings)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(_main())


def byte_progress() -> Progress:
    """The progress bar of commands that stream a file: bytes read of the file on disk, speed, time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
