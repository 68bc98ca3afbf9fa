"""Listings, orders and the ledger (API.md: Marketplace).

Another user's order, withdrawn listing or ledger account is 404 on every route, never 403: ids cannot
be probed. 403 is kept for a party of an order whose role does not allow a transition.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Annotated, Any, Literal
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Header, Path, Query, Request, Response

from mtg_tracker.account.deps import AdminUser, OptionalPrincipal, ReadPrincipal, WritePrincipal
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.deps import DatabaseDep, SessionDep, SettingsDep
from mtg_tracker.kit.schemas import error_responses
from mtg_tracker.marketplace import integrity
from mtg_tracker.marketplace import service as marketplace_service
from mtg_tracker.marketplace.errors import IdempotencyKeyMissing
from mtg_tracker.marketplace.schemas import (
    AccountBalance,
    IntegrityReport,
    JournalEntryList,
    LedgerBalance,
    ListingCreate,
    ListingList,
    ListingRead,
    ListingUpdate,
    MemberList,
    MemberRead,
    MemberSet,
    OrderComplete,
    OrderCreate,
    OrderList,
    OrderRead,
    OrderStatus,
    ShopCollectionAdd,
    ShopCreate,
    ShopList,
    ShopRead,
    ShopUpdate,
)

router = APIRouter(tags=["marketplace"])
admin_router = APIRouter(tags=["admin"])

ListingId = Annotated[uuid.UUID, Path(description="The listing's id.")]
OrderId = Annotated[uuid.UUID, Path(description="The order's id.")]
ShopId = Annotated[uuid.UUID, Path(description="The shop's id.")]
AccountId = Annotated[uuid.UUID, Path(description="The ledger account's id.")]
Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
_READ = error_responses(400, 401, 404)
_WRITE = error_responses(400, 401, 403, 404, 409)
_ADMIN = error_responses(401, 403, 404)
_KEY_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))
_WRITERS: WeakKeyDictionary[Database, asyncio.Semaphore] = WeakKeyDictionary()


def _writers(db: Database) -> asyncio.Semaphore:
    """How many order transactions a process runs at once: one on SQLite (it has one writer anyway), half
    the pool on PostgreSQL (the rest stays free for other requests). Waiting here is an orderly queue;
    waiting for a pooled connection times out (503), and on SQLite a burst of buyers polls for the write
    lock with sleeps of up to 100 ms while holding every connection."""
    semaphore = _WRITERS.get(db)
    if semaphore is None:
        size = 1 if db.is_sqlite else max(1, db.settings.db.pool_size // 2)
        semaphore = _WRITERS[db] = asyncio.Semaphore(size)
    return semaphore


def _next_page(request: Request, page: int, has_more: bool) -> str | None:
    return str(request.url.include_query_params(page=page + 1)) if has_more else None


# -- listings -------------------------------------------------------------------------------------------------


@router.get("/listings", response_model=ListingList, responses=_READ, summary="Search listings")
async def list_listings(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipal,
    q: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="Card search syntax (as /cards/search) plus listing terms: `price<2.50` (also <=, >, >=, "
            "=), `seller:<id>`, `condition>=LP` (M > NM > LP > MP > HP > D), `currency:eur`.",
        ),
    ] = None,
    seller: Annotated[uuid.UUID | None, Query(description="Only this seller's listings (a user id).")] = None,
    mine: Annotated[
        bool, Query(description="true: the caller's own listings in every status (needs credentials).")
    ] = False,
    sort: Annotated[
        Literal["price", "-price", "newest"], Query(description="price (cheapest first), -price or newest.")
    ] = "price",
    page: Page = 1,
    page_size: PageSize = 100,
) -> ListingList:
    """Active listings of every seller (or, with `mine=true`, all of the caller's), as a list object; a
    query the card search cannot understand is a 400 with its `warnings`."""
    items, total, warnings = await marketplace_service.list_listings(
        session, principal, q=q, seller_id=seller, mine=mine, sort=sort, page=page, page_size=page_size
    )
    has_more = page * page_size < total
    return ListingList(
        total=total,
        has_more=has_more,
        next_page=_next_page(request, page, has_more),
        data=await marketplace_service.listings_read(session, items, principal),
        warnings=warnings or None,
    )


@router.post(
    "/listings",
    status_code=201,
    response_model=ListingRead,
    responses=_WRITE,
    summary="List copies for sale",
)
async def create_listing(data: ListingCreate, session: SessionDep, principal: WritePrincipal) -> ListingRead:
    """Offer copies of one of your collection entries at a fixed price per copy.

    The printing, finish, condition and language come from the entry. `quantity` may not pass what the
    entry holds minus what your other listings and open orders already reserve: 409 `insufficient_stock`
    (with `available`, what could be listed)."""
    listing = await marketplace_service.create_listing(session, principal, data)
    return (await marketplace_service.listings_read(session, [listing], principal))[0]


@router.get("/listings/{listing_id}", response_model=ListingRead, responses=_READ, summary="One listing")
async def get_listing(listing_id: ListingId, session: SessionDep, principal: OptionalPrincipal) -> ListingRead:
    """A listing anyone can see (active, paused or sold out), or any of your own."""
    listing = await marketplace_service.get_listing(session, listing_id, principal)
    return (await marketplace_service.listings_read(session, [listing], principal))[0]


@router.patch("/listings/{listing_id}", response_model=ListingRead, responses=_WRITE, summary="Change a listing")
async def update_listing(
    listing_id: ListingId, data: ListingUpdate, session: SessionDep, principal: WritePrincipal
) -> ListingRead:
    """Change the price (orders already placed keep theirs), the quantity (never below the copies in
    orders; more copies must still be free in the entry: 409 `insufficient_stock`), or pause, resume or
    withdraw it."""
    listing = await marketplace_service.get_listing(session, listing_id, principal, write=True)
    listing = await marketplace_service.update_listing(session, principal, listing, data)
    return (await marketplace_service.listings_read(session, [listing], principal))[0]


@router.delete("/listings/{listing_id}", status_code=204, responses=_WRITE, summary="Delete a listing")
async def delete_listing(listing_id: ListingId, session: SessionDep, principal: WritePrincipal) -> Response:
    """Withdraw and hide a listing. It is kept for the orders and ledger entries that name it; orders
    already placed run their course."""
    listing = await marketplace_service.get_listing(session, listing_id, principal, write=True)
    await marketplace_service.delete_listing(session, principal, listing)
    return Response(status_code=204)


# -- orders ---------------------------------------------------------------------------------------------------


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderRead,
    responses={**_WRITE, **error_responses(422, 429)},
    summary="Place an order",
)
async def create_order(
    data: OrderCreate,
    db: DatabaseDep,
    settings: SettingsDep,
    principal: WritePrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required; any unique string (a UUID) per order you mean to place. Retrying with the "
            "same key and body returns the stored reply for at least 24 hours.",
        ),
    ] = None,
) -> Response:
    """Buy copies from one seller's listings in one currency; the stock is taken at once, all or nothing.

    Not enough copies in a listing → 409 `insufficient_stock` and nothing is taken. The same
    `Idempotency-Key` with the same body returns the stored reply (same status and body, byte for byte);
    with a different body → 422 `idempotency_mismatch`. Concurrent requests with one key make one order."""
    key = idempotency_key or ""
    if not 1 <= len(key) <= 255 or not set(key) <= _KEY_CHARS:
        raise IdempotencyKeyMissing()
    # This handler is its own transaction boundary, so that order writers queue (``_writers``) before
    # they take a connection rather than after.
    async with _writers(db), db.session_scope() as session:
        status, body = await marketplace_service.place_order(
            session, principal, key=key, data=data, settings=settings.marketplace
        )
    return Response(content=body, status_code=status, media_type="application/json")


@router.get("/orders", response_model=OrderList, responses=_READ, summary="My orders")
async def list_orders(
    request: Request,
    session: SessionDep,
    principal: ReadPrincipal,
    role: Annotated[
        Literal["buyer", "seller"] | None, Query(description="Only orders you bought (buyer) or sold (seller).")
    ] = None,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status.")] = None,
    page: Page = 1,
    page_size: PageSize = 100,
) -> OrderList:
    """Orders you placed and orders of your listings, newest first."""
    orders, total = await marketplace_service.list_orders(
        session, principal, role=role, status=status, page=page, page_size=page_size
    )
    lines = await marketplace_service.order_lines(session, [o.id for o in orders])
    has_more = page * page_size < total
    return OrderList(
        total=total,
        has_more=has_more,
        next_page=_next_page(request, page, has_more),
        data=[OrderRead.model_validate(marketplace_service.order_read(o, lines[o.id])) for o in orders],
    )


@router.get("/orders/{order_id}", response_model=OrderRead, responses=_READ, summary="One order")
async def get_order(order_id: OrderId, session: SessionDep, principal: ReadPrincipal) -> OrderRead:
    """An order you placed or sold (administrators see every order)."""
    order, _role = await marketplace_service.get_order(session, order_id, principal)
    lines = await marketplace_service.order_lines(session, [order.id])
    return OrderRead.model_validate(marketplace_service.order_read(order, lines[order.id]))


async def _transition(
    session: Any, settings: Any, principal: Any, order_id: uuid.UUID, action: str, complete: OrderComplete | None = None
) -> OrderRead:
    order, lines = await marketplace_service.transition(
        session, principal, order_id, action, settings=settings.marketplace, complete=complete
    )
    return OrderRead.model_validate(marketplace_service.order_read(order, lines))


_TRANSITION = {**_WRITE, 409: {**_WRITE[409], "description": "The order's status does not allow this."}}


@router.post("/orders/{order_id}/pay", response_model=OrderRead, responses=_TRANSITION, summary="Pay an order")
async def pay_order(order_id: OrderId, session: SessionDep, settings: SettingsDep, principal: WritePrincipal) -> Any:
    """Buyer: pending → paid. Journal: the total moves from your `cash` into the platform's `escrow`."""
    return await _transition(session, settings, principal, order_id, "pay")


@router.post("/orders/{order_id}/ship", response_model=OrderRead, responses=_TRANSITION, summary="Ship an order")
async def ship_order(order_id: OrderId, session: SessionDep, settings: SettingsDep, principal: WritePrincipal) -> Any:
    """Seller: paid → shipped."""
    return await _transition(session, settings, principal, order_id, "ship")


@router.post("/orders/{order_id}/complete", response_model=OrderRead, responses=_TRANSITION, summary="Confirm receipt")
async def complete_order(
    order_id: OrderId,
    session: SessionDep,
    settings: SettingsDep,
    principal: WritePrincipal,
    data: OrderComplete | None = None,
) -> Any:
    """Buyer: shipped → completed. The copies leave the seller's collection entry and join your collection
    (`collection_id`, default "Marketplace purchases") tagged `bought`, with the price paid as their cost
    basis. Journal: escrow is released to the seller's `receivable` minus the platform's `fees`
    (MTG_MARKETPLACE__FEE_BPS), and the copies' value moves from the seller's `inventory` to yours.
    409 `stock_mismatch` when the seller's entry no longer holds the copies."""
    return await _transition(session, settings, principal, order_id, "complete", data)


@router.post("/orders/{order_id}/cancel", response_model=OrderRead, responses=_TRANSITION, summary="Cancel an order")
async def cancel_order(order_id: OrderId, session: SessionDep, settings: SettingsDep, principal: WritePrincipal) -> Any:
    """Buyer, seller or admin: pending → cancelled. The copies go back on sale."""
    return await _transition(session, settings, principal, order_id, "cancel")


@router.post("/orders/{order_id}/refund", response_model=OrderRead, responses=_TRANSITION, summary="Refund an order")
async def refund_order(order_id: OrderId, session: SessionDep, settings: SettingsDep, principal: WritePrincipal) -> Any:
    """Seller or admin: paid or shipped → refunded. The copies go back on sale; the journal reverses the
    payment (a new entry with sides swapped — entries are never changed)."""
    return await _transition(session, settings, principal, order_id, "refund")


# -- ledger ---------------------------------------------------------------------------------------------------


@router.get("/ledger/balance", response_model=LedgerBalance, responses=_READ, summary="My ledger balances")
async def ledger_balance(
    session: SessionDep,
    principal: ReadPrincipal,
    shop: Annotated[
        uuid.UUID | None, Query(description="A shop's accounts instead of yours (its managers and owners).")
    ] = None,
) -> LedgerBalance:
    """Your accounts (cash, receivable, inventory per currency) with debits, credits and balance
    (debit − credit), summed from the journal."""
    if shop is not None:
        found, _role = await marketplace_service.get_shop(session, shop, principal, min_role="manager")
        return LedgerBalance(accounts=await marketplace_service.balances(session, owner_kind="shop", owner_id=found.id))
    return LedgerBalance(
        accounts=await marketplace_service.balances(session, owner_kind="user", owner_id=principal.user_id)
    )


@router.get("/ledger/entries", response_model=JournalEntryList, responses=_READ, summary="My journal entries")
async def ledger_entries(
    request: Request, session: SessionDep, principal: ReadPrincipal, page: Page = 1, page_size: PageSize = 100
) -> JournalEntryList:
    """Journal entries that touch your accounts, newest first, each with all its lines: debits equal
    credits per currency in every entry."""
    items, total = await marketplace_service.entries(session, principal, page=page, page_size=page_size)
    has_more = page * page_size < total
    return JournalEntryList(total=total, has_more=has_more, next_page=_next_page(request, page, has_more), data=items)


@router.get(
    "/ledger/accounts/{account_id}", response_model=AccountBalance, responses=_READ, summary="One ledger account"
)
async def ledger_account(account_id: AccountId, session: SessionDep, principal: ReadPrincipal) -> AccountBalance:
    """One of your accounts with its balance (administrators: any account, the platform's included)."""
    return await marketplace_service.get_account(session, account_id, principal)


@router.get(
    "/ledger/accounts/{account_id}/statement",
    responses={200: {"content": {"text/csv": {}}, "description": "The statement as CSV"}, **_READ},
    summary="Account statement (CSV)",
)
async def ledger_statement(account_id: AccountId, session: SessionDep, principal: ReadPrincipal) -> Response:
    """Every line of the account, oldest first, with the running balance: `entry_id, created_at, kind,
    memo, order_id, debit, credit, currency, balance`."""
    await marketplace_service.get_account(session, account_id, principal)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(await marketplace_service.statement_rows(session, account_id))
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{account_id}.csv"'},
    )


