"""The ``mtg-tracker`` command: the root Typer app with one sub-app per domain."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mtg_tracker import __version__
from mtg_tracker.account import cli as account_cli
from mtg_tracker.catalog import cli as catalog_cli
from mtg_tracker.collection import cli as collection_cli
from mtg_tracker.config import Settings
from mtg_tracker.forecast import cli as forecast_cli
from mtg_tracker.kit.cli import console, load_settings, require_database
from mtg_tracker.marketplace import cli as marketplace_cli
from mtg_tracker.ops import cli as ops_cli
from mtg_tracker.price import cli as price_cli

app = typer.Typer(
    name="mtg-tracker",
    help="MTG Tracker: a self-hosted, Scryfall-compatible Magic: The Gathering service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled jobs: list them, run one now.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(catalog_cli.dev_app, name="dev")
app.add_typer(price_cli.app, name="prices")
app.add_typer(forecast_cli.app, name="forecast")
app.add_typer(account_cli.app, name="users")
app.add_typer(collection_cli.app, name="collection")
app.add_typer(ops_cli.app, name="backup")
app.add_typer(marketplace_cli.app, name="ledger")


def _setup_logging(settings: Settings) -> None:
    from mtg_tracker.kit.logging import configure_logging

    configure_logging(settings.log.level, settings.log.format)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        # WEB_CONCURRENCY is the name container platforms (and the Dockerfile) use for the worker count.
        typer.Option(min=1, envvar="WEB_CONCURRENCY", help="Worker processes (metrics switch to multiprocess mode)."),
    ] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development only).")] = False,
) -> None:
    """Serve the API (and, unless MTG_SCHEDULER__ENABLED=false, the in-process scheduler)."""
    settings = load_settings()
    _setup_logging(settings)
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers share metrics through files; a fresh directory per start keeps dead pids out.
        metrics_dir = Path(settings.data_dir) / "prometheus-multiproc"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    import uvicorn

    uvicorn.run(
        "mtg_tracker.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=None,
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For is judged by our own trusted-proxy list
        server_header=False,
    )


@app.command()
def scheduler(
    metrics_port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="Serve Prometheus /metrics on this port (0 = none): jobs and backups report from here.",
        ),
    ] = 0,
    metrics_host: Annotated[str, typer.Option(help="Interface for --metrics-port.")] = "127.0.0.1",
) -> None:
    """Run only the job scheduler, as its own process (for deployments that keep it off the API)."""
    settings = load_settings()
    _setup_logging(settings)
    if metrics_port:
        # Job and backup metrics live in the process that ran the job; without this port a separate
        # scheduler's job_* and backup_* series would never reach Prometheus. It serves metrics only, no
        # API: restrict who reaches it with the network (deploy/ does, with a NetworkPolicy).
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)
    from mtg_tracker import jobs  # noqa: F401
    from mtg_tracker.kit import tracing
    from mtg_tracker.kit.db import Database
    from mtg_tracker.kit.scheduler import Scheduler

    tracing.setup(settings)

    async def _main() -> None:
        db = Database(settings)
        tracing.instrument_database(db)
        sched = Scheduler(db, settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        sched.start()
        await stop.wait()
        await sched.stop()
        await db.dispose()
        tracing.shutdown()  # flush the last spans

    asyncio.run(_main())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from mtg_tracker.kit import migrations

    settings = load_settings()
    _setup_logging(settings)
    migrations.upgrade(settings, revision)
    console.print(f"[green]Database at {revision}[/] ({_redact(settings.database_url)})")
    if revision == "head":
        from mtg_tracker.catalog.cli import reindex_with_progress

        # A catalog imported before the search index existed (or by an older derivation) is indexed
        # now, so searches see every card right after the upgrade.
        rebuilt = reindex_with_progress(settings)
        if rebuilt:
            console.print(f"[green]Search index built for {rebuilt:,} printings[/]")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[
        str,
        typer.Argument(
            help="Target revision: a revision id, base, or a relative step written after -- (db downgrade -- -1)."
        ),
    ],
) -> None:
    """Revert migrations down to REVISION."""
    from mtg_tracker.kit import migrations

    settings = load_settings()
    _setup_logging(settings)
    migrations.downgrade(settings, revision)
    console.print(f"[yellow]Database downgraded to {revision}[/]")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the code's head."""
    from mtg_tracker.kit import migrations
    from mtg_tracker.kit.db import Database

    settings = load_settings()
    require_database(settings)

    async def _current() -> frozenset[str]:
        db = Database(settings)
        try:
            return await migrations.current_revisions(db)
        finally:
            await db.dispose()

    current = asyncio.run(_current())
    heads = migrations.head_revisions()
    typer.echo(f"database: {','.join(sorted(current)) or 'none (not migrated)'}")
    typer.echo(f"code head: {','.join(sorted(heads))}")
    if current != heads:
        typer.echo("behind: run `mtg-tracker db upgrade`")
        raise typer.Exit(1)


@jobs_app.command("list")
def jobs_list() -> None:
    """List registered jobs with their schedule and last run."""
    settings = load_settings()
    from mtg_tracker.jobs import REGISTRY
    from mtg_tracker.kit.db import Database
    from mtg_tracker.kit.scheduler import last_runs

    async def _runs() -> dict[str, dict[str, object]]:
        db = Database(settings)
        try:
            return await last_runs(db)
        except Exception:  # noqa: BLE001 - an unmigrated database still lists the jobs
            return {}
        finally:
            await db.dispose()

    runs = asyncio.run(_runs())
    table = Table("job", "cron (UTC)", "description", "last run", "status")
    for name, spec in sorted(REGISTRY.items()):
        run = runs.get(name, {})
        table.add_row(
            name, spec.cron, spec.description, str(run.get("started_at", "never")), str(run.get("status", ""))
        )
    Console().print(table)


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="Job name, see `jobs list`.")]) -> None:
    """Run one job now (recorded in job_run like a scheduled run)."""
    settings = load_settings()
    _setup_logging(settings)
    from mtg_tracker.jobs import REGISTRY
    from mtg_tracker.kit.db import Database
    from mtg_tracker.kit.scheduler import Scheduler

    if name not in REGISTRY:
        console.print(f"[red]Unknown job {name!r}[/]; known: {', '.join(sorted(REGISTRY))}")
        raise typer.Exit(2)
    require_database(settings)

    async def _run() -> tuple[str, str | None, str | None]:
        db = Database(settings)
        try:
            run = await Scheduler(db, settings).run_now(name)
            if run is None:
                return "skipped", "slot already claimed", None
            return run.status, run.error, run.result
        finally:
            await db.dispose()

    status, error, result = asyncio.run(_run())
    colour = "green" if status == "succeeded" else "red"
    console.print(f"[{colour}]{name}: {status}[/]" + (f" — {error}" if error else ""))
    if result:
        console.print(result)
    if status != "succeeded":
        raise typer.Exit(1)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
