"""``mtg-tracker forecast …``: train and register a model, backtest the recipe, list the registry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from mtg_tracker.config import Settings
from mtg_tracker.kit.cli import quiet_settings, run_with_db

app = typer.Typer(help="Price forecasts: train, backtest and list models.", no_args_is_help=True)
console = Console(stderr=True)


def _steps(settings: Settings, *, refit: bool) -> int:
    # load + (fit per horizon × 3 quantiles) once, twice with the refit, + the announcements between.
    per_fit = len(settings.forecast.horizons) * 3
    return 1 + 1 + per_fit + (1 + per_fit if refit else 0) + 1


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _advance(progress: Progress, task: Any) -> Callable[[str], None]:
    def step(message: str) -> None:
        progress.update(task, description=message, advance=1)

    return step


def _metrics_table(title: str, report: dict[str, Any]) -> Table:
    table = Table(title=title)
    for col in ("model", "horizon", "n", "MAE", "persistence MAE", "MASE", "80 % coverage", "width"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for kind, per_h in report.items():
        for h, b in per_h.items():
            m = b["all"]
            table.add_row(
                kind,
                h[1:] + " d",
                f"{m['n']:,}",
                f"{m['mae']:.4f}" if m["mae"] is not None else "–",
                f"{m['persistence_mae']:.4f}" if m["persistence_mae"] is not None else "–",
                f"{m['mase']:.3f}" if m["mase"] is not None else "–",
                f"{m['coverage']:.1%}" if m["coverage"] is not None else "–",
                f"{m['width']:.1%}" if m["width"] is not None else "–",
            )
    return table


EndOption = Annotated[
    str | None, typer.Option("--end", help="Newest price day to use (YYYY-MM-DD); default: the newest stored.")
]


def _parse_end(end: str | None) -> date | None:
    if end is None:
        return None
    try:
        return date.fromisoformat(end)
    except ValueError:
        console.print(f"[red]--end must be a date (YYYY-MM-DD), not {end!r}.[/]")
        raise typer.Exit(2) from None


@app.command("train")
def train_cmd(
    end: EndOption = None,
    report_dir: Annotated[
        Path | None, typer.Option(help="Where to write the backtest report; default DATA_DIR/forecast/v<version>.")
    ] = None,
) -> None:
    """Train a model on the price history, judge it against persistence, and promote it only if it wins."""
    from mtg_tracker.forecast import report, service
    from mtg_tracker.forecast.errors import NotEnoughHistory

    settings = quiet_settings()
    end_day = _parse_end(end)

    async def run(db: Any) -> Any:
        with _progress() as progress:
            task = progress.add_task("Training", total=_steps(settings, refit=True))
            async with db.session_scope() as session:
                return await service.train(session, settings.forecast, end=end_day, progress=_advance(progress, task))

    try:
        result = run_with_db(settings, run)
    except NotEnoughHistory as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    out = Console()
    out.print(
        _metrics_table(
            f"Model {result.version}: backtest on the newest {settings.forecast.backtest_days} days", result.report
        )
    )
    directory = report_dir or settings.data_dir / "forecast" / f"v{result.version}"
    paths = report.write(
        result.report,
        directory,
        title=f"Forecast model {result.version} ({result.status})",
        context={"status": result.status, "reason": result.reason, "series": result.series},
    )
    colour = "green" if result.status == "promoted" else "yellow"
    out.print(f"[{colour}]Model {result.version} {result.status}[/]: {result.reason}")
    out.print(f"{result.series:,} series, {result.seconds:.1f} s. Report: {', '.join(str(p) for p in paths)}")


@app.command("backtest")
def backtest_cmd(
    end: EndOption = None,
    out: Annotated[Path, typer.Option(help="Directory for report.md, report.json and error_by_horizon.png.")] = Path(
        "forecast-backtest"
    ),
) -> None:
    """Rolling-origin backtest of the training recipe and both baselines; registers nothing."""
    from mtg_tracker.forecast import report, service
    from mtg_tracker.forecast.errors import NotEnoughHistory

    settings = quiet_settings()
    end_day = _parse_end(end)

    async def run(db: Any) -> Any:
        with _progress() as progress:
            task = progress.add_task("Backtesting", total=_steps(settings, refit=False))
            async with db.session_scope(write=False) as session:
                return await service.backtest(
                    session, settings.forecast, end=end_day, progress=_advance(progress, task)
                )

    try:
        result, context = run_with_db(settings, run)
    except NotEnoughHistory as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    printer = Console()
    printer.print(_metrics_table("Backtest", result))
    paths = report.write(result, out, title="Forecast backtest", context=context)
    printer.print(f"{context['series']:,} series. Report: {', '.join(str(p) for p in paths)}")


@app.command("list")
def list_cmd() -> None:
    """Every registered model, newest first, with its verdict and backtest metrics."""
    from mtg_tracker.forecast import service

    settings = quiet_settings()

    async def run(db: Any) -> Any:
        async with db.session(write=False) as session:
            return [service.decode(row) for row in await service.list_models(session)]

    models = run_with_db(settings, run)
    table = Table(title=f"Forecast models ({len(models)})")
    for col in ("version", "status", "kind", "trained on", "backtest", "MAE / persistence", "coverage", "reason"):
        table.add_column(col)
    for m in models:
        maes = ", ".join(
            f"{h[1:]}d {v['mae']:.3f}/{v['persistence_mae']:.3f}"
            for h, v in m["metrics"].items()
            if v.get("mae") is not None
        )
        cov = ", ".join(
            f"{h[1:]}d {v['coverage']:.0%}" for h, v in m["metrics"].items() if v.get("coverage") is not None
        )
        table.add_row(
            str(m["version"]),
            m["status"],
            m["kind"],
            f"{m['training_window']['start']} → {m['training_window']['end']}",
            f"{m['backtest_window']['start']} → {m['backtest_window']['end']}",
            maes,
            cov,
            m["reason"],
        )
    Console().print(table)