# -- admin ----------------------------------------------------------------------------------------------------


@admin_router.get(
    "/admin/integrity",
    response_model=IntegrityReport,
    responses=error_responses(401, 403),
    summary="Latest integrity audit",
)
async def integrity_report(session: SessionDep, _admin: AdminUser) -> IntegrityReport:
    """The newest run of the marketplace integrity audit (nightly job `marketplace.integrity_audit`, or
    `mtg-tracker ledger audit`): every journal entry balances per currency, every line has one positive
    side in its account's currency, all balances together are zero, order totals equal their lines, each
    order's payment, settlement and refund is in the journal once for its total, listed quantities equal
    available plus ordered copies, and collection entries hold what is listed and in open orders. Up to
    1,000 findings are kept (`finding_count` is exact); `ran_at` is null before the first run."""
    return IntegrityReport.model_validate(integrity.report(await integrity.latest(session)))


@admin_router.post(
    "/admin/shops/{shop_id}/restore", response_model=ShopRead, responses=_ADMIN, summary="Restore a deleted shop"
)
async def restore_shop(shop_id: ShopId, session: SessionDep, admin: AdminUser) -> ShopRead:
    """Undo a shop's soft delete (audited). Its listings stay withdrawn until a member resumes them."""
    shop = await marketplace_service.restore_shop(session, admin, shop_id)
    return await _shop_read(session, shop, None)


