"""Listings, orders and the ledger: the marketplace's logic and its SQL.

Stock is taken by one conditional UPDATE per listing (``available >= n``): PostgreSQL re-checks the
condition on the row it waited for, and SQLite's writers are serialised by ``BEGIN IMMEDIATE``, so no
interleaving can oversell. Lines are taken in listing-id order so that two orders of the same listings
lock them in the same order and cannot deadlock.

Copies stay in the seller's collection entry until the order completes; a listing's ``available`` plus
the quantities of open orders is what the entry must hold, and a new listing may only reserve the rest.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account import service as account_service
from mtg_tracker.account.models import User
from mtg_tracker.account.service import Principal
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.collection import service as collection_service
from mtg_tracker.collection.models import Collection, CollectionEntry
from mtg_tracker.collection.schemas import CollectionCreate, EntryCreate
from mtg_tracker.config import MarketplaceSettings
from mtg_tracker.kit.db import dialect_insert, utcnow
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.marketplace import ledger, outbox, pegging, states
from mtg_tracker.marketplace import query as listing_query
from mtg_tracker.marketplace.errors import (
    AccountNotFound,
    CollectionInShop,
    IdempotencyMismatch,
    InsufficientStock,
    InvalidTransition,
    LastOwner,
    ListingNotFound,
    MixedOrder,
    NoMarketPrice,
    OrderNotFound,
    OwnListing,
    ShopMemberNotFound,
    ShopNotFound,
    ShopRoleTooLow,
    StockMismatch,
    TransitionForbidden,
)
from mtg_tracker.marketplace.models import (
    OPEN_ORDER_STATUSES,
    PLATFORM_ID,
    IdempotentReply,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Listing,
    Order,
    OrderLine,
    Shop,
    ShopCollection,
    ShopMember,
)
from mtg_tracker.marketplace.schemas import (
    AccountBalance,
    EntryLineRead,
    JournalEntryRead,
    ListingCreate,
    ListingRead,
    ListingUpdate,
    OrderComplete,
    OrderCreate,
    OrderLineRead,
    OrderRead,
    Party,
    Peg,
)
from mtg_tracker.search import service as search_service

PURCHASES_COLLECTION = "Marketplace purchases"
ROLE_RANK = {"staff": 1, "manager": 2, "owner": 3}
# What a shop member needs to make an order transition (staff list and fulfil; managers also refund).
SHOP_ACTION_ROLES = {"ship": "staff", "cancel": "staff", "refund": "manager"}
# Listings a buyer can see: a withdrawn one is the seller's business only.
_PUBLIC_STATUSES = ("active", "paused", "sold_out")
# Listings whose ``available`` copies are reserved in the entry (a withdrawn listing gives them back).
_RESERVING_STATUSES = ("active", "paused", "sold_out")


def cents_str(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# -- listings -------------------------------------------------------------------------------------------------


async def _reserved(session: AsyncSession, entry_id: int, *, exclude: uuid.UUID | None = None) -> int:
    """Copies of an entry promised elsewhere: available in other live listings plus in open orders."""
    listed = select(func.coalesce(func.sum(Listing.available), 0)).where(
        Listing.entry_id == entry_id, Listing.status.in_(_RESERVING_STATUSES), Listing.deleted_at.is_(None)
    )
    if exclude is not None:
        listed = listed.where(Listing.id != exclude)
    ordered = (
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .where(Listing.entry_id == entry_id, Order.status.in_(OPEN_ORDER_STATUSES))
    )
    return int(await session.scalar(listed) or 0) + int(await session.scalar(ordered) or 0)


async def _committed(session: AsyncSession, listing_id: uuid.UUID) -> int:
    """Copies of a listing in open or completed orders (they count towards its ``quantity``)."""
    stmt = (
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.listing_id == listing_id, Order.status.in_((*OPEN_ORDER_STATUSES, "completed")))
    )
    return int(await session.scalar(stmt) or 0)


async def _lock_entry(session: AsyncSession, entry_id: int | None) -> CollectionEntry | None:
    if entry_id is None:
        return None
    return await session.get(CollectionEntry, entry_id, with_for_update=True, populate_existing=True)


def _short(what: str, held: int, reserved: int, wanted: int) -> InsufficientStock:
    free = max(held - reserved, 0)
    return InsufficientStock(
        f"The entry holds {held} {what}, {reserved} of them reserved by other listings and open orders; "
        f"{free} can be listed, not {wanted}.",
        extra={"available": free},
    )


async def _shop_collection(session: AsyncSession, shop: Shop, collection_id: uuid.UUID) -> Collection:
    """A collection of the shop's inventory, locked like ``get_collection(write=True)`` locks one's own."""
    link = await session.get(ShopCollection, collection_id)
    collection = await session.get(Collection, collection_id, with_for_update=True) if link is not None else None
    if link is None or link.shop_id != shop.id or collection is None:
        raise ListingNotFound("No collection with this id in this shop's inventory.")
    return collection


async def create_listing(session: AsyncSession, principal: Principal, data: ListingCreate) -> Listing:
    # Locks the collection row: two listings of one entry made at once take turns over the reservation.
    if data.shop_id is not None:
        shop, _role = await get_shop(session, data.shop_id, principal, min_role="staff")
        collection = await _shop_collection(session, shop, data.collection_id)
    else:
        collection = await collection_service.get_collection(session, data.collection_id, principal, write=True)
    entry = await _lock_entry(session, data.entry_id)
    if entry is None or entry.collection_id != collection.id:
        raise ListingNotFound("No entry with this id in this collection.")
    reserved = await _reserved(session, entry.id)
    if data.quantity > entry.quantity - reserved:
        raise _short("copies", entry.quantity, reserved, data.quantity)
    if data.peg is not None:
        points = await pegging.market_points(session, [entry.card_id])
        cents = pegging.effective_cents(points.get(entry.card_id), data.currency, entry.finish, data.peg.discount_pct)
        if cents is None:
            raise NoMarketPrice(
                f"This printing has no {data.currency} price for the {entry.finish} finish; "
                "a pegged listing needs one (give a fixed price instead)."
            )
    else:
        assert data.price is not None  # the schema asks for exactly one of price and peg
        cents = to_cents(data.price)
    now = utcnow()
    listing = Listing(
        seller_id=principal.user_id,
        shop_id=data.shop_id,
        collection_id=collection.id,
        entry_id=entry.id,
        card_id=entry.card_id,
        finish=entry.finish,
        condition=entry.condition,
        language=entry.language,
        quantity=data.quantity,
        available=data.quantity,
        price_cents=cents,
        peg_pct=data.peg.discount_pct if data.peg is not None else None,
        currency=data.currency,
        status="active",
        created_at=now,
        updated_at=now,
    )
    session.add(listing)
    await session.flush()
    await account_service.audit(
        session,
        "listing.create",
        actor_id=principal.user_id,
        target_type="listing",
        target=str(listing.id),
        quantity=listing.quantity,
        price=cents_str(listing.price_cents),
        peg_pct=listing.peg_pct,
        currency=listing.currency,
    )
    return listing


async def get_listing(
    session: AsyncSession, listing_id: uuid.UUID, principal: Principal | None, *, write: bool = False
) -> Listing:
    """A live listing: the seller's (any status, locked for writes; a shop's: any member's), or anyone's
    public one for reads."""
    listing = await session.get(Listing, listing_id, with_for_update=write or None, populate_existing=write)
    if listing is None or listing.deleted_at is not None:
        raise ListingNotFound()
    if await listing_role(session, listing, principal) is not None:
        return listing
    if not write and listing.status in _PUBLIC_STATUSES:
        return listing
    raise ListingNotFound()


async def listing_role(session: AsyncSession, listing: Listing, principal: Principal | None) -> str | None:
    """The caller's say over a listing: ``owner`` of their own, their shop role for a shop's, else None."""
    if principal is None:
        return None
    if listing.shop_id is not None:
        return await _member_role(session, listing.shop_id, principal.user_id)
    return "owner" if listing.seller_id == principal.user_id else None


async def update_listing(session: AsyncSession, principal: Principal, listing: Listing, data: ListingUpdate) -> Listing:
    changes: dict[str, Any] = {}
    if data.price is not None and ROLE_RANK[await listing_role(session, listing, principal) or "staff"] < 2:
        raise ShopRoleTooLow("Staff may list and fulfil; changing a price needs a manager or the owner.")
    committed = await _committed(session, listing.id)
    quantity = data.quantity if data.quantity is not None else listing.quantity
    status = data.status or listing.status
    if data.quantity is not None and data.quantity < committed:
        raise InsufficientStock(
            f"{committed} copies of this listing are in orders; its quantity cannot go below that.",
            extra={"available": 0},
        )
    available = quantity - committed
    if status == "sold_out" and available > 0:
        status = "active"
    if status == "active" and available == 0:
        status = "sold_out"
    if status in _RESERVING_STATUSES and (available > listing.available or listing.status not in _RESERVING_STATUSES):
        # More copies promised, or a withdrawn listing coming back: the entry must still hold them.
        entry = await _lock_entry(session, listing.entry_id)
        if entry is None:
            raise InsufficientStock("The collection entry of this listing is gone.", extra={"available": 0})
        reserved = await _reserved(session, entry.id, exclude=listing.id)
        # Open orders of this very listing are reserved too (they are not in ``exclude``'s available).
        if available > entry.quantity - reserved:
            raise _short("copies", entry.quantity, reserved, available)
    if data.price is not None:
        changes["price"] = [cents_str(listing.price_cents), cents_str(to_cents(data.price))]
        listing.price_cents = to_cents(data.price)
        listing.peg_pct = None  # a fixed price replaces a peg
    if quantity != listing.quantity:
        changes["quantity"] = [listing.quantity, quantity]
    if status != listing.status:
        changes["status"] = [listing.status, status]
    listing.quantity, listing.available, listing.status = quantity, available, status
    listing.updated_at = utcnow()
    await session.flush()
    await account_service.audit(
        session, "listing.update", actor_id=principal.user_id, target_type="listing", target=str(listing.id), **changes
    )
    return listing


async def delete_listing(session: AsyncSession, principal: Principal, listing: Listing) -> None:
    """Withdraw and hide; orders already placed keep their copies and run their course."""
    listing.status = "withdrawn"
    listing.deleted_at = listing.updated_at = utcnow()
    await session.flush()
    await account_service.audit(
        session, "listing.delete", actor_id=principal.user_id, target_type="listing", target=str(listing.id)
    )


async def list_listings(
    session: AsyncSession,
    principal: Principal | None,
    *,
    q: str | None,
    seller_id: uuid.UUID | None,
    mine: bool,
    sort: str,
    page: int,
    page_size: int,
) -> tuple[list[Listing], int, list[str]]:
    """Listings matching ``q`` (card search syntax plus the listing terms of ``query``), and the search's
    warnings."""
    stmt = select(Listing).where(Listing.deleted_at.is_(None))
    warnings: list[str] = []
    if q:
        try:
            parsed = listing_query.parse(q)
        except listing_query.ListingQueryError as exc:
            raise BadRequest(str(exc)) from None
        if parsed.card_q:
            ids, warnings = search_service.card_filter(parsed.card_q, session.get_bind().dialect.name)
            stmt = stmt.where(Listing.card_id.in_(ids))
        ops = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "=": "__eq__", "!=": "__ne__"}
        for op, cents in parsed.price:
            stmt = stmt.where(getattr(Listing.price_cents, ops[op])(cents))
        if parsed.seller is not None:
            seller_id = parsed.seller if seller_id is None or seller_id == parsed.seller else uuid.UUID(int=0)
        if parsed.conditions is not None:
            stmt = stmt.where(Listing.condition.in_(sorted(parsed.conditions)))
        if parsed.currency is not None:
            stmt = stmt.where(Listing.currency == parsed.currency)
    if mine and principal is not None:
        stmt = stmt.where(Listing.seller_id == principal.user_id)
    else:
        stmt = stmt.where(Listing.status == "active")
    if seller_id is not None:
        stmt = stmt.where(Listing.seller_id == seller_id)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    orders: dict[str, tuple[Any, ...]] = {
        "price": (Listing.price_cents.asc(), Listing.id),
        "-price": (Listing.price_cents.desc(), Listing.id),
        "newest": (Listing.created_at.desc(), Listing.id),
    }
    rows = await session.scalars(stmt.order_by(*orders[sort]).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total, warnings


def _effective_str(listing: Listing, pegged: dict[uuid.UUID, int | None]) -> str | None:
    if listing.peg_pct is None:
        return cents_str(listing.price_cents)
    cents = pegged.get(listing.id)
    return None if cents is None else cents_str(cents)


async def listings_read(
    session: AsyncSession, listings: Sequence[Listing], principal: Principal | None
) -> list[ListingRead]:
    bodies = await catalog_service.card_bodies(session, [listing.card_id for listing in listings])
    my_shops = set(await _my_shop_ids(session, principal.user_id)) if principal is not None else set()
    pegged = await pegging.effective_prices(session, listings)
    out = []
    for listing in listings:
        own = principal is not None and (
            principal.user_id == listing.seller_id if listing.shop_id is None else listing.shop_id in my_shops
        )
        body = bodies.get(listing.card_id)
        out.append(
            ListingRead(
                id=listing.id,
                card=orjson.loads(body) if body is not None else None,
                card_id=listing.card_id,
                finish=listing.finish,
                condition=listing.condition,
                language=listing.language,
                quantity=listing.quantity,
                available=listing.available,
                price=_effective_str(listing, pegged),
                peg=Peg(discount_pct=listing.peg_pct) if listing.peg_pct is not None else None,
                currency=listing.currency,
                status=listing.status,
                seller=Party(kind="shop", id=listing.shop_id)
                if listing.shop_id is not None
                else Party(id=listing.seller_id),
                collection_id=listing.collection_id if own else None,
                entry_id=listing.entry_id if own else None,
                created_at=listing.created_at,
                updated_at=listing.updated_at,
            )
        )
    return out


# -- orders ---------------------------------------------------------------------------------------------------


def request_hash(data: OrderCreate) -> str:
    """The body's identity for idempotency: its parsed form, so formatting and key order do not matter."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _replay(reply: IdempotentReply, digest: str) -> tuple[int, bytes]:
    if reply.request_hash != digest:
        raise IdempotencyMismatch()
    return reply.status_code, reply.body


