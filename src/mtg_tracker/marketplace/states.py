"""The order state machine, pure: which role may move an order from which status to which.

pending → paid (buyer pays) → shipped (seller ships) → completed (buyer confirms receipt); a pending order
may be cancelled by either party (or an admin); a paid or shipped order is refunded by the seller (or an
admin). Completed, cancelled and refunded are final.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS = ("pay", "ship", "complete", "cancel", "refund")
ROLES = ("buyer", "seller", "admin")


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    "pay": Transition(frozenset({"pending"}), "paid", frozenset({"buyer"})),
    "ship": Transition(frozenset({"paid"}), "shipped", frozenset({"seller"})),
    "complete": Transition(frozenset({"shipped"}), "completed", frozenset({"buyer"})),
    "cancel": Transition(frozenset({"pending"}), "cancelled", frozenset({"buyer", "seller", "admin"})),
    "refund": Transition(frozenset({"paid", "shipped"}), "refunded", frozenset({"seller", "admin"})),
}


_PAST = {"pay": "paid", "ship": "shipped", "complete": "completed", "cancel": "cancelled", "refund": "refunded"}


class NotAllowed(Exception):
    """``role`` may never make this transition (403)."""


class WrongState(Exception):
    """The transition does not start from the order's status (409)."""


def next_status(status: str, action: str, role: str) -> str:
    """The status after ``action``; the role is checked first, so a buyer learns "not yours to do"
    rather than the state of something they may not do anyway."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise NotAllowed(f"the {role} of an order cannot {action} it")
    if status not in transition.sources:
        raise WrongState(f"a {status} order cannot be {_PAST[action]}")
    return transition.target