@admin_router.post(
    "/admin/listings/{listing_id}/restore",
    response_model=ListingRead,
    responses=_ADMIN,
    summary="Restore a deleted listing",
)
async def restore_listing(listing_id: ListingId, session: SessionDep, admin: AdminUser) -> ListingRead:
    """Undo a listing's soft delete (audited). It comes back withdrawn: resuming it checks the stock again."""
    listing = await marketplace_service.restore_listing(session, admin, listing_id)
    return (await marketplace_service.listings_read(session, [listing], None))[0]


# -- shops ----------------------------------------------------------------------------------------------------


async def _shop_read(session: Any, shop: Any, role: str | None) -> ShopRead:
    collections = await marketplace_service.shop_collections(session, shop) if role is not None else None
    return ShopRead(id=shop.id, name=shop.name, role=role, collections=collections, created_at=shop.created_at)


@router.get("/shops", response_model=ShopList, responses=_READ, summary="My shops")
async def list_shops(session: SessionDep, principal: ReadPrincipal) -> ShopList:
    """Shops you are a member of, with your role."""
    shops = await marketplace_service.list_shops(session, principal)
    return ShopList(total=len(shops), data=[await _shop_read(session, shop, role) for shop, role in shops])


@router.post("/shops", status_code=201, response_model=ShopRead, responses=_WRITE, summary="Create a shop")
async def create_shop(data: ShopCreate, session: SessionDep, principal: WritePrincipal) -> ShopRead:
    """A new shop with you as its owner. Owners manage members and inventory; managers also price and
    refund; staff list and fulfil."""
    shop = await marketplace_service.create_shop(session, principal, data.name)
    return await _shop_read(session, shop, "owner")


