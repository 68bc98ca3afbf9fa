"""``mtg-tracker catalog …`` and ``mtg-tracker dev generate-catalog``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from mtg_tracker.config import Settings
from mtg_tracker.kit.cli import byte_progress, quiet_settings, run_with_db

app = typer.Typer(
    help="The card catalog: import Scryfall files, sync from Scryfall, load the demo.", no_args_is_help=True
)
dev_app = typer.Typer(help="Developer tools (benchmark data).", no_args_is_help=True)
console = Console(stderr=True)


def _print_card_summary(summary: Any) -> None:
    if summary.identical_to_import:
        console.print(
            f"[green]Identical to import #{summary.identical_to_import} for {summary.price_day}: nothing to change.[/] "
            "(--force processes it anyway)"
        )
    table = Table(title=f"Catalog import: {summary.source}", show_header=False)
    for label, value in (
        ("records read", summary.read),
        ("inserted", summary.inserted),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("skipped", summary.skipped),
        ("upgraded to the current schema", summary.upgraded),
        ("sets inserted / updated", f"{summary.sets_inserted} / {summary.sets_updated}"),
        (f"price points ({summary.price_day})", summary.prices_recorded),
        ("seconds", f"{summary.seconds:.1f}"),
        ("cards per second", f"{summary.read / summary.seconds:,.0f}" if summary.seconds else "-"),
    ):
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    Console().print(table)
    if summary.upgraded:
        # Which fields an older file lacked, so an operator sees what was derived or defaulted.
        fields = Table("field", "cards", title="Upgraded fields")
        for name, count in summary.upgraded_fields.most_common():
            fields.add_row(name, f"{count:,}")
        Console().print(fields)
    if summary.skipped:
        reasons = Table("reason", "records", title="Skipped records")
        for reason, count in summary.skip_reasons.most_common():
            reasons.add_row(reason, f"{count:,}")
        Console().print(reasons)
        for s in summary.skipped_examples[:10]:
            Console().print(f"  record {s.record}{f' (id {s.card_id})' if s.card_id else ''}: {s.reason}")


def _abort(exc: Exception) -> None:
    console.print(f"[bold red]Import failed, the catalog is unchanged:[/] {exc}")
    raise typer.Exit(1)


@app.command("import")
def import_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            help="A .json or .json.gz file: an array of Scryfall card objects (bulk file) or a list object."
        ),
    ],
    price_date: Annotated[
        str | None, typer.Option(help="Day the file's prices belong to (YYYY-MM-DD); default today (UTC).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Process the file even when it is identical to the last import (same day).")
    ] = False,
) -> None:
    """Import a local Scryfall card file. Idempotent; all-or-nothing."""
    from mtg_tracker.catalog.importer import ImportAborted, import_cards

    settings = quiet_settings()
    day = None
    if price_date:
        try:
            day = date.fromisoformat(price_date)
        except ValueError:
            console.print(f"[red]--price-date must be YYYY-MM-DD, not {price_date!r}[/]")
            raise typer.Exit(2) from None
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        raise typer.Exit(2)

    async def run(db: Any) -> Any:
        with byte_progress() as progress:
            task = progress.add_task("Importing cards", total=path.stat().st_size)
            return await import_cards(
                db, path, price_day=day, force=force, progress=lambda n: progress.advance(task, n)
            )

    try:
        summary = run_with_db(settings, run)
    except ImportAborted as exc:
        _abort(exc)
        return
    _print_card_summary(summary)


@app.command("import-sets")
def import_sets_cmd(
    path: Annotated[
        Path, typer.Argument(help="A Scryfall /sets response or an array of set objects (.json/.json.gz).")
    ],
) -> None:
    """Import Scryfall set objects; they replace the set rows derived from cards."""
    from mtg_tracker.catalog.importer import ImportAborted, import_sets

    settings = quiet_settings()
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        raise typer.Exit(2)
    try:
        summary = run_with_db(settings, lambda db: import_sets(db, path))
    except ImportAborted as exc:
        _abort(exc)
        return
    Console().print(
        f"Sets: {summary.read:,} read, {summary.inserted:,} inserted, {summary.updated:,} updated, "
        f"{summary.skipped:,} skipped in {summary.seconds:.1f} s"
    )
    for s in summary.skipped_examples[:10]:
        Console().print(f"  record {s.record}: {s.reason}")


@app.command("sync")
def sync_cmd(
    type_: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="default_cards | oracle_cards | unique_artwork | all_cards (default: MTG_SCRYFALL__BULK_TYPE).",
        ),
    ] = None,
    sets: Annotated[bool, typer.Option(help="Also sync /sets.")] = True,
) -> None:
    """Download Scryfall's bulk file when it changed since the last sync, and import it."""
    from mtg_tracker.catalog.errors import UpstreamError, UpstreamUnavailable
    from mtg_tracker.catalog.importer import ImportAborted
    from mtg_tracker.catalog.scryfall import ScryfallClient
    from mtg_tracker.catalog.sync import sync_bulk

    settings = quiet_settings()
    if type_ and type_ not in ("default_cards", "oracle_cards", "unique_artwork", "all_cards"):
        console.print(f"[red]Unknown bulk type {type_!r}[/]")
        raise typer.Exit(2)
    if settings.scryfall.offline:
        console.print("[red]MTG_SCRYFALL__OFFLINE=true: sync needs Scryfall. Use `catalog import PATH` instead.[/]")
        raise typer.Exit(2)

    async def run(db: Any) -> Any:
        with byte_progress() as progress:
            dl = progress.add_task("Downloading", total=None)
            imp = progress.add_task("Importing", total=None, visible=False)

            def on_total(size: Any) -> None:
                progress.update(dl, total=size if isinstance(size, int) else None)

            def on_import(n: int) -> None:
                if not progress.tasks[imp].visible:
                    path = Path(settings.scryfall.download_dir) / f"{type_ or settings.scryfall.bulk_type}.json"
                    progress.update(imp, visible=True, total=path.stat().st_size if path.exists() else None)
                progress.advance(imp, n)

            async with ScryfallClient(settings.scryfall) as client:
                return await sync_bulk(
                    db,
                    settings,
                    client,
                    bulk_type=type_,
                    with_sets=sets,
                    download_progress=lambda done: progress.update(dl, completed=done),
                    import_progress=on_import,
                    on_total=on_total,
                )

    try:
        result = run_with_db(settings, run)
    except (UpstreamUnavailable, UpstreamError) as exc:
        console.print(f"[red]Scryfall: {exc.message}[/]")
        raise typer.Exit(1) from None
    except ImportAborted as exc:
        _abort(exc)
        return
    if result.sets is not None:
        Console().print(f"Sets: {result.sets.inserted:,} inserted, {result.sets.updated:,} updated")
    if not result.changed:
        Console().print(
            f"[green]{result.bulk_type} unchanged since {result.updated_at}: nothing downloaded or imported.[/]"
        )
        return
    _print_card_summary(result.summary)


