"""The retention policy as a pure function: table cases and a simulated year of daily backups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mtg_tracker.ops.retention import Policy, keep


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _backups(*stamps: str) -> list[tuple[str, datetime]]:
    return [(s, _at(s)) for s in stamps]


@pytest.mark.parametrize(
    ("stamps", "policy", "expected"),
    [
        pytest.param([], Policy(), set(), id="nothing"),
        pytest.param(["2026-01-01T02:30"], Policy(0, 0, 0), {"2026-01-01T02:30"}, id="newest-always-kept"),
        pytest.param(
            ["2026-01-05T01:00", "2026-01-05T02:00", "2026-01-05T03:00"],
            Policy(7, 0, 0),
            {"2026-01-05T03:00"},
            id="newest-of-a-day",
        ),
        pytest.param(
            ["2026-01-01T02:00", "2026-01-02T02:00", "2026-01-03T02:00", "2026-01-04T02:00"],
            Policy(2, 0, 0),
            {"2026-01-03T02:00", "2026-01-04T02:00"},
            id="last-two-days",
        ),
        pytest.param(
            # A gap of weeks: the 7 daily slots are the 7 newest days that HAVE backups.
            ["2025-11-01T02:00", "2025-11-02T02:00", "2026-01-04T02:00"],
            Policy(7, 0, 0),
            {"2025-11-01T02:00", "2025-11-02T02:00", "2026-01-04T02:00"},
            id="days-with-backups-not-calendar-days",
        ),
        pytest.param(
            # 2026-01-04 is a Sunday (ISO week 1), 2026-01-05 a Monday (week 2).
            ["2026-01-03T02:00", "2026-01-04T02:00", "2026-01-05T02:00", "2026-01-06T02:00"],
            Policy(0, 2, 0),
            {"2026-01-04T02:00", "2026-01-06T02:00"},
            id="newest-of-each-iso-week",
        ),
        pytest.param(
            # ISO week 1 of 2026 starts on Monday 2025-12-29: one week across the year boundary.
            ["2025-12-28T02:00", "2025-12-29T02:00", "2026-01-01T02:00"],
            Policy(0, 2, 0),
            {"2025-12-28T02:00", "2026-01-01T02:00"},
            id="iso-week-spans-new-year",
        ),
        pytest.param(
            ["2025-12-31T23:00", "2026-01-01T01:00", "2026-02-15T02:00", "2026-02-28T02:00"],
            Policy(0, 0, 12),
            {"2025-12-31T23:00", "2026-01-01T01:00", "2026-02-28T02:00"},
            id="newest-of-each-month",
        ),
        pytest.param(
            ["2026-03-01T02:00", "2026-03-01T02:00"],
            Policy(1, 1, 1),
            {"2026-03-01T02:00"},
            id="duplicates",
        ),
    ],
)
def test_keep(stamps: list[str], policy: Policy, expected: set[str]) -> None:
    backups = _backups(*stamps)
    assert keep(backups, policy) == expected
    assert keep(list(reversed(backups)), policy) == expected  # input order does not matter


def test_a_simulated_year_of_daily_backups() -> None:
    """One backup a day at 02:30 from 2026-01-01 to 2026-12-31, pruned every day as the job does:
    exactly the last 7 days, the newest of the last 4 ISO weeks and of the last 12 months survive."""
    survivors: list[tuple[str, datetime]] = []
    day = date(2026, 1, 1)
    while day <= date(2026, 12, 31):
        at = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)
        survivors.append((at.isoformat(), at))
        kept = keep(survivors, Policy(7, 4, 12))
        survivors = [b for b in survivors if b[0] in kept]
        day += timedelta(days=1)

    expected_days = {date(2026, 12, 31) - timedelta(days=n) for n in range(7)}
    # 2026-12-31 is a Thursday (ISO week 53 of 2026); the newest of weeks 50-52 are their Sundays.
    expected_weeks = {date(2026, 12, 31), date(2026, 12, 27), date(2026, 12, 20), date(2026, 12, 13)}
    # Daily pruning keeps a month's newest backup only while it is the newest of its bucket, so each past
    # month survives through its last day.
    expected_months = {date(2026, m + 1, 1) - timedelta(days=1) for m in range(1, 12)} | {date(2026, 12, 31)}
    assert {b[1].date() for b in survivors} == expected_days | expected_weeks | expected_months
    # 7 days (12-25..12-31, covering weeks 52 and 53), Sundays 12-13 and 12-20, the ends of January-November.
    assert len(survivors) == 7 + 2 + 11


def test_pruning_twice_changes_nothing() -> None:
    start = _at("2026-01-01T02:30")
    backups = [(f"b{n:03d}", start + timedelta(days=n)) for n in range(200)]
    kept = keep(backups, Policy())
    assert keep([b for b in backups if b[0] in kept], Policy()) == kept