@router.get("/shops/{shop_id}", response_model=ShopRead, responses=_READ, summary="One shop")
async def get_shop(shop_id: ShopId, session: SessionDep, principal: OptionalPrincipal) -> ShopRead:
    """Any live shop (sellers are public); members also see their role and the inventory's collections."""
    shop, role = await marketplace_service.get_shop(session, shop_id, principal)
    return await _shop_read(session, shop, role)


@router.patch("/shops/{shop_id}", response_model=ShopRead, responses=_WRITE, summary="Rename a shop")
async def update_shop(shop_id: ShopId, data: ShopUpdate, session: SessionDep, principal: WritePrincipal) -> ShopRead:
    """Owner only (403 for other members, 404 for non-members)."""
    shop, role = await marketplace_service.get_shop(session, shop_id, principal, min_role="owner")
    shop = await marketplace_service.rename_shop(session, principal, shop, data.name)
    return await _shop_read(session, shop, role)


@router.delete("/shops/{shop_id}", status_code=204, responses=_WRITE, summary="Delete a shop")
async def delete_shop(shop_id: ShopId, session: SessionDep, principal: WritePrincipal) -> Response:
    """Owner only. A soft delete: the shop and its listings disappear from reads, orders already placed run
    their course, the ledger keeps its accounts, and an administrator can restore it."""
    shop, _role = await marketplace_service.get_shop(session, shop_id, principal, min_role="owner")
    await marketplace_service.delete_shop(session, principal, shop)
    return Response(status_code=204)


