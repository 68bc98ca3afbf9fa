"""``mtg-tracker prices …``: backfill price history from files."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mtg_tracker.kit.cli import byte_progress, quiet_settings, run_with_db

app = typer.Typer(help="Price history: backfill from daily CSV files or MTGJSON.", no_args_is_help=True)
console = Console(stderr=True)


def detect_format(path: Path) -> Literal["csv", "mtgjson"] | None:
    """``.csv[.xz|.gz]`` is the daily CSV, ``.json[.xz|.gz]`` MTGJSON; anything else must be said."""
    name = path.name.lower()
    for suffix in ("", ".xz", ".lzma", ".gz"):
        if name.endswith(".csv" + suffix):
            return "csv"
        if name.endswith(".json" + suffix):
            return "mtgjson"
    return None


def _print_summary(summary: Any) -> None:
    out = Console()
    table = Table(title=f"Price backfill ({summary.format}): {summary.source}", show_header=False)
    days = f"{summary.first_day} → {summary.last_day}" if summary.first_day else "-"
    rows: list[tuple[str, Any]] = [
        ("rows read" if summary.format == "csv" else "MTGJSON cards read", summary.rows_read),
        ("price points written (printing × day)", summary.points_written),
        ("days", days),
        ("rows for unknown printings", summary.unknown_rows),
        ("unknown printings", summary.unknown_printings),
    ]
    if summary.format == "mtgjson":
        rows.append(("MTGJSON uuids without a Scryfall id", summary.unmapped_uuids))
    rows += [("bad rows", summary.bad_rows), ("seconds", f"{summary.seconds:.1f}")]
    for label, value in rows:
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    out.print(table)
    if summary.unknown_examples:
        out.print("Unknown printings (not in the catalog), e.g.:")
        for example in summary.unknown_examples[:10]:
            out.print(f"  {example}")
    if summary.bad_examples:
        out.print("Bad rows:")
        for line, reason in summary.bad_examples[:10]:
            out.print(f"  line {line}: {reason}" if summary.format == "csv" else f"  card {line}: {reason}")


@app.command("import")
def import_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            help="Daily CSV (updated_at,set,scryfall_id,…,finish,price_usd,…) or MTGJSON AllPrices/AllPricesToday "
            "(.json); plain, .gz or .xz."
        ),
    ],
    identifiers: Annotated[
        Path | None,
        typer.Option(help="MTGJSON AllPrintings or AllIdentifiers (maps MTGJSON uuids to Scryfall ids)."),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="auto (by file name) | csv | mtgjson.", case_sensitive=False)
    ] = "auto",
) -> None:
    """Merge historical prices into the price history; columns a file does not carry are kept."""
    from mtg_tracker.price.backfill import BackfillAborted, import_csv, import_mtgjson, load_identifiers

    settings = quiet_settings()
    kind = detect_format(path) if format == "auto" else format.lower()
    if kind not in ("csv", "mtgjson"):
        console.print(f"[red]Cannot tell the format of {path.name}; pass --format csv or --format mtgjson.[/]")
        raise typer.Exit(2)
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        raise typer.Exit(2)
    if kind == "mtgjson" and (identifiers is None or not identifiers.is_file()):
        console.print("[red]MTGJSON prices need --identifiers PATH (AllPrintings or AllIdentifiers).[/]")
        raise typer.Exit(2)

    async def run(db: Any) -> Any:
        with byte_progress() as progress:
            if kind == "csv":
                task = progress.add_task("Importing prices", total=path.stat().st_size)
                return await import_csv(db, path, progress=lambda n: progress.advance(task, n))
            assert identifiers is not None
            ids_task = progress.add_task("Reading identifiers", total=identifiers.stat().st_size)
            mapping = await asyncio.to_thread(load_identifiers, identifiers, lambda n: progress.advance(ids_task, n))
            task = progress.add_task("Importing prices", total=path.stat().st_size)
            return await import_mtgjson(db, path, mapping, progress=lambda n: progress.advance(task, n))

    try:
        summary = run_with_db(settings, run)
    except BackfillAborted as exc:
        console.print(f"[bold red]Backfill failed, the price history is unchanged:[/] {exc}")
        raise typer.Exit(1) from None
    _print_summary(summary)
    if summary.first_day is not None and summary.last_day is not None and summary.points_written:
        # A backfill's days get their movers as the daily job would have computed them.
        _compute_movers(settings, summary.first_day, summary.last_day)


def _compute_movers(settings: Any, first: date, last: date) -> dict[str, Any]:
    from mtg_tracker.price import movers

    async def run(db: Any) -> dict[str, Any]:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("Computing movers", total=(last - first).days + 1)
            return await movers.compute_days(
                db,
                first,
                last,
                top=settings.price.movers_top,
                min_price=settings.price.movers_min_price,
                progress=lambda d: progress.update(task, advance=1, description=f"Movers of {d.isoformat()}"),
            )

    result = run_with_db(settings, run)
    Console().print(f"Movers computed for {result['days']} day(s) with prices, {first} → {last}.")
    return result


@app.command("movers")
def movers_cmd(
    day: Annotated[str, typer.Option("--day", help="The day (YYYY-MM-DD) whose movers to compute.")],
    to: Annotated[str | None, typer.Option("--to", help="Also every later day up to this one.")] = None,
) -> None:
    """Compute and store the movers of a stored day (or a range), replacing what that day had."""
    settings = quiet_settings()
    try:
        first = date.fromisoformat(day)
        last = date.fromisoformat(to) if to else first
    except ValueError:
        console.print("[red]--day and --to must be dates (YYYY-MM-DD).[/]")
        raise typer.Exit(2) from None
    if last < first:
        console.print(f"[red]--to ({last}) is before --day ({first}).[/]")
        raise typer.Exit(2)
    result = _compute_movers(settings, first, last)
    if result["days"] == 0:
        console.print(f"[yellow]No price points on {first} → {last}: nothing to rank.[/]")
        raise typer.Exit(1)
