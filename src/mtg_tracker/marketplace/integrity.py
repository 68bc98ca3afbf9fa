"""The integrity audit: proves from the tables alone that nothing drifted.

Every check is one aggregate query (the database does the work, so a million journal lines take seconds,
not a Python loop). A check yields findings; the run is stored with at most ``MAX_STORED`` of them (the
count stays exact), sets the findings gauge, and the newest run decides what /health/detailed reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.collection.models import CollectionEntry
from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.marketplace.models import (
    COMMITTED_ORDER_STATUSES,
    OPEN_ORDER_STATUSES,
    IntegrityRun,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Listing,
    Order,
    OrderLine,
)

MAX_STORED = 1000
_RESERVING = ("active", "paused", "sold_out")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    detail: str


Check = Callable[[AsyncSession], Awaitable[list[Finding]]]


async def _entries_balance(session: AsyncSession) -> list[Finding]:
    sums = (
        select(JournalLine.entry_id, JournalLine.currency, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
        .group_by(JournalLine.entry_id, JournalLine.currency)
        .having(func.sum(JournalLine.debit) != func.sum(JournalLine.credit))
        .limit(MAX_STORED + 1)
    )
    out = [
        Finding("entry_balanced", f"journal entry {e}: {c} debits {d} != credits {cr}")
        for e, c, d, cr in (await session.execute(sums)).all()
    ]
    empty = (
        select(JournalEntry.id)
        .outerjoin(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalLine.id.is_(None))
        .limit(MAX_STORED + 1)
    )
    out += [Finding("entry_balanced", f"journal entry {e} has no lines") for e in await session.scalars(empty)]
    return out


async def _lines_valid(session: AsyncSession) -> list[Finding]:
    """One positive side per line, in its account's currency (the table's constraint says so too; the audit
    does not trust a constraint a migration or a hand-written statement could have bypassed)."""
    bad = (
        select(
            JournalLine.id,
            JournalLine.entry_id,
            JournalLine.debit,
            JournalLine.credit,
            JournalLine.currency,
            LedgerAccount.currency,
        )
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(
            or_(
                JournalLine.debit < 0,
                JournalLine.credit < 0,
                and_(JournalLine.debit == 0, JournalLine.credit == 0),
                and_(JournalLine.debit > 0, JournalLine.credit > 0),
                JournalLine.currency != LedgerAccount.currency,
            )
        )
        .limit(MAX_STORED + 1)
    )
    return [
        Finding("line_valid", f"journal line {i} (entry {e}): debit {d}, credit {c}, {lc} on a {ac} account")
        for i, e, d, c, lc, ac in (await session.execute(bad)).all()
    ]


async def _trial_balance(session: AsyncSession) -> list[Finding]:
    """Balances are derived from the lines, so they equal the sum of the entries by construction; what can
    drift is the whole: every account's balance together must be zero in each currency."""
    rows = await session.execute(
        select(JournalLine.currency, func.sum(JournalLine.debit), func.sum(JournalLine.credit)).group_by(
            JournalLine.currency
        )
    )
    return [Finding("trial_balance", f"{c}: all debits {d} != all credits {cr}") for c, d, cr in rows.all() if d != cr]