@router.get("/shops/{shop_id}/members", response_model=MemberList, responses=_WRITE, summary="Shop members")
async def list_members(shop_id: ShopId, session: SessionDep, principal: ReadPrincipal) -> MemberList:
    """Members only."""
    shop, _role = await marketplace_service.get_shop(session, shop_id, principal, min_role="staff")
    rows = await marketplace_service.members(session, shop)
    return MemberList(total=len(rows), data=[MemberRead.model_validate(m, from_attributes=True) for m in rows])


@router.post("/shops/{shop_id}/members", response_model=MemberRead, responses=_WRITE, summary="Add or change a member")
async def set_member(shop_id: ShopId, data: MemberSet, session: SessionDep, principal: WritePrincipal) -> MemberRead:
    """Owner only: add a user in a role, or change a member's role (audited). The last owner cannot step
    down: 409 `last_owner`."""
    shop, _role = await marketplace_service.get_shop(session, shop_id, principal, min_role="owner")
    member = await marketplace_service.set_member(session, principal, shop, data.user_id, data.role)
    return MemberRead.model_validate(member, from_attributes=True)


@router.delete("/shops/{shop_id}/members/{user_id}", status_code=204, responses=_WRITE, summary="Remove a member")
async def remove_member(
    shop_id: ShopId,
    user_id: Annotated[uuid.UUID, Path(description="The member's user id.")],
    session: SessionDep,
    principal: WritePrincipal,
) -> Response:
    """Owner only (audited); the last owner cannot be removed (409 `last_owner`)."""
    shop, _role = await marketplace_service.get_shop(session, shop_id, principal, min_role="owner")
    await marketplace_service.remove_member(session, principal, shop, user_id)
    return Response(status_code=204)


@router.post(
    "/shops/{shop_id}/collections", status_code=204, responses=_WRITE, summary="Add a collection to the inventory"
)
async def add_shop_collection(
    shop_id: ShopId, data: ShopCollectionAdd, session: SessionDep, principal: WritePrincipal
) -> Response:
    """Owner only: one of your own collections becomes part of the shop's inventory, so members can list
    from it (`shop_id` in POST /listings). A collection belongs to at most one shop (409)."""
    shop, _role = await marketplace_service.get_shop(session, shop_id, principal, min_role="owner")
    await marketplace_service.attach_collection(session, principal, shop, data.collection_id)
    return Response(status_code=204)
