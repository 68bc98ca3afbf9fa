"""``mtg-tracker collection …``: import a collection export from the command line."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mtg_tracker.kit.cli import byte_progress, console, quiet_settings, run_with_db
from mtg_tracker.kit.streams import CountingReader, ProgressFn

app = typer.Typer(help="Collections: import CSV exports of other apps.", no_args_is_help=True)
_CHUNK = 256 * 1024


def _chunks(path: Path, advance: ProgressFn) -> Iterator[bytes]:
    # The raw bytes: the importer recognises gzip by its magic bytes (the API's path too), so the
    # progress bar counts bytes of the file on disk.
    with CountingReader(path.open("rb"), advance) as counted:
        while chunk := counted.read(_CHUNK):
            yield chunk


def _print_report(report: dict[str, Any], collection_name: str) -> None:
    out = Console()
    title = f"Import into {collection_name!r} ({report['format']})" + (
        " — dry run, nothing written" if report["dry_run"] else ""
    )
    table = Table(title=title, show_header=False)
    for label in ("rows_read", "imported", "merged", "unresolved", "approximate"):
        table.add_row(label.replace("_", " "), f"{report[label]:,}")
    table.add_row("seconds", f"{report['seconds']:.1f}")
    out.print(table)
    if report["dry_run"]:
        out.print("[yellow]Dry run: nothing was written.[/]")
    if report["errors"]:
        out.print("Unresolved rows, e.g.:")
        for err in report["errors"][:10]:
            out.print(f"  line {err['line']}: {err['reason']}")
    if report["warnings"]:
        out.print("Warnings (check these), e.g.:")
        for warning in report["warnings"][:5]:
            out.print(f"  line {warning['line']} ({warning['kind']}): {warning['reason']}")


@app.command("import")
def import_cmd(
    collection: Annotated[str, typer.Argument(help="Collection id, or name (created for --owner if missing).")],
    path: Annotated[Path, typer.Argument(help="The CSV export (plain or .gz).")],
    format: Annotated[str, typer.Option("--format", help="auto (from the header) or a format name.")] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner's email (picks or creates by name).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the collection's entries (merge=false).")] = False,
    currency: Annotated[
        str | None, typer.Option("--currency", help="USD or EUR: currency of purchase prices the file does not label.")
    ] = None,
) -> None:
    """Import a Moxfield/ManaBox/Deckbox/… export into a collection, with the same report as the API."""
    from mtg_tracker.account import service as account_service
    from mtg_tracker.collection import formats
    from mtg_tracker.collection import service as collection_service
    from mtg_tracker.collection.errors import ImportFileInvalid, ImportTooLarge
    from mtg_tracker.collection.models import Collection
    from mtg_tracker.collection.schemas import CollectionCreate

    settings = quiet_settings()
    if not path.is_file():
        console.print(f"[red]No such file: {path}[/]")
        raise typer.Exit(2)
    if format != "auto" and format.lower() not in formats.FORMATS:
        console.print(f"[red]Unknown format {format!r}[/]; known: auto, {', '.join(formats.FORMATS)}")
        raise typer.Exit(2)
    if currency is not None and currency.upper() not in ("USD", "EUR"):
        console.print(f"[red]Unknown currency {currency!r}[/]; expected USD or EUR")
        raise typer.Exit(2)

    async def run(db: Any) -> tuple[dict[str, Any], str]:
        async with db.session_scope() as session:
            owner_id: uuid.UUID | None = None
            if owner:
                user = await account_service.get_user_by_email(session, owner)
                if user is None:
                    raise _Fail(f"No user with email {owner!r}.")
                owner_id = user.id
            target: Collection | None = None
            with contextlib.suppress(ValueError):
                target = await session.get(Collection, uuid.UUID(collection))
            if target is not None and owner_id is not None and target.owner_id != owner_id:
                target = None
            if target is None:
                found = await collection_service.find_collections(session, name=collection, owner_id=owner_id)
                if len(found) > 1:
                    raise _Fail(f"{len(found)} collections are called {collection!r}; pass its id or --owner.")
                if found:
                    target = found[0]
                elif owner_id is not None:
                    target = await collection_service.create_collection(
                        session, owner_id=owner_id, data=CollectionCreate(name=collection)
                    )
                    console.print(f"Created collection {collection!r} ({target.id}) for {owner}")
                else:
                    raise _Fail(f"No collection {collection!r}; pass --owner EMAIL to create it.")
            with byte_progress() as progress:
                task = progress.add_task("Importing", total=path.stat().st_size)
                report = await collection_service.import_file(
                    session,
                    target,
                    _chunks(path, lambda n: progress.advance(task, n)),
                    fmt=format.lower(),
                    dry_run=dry_run,
                    merge=not replace,
                    max_rows=settings.collection.max_import_rows,
                    max_bytes=settings.collection.max_import_bytes,
                    currency=currency.upper() if currency else None,
                )
            name = target.name
            if dry_run:
                await session.rollback()  # not even a collection created above survives a dry run
            return report, name

    try:
        report, name = run_with_db(settings, run)
    except _Fail as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    except (ImportFileInvalid, ImportTooLarge) as exc:
        console.print(f"[bold red]Import failed, the collection is unchanged:[/] {exc.message}")
        raise typer.Exit(1) from None
    _print_report(report, name)


class _Fail(Exception):
    pass
