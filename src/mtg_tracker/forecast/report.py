"""Backtest reports: Markdown for people, JSON for tools, and a PNG of error by horizon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Only the file-writing backend: the service and CI have no display.
import matplotlib
import orjson

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "–"
    if pct:
        return f"{value:.1%}"
    return f"{value:.4f}" if isinstance(value, float) else f"{value:,}"


def markdown(report: dict[str, Any], title: str, context: dict[str, Any]) -> str:
    lines = [f"# {title}", ""]
    lines += [f"- **{k}**: {v}" for k, v in context.items()]
    lines.append("")
    kinds = list(report)
    horizons = sorted({h for k in kinds for h in report[k]}, key=lambda h: int(h[1:]))
    head = "| model | n | MAE | persistence MAE | MASE | sMAPE | direction | 80 % coverage | width |"
    for h in horizons:
        lines += [f"## Horizon {h[1:]} days", "", head, "|---|---|---|---|---|---|---|---|---|"]
        for kind in kinds:
            m = report[kind][h]["all"]
            lines.append(
                f"| {kind} | {_fmt(m['n'])} | {_fmt(m['mae'])} | {_fmt(m['persistence_mae'])} | {_fmt(m['mase'])} | "
                f"{_fmt(m['smape'])} | {_fmt(m['directional_accuracy'], True)} | {_fmt(m['coverage'], True)} | "
                f"{_fmt(m['width'], True)} |"
            )
        for group in ("bands", "finishes"):
            lines += ["", f"By {'price band (origin price)' if group == 'bands' else 'finish'}:", ""]
            lines += ["| model | " + " | ".join(report[kinds[0]][h][group]) + " |"]
            lines += ["|---|" + "---|" * len(report[kinds[0]][h][group])]
            for kind in kinds:
                cells = [
                    f"MASE {_fmt(m['mase'])}, cov {_fmt(m['coverage'], True)} (n {_fmt(m['n'])})"
                    for m in report[kind][h][group].values()
                ]
                lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["MASE is the model's MAE divided by persistence's on the same rows: below 1 beats tomorrow = today.", ""]
    return "\n".join(lines)


def plot(report: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for kind, per_h in report.items():
        hs = sorted(per_h, key=lambda h: int(h[1:]))
        xs = [int(h[1:]) for h in hs]
        ys = [per_h[h]["all"]["mae"] or 0.0 for h in hs]
        ax.plot(xs, ys, marker="o", label=kind)
    ax.set_xlabel("horizon (days)")
    ax.set_ylabel("MAE (USD)")
    ax.set_title("Backtest error by horizon")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(report: dict[str, Any], out_dir: Path, *, title: str, context: dict[str, Any]) -> list[Path]:
    """report.md, report.json and error_by_horizon.png under ``out_dir`` (created)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js, png = out_dir / "report.md", out_dir / "report.json", out_dir / "error_by_horizon.png"
    md.write_text(markdown(report, title, context), encoding="utf-8")
    js.write_bytes(orjson.dumps({"context": context, "models": report}, option=orjson.OPT_INDENT_2))
    plot(report, png)
    return [md, js, png]