async def place_order(
    session: AsyncSession,
    principal: Principal,
    *,
    key: str,
    data: OrderCreate,
    settings: MarketplaceSettings,
) -> tuple[int, bytes]:
    """POST /orders with its Idempotency-Key: the stored reply of an earlier request with this key, or a new
    order whose reply is stored in the same transaction.

    Concurrent requests with one key: the first inserts the key row; the others' inserts wait on it
    (PostgreSQL) or never start before it commits (SQLite), then find the committed row and replay it.
    A request that fails (409 insufficient_stock) rolls back its key row too, so a retry may succeed.
    """
    digest = request_hash(data)
    stmt = select(IdempotentReply).where(IdempotentReply.user_id == principal.user_id, IdempotentReply.key == key)
    stored = await session.scalar(stmt)
    if stored is not None and stored.created_at < utcnow() - timedelta(hours=settings.idempotency_hours):
        await session.delete(stored)
        await session.flush()
        stored = None
    if stored is not None:
        return _replay(stored, digest)
    reply = IdempotentReply(
        user_id=principal.user_id, key=key, request_hash=digest, status_code=0, body=b"", created_at=utcnow()
    )
    try:
        async with session.begin_nested():
            session.add(reply)
            await session.flush()
    except IntegrityError:
        stored = await session.scalar(stmt.execution_options(populate_existing=True))
        if stored is None:  # pragma: no cover - the conflicting row was rolled back and expired in between
            raise
        return _replay(stored, digest)
    order, lines = await create_order(session, principal, data)
    body = OrderRead.model_validate(order_read(order, lines)).model_dump_json().encode()
    reply.status_code, reply.body = 201, body
    await session.flush()
    return 201, body


