"""The ledger's rules, pure: which balanced journal entry each money movement makes.

No I/O and no tables: accounts are named by ``AccountRef`` (owner kind, owner id, account kind) and the
service maps them to rows. Every function returns lines whose debits equal their credits per currency;
``problems`` is the check the service runs before writing and the integrity audit runs after.

Conventions (the platform's books): a buyer's payment moves money from the buyer's ``cash`` into the
platform's ``escrow``; completion releases escrow to the seller's ``receivable`` minus the platform's
``fees``, and moves the copies' value (their price, the buyer's cost basis) from the seller's
``inventory`` to the buyer's; a refund is the reversal of the payment (debits and credits swapped).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PLATFORM = "platform"
USER = "user"
SHOP = "shop"
BPS = 10_000  # basis points in 100 %


@dataclass(frozen=True, slots=True)
class AccountRef:
    owner_kind: str  # "user" | "shop" | "platform"
    owner_id: uuid.UUID
    kind: str  # "cash" | "receivable" | "escrow" | "fees" | "inventory"


@dataclass(frozen=True, slots=True)
class Line:
    account: AccountRef
    debit: int
    credit: int
    currency: str


def fee_cents(total_cents: int, rate_bps: int) -> int:
    """The platform's fee, rounded half up to the cent (never more than the total)."""
    if total_cents < 0 or not 0 <= rate_bps <= BPS:
        raise ValueError("total must be >= 0 and the rate within 0..10000 basis points")
    return (total_cents * rate_bps + BPS // 2) // BPS


def _pair(debit: AccountRef, credit: AccountRef, cents: int, currency: str) -> list[Line]:
    if cents == 0:
        return []
    return [Line(debit, cents, 0, currency), Line(credit, 0, cents, currency)]


def payment(buyer: AccountRef, escrow: AccountRef, total_cents: int, currency: str) -> list[Line]:
    return _pair(escrow, buyer, total_cents, currency)


def settlement(
    *,
    escrow: AccountRef,
    seller_receivable: AccountRef,
    fees: AccountRef,
    seller_inventory: AccountRef,
    buyer_inventory: AccountRef,
    total_cents: int,
    fee: int,
    currency: str,
) -> list[Line]:
    if not 0 <= fee <= total_cents:
        raise ValueError("the fee must be between 0 and the total")
    lines: list[Line] = []
    if total_cents:
        lines.append(Line(escrow, 0, total_cents, currency))
        if total_cents - fee:
            lines.append(Line(seller_receivable, total_cents - fee, 0, currency))
        if fee:
            lines.append(Line(fees, fee, 0, currency))
    lines += _pair(buyer_inventory, seller_inventory, total_cents, currency)
    return lines


def reversal(lines: Iterable[Line]) -> list[Line]:
    """The entry that undoes ``lines``: same accounts and amounts, sides swapped."""
    return [Line(ln.account, ln.credit, ln.debit, ln.currency) for ln in lines]


def problems(lines: Sequence[tuple[int, int, str]]) -> list[str]:
    """Why (debit, credit, currency) lines are not one valid entry; empty when they are."""
    out: list[str] = []
    if not lines:
        out.append("the entry has no lines")
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for debit, credit, currency in lines:
        if debit < 0 or credit < 0 or (debit == 0) == (credit == 0):
            out.append(f"a line must have exactly one positive side (debit {debit}, credit {credit})")
        sums[currency][0] += debit
        sums[currency][1] += credit
    for currency, (debits, credits) in sorted(sums.items()):
        if debits != credits:
            out.append(f"{currency}: debits {debits} != credits {credits}")
    return out
