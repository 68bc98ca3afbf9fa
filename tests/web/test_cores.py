"""The web app's pure cores: chart geometry, query marks, CSRF tokens (table-driven, no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mtg_tracker.web.charts import HEIGHT, PAD_BOTTOM, PAD_LEFT, PAD_TOP, WIDTH, line_chart
from mtg_tracker.web.querymarks import Segment, annotate
from mtg_tracker.web.security import csrf_token, csrf_valid

D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 11)


def test_empty_series_give_an_empty_chart() -> None:
    assert line_chart({"usd": [], "foil": []}).empty


def test_points_span_the_plot_and_the_axis_is_rounded() -> None:
    chart = line_chart({"usd": [(D3, Decimal("3.00")), (D1, Decimal("1.00"))]})
    (line,) = chart.lines
    first, last = line.points.split()
    assert first == f"{PAD_LEFT}.0,{HEIGHT - PAD_BOTTOM}.0"  # oldest day, lowest value: bottom left
    assert last == f"{WIDTH - 12}.0,{PAD_TOP}.0"  # sorted by day, whatever the input order
    assert line.last == "3.00"
    assert [t.label for t in chart.y_ticks] == ["1.00", "1.50", "2.00", "2.50", "3.00"]
    assert [t.label for t in chart.x_ticks] == ["2026-01-01", "2026-01-11"]


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([Decimal("5")], ["5.00", "6.00"]),  # one value: a one-step axis around it
        ([Decimal("0.09"), Decimal("0.12")], ["0.09", "0.10", "0.11", "0.12"]),
        ([Decimal("12"), Decimal("48")], ["10.00", "20.00", "30.00", "40.00", "50.00"]),
    ],
)
def test_axis_steps_are_round_numbers(values: list[Decimal], labels: list[str]) -> None:
    chart = line_chart({"usd": [(date(2026, 1, i + 1), v) for i, v in enumerate(values)]})
    assert [t.label for t in chart.y_ticks] == labels


def test_a_forecast_band_widens_the_axis_and_is_a_closed_polygon() -> None:
    chart = line_chart({"usd": [(D1, Decimal("2"))]}, band=[(D2, Decimal("1"), Decimal("4"))])
    assert chart.band is not None and len(chart.band.split()) == 2
    assert chart.y_ticks[0].label == "1.00" and chart.y_ticks[-1].label == "4.00"


@pytest.mark.parametrize(
    ("q", "warnings", "error", "expected"),
    [
        ("t:goblin", [], None, [Segment("t:goblin")]),
        (
            "t:goblin mm:3",
            ['Unknown keyword "mm"; the term "mm:3" was ignored'],
            None,
            [Segment("t:goblin "), Segment("mm:3", 0, "warning")],
        ),
        (
            "c:x c:x",  # the same text twice: each warning marks its own occurrence
            ['bad colour; the term "c:x" was ignored', 'bad colour; the term "c:x" was ignored'],
            None,
            [Segment("c:x", 0, "warning"), Segment(" "), Segment("c:x", 1, "warning")],
        ),
        ("a or", ['"or" at position 3 has nothing after it and was ignored'], None,
         [Segment("a "), Segment("o", 0, "warning"), Segment("r")]),
        ("(t:goblin", [], 0, [Segment("(", 0, "error"), Segment("t:goblin")]),
        ('"open', [], 5, [Segment('"ope'), Segment("n", 0, "error")]),  # past the end: the last character
        ("x", ["a warning that names nothing"], None, [Segment("x")]),
    ],
)  # fmt: skip
def test_annotate(q: str, warnings: list[str], error: int | None, expected: list[Segment]) -> None:
    assert annotate(q, warnings, error) == expected
    assert "".join(s.text for s in annotate(q, warnings, error)) == q


@pytest.mark.parametrize(
    ("cookie", "submitted", "ok"),
    [
        ("abc", csrf_token("k" * 32, "abc"), True),
        ("abc", csrf_token("k" * 32, "abd"), False),
        ("abc", csrf_token("other-secret" * 3, "abc"), False),
        (None, csrf_token("k" * 32, "abc"), False),
        ("abc", None, False),
        ("abc", "", False),
    ],
)
def test_csrf(cookie: str | None, submitted: str | None, ok: bool) -> None:
    assert csrf_valid("k" * 32, cookie, submitted) is ok


def test_result_markup_escapes_every_card_value() -> None:
    import orjson

    from mtg_tracker.web.pages import tile_of

    body = orjson.dumps(
        {"id": "x", "name": '<script>alert("n")</script>', "set": "a&b", "collector_number": "1",
         "rarity": "rare", "type_line": "Creature <b>", "mana_cost": "{R}", "prices": {"usd": "1.00"}}
    )  # fmt: skip
    tile = tile_of(body)
    for html in (str(tile.grid_html), str(tile.row_html)):
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "A&amp;B" in html and "$1.00" in html
    assert "Creature &lt;b&gt;" in str(tile.row_html)
