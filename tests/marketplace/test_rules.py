"""The pure cores: the ledger's entries and the order state machine, table-driven."""

from __future__ import annotations

import uuid

import pytest

from mtg_tracker.marketplace import ledger, query, states

BUYER = ledger.AccountRef("user", uuid.UUID(int=1), "cash")
ESCROW = ledger.AccountRef("platform", uuid.UUID(int=0), "escrow")
RECEIVABLE = ledger.AccountRef("user", uuid.UUID(int=2), "receivable")
FEES = ledger.AccountRef("platform", uuid.UUID(int=0), "fees")
SELLER_INV = ledger.AccountRef("user", uuid.UUID(int=2), "inventory")
BUYER_INV = ledger.AccountRef("user", uuid.UUID(int=1), "inventory")


@pytest.mark.parametrize(
    ("total", "bps", "fee"),
    [
        (0, 500, 0),
        (900, 500, 45),
        (10, 500, 1),  # 0.5 cent rounds half up
        (9, 500, 0),  # 0.45 cent rounds down
        (12345, 0, 0),
        (12345, 10_000, 12345),
        (1, 5000, 1),
    ],
)
def test_fee(total: int, bps: int, fee: int) -> None:
    assert ledger.fee_cents(total, bps) == fee


@pytest.mark.parametrize(("total", "bps"), [(-1, 500), (100, -1), (100, 10_001)])
def test_fee_refuses_nonsense(total: int, bps: int) -> None:
    with pytest.raises(ValueError):
        ledger.fee_cents(total, bps)


def _sides(lines: list[ledger.Line]) -> list[tuple[str, int, int]]:
    return [(ln.account.kind, ln.debit, ln.credit) for ln in lines]


def _settle(total: int, fee: int) -> list[ledger.Line]:
    return ledger.settlement(
        escrow=ESCROW,
        seller_receivable=RECEIVABLE,
        fees=FEES,
        seller_inventory=SELLER_INV,
        buyer_inventory=BUYER_INV,
        total_cents=total,
        fee=fee,
        currency="usd",
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (ledger.payment(BUYER, ESCROW, 900, "usd"), [("escrow", 900, 0), ("cash", 0, 900)]),
        (ledger.payment(BUYER, ESCROW, 0, "usd"), []),
        (
            _settle(900, 45),
            [("escrow", 0, 900), ("receivable", 855, 0), ("fees", 45, 0), ("inventory", 900, 0), ("inventory", 0, 900)],
        ),
        (_settle(900, 0), [("escrow", 0, 900), ("receivable", 900, 0), ("inventory", 900, 0), ("inventory", 0, 900)]),
        (_settle(100, 100), [("escrow", 0, 100), ("fees", 100, 0), ("inventory", 100, 0), ("inventory", 0, 100)]),
        (ledger.reversal(ledger.payment(BUYER, ESCROW, 900, "eur")), [("escrow", 0, 900), ("cash", 900, 0)]),
    ],
)
def test_entries_balance(lines: list[ledger.Line], expected: list[tuple[str, int, int]]) -> None:
    assert _sides(lines) == expected
    if lines:
        assert ledger.problems([(ln.debit, ln.credit, ln.currency) for ln in lines]) == []


def test_settlement_refuses_fee_above_total() -> None:
    with pytest.raises(ValueError):
        _settle(100, 101)


