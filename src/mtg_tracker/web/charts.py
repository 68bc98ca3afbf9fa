"""Price and value charts as server-rendered SVG geometry (pure: no I/O, no templates).

An SVG drawn on the server needs no chart library and no script, so the chart reads the same with
JavaScript off, under a strict CSP, and in a screenshot. The template draws what ``line_chart`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    points: str  # "x,y x,y …" for <polyline points=…>
    last: str  # the newest value, shown in the legend


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    label: str


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)
    band: str | None = None  # polygon points of a forecast band (low edge, then high edge reversed)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    first: date | None = None
    last: date | None = None

    @property
    def empty(self) -> bool:
        return not self.lines


Series = list[tuple[date, Decimal]]
Band = list[tuple[date, Decimal, Decimal]]


def _nice_step(span: Decimal, ticks: int) -> Decimal:
    """A 1/2/5 × 10^n step giving about ``ticks`` intervals over ``span``."""
    raw = span / ticks if span > 0 else Decimal(1)
    exponent = raw.adjusted()
    base = Decimal(10) ** exponent
    for mult in (1, 2, 5, 10):
        step = base * mult
        if step >= raw:
            return step
    return base * 10  # pragma: no cover - the loop always returns


def line_chart(
    series: dict[str, Series], *, band: Band | None = None, width: int = WIDTH, height: int = HEIGHT
) -> Chart:
    """Geometry for one chart of several series sharing both axes; series without points are left out.

    ``band`` is the hook for forecasts (a low/high range per future day), drawn under the lines.
    """
    chart = Chart(width, height)
    kept = {name: pts for name, pts in series.items() if pts}
    if not kept:
        return chart
    days = [d for pts in kept.values() for d, _ in pts] + [d for d, _, _ in band or []]
    values = [v for pts in kept.values() for _, v in pts] + [v for _, lo, hi in band or [] for v in (lo, hi)]
    first, last = min(days), max(days)
    low, high = min(values), max(values)
    step = _nice_step(high - low, 4)
    y_min = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    y_max = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if y_max == y_min:
        y_max = y_min + step
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    span_days = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(PAD_LEFT + plot_w * (day - first).days / span_days, 1)

    def y(value: Decimal) -> float:
        return round(PAD_TOP + plot_h * float((y_max - value) / (y_max - y_min)), 1)

    for name, pts in kept.items():
        ordered = sorted(pts)
        chart.lines.append(Line(name, " ".join(f"{x(d)},{y(v)}" for d, v in ordered), f"{ordered[-1][1]:.2f}"))
    if band:
        ordered_band = sorted(band)
        edge = [f"{x(d)},{y(lo)}" for d, lo, _ in ordered_band]
        edge += [f"{x(d)},{y(hi)}" for d, _, hi in reversed(ordered_band)]
        chart.band = " ".join(edge)
    tick = y_min
    while tick <= y_max:
        chart.y_ticks.append(Tick(y(tick), f"{tick:.2f}"))
        tick += step
    chart.x_ticks = [Tick(x(first), first.isoformat()), Tick(x(last), last.isoformat())]
    chart.first, chart.last = first, last
    return chart
