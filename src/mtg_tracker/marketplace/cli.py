"""``mtg-tracker ledger …``: the marketplace ledger's integrity audit from the command line."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console

from mtg_tracker.kit.cli import quiet_settings, run_with_db
from mtg_tracker.marketplace import integrity

app = typer.Typer(help="The marketplace ledger: integrity audit.", no_args_is_help=True)


@app.command("audit")
def audit_cmd() -> None:
    """Run the integrity audit now and store it (as the nightly job does). Exits 0 when clean, 1 with
    findings (each printed), so cron or CI can alert on it."""
    settings = quiet_settings()

    async def run(db: Any) -> Any:
        return await integrity.run_and_store(db)

    result = run_with_db(settings, run)
    out = Console()
    report = integrity.report(result)
    for finding in report["findings"]:
        out.print(f"[red]{finding['check']}[/red]: {finding['detail']}")
    if result.finding_count > len(report["findings"]):
        out.print(f"… and {result.finding_count - len(report['findings'])} more")
    summary = f"{len(report['checks'])} checks, {result.finding_count} findings in {result.seconds:.2f} s"
    out.print(("[green]clean[/green]: " if not result.finding_count else "[red]drift[/red]: ") + summary)
    raise typer.Exit(1 if result.finding_count else 0)