@pytest.mark.parametrize(
    ("lines", "problems"),
    [
        ([(100, 0, "usd"), (0, 100, "usd")], []),
        ([(100, 0, "usd"), (0, 100, "usd"), (5, 0, "eur"), (0, 5, "eur")], []),
        ([], ["the entry has no lines"]),
        ([(100, 0, "usd"), (0, 99, "usd")], ["usd: debits 100 != credits 99"]),
        # Balanced in total but not per currency.
        (
            [(100, 0, "usd"), (0, 100, "eur")],
            ["eur: debits 0 != credits 100", "usd: debits 100 != credits 0"],
        ),
        ([(0, 0, "usd")], ["a line must have exactly one positive side (debit 0, credit 0)"]),
        (
            [(5, 5, "usd")],
            ["a line must have exactly one positive side (debit 5, credit 5)"],
        ),
        (
            [(-5, 0, "usd"), (0, -5, "usd")],
            [
                "a line must have exactly one positive side (debit -5, credit 0)",
                "a line must have exactly one positive side (debit 0, credit -5)",
            ],
        ),
    ],
)
def test_problems(lines: list[tuple[int, int, str]], problems: list[str]) -> None:
    assert ledger.problems(lines) == problems


@pytest.mark.parametrize(
    ("status", "action", "role", "outcome"),
    [
        ("pending", "pay", "buyer", "paid"),
        ("pending", "pay", "seller", states.NotAllowed),
        ("paid", "pay", "buyer", states.WrongState),
        ("paid", "ship", "seller", "shipped"),
        ("paid", "ship", "buyer", states.NotAllowed),
        ("pending", "ship", "seller", states.WrongState),
        ("shipped", "complete", "buyer", "completed"),
        ("shipped", "complete", "seller", states.NotAllowed),
        ("paid", "complete", "buyer", states.WrongState),
        ("pending", "cancel", "buyer", "cancelled"),
        ("pending", "cancel", "seller", "cancelled"),
        ("pending", "cancel", "admin", "cancelled"),
        ("paid", "cancel", "buyer", states.WrongState),
        ("paid", "refund", "seller", "refunded"),
        ("shipped", "refund", "admin", "refunded"),
        ("shipped", "refund", "buyer", states.NotAllowed),
        ("completed", "refund", "seller", states.WrongState),
        ("cancelled", "refund", "seller", states.WrongState),
        ("refunded", "cancel", "seller", states.WrongState),
        ("pending", "pay", "admin", states.NotAllowed),
    ],
)
def test_transitions(status: str, action: str, role: str, outcome: str | type[Exception]) -> None:
    if isinstance(outcome, str):
        assert states.next_status(status, action, role) == outcome
    else:
        with pytest.raises(outcome):
            states.next_status(status, action, role)


@pytest.mark.parametrize(
    ("q", "card_q", "price", "conditions", "currency"),
    [
        ("t:creature", "t:creature", [], None, None),
        ("price<2.50", "", [("<", 250)], None, None),
        ("c:r price>=1 price<=3", "c:r", [(">=", 100), ("<=", 300)], None, None),
        ("condition>=LP", "", [], {"M", "NM", "LP"}, None),
        ("cond<MP", "", [], {"HP", "D"}, None),
        ("condition:nm currency:EUR bolt", "bolt", [], {"NM"}, "eur"),
        ("condition>=HP condition<=NM", "", [], {"NM", "LP", "MP", "HP"}, None),
        ('"price<2" o:draw', '"price<2" o:draw', [], None, None),  # quoted: card text, not a listing term
        ("oilprice<2", "oilprice<2", [], None, None),  # not at a word start
    ],
)
def test_listing_query(
    q: str, card_q: str, price: list[tuple[str, int]], conditions: set[str] | None, currency: str | None
) -> None:
    parsed = query.parse(q)
    assert (parsed.card_q, parsed.price, parsed.conditions, parsed.currency) == (card_q, price, conditions, currency)


def test_listing_query_seller() -> None:
    seller = uuid.uuid4()
    assert query.parse(f"seller:{seller} t:elf").seller == seller


@pytest.mark.parametrize(
    "q",
    ["price<abc", "price<-1", "price<1.234", "price<nan", "seller:bob", "seller>x", "condition>=XX", "currency:gbp",
     "-price<2", "price<infinity", "(price<2 or t:elf)"],
)  # fmt: skip
def test_listing_query_errors(q: str) -> None:
    with pytest.raises(query.ListingQueryError):
        query.parse(q)
