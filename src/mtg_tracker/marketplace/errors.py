"""Expected failures of the marketplace domain."""

from __future__ import annotations

from typing import ClassVar

from mtg_tracker.kit.errors import AppError, BadRequest, Conflict, Forbidden, NotFound


class ListingNotFound(NotFound):
    default_message = "No listing found with this id."


class OrderNotFound(NotFound):
    default_message = "No order found with this id."


class AccountNotFound(NotFound):
    default_message = "No ledger account found with this id."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Not enough copies are available."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "The order cannot make this transition from its current status."


class TransitionForbidden(Forbidden):
    default_message = "Your role in this order does not allow this transition."


class OwnListing(Conflict):
    code = "own_listing"
    default_message = "You cannot buy from your own listing."


class MixedOrder(BadRequest):
    default_message = "An order buys from one seller in one currency; split the lines into several orders."


class StockMismatch(Conflict):
    code = "stock_mismatch"
    default_message = "The seller's collection no longer holds the copies this order sold."


class IdempotencyMismatch(AppError):
    status_code: ClassVar[int] = 422
    code: ClassVar[str] = "idempotency_mismatch"
    default_message = "This Idempotency-Key was already used with a different request body."


class IdempotencyKeyMissing(BadRequest):
    default_message = "POST /orders needs an Idempotency-Key header (1 to 255 printable characters)."


class ShopNotFound(NotFound):
    default_message = "No shop found with this id."


class ShopRoleTooLow(Forbidden):
    default_message = "Your role in this shop does not allow this."


class LastOwner(Conflict):
    code = "last_owner"
    default_message = "A shop keeps at least one owner; make someone else owner first."


class CollectionInShop(Conflict):
    code = "collection_in_shop"
    default_message = "This collection is already part of a shop's inventory."


class ShopMemberNotFound(NotFound):
    default_message = "This user is not a member of the shop."


class NoMarketPrice(Conflict):
    code = "no_market_price"
    default_message = "The card has no market price for this finish and currency, so a pegged price cannot be computed."
