"""The listing search's own terms, pure: ``price<``, ``seller:``, ``condition>=`` (and ``currency:``) are
taken out of ``q``; what remains is card search syntax for the search domain.

Listing terms are recognised outside quotes at word starts (a quoted name containing "price" is still a
card term) and filter the whole query, so one inside parentheses (an ``or`` branch) is refused.
Conditions rank M > NM > LP > MP > HP > D: ``condition>=LP`` is LP or better.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

CONDITION_RANK = {"M": 6, "NM": 5, "LP": 4, "MP": 3, "HP": 2, "D": 1}
OPERATORS = ("<=", ">=", "!=", "<", ">", "=", ":")
_TERM = re.compile(
    r"(?<![^\s(])-?(?P<key>price|seller|condition|cond|currency)(?P<op><=|>=|!=|<|>|=|:)(?P<value>[^\s)]+)",
    re.IGNORECASE,
)


class ListingQueryError(ValueError):
    pass


@dataclass
class ListingQuery:
    card_q: str
    price: list[tuple[str, int]] = field(default_factory=list)  # (op, cents)
    seller: uuid.UUID | None = None
    conditions: set[str] | None = None  # allowed conditions; None = any
    currency: str | None = None


def _outside_quotes(q: str, start: int) -> bool:
    return q.count('"', 0, start) % 2 == 0


def _conditions(op: str, value: str) -> set[str]:
    code = value.upper()
    if code not in CONDITION_RANK:
        raise ListingQueryError(f"Unknown condition {value!r}; expected one of {', '.join(CONDITION_RANK)}.")
    rank = CONDITION_RANK[code]
    tests = {
        "<": lambda r: r < rank,
        "<=": lambda r: r <= rank,
        ">": lambda r: r > rank,
        ">=": lambda r: r >= rank,
        "=": lambda r: r == rank,
        ":": lambda r: r == rank,
        "!=": lambda r: r != rank,
    }
    return {c for c, r in CONDITION_RANK.items() if tests[op](r)}


def parse(q: str) -> ListingQuery:
    """Split ``q``; raises ``ListingQueryError`` (a 400) for a listing term that cannot be understood."""
    out = ListingQuery(card_q="")
    kept: list[str] = []
    last = 0
    for match in _TERM.finditer(q):
        if not _outside_quotes(q, match.start()):
            continue
        if q.count("(", 0, match.start()) > q.count(")", 0, match.start()):
            raise ListingQueryError(
                f"{match.group(0)!r}: listing terms filter the whole query; put them outside parentheses."
            )
        if match.group(0).startswith("-"):
            raise ListingQueryError(f"{match.group(0)!r}: listing terms cannot be negated; use the opposite operator.")
        kept.append(q[last : match.start()])
        last = match.end()
        key, op, value = match.group("key").lower(), match.group("op"), match.group("value")
        if key == "price":
            if op in (":", "!="):
                op = "=" if op == ":" else op
            try:
                amount = Decimal(value)
            except InvalidOperation:
                raise ListingQueryError(f"price{op}{value}: expected an amount like 1.50.") from None
            if not amount.is_finite() or amount < 0 or amount > 1_000_000 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                raise ListingQueryError(f"price{op}{value}: expected an amount from 0 to 1000000 with 2 decimals.")
            out.price.append((op, int(amount * 100)))
        elif key == "seller":
            if op not in (":", "="):
                raise ListingQueryError("seller: takes a seller's id, e.g. seller:1b9f…")
            try:
                out.seller = uuid.UUID(value)
            except ValueError:
                raise ListingQueryError(f"seller:{value}: expected the seller's id (a UUID).") from None
        elif key in ("condition", "cond"):
            allowed = _conditions(op, value)
            out.conditions = allowed if out.conditions is None else out.conditions & allowed
        else:
            if op not in (":", "=") or value.lower() not in ("usd", "eur"):
                raise ListingQueryError("currency: takes usd or eur.")
            out.currency = value.lower()
    kept.append(q[last:])
    out.card_q = " ".join(" ".join(kept).split())
    return out
