"""Shared pieces of the command line: settings loading with readable errors, the stderr console."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console

from mtg_tracker.config import Settings, get_settings

console = Console(stderr=True)


def load_settings() -> Settings:
    """Settings, or a readable message and exit code 2: a bad variable must not look like a crash."""
    try:
        return get_settings()
    except ValidationError as exc:
        console.print("[bold red]Invalid configuration:[/]")
        for err in exc.errors():
            loc = "__".join(str(p) for p in err["loc"]).upper()
            name = f"MTG_{loc}" if loc else "MTG_*"
            console.print(f"  {name}: {err['msg']}")
        raise typer.Exit(2) from None