async def create_order(session: AsyncSession, principal: Principal, data: OrderCreate) -> tuple[Order, list[OrderLine]]:
    wanted: dict[uuid.UUID, int] = defaultdict(int)
    for asked in data.lines:
        wanted[asked.listing_id] += asked.quantity
    ids = sorted(wanted)
    found = {
        row.id: row
        for row in await session.scalars(
            select(Listing).where(Listing.id.in_(ids), Listing.deleted_at.is_(None), Listing.status != "withdrawn")
        )
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ListingNotFound(f"No listing found with id {', '.join(missing)}.")
    sellers = {(row.shop_id, row.seller_id if row.shop_id is None else None) for row in found.values()}
    currencies = {row.currency for row in found.values()}
    if len(sellers) > 1 or len(currencies) > 1:
        raise MixedOrder()
    shop_id, seller_user = next(iter(sellers))
    if seller_user == principal.user_id or (
        shop_id is not None and await _member_role(session, shop_id, principal.user_id) is not None
    ):
        raise OwnListing()
    now = utcnow()
    order = Order(
        buyer_id=principal.user_id,
        # A shop's order names the member who listed its first line; the shop is the seller.
        seller_id=found[min(ids)].seller_id,
        seller_shop_id=shop_id,
        status="pending",
        currency=currencies.pop(),
        total_cents=0,
        created_at=now,
        updated_at=now,
    )
    # Pegged lines take the effective price now; the line keeps it, whatever the market does later.
    pegged = await pegging.effective_prices(session, found.values())
    for listing_id, cents in pegged.items():
        if cents is None:
            raise NoMarketPrice(
                f"Listing {listing_id} is pegged to a market price that is not available now; it cannot be ordered.",
                extra={"listing_id": str(listing_id)},
            )
    session.add(order)
    await session.flush()
    lines: list[OrderLine] = []
    for listing_id in ids:
        quantity = wanted[listing_id]
        repriced = {"price_cents": pegged[listing_id]} if listing_id in pegged else {}
        taken = await session.execute(
            update(Listing)
            .where(
                Listing.id == listing_id,
                Listing.status == "active",
                Listing.deleted_at.is_(None),
                Listing.available >= quantity,
            )
            .values(
                available=Listing.available - quantity,
                status=case((Listing.available == quantity, "sold_out"), else_=Listing.status),
                updated_at=now,
                **repriced,
            )
            .returning(Listing.price_cents, Listing.card_id, Listing.available)
            .execution_options(synchronize_session=False)
        )
        row = taken.first()
        if row is None:
            # The boundary rolls back the lines already taken: an order is all or nothing.
            current = await session.scalar(
                select(Listing.available).where(Listing.id == listing_id).execution_options(populate_existing=True)
            )
            raise InsufficientStock(
                f"Listing {listing_id} has {current or 0} copies available, not {quantity}; nothing was taken.",
                extra={"listing_id": str(listing_id)},
            )
        line = OrderLine(
            order_id=order.id, listing_id=listing_id, card_id=row.card_id, quantity=quantity, unit_cents=row.price_cents
        )
        session.add(line)
        lines.append(line)
        order.total_cents += quantity * row.price_cents
        if row.available == 0:
            await outbox.emit(session, "listing.sold_out", {"listing_id": str(listing_id)})
    await session.flush()
    await outbox.emit(session, "order.created", _event(order, lines))
    await account_service.audit(
        session,
        "order.create",
        actor_id=principal.user_id,
        target_type="order",
        target=str(order.id),
        total=cents_str(order.total_cents),
        currency=order.currency,
    )
    return order, lines


def _event(order: Order, lines: Iterable[OrderLine]) -> dict[str, Any]:
    return {
        "order_id": str(order.id),
        "status": order.status,
        "buyer_id": str(order.buyer_id),
        "seller": {"kind": "shop", "id": str(order.seller_shop_id)}
        if order.seller_shop_id is not None
        else {"kind": "user", "id": str(order.seller_id)},
        "currency": order.currency,
        "total": cents_str(order.total_cents),
        "lines": [
            {"listing_id": str(ln.listing_id), "quantity": ln.quantity, "unit_price": cents_str(ln.unit_cents)}
            for ln in lines
        ],
    }


def order_read(order: Order, lines: Iterable[OrderLine]) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "currency": order.currency,
        "total": cents_str(order.total_cents),
        "fee": cents_str(order.fee_cents) if order.fee_cents is not None else None,
        "buyer": {"id": order.buyer_id},
        "seller": {"kind": "shop", "id": order.seller_shop_id}
        if order.seller_shop_id is not None
        else {"kind": "user", "id": order.seller_id},
        "lines": [
            OrderLineRead(
                listing_id=ln.listing_id, card_id=ln.card_id, quantity=ln.quantity, unit_price=cents_str(ln.unit_cents)
            )
            for ln in sorted(lines, key=lambda ln: ln.listing_id)
        ],
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


async def order_lines(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[OrderLine]]:
    out: dict[uuid.UUID, list[OrderLine]] = defaultdict(list)
    if order_ids:
        for line in await session.scalars(select(OrderLine).where(OrderLine.order_id.in_(order_ids))):
            out[line.order_id].append(line)
    return out


async def _role(session: AsyncSession, principal: Principal, order: Order) -> tuple[str | None, str | None]:
    """(role in the order, shop role when a shop sells)."""
    if order.buyer_id == principal.user_id:
        return "buyer", None
    if order.seller_shop_id is not None:
        shop_role = await _member_role(session, order.seller_shop_id, principal.user_id)
        if shop_role is not None:
            return "seller", shop_role
    elif order.seller_id == principal.user_id:
        return "seller", "owner"
    return ("admin" if principal.is_admin else None), None


async def get_order(
    session: AsyncSession, order_id: uuid.UUID, principal: Principal, *, write: bool = False
) -> tuple[Order, str]:
    """The order and the caller's role in it; 404 for anyone who is neither party nor an admin."""
    order = await session.get(Order, order_id, with_for_update=write or None, populate_existing=write)
    role, shop_role = await _role(session, principal, order) if order is not None else (None, None)
    if order is None or role is None:
        raise OrderNotFound()
    return order, role if shop_role is None else f"{role}:{shop_role}"


def _sold_by(user_id: uuid.UUID) -> Any:
    shops = select(ShopMember.shop_id).where(ShopMember.user_id == user_id)
    return ((Order.seller_id == user_id) & Order.seller_shop_id.is_(None)) | Order.seller_shop_id.in_(shops)


async def list_orders(
    session: AsyncSession, principal: Principal, *, role: str | None, status: str | None, page: int, page_size: int
) -> tuple[list[Order], int]:
    me = principal.user_id
    if role == "buyer":
        stmt = select(Order).where(Order.buyer_id == me)
    elif role == "seller":
        stmt = select(Order).where(_sold_by(me))
    else:
        stmt = select(Order).where((Order.buyer_id == me) | _sold_by(me))
    if status is not None:
        stmt = stmt.where(Order.status == status)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.scalars(
        stmt.order_by(Order.created_at.desc(), Order.id).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


async def transition(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    action: str,
    *,
    settings: MarketplaceSettings,
    complete: OrderComplete | None = None,
) -> tuple[Order, list[OrderLine]]:
    order, full_role = await get_order(session, order_id, principal, write=True)
    role, _, shop_role = full_role.partition(":")
    if shop_role and ROLE_RANK[shop_role] < ROLE_RANK[SHOP_ACTION_ROLES.get(action, "staff")]:
        raise TransitionForbidden(f"Staff may list and fulfil; to {action} an order needs a manager or the owner.")
    try:
        target = states.next_status(order.status, action, role)
    except states.NotAllowed as exc:
        raise TransitionForbidden(f"As the {role} of this order you cannot {action} it.") from exc
    except states.WrongState as exc:
        raise InvalidTransition(f"This order is {order.status}; {exc}.") from exc
    lines = (await order_lines(session, [order.id]))[order.id]
    entry_ids: list[int] = []
    if action == "pay":
        entry_ids.append(await _post_payment(session, order))
    elif action in ("cancel", "refund"):
        await _return_stock(session, lines)
        if action == "refund":
            entry_ids.append(await _post_refund(session, order))
    elif action == "complete":
        await _move_copies(session, principal, order, lines, complete or OrderComplete())
        entry_ids.append(await _post_settlement(session, order, settings.fee_bps))
    previous = order.status
    order.status = target
    order.updated_at = utcnow()
    if action in ("pay", "cancel"):
        await outbox.emit(session, f"order.{target}", _event(order, lines))
    await session.flush()
    await account_service.audit(
        session,
        f"order.{action}",
        actor_id=principal.user_id,
        target_type="order",
        target=str(order.id),
        role=full_role,
        previous=previous,
        journal_entries=entry_ids or None,
    )
    return order, lines


async def _return_stock(session: AsyncSession, lines: Sequence[OrderLine]) -> None:
    """Copies of a cancelled or refunded order go back on sale (they never left the seller's entry)."""
    for line in sorted(lines, key=lambda ln: ln.listing_id):
        await session.execute(
            update(Listing)
            .where(Listing.id == line.listing_id)
            .values(
                available=Listing.available + line.quantity,
                status=case((Listing.status == "sold_out", "active"), else_=Listing.status),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )


async def _move_copies(
    session: AsyncSession, principal: Principal, order: Order, lines: Sequence[OrderLine], target: OrderComplete
) -> None:
    """The seller's entries give up the sold copies and the buyer's collection gains them, priced at what the
    buyer paid (their cost basis), tagged ``bought``."""
    if target.collection_id is not None:
        collection = await collection_service.get_collection(session, target.collection_id, principal, write=True)
    else:
        collection = await _purchases_collection(session, order.buyer_id)
    listings = {
        row.id: row
        for row in await session.scalars(select(Listing).where(Listing.id.in_([ln.listing_id for ln in lines])))
    }
    for line in sorted(lines, key=lambda ln: ln.listing_id):
        listing = listings[line.listing_id]
        entry = await _lock_entry(session, listing.entry_id)
        if entry is None or entry.quantity < line.quantity:
            raise StockMismatch(
                f"The seller's collection entry for listing {listing.id} holds "
                f"{entry.quantity if entry else 0} copies, not the {line.quantity} sold; the seller must fix it."
            )
        if entry.quantity == line.quantity:
            await session.delete(entry)
        else:
            entry.quantity -= line.quantity
            entry.updated_at = utcnow()
        await collection_service.add_entry(
            session,
            collection,
            EntryCreate(
                card_id=listing.card_id,
                quantity=line.quantity,
                finish=listing.finish,
                condition=listing.condition,
                language=listing.language,
                purchase_price=Decimal(line.unit_cents) / 100,
                currency=order.currency.upper(),
                acquired=utcnow().date(),
                tags=["bought"],
                notes=f"Marketplace order {order.id}",
            ),
        )
    await session.flush()


async def _purchases_collection(session: AsyncSession, buyer_id: uuid.UUID) -> Collection:
    found = await collection_service.find_collections(session, name=PURCHASES_COLLECTION, owner_id=buyer_id)
    if found:
        return found[0]
    return await collection_service.create_collection(
        session, owner_id=buyer_id, data=CollectionCreate(name=PURCHASES_COLLECTION)
    )


# -- ledger ---------------------------------------------------------------------------------------------------


def _user(owner_id: uuid.UUID, kind: str) -> ledger.AccountRef:
    return ledger.AccountRef(ledger.USER, owner_id, kind)


def _seller(order: Order, kind: str) -> ledger.AccountRef:
    if order.seller_shop_id is not None:
        return ledger.AccountRef(ledger.SHOP, order.seller_shop_id, kind)
    return _user(order.seller_id, kind)


def _platform(kind: str) -> ledger.AccountRef:
    return ledger.AccountRef(ledger.PLATFORM, PLATFORM_ID, kind)


async def _account_id(session: AsyncSession, ref: ledger.AccountRef, currency: str) -> uuid.UUID:
    """The account's id, created on first use (ON CONFLICT: two first uses at once make one account)."""
    insert = dialect_insert(session)
    await session.execute(
        insert(LedgerAccount)
        .values(
            id=uuid.uuid4(),
            owner_kind=ref.owner_kind,
            owner_id=ref.owner_id,
            kind=ref.kind,
            currency=currency,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["owner_kind", "owner_id", "kind", "currency"])
    )
    account_id = await session.scalar(
        select(LedgerAccount.id).where(
            LedgerAccount.owner_kind == ref.owner_kind,
            LedgerAccount.owner_id == ref.owner_id,
            LedgerAccount.kind == ref.kind,
            LedgerAccount.currency == currency,
        )
    )
    assert account_id is not None
    return account_id


async def post_entry(
    session: AsyncSession,
    *,
    kind: str,
    memo: str,
    lines: Sequence[ledger.Line],
    order_id: uuid.UUID | None = None,
    reverses_id: int | None = None,
) -> int:
    """Append one journal entry; refuses (a bug, not a user error) one that does not balance."""
    problems = ledger.problems([(ln.debit, ln.credit, ln.currency) for ln in lines])
    if problems:
        raise ValueError(f"unbalanced journal entry {memo!r}: {'; '.join(problems)}")
    entry = JournalEntry(kind=kind, memo=memo, order_id=order_id, reverses_id=reverses_id, created_at=utcnow())
    session.add(entry)
    await session.flush()
    for ln in lines:
        account_id = await _account_id(session, ln.account, ln.currency)
        session.add(
            JournalLine(
                entry_id=entry.id, account_id=account_id, debit=ln.debit, credit=ln.credit, currency=ln.currency
            )
        )
    await session.flush()
    return entry.id


async def _post_payment(session: AsyncSession, order: Order) -> int:
    lines = ledger.payment(_user(order.buyer_id, "cash"), _platform("escrow"), order.total_cents, order.currency)
    if not lines:  # a free order moves no money
        return 0
    return await post_entry(session, kind="payment", memo=f"order {order.id} paid", lines=lines, order_id=order.id)


async def _post_refund(session: AsyncSession, order: Order) -> int:
    paid = await session.scalar(
        select(JournalEntry.id).where(JournalEntry.order_id == order.id, JournalEntry.kind == "payment")
    )
    if paid is None:
        return 0
    rows = await session.execute(
        select(LedgerAccount.owner_kind, LedgerAccount.owner_id, LedgerAccount.kind, JournalLine)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.entry_id == paid)
        .order_by(JournalLine.id)
    )
    original = [
        ledger.Line(ledger.AccountRef(r[0], r[1], r[2]), r[3].debit, r[3].credit, r[3].currency) for r in rows.all()
    ]
    return await post_entry(
        session,
        kind="refund",
        memo=f"order {order.id} refunded",
        lines=ledger.reversal(original),
        order_id=order.id,
        reverses_id=paid,
    )


async def _post_settlement(session: AsyncSession, order: Order, fee_bps: int) -> int:
    fee = ledger.fee_cents(order.total_cents, fee_bps)
    order.fee_cents = fee
    lines = ledger.settlement(
        escrow=_platform("escrow"),
        seller_receivable=_seller(order, "receivable"),
        fees=_platform("fees"),
        seller_inventory=_seller(order, "inventory"),
        buyer_inventory=_user(order.buyer_id, "inventory"),
        total_cents=order.total_cents,
        fee=fee,
        currency=order.currency,
    )
    if not lines:
        return 0
    return await post_entry(
        session, kind="settlement", memo=f"order {order.id} completed", lines=lines, order_id=order.id
    )


def _sums() -> Any:
    return (
        func.coalesce(func.sum(JournalLine.debit), 0).label("debit"),
        func.coalesce(func.sum(JournalLine.credit), 0).label("credit"),
    )


def _balance(account: LedgerAccount, debit: int, credit: int) -> AccountBalance:
    return AccountBalance(
        id=account.id,
        account=account.kind,
        owner={"kind": account.owner_kind, "id": account.owner_id},
        currency=account.currency,
        debit=cents_str(debit),
        credit=cents_str(credit),
        balance=cents_str(debit - credit),
    )


async def balances(session: AsyncSession, *, owner_kind: str, owner_id: uuid.UUID) -> list[AccountBalance]:
    """Balances derived from the journal: never stored, so they cannot drift from the entries."""
    rows = await session.execute(
        select(LedgerAccount, *_sums())
        .outerjoin(JournalLine, JournalLine.account_id == LedgerAccount.id)
        .where(LedgerAccount.owner_kind == owner_kind, LedgerAccount.owner_id == owner_id)
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.kind, LedgerAccount.currency)
    )
    return [_balance(r[0], int(r[1]), int(r[2])) for r in rows.all()]


async def get_account(session: AsyncSession, account_id: uuid.UUID, principal: Principal) -> AccountBalance:
    account = await session.get(LedgerAccount, account_id)
    mine = account is not None and account.owner_kind == ledger.USER and account.owner_id == principal.user_id
    if account is not None and account.owner_kind == ledger.SHOP:
        mine = ROLE_RANK.get(await _member_role(session, account.owner_id, principal.user_id) or "", 0) >= 2
    if account is None or not (mine or principal.is_admin):
        raise AccountNotFound()
    row = (await session.execute(select(*_sums()).where(JournalLine.account_id == account.id))).one()
    return _balance(account, int(row[0]), int(row[1]))


async def entries(
    session: AsyncSession, principal: Principal, *, page: int, page_size: int
) -> tuple[list[JournalEntryRead], int]:
    """Journal entries that touch the caller's accounts, newest first, with all their lines (so each one
    visibly balances); other parties' accounts are named by kind only."""
    mine = select(LedgerAccount.id).where(
        LedgerAccount.owner_kind == ledger.USER, LedgerAccount.owner_id == principal.user_id
    )
    touching = select(JournalLine.entry_id).where(JournalLine.account_id.in_(mine)).distinct()
    total = int(await session.scalar(select(func.count()).select_from(touching.subquery())) or 0)
    page_entries = list(
        await session.scalars(
            select(JournalEntry)
            .where(JournalEntry.id.in_(touching))
            .order_by(JournalEntry.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    lines: dict[int, list[EntryLineRead]] = defaultdict(list)
    if page_entries:
        rows = await session.execute(
            select(JournalLine, LedgerAccount.owner_kind, LedgerAccount.kind)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalLine.entry_id.in_([e.id for e in page_entries]))
            .order_by(JournalLine.id)
        )
        for line, owner_kind, kind in rows.all():
            lines[line.entry_id].append(
                EntryLineRead(
                    account=f"{owner_kind}:{kind}",
                    account_id=line.account_id,
                    debit=cents_str(line.debit),
                    credit=cents_str(line.credit),
                    currency=line.currency,
                )
            )
    return [
        JournalEntryRead(
            id=e.id,
            created_at=e.created_at,
            memo=e.memo,
            order_id=e.order_id,
            reverses_id=e.reverses_id,
            lines=lines[e.id],
        )
        for e in page_entries
    ], total


async def statement_rows(session: AsyncSession, account_id: uuid.UUID) -> list[list[str]]:
    """Every line of one account, oldest first, with the running balance (debit − credit)."""
    rows = await session.execute(
        select(
            JournalEntry.id,
            JournalEntry.created_at,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.order_id,
            JournalLine.debit,
            JournalLine.credit,
            JournalLine.currency,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == account_id)
        .order_by(JournalEntry.id, JournalLine.id)
    )
    out = [["entry_id", "created_at", "kind", "memo", "order_id", "debit", "credit", "currency", "balance"]]
    running = 0
    for entry_id, created_at, kind, memo, order_id, debit, credit, currency in rows.all():
        running += debit - credit
        out.append(
            [
                str(entry_id),
                created_at.isoformat(),
                kind,
                memo,
                str(order_id or ""),
                cents_str(debit),
                cents_str(credit),
                currency,
                cents_str(running),
            ]
        )
    return out


# -- shops ----------------------------------------------------------------------------------------------------


async def _member_role(session: AsyncSession, shop_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
    """The user's role in a live shop (a deleted shop's members have none)."""
    return await session.scalar(
        select(ShopMember.role)
        .join(Shop, Shop.id == ShopMember.shop_id)
        .where(ShopMember.shop_id == shop_id, ShopMember.user_id == user_id, Shop.deleted_at.is_(None))
    )


async def _my_shop_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(ShopMember.shop_id).where(ShopMember.user_id == user_id)))


async def get_shop(
    session: AsyncSession, shop_id: uuid.UUID, principal: Principal | None, *, min_role: str | None = None
) -> tuple[Shop, str | None]:
    """A live shop and the caller's role in it. With ``min_role``: 404 for non-members (another shop's
    staff cannot even confirm it exists through a write), 403 for members whose role is too low."""
    shop = await session.get(Shop, shop_id)
    if shop is None or shop.deleted_at is not None:
        raise ShopNotFound()
    role = await _member_role(session, shop.id, principal.user_id) if principal is not None else None
    if min_role is not None:
        if role is None:
            raise ShopNotFound()
        if ROLE_RANK[role] < ROLE_RANK[min_role]:
            raise ShopRoleTooLow(f"This needs the {min_role} role or higher in the shop; you are {role}.")
    return shop, role


async def create_shop(session: AsyncSession, principal: Principal, name: str) -> Shop:
    now = utcnow()
    shop = Shop(name=name, created_at=now, updated_at=now)
    session.add(shop)
    await session.flush()
    session.add(ShopMember(shop_id=shop.id, user_id=principal.user_id, role="owner", created_at=now))
    await session.flush()
    await account_service.audit(
        session, "shop.create", actor_id=principal.user_id, target_type="shop", target=str(shop.id), name=name
    )
    return shop


async def list_shops(session: AsyncSession, principal: Principal) -> list[tuple[Shop, str]]:
    rows = await session.execute(
        select(Shop, ShopMember.role)
        .join(ShopMember, ShopMember.shop_id == Shop.id)
        .where(ShopMember.user_id == principal.user_id, Shop.deleted_at.is_(None))
        .order_by(Shop.created_at, Shop.id)
    )
    return [(shop, role) for shop, role in rows.all()]


async def rename_shop(session: AsyncSession, principal: Principal, shop: Shop, name: str) -> Shop:
    old, shop.name, shop.updated_at = shop.name, name, utcnow()
    await session.flush()
    await account_service.audit(
        session, "shop.update", actor_id=principal.user_id, target_type="shop", target=str(shop.id), name=[old, name]
    )
    return shop


async def delete_shop(session: AsyncSession, principal: Principal, shop: Shop) -> None:
    """Soft delete: the shop and its listings disappear from reads; orders already placed keep their
    course and the journal keeps the shop's accounts."""
    now = utcnow()
    shop.deleted_at = shop.updated_at = now
    await session.execute(
        update(Listing)
        .where(Listing.shop_id == shop.id, Listing.status.in_(("active", "paused", "sold_out")))
        .values(status="withdrawn", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await account_service.audit(
        session, "shop.delete", actor_id=principal.user_id, target_type="shop", target=str(shop.id)
    )


async def restore_shop(session: AsyncSession, principal: Principal, shop_id: uuid.UUID) -> Shop:
    """Admin: bring a deleted shop back (its listings stay withdrawn until a member resumes them)."""
    shop = await session.get(Shop, shop_id)
    if shop is None:
        raise ShopNotFound()
    shop.deleted_at, shop.updated_at = None, utcnow()
    await session.flush()
    await account_service.audit(
        session, "shop.restore", actor_id=principal.user_id, target_type="shop", target=str(shop.id)
    )
    return shop


async def restore_listing(session: AsyncSession, principal: Principal, listing_id: uuid.UUID) -> Listing:
    """Admin: un-delete a listing; it comes back withdrawn, so no copies are promised until the seller
    resumes it (which checks the entry's stock again)."""
    listing = await session.get(Listing, listing_id)
    if listing is None:
        raise ListingNotFound()
    listing.deleted_at, listing.status, listing.updated_at = None, "withdrawn", utcnow()
    await session.flush()
    await account_service.audit(
        session, "listing.restore", actor_id=principal.user_id, target_type="listing", target=str(listing.id)
    )
    return listing


async def members(session: AsyncSession, shop: Shop) -> list[ShopMember]:
    return list(
        await session.scalars(select(ShopMember).where(ShopMember.shop_id == shop.id).order_by(ShopMember.created_at))
    )


async def _owners(session: AsyncSession, shop: Shop) -> int:
    stmt = select(func.count()).where(ShopMember.shop_id == shop.id, ShopMember.role == "owner")
    return int(await session.scalar(stmt) or 0)


async def set_member(
    session: AsyncSession, principal: Principal, shop: Shop, user_id: uuid.UUID, role: str
) -> ShopMember:
    """Owner: add a user in a role, or change a member's role (the last owner cannot step down)."""
    if await session.get(User, user_id) is None:
        raise ShopMemberNotFound("No user with this id.")
    # Lock the shop's row: two owners demoting each other at once must not leave the shop ownerless.
    await session.get(Shop, shop.id, with_for_update=True)
    member = await session.get(ShopMember, (shop.id, user_id), populate_existing=True)
    if member is not None and member.role == "owner" and role != "owner" and await _owners(session, shop) == 1:
        raise LastOwner()
    details: dict[str, Any]
    if member is None:
        member = ShopMember(shop_id=shop.id, user_id=user_id, role=role, created_at=utcnow())
        session.add(member)
        action, details = "shop.member.add", {"role": role}
    else:
        action, details = "shop.member.role", {"role": [member.role, role]}
        member.role = role
    await session.flush()
    await account_service.audit(
        session,
        action,
        actor_id=principal.user_id,
        target_type="shop",
        target=str(shop.id),
        user=str(user_id),
        **details,
    )
    return member


async def remove_member(session: AsyncSession, principal: Principal, shop: Shop, user_id: uuid.UUID) -> None:
    await session.get(Shop, shop.id, with_for_update=True)
    member = await session.get(ShopMember, (shop.id, user_id), populate_existing=True)
    if member is None:
        raise ShopMemberNotFound()
    if member.role == "owner" and await _owners(session, shop) == 1:
        raise LastOwner()
    await session.delete(member)
    await session.flush()
    await account_service.audit(
        session,
        "shop.member.remove",
        actor_id=principal.user_id,
        target_type="shop",
        target=str(shop.id),
        user=str(user_id),
        role=member.role,
    )


async def attach_collection(session: AsyncSession, principal: Principal, shop: Shop, collection_id: uuid.UUID) -> None:
    """Owner: one of your own collections becomes part of the shop's inventory."""
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    if await session.get(ShopCollection, collection.id) is not None:
        raise CollectionInShop()
    session.add(ShopCollection(collection_id=collection.id, shop_id=shop.id, created_at=utcnow()))
    await session.flush()
    await account_service.audit(
        session,
        "shop.collection.add",
        actor_id=principal.user_id,
        target_type="shop",
        target=str(shop.id),
        collection=str(collection.id),
    )


async def shop_collections(session: AsyncSession, shop: Shop) -> list[uuid.UUID]:
    stmt = select(ShopCollection.collection_id).where(ShopCollection.shop_id == shop.id)
    return list(await session.scalars(stmt.order_by(ShopCollection.created_at)))