async def _order_totals(session: AsyncSession) -> list[Finding]:
    lines = (
        select(OrderLine.order_id, func.sum(OrderLine.quantity * OrderLine.unit_cents).label("total"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    rows = await session.execute(
        select(Order.id, Order.total_cents, func.coalesce(lines.c.total, 0))
        .outerjoin(lines, lines.c.order_id == Order.id)
        .where(Order.total_cents != func.coalesce(lines.c.total, 0))
        .limit(MAX_STORED + 1)
    )
    return [Finding("order_total", f"order {o}: total {t} != lines {s}") for o, t, s in rows.all()]


async def _order_ledger(session: AsyncSession) -> list[Finding]:
    """Each money movement of an order is in the journal once and for its total."""
    out: list[Finding] = []
    expected = {
        "payment": ("paid", "shipped", "completed", "refunded"),
        "settlement": ("completed",),
        "refund": ("refunded",),
    }
    for kind, statuses in expected.items():
        posted = (
            select(JournalEntry.order_id, func.count(func.distinct(JournalEntry.id)).label("n"))
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            # The escrow side of each entry carries the order's total once.
            .where(JournalEntry.kind == kind, LedgerAccount.kind == "escrow")
            .group_by(JournalEntry.order_id)
            .subquery()
        )
        rows = await session.execute(
            select(Order.id, Order.status, Order.total_cents, posted.c.n)
            .outerjoin(posted, posted.c.order_id == Order.id)
            .where(
                or_(
                    and_(
                        Order.status.in_(statuses),
                        Order.total_cents > 0,
                        or_(posted.c.n.is_(None), posted.c.n != 1),
                    ),
                    and_(Order.status.not_in(statuses), posted.c.n.is_not(None)),
                )
            )
            .limit(MAX_STORED + 1)
        )
        out += [
            Finding("order_ledger", f"order {o} ({s}, total {t}) has {n or 0} {kind} entries")
            for o, s, t, n in rows.all()
        ]
        amounts = await session.execute(
            select(Order.id, Order.total_cents, JournalEntry.id, func.sum(JournalLine.debit + JournalLine.credit))
            .join(JournalEntry, JournalEntry.order_id == Order.id)
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalEntry.kind == kind, LedgerAccount.kind == "escrow")
            .group_by(Order.id, Order.total_cents, JournalEntry.id)
            .having(func.sum(JournalLine.debit + JournalLine.credit) != Order.total_cents)
            .limit(MAX_STORED + 1)
        )
        out += [
            Finding("order_ledger", f"order {o}: {kind} entry {e} moves {m} through escrow, not the total {t}")
            for o, t, e, m in amounts.all()
        ]
    return out


async def _listing_quantities(session: AsyncSession) -> list[Finding]:
    """A listing's quantity is what is still available plus what open and completed orders took."""
    taken = (
        select(OrderLine.listing_id, func.sum(OrderLine.quantity).label("taken"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(COMMITTED_ORDER_STATUSES))
        .group_by(OrderLine.listing_id)
        .subquery()
    )
    rows = await session.execute(
        select(Listing.id, Listing.quantity, Listing.available, func.coalesce(taken.c.taken, 0))
        .outerjoin(taken, taken.c.listing_id == Listing.id)
        .where(Listing.quantity != Listing.available + func.coalesce(taken.c.taken, 0))
        .limit(MAX_STORED + 1)
    )
    return [
        Finding("listing_quantity", f"listing {i}: quantity {q} != available {a} + ordered {t}")
        for i, q, a, t in rows.all()
    ]


async def _entry_stock(session: AsyncSession) -> list[Finding]:
    """A collection entry holds at least what its live listings offer plus what open orders sold from it."""
    offered = select(Listing.entry_id.label("entry_id"), Listing.available.label("n")).where(
        Listing.status.in_(_RESERVING), Listing.deleted_at.is_(None), Listing.available > 0
    )
    ordered = (
        select(Listing.entry_id.label("entry_id"), OrderLine.quantity.label("n"))
        .join(OrderLine, OrderLine.listing_id == Listing.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(OPEN_ORDER_STATUSES))
    )
    both = offered.union_all(ordered).subquery()
    reserved = select(both.c.entry_id, func.sum(both.c.n).label("n")).group_by(both.c.entry_id).subquery()
    rows = await session.execute(
        select(reserved.c.entry_id, reserved.c.n, func.coalesce(CollectionEntry.quantity, literal(0)))
        .outerjoin(CollectionEntry, CollectionEntry.id == reserved.c.entry_id)
        .where(func.coalesce(CollectionEntry.quantity, literal(0)) < reserved.c.n)
        .limit(MAX_STORED + 1)
    )
    return [
        Finding(
            "entry_stock",
            f"collection entry {e}: holds {q} copies, {n} are listed or in open orders"
            if e is not None
            else f"{n} copies are listed or in open orders from collection entries that no longer exist",
        )
        for e, n, q in rows.all()
    ]


CHECKS: dict[str, Check] = {
    "entry_balanced": _entries_balance,
    "line_valid": _lines_valid,
    "trial_balance": _trial_balance,
    "order_total": _order_totals,
    "order_ledger": _order_ledger,
    "listing_quantity": _listing_quantities,
    "entry_stock": _entry_stock,
}


async def audit(session: AsyncSession) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    findings: list[Finding] = []
    for check in CHECKS.values():
        findings += await check(session)
    return findings, time.perf_counter() - start


async def run_and_store(db: Database) -> IntegrityRun:
    """Audit on a read transaction, then store the run in a short write of its own (the audit of a big
    journal must not hold SQLite's write lock)."""
    async with db.session(write=False) as session:
        findings, seconds = await audit(session)
    run = IntegrityRun(
        ran_at=utcnow(),
        checks=len(CHECKS),
        finding_count=len(findings),
        findings=json.dumps([{"check": f.check, "detail": f.detail} for f in findings[:MAX_STORED]]),
        seconds=round(seconds, 3),
    )
    async with db.session_scope() as session:
        session.add(run)
    metrics.MARKETPLACE_INTEGRITY_FINDINGS.set(len(findings))
    metrics.MARKETPLACE_INTEGRITY_RUNS.labels(outcome="clean" if not findings else "findings").inc()
    return run


async def latest(session: AsyncSession) -> IntegrityRun | None:
    return await session.scalar(select(IntegrityRun).order_by(IntegrityRun.id.desc()).limit(1))


def report(run: IntegrityRun | None) -> dict[str, Any]:
    if run is None:
        return {
            "object": "integrity_report",
            "ran_at": None,
            "checks": list(CHECKS),
            "finding_count": 0,
            "findings": [],
        }
    return {
        "object": "integrity_report",
        "ran_at": run.ran_at,
        "checks": list(CHECKS),
        "finding_count": run.finding_count,
        "seconds": run.seconds,
        "findings": json.loads(run.findings),
    }


async def health_detail(db: Database) -> dict[str, Any]:
    """The DETAIL_PROVIDERS entry: ``degraded`` while the newest audit has findings."""
    async with db.session(write=False) as session:
        run = await latest(session)
    if run is None:
        return {"status": "never_run"}
    metrics.MARKETPLACE_INTEGRITY_FINDINGS.set(run.finding_count)
    return {
        "status": "degraded" if run.finding_count else "ok",
        "ran_at": run.ran_at.isoformat(),
        "findings": run.finding_count,
    }