@app.command("load-rulings")
def load_rulings_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            help="Scryfall's rulings bulk file, or MTGJSON's AllPrintings or a set file: .json, .json.gz, .json.xz."
        ),
    ],
) -> None:
    """Load card rulings, keyed by oracle id. Idempotent (a ruling already stored is not added twice, even
    when it comes from the other source); all-or-nothing."""
    from mtg_tracker.catalog.rulings import RulingsFileError, read_file
    from mtg_tracker.catalog.service import load_rulings

    settings = quiet_settings()
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        raise typer.Exit(2)
    started = time.perf_counter()

    async def run(db: Any) -> Any:
        with Progress(
            TextColumn("[bold]Loading rulings"), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task("rulings", total=None)
            async with db.session_scope() as session:
                return await load_rulings(session, read_file(path), progress=lambda n: progress.advance(task, n))

    try:
        summary = run_with_db(settings, run)
    except (RulingsFileError, ValueError) as exc:
        console.print(f"[bold red]Loading failed, nothing was stored:[/] {exc}")
        raise typer.Exit(1) from None
    table = Table(title=f"Rulings: {path.name}", show_header=False)
    for label, value in summary.as_dict().items():
        table.add_row(label, f"{value:,}")
    table.add_row("seconds", f"{time.perf_counter() - started:.1f}")
    Console().print(table)


@app.command("build-bulk")
def build_bulk_cmd(
    base_url: Annotated[
        str | None,
        typer.Option(help="The public URL the files' links point at (default: MTG_PUBLIC_URL)."),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type", help="Only these types (default: all): oracle_cards, unique_artwork, default_cards, rulings."
        ),
    ] = None,
) -> None:
    """Build the /bulk-data files of the local catalog now (the API otherwise builds them on first request
    after the catalog changed)."""
    from mtg_tracker.catalog import bulk

    settings = quiet_settings()
    base = base_url or settings.public_url
    if not base:
        console.print("[red]Give --base-url or set MTG_PUBLIC_URL: the files' links must point at this server.[/]")
        raise typer.Exit(2)
    types = type_ or list(bulk.TYPES)
    unknown = [t for t in types if t not in bulk.TYPES]
    if unknown:
        console.print(f"[red]Unknown bulk type(s): {', '.join(unknown)}[/]")
        raise typer.Exit(2)

    async def run(db: Any) -> list[Any]:
        built = []
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            for t in types:
                async with db.session(write=False) as session:
                    total = await bulk.item_count(session, t)
                task = progress.add_task(t, total=total)

                def advance(n: int, task: Any = task) -> None:
                    progress.advance(task, n)

                built.append(
                    await bulk.build(
                        db,
                        settings.data_dir,
                        base.rstrip("/"),
                        t,
                        progress=advance,
                    )
                )
        return built

    table = Table("type", "objects", "bytes (gzip)", "file", title=f"Bulk data for {base}")
    for f in run_with_db(settings, run):
        table.add_row(f.type, f"{f.count:,}", f"{f.size:,}", str(f.path))
    Console().print(table)


