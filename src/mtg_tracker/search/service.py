"""Card search: parse, plan, run one statement with a time limit, assemble Scryfall's list object.

Other domains filter their own rows with ``card_filter`` (collections and listings speak the same
language), without the catalog's default hiding of extras, digital cards and other languages.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.models import CATALOG_CACHE_NAMESPACE
from mtg_tracker.catalog.service import BODY_COLUMNS, card_bodies, card_body
from mtg_tracker.kit import metrics
from mtg_tracker.kit.cache import Cache
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.search import compiler
from mtg_tracker.search.ast import Query
from mtg_tracker.search.compiler import PAGE_SIZE, Options
from mtg_tracker.search.errors import NoCardsMatched, QueryNotUnderstood, QueryTooSlow
from mtg_tracker.search.parser import QuerySyntaxError, parse

log = get_logger(__name__)

_SLOW_SECONDS = 0.5
_INVALID_REGEX = "2201B"  # PostgreSQL's invalid_regular_expression


@dataclass(slots=True)
class SearchPage:
    total: int
    cards: list[bytes]
    warnings: list[str] = field(default_factory=list)
    has_more: bool = False

    def pack(self) -> bytes:
        head = orjson.dumps({"total": self.total, "warnings": self.warnings, "has_more": self.has_more})
        return head + b"\n" + b"\x1e".join(self.cards)

    @classmethod
    def unpack(cls, raw: bytes) -> SearchPage:
        head, _, body = raw.partition(b"\n")
        meta = orjson.loads(head)
        return cls(meta["total"], body.split(b"\x1e") if body else [], meta["warnings"], meta["has_more"])


def understand(q: str) -> Query:
    """Parse a query for execution: a query that cannot be understood, or whose every term was ignored,
    is a 400 carrying the warnings that say why."""
    try:
        query = parse(q)
    except QuerySyntaxError as exc:
        raise QueryNotUnderstood(exc.message) from None
    if query.is_empty:
        if query.warnings:
            raise QueryNotUnderstood("All of your terms were ignored.", warnings=query.warnings)
        raise QueryNotUnderstood("The query has no search terms.")
    return query


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def _run(session: AsyncSession, stmt: Any, timeout_ms: int) -> list[Any]:
    """Execute with a time limit: PostgreSQL's statement_timeout for this transaction, SQLite's
    progress-handler deadline (kit.db) for this statement."""
    try:
        if _dialect(session) == "postgresql":
            await session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
            result = await session.execute(stmt)
        else:
            result = await session.execute(stmt, execution_options={"statement_timeout_ms": timeout_ms})
        return list(result.all())
    except DBAPIError as exc:
        message = str(exc.orig)
        if getattr(exc.orig, "sqlstate", None) == _INVALID_REGEX:
            # A pattern Python's parser accepted but PostgreSQL's engine does not (its syntax differs
            # in corners such as named groups).
            metrics.SEARCH_QUERIES.labels("bad_query").inc()
            await session.rollback()
            raise QueryNotUnderstood(f"The regular expression is not supported: {message.splitlines()[0]}") from None
        if "interrupted" in message or "canceling statement due to statement timeout" in message:
            metrics.SEARCH_QUERIES.labels("timeout").inc()
            await session.rollback()
            raise QueryTooSlow(
                f"The query took longer than {timeout_ms} ms and was stopped; make it more specific."
            ) from None
        raise


def _cache_key(q: str, options: Options, page: int) -> str:
    raw = orjson.dumps([q, page, options.unique, options.order, options.direction, options.prefer,
                        options.include_extras, options.include_multilingual, options.include_variations])  # fmt: skip
    return "search:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


async def search(
    session: AsyncSession,
    q: str,
    *,
    page: int = 1,
    options: Options | None = None,
    timeout_ms: int = 3000,
    cache: Cache | None = None,
) -> SearchPage:
    """One page (175 cards) of the cards matching ``q``; 404 when none match, 400 when not understood."""
    options = options or Options()
    key = _cache_key(q, options, page)
    if cache is not None:
        cached = await cache.get(CATALOG_CACHE_NAMESPACE, key)
        if cached is not None:
            metrics.SEARCH_QUERIES.labels("ok").inc()
            return SearchPage.unpack(cached)
    started = time.perf_counter()
    try:
        query = understand(q)
    except QueryNotUnderstood:
        metrics.SEARCH_QUERIES.labels("bad_query").inc()
        raise
    dialect = _dialect(session)
    plan = compiler.plan(query, dialect, options)
    stmt = compiler.page_statement(plan, dialect, page=page, with_columns=BODY_COLUMNS)
    rows = await _run(session, stmt, timeout_ms)
    if not rows:
        metrics.SEARCH_QUERIES.labels("no_match").inc()
        if page > 1:
            raise NoCardsMatched(f"Page {page} is past the end of the results.", warnings=query.warnings or None)
        raise NoCardsMatched(warnings=query.warnings or None)
    total = int(rows[0][1])
    cards = [card_body(r[2:]) for r in rows]
    result = SearchPage(total, cards, query.warnings, has_more=page * PAGE_SIZE < total)
    elapsed = time.perf_counter() - started
    metrics.SEARCH_QUERIES.labels("ok").inc()
    metrics.SEARCH_DURATION.observe(elapsed)
    if elapsed > _SLOW_SECONDS:
        log.info("search_slow", q=q[:200], ms=round(elapsed * 1000, 1), total=total, page=page)
    if cache is not None:
        await cache.set(CATALOG_CACHE_NAMESPACE, key, result.pack())
    return result


async def random_card(session: AsyncSession, q: str, *, timeout_ms: int = 3000) -> bytes:
    """A random card among those matching ``q`` (one printing per card, as a search shows them)."""
    query = understand(q)
    dialect = _dialect(session)
    plan = compiler.plan(query, dialect, Options())
    rows = await _run(session, compiler.random_statement(plan, dialect), timeout_ms)
    if not rows:
        raise NoCardsMatched(warnings=query.warnings or None)
    cards = await card_bodies(session, [rows[0][0]])
    if not cards:
        raise NoCardsMatched()
    return next(iter(cards.values()))


def card_filter(q: str, dialect: str) -> tuple[Select[Any], list[str]]:
    """For other domains: a SELECT of the card ids (every printing) matching ``q``, to use as
    ``MyTable.card_id.in_(…)``, plus the query's warnings. Raises ``QueryNotUnderstood``."""
    query = understand(q)
    plan = compiler.plan(query, dialect, Options(catalog_defaults=False))
    return compiler.ids_statement(plan), query.warnings


def render_list(page: SearchPage, next_page: str | None) -> bytes:
    """Scryfall's list object, built around the stored card bytes (no re-encoding of 175 cards)."""
    head: dict[str, Any] = {"object": "list", "total_cards": page.total, "has_more": page.has_more}
    head["next_page"] = next_page
    if page.warnings:
        head["warnings"] = page.warnings
    return orjson.dumps(head)[:-1] + b',"data":[' + b",".join(page.cards) + b"]}"
