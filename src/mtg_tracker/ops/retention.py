"""Which backups a daily/weekly/monthly retention policy keeps: a pure function, no files, no clock.

A bucket (a day, an ISO week, a month) counts only when it holds a backup, so a fortnight without backups
does not silently shorten the history that is kept; within a bucket the newest backup represents it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Policy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def _day(at: datetime) -> Hashable:
    return at.date()


def _iso_week(at: datetime) -> Hashable:
    year, week, _ = at.isocalendar()
    return year, week


def _month(at: datetime) -> Hashable:
    return at.year, at.month


def _newest_per_bucket(
    ordered: list[tuple[str, datetime]], bucket: Callable[[datetime], Hashable], count: int
) -> set[str]:
    kept: set[str] = set()
    seen: set[Hashable] = set()
    for backup_id, at in ordered:
        if len(seen) >= count:
            break
        key = bucket(at)
        if key not in seen:
            seen.add(key)
            kept.add(backup_id)
    return kept


def keep(backups: Iterable[tuple[str, datetime]], policy: Policy) -> set[str]:
    """The ids to keep of ``(id, created_at)`` pairs; everything else may be deleted.

    The newest backup is always kept, even with a policy of zeros: pruning must never leave nothing.
    Ties on ``created_at`` are broken by id (ids sort by time), so the result never depends on input order.
    """
    ordered = sorted(backups, key=lambda b: (b[1], b[0]), reverse=True)
    if not ordered:
        return set()
    kept = {ordered[0][0]}
    kept |= _newest_per_bucket(ordered, _day, policy.daily)
    kept |= _newest_per_bucket(ordered, _iso_week, policy.weekly)
    kept |= _newest_per_bucket(ordered, _month, policy.monthly)
    return kept