@app.command("load-demo")
def load_demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only when the catalog has no cards (what `make run` does).")
    ] = False,
) -> None:
    """Load the built-in demo catalog: real, well-known cards from Scryfall data, for a first look offline."""
    from mtg_tracker.catalog import demo
    from mtg_tracker.catalog.importer import import_cards, import_sets
    from mtg_tracker.catalog.service import count_cards

    settings = quiet_settings()

    async def run(db: Any) -> Any:
        async with db.session(write=False) as session:
            existing = await count_cards(session)
        if if_empty and existing:
            return existing, None
        await import_sets(db, demo.SETS_PATH)
        return existing, await import_cards(db, demo.CARDS_PATH)

    existing, summary = run_with_db(settings, run)
    if summary is None:
        console.print(f"Catalog already holds {existing:,} cards; demo not loaded.")
        return
    _print_card_summary(summary)
    console.print(
        "[green]Demo catalog loaded.[/] For the full catalog run `mtg-tracker catalog sync`, or download a bulk file "
        "from Scryfall and run `mtg-tracker catalog import FILE`."
    )


def reindex_with_progress(settings: Settings, *, full: bool = False) -> int:
    """Rebuild missing or stale search rows with a progress bar; returns how many were rebuilt."""
    from mtg_tracker.catalog.searchindex import reindex, stale_count

    async def run(db: Any) -> int:
        if not full:
            async with db.session(write=False) as session:
                if await stale_count(session) == 0:
                    return 0
        with Progress(
            TextColumn("Search index"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), console=console
        ) as progress:
            task = progress.add_task("reindex", total=None)
            return await reindex(
                db, full=full, progress=lambda done, total: progress.update(task, completed=done, total=total)
            )

    return run_with_db(settings, run)


@app.command("reindex")
def reindex_command(
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild every printing, not only missing or stale ones.")
    ] = False,
) -> None:
    """Rebuild the search index from the stored cards (after an upgrade; `db upgrade` does it by itself)."""
    started = time.perf_counter()
    done = reindex_with_progress(quiet_settings(), full=full)
    console.print(
        f"[green]Search index up to date:[/] {done:,} printings indexed in {time.perf_counter() - started:.1f} s."
    )


@dev_app.command("generate-catalog")
def generate_catalog(
    cards: Annotated[int, typer.Option(min=1, max=5_000_000, help="How many printings.")] = 150_000,
    out: Annotated[Path, typer.Option(help="Output .json or .json.gz file.")] = Path("var/synthetic-cards.json.gz"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file).")] = 0,
) -> None:
    """Write a SYNTHETIC Scryfall-shaped catalog for benchmarks (every card is flagged synthetic)."""
    from mtg_tracker.catalog.synthetic import write_catalog

    out.parent.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("[bold]Generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("cards", total=cards)
        written = write_catalog(out, cards, seed=seed, progress=lambda n: progress.update(task, completed=n))
    console.print(
        f"Wrote {written:,} synthetic printings to {out} ({out.stat().st_size / 1e6:.1f} MB). "
        "Benchmarks only: not real cards."
    )
