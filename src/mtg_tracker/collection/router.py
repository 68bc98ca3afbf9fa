"""Collections, entries, CSV import/export and values (API.md: Collections).

Another user's private collection is 404 on every route; a public one is readable by anyone (GET
routes), never writable. Writes need the ``write`` scope, so a read-only API key gets 403.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from mtg_tracker.account.deps import OptionalPrincipal, ReadPrincipal, WritePrincipal
from mtg_tracker.collection import formats, valuation
from mtg_tracker.collection import service as collection_service
from mtg_tracker.collection.schemas import (
    CollectionCreate,
    CollectionList,
    CollectionRead,
    CollectionUpdate,
    CollectionValue,
    Condition,
    Currency,
    EntryCreate,
    EntryList,
    EntryRead,
    EntryUpdate,
    Finish,
    ImportCurrency,
    ImportReport,
    ValueHistory,
)
from mtg_tracker.kit.deps import SessionDep, SettingsDep
from mtg_tracker.kit.errors import BadRequest
from mtg_tracker.kit.http import public_url
from mtg_tracker.kit.schemas import MAX_ROW_ID, error_responses

router = APIRouter(tags=["collections"])

CollectionId = Annotated[uuid.UUID, Path(description="The collection's id.")]
EntryId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The entry's id.")]
Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
_READ = error_responses(400, 401, 404)
_WRITE = error_responses(400, 401, 403, 404, 409)
_UPLOAD_CHUNK = 256 * 1024
_FORMAT_HELP = "auto (detected from the header) or one of: " + ", ".join(formats.FORMATS)


def _next_page(request: Request, page: int, has_more: bool) -> str | None:
    if not has_more:
        return None
    return public_url(request, request.url.path, request.url.include_query_params(page=page + 1).query)


def _check_format(fmt: str, *, allow_auto: bool) -> str:
    fmt = fmt.lower()
    if fmt in formats.FORMATS or (allow_auto and fmt == "auto"):
        return fmt
    expected = _FORMAT_HELP if allow_auto else "one of: " + ", ".join(formats.FORMATS)
    raise BadRequest(f"Unknown format {fmt!r}; expected {expected}.")


# -- collections ----------------------------------------------------------------------------------------------


@router.get("/collections", response_model=CollectionList, responses=_READ, summary="My collections")
async def list_collections(
    request: Request, session: SessionDep, principal: ReadPrincipal, page: Page = 1, page_size: PageSize = 100
) -> CollectionList:
    """The caller's collections, oldest first."""
    items, total = await collection_service.list_collections(
        session, owner_id=principal.user_id, page=page, page_size=page_size
    )
    has_more = page * page_size < total
    return CollectionList(
        total=total,
        has_more=has_more,
        next_page=_next_page(request, page, has_more),
        data=[CollectionRead.model_validate(c, from_attributes=True) for c in items],
    )


@router.post(
    "/collections", status_code=201, response_model=CollectionRead, responses=_WRITE, summary="Create a collection"
)
async def create_collection(data: CollectionCreate, session: SessionDep, principal: WritePrincipal) -> CollectionRead:
    """A new, empty collection, binder, deck or wishlist; private unless `is_public`."""
    collection = await collection_service.create_collection(session, owner_id=principal.user_id, data=data)
    return CollectionRead.model_validate(collection, from_attributes=True)


@router.get("/collections/{collection_id}", response_model=CollectionRead, responses=_READ, summary="One collection")
async def get_collection(collection_id: CollectionId, session: SessionDep, principal: OptionalPrincipal) -> Any:
    """A collection the caller owns, or any public one."""
    collection = await collection_service.get_collection(session, collection_id, principal)
    return CollectionRead.model_validate(collection, from_attributes=True)


@router.patch(
    "/collections/{collection_id}", response_model=CollectionRead, responses=_WRITE, summary="Change a collection"
)
async def update_collection(
    collection_id: CollectionId, data: CollectionUpdate, session: SessionDep, principal: WritePrincipal
) -> CollectionRead:
    """Rename, change the kind or description, share or unshare."""
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    collection = await collection_service.update_collection(session, collection, data)
    return CollectionRead.model_validate(collection, from_attributes=True)


@router.delete("/collections/{collection_id}", status_code=204, responses=_WRITE, summary="Delete a collection")
async def delete_collection(collection_id: CollectionId, session: SessionDep, principal: WritePrincipal) -> Response:
    """Delete a collection with its entries and value history."""
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    await collection_service.delete_collection(session, collection)
    return Response(status_code=204)


# -- entries --------------------------------------------------------------------------------------------------


@router.get(
    "/collections/{collection_id}/entries", response_model=EntryList, responses=_READ, summary="Entries of a collection"
)
async def list_entries(
    request: Request,
    collection_id: CollectionId,
    session: SessionDep,
    principal: OptionalPrincipal,
    page: Page = 1,
    page_size: PageSize = 100,
    finish: Annotated[Finish | None, Query(description="Only this finish.")] = None,
    condition: Annotated[Condition | None, Query(description="Only this condition.")] = None,
    language: Annotated[str | None, Query(max_length=8, description="Only this language code.")] = None,
    tag: Annotated[str | None, Query(max_length=200, description="Only entries with this tag.")] = None,
    set: Annotated[str | None, Query(max_length=16, description="Only printings of this set code.")] = None,
    q: Annotated[
        str | None, Query(max_length=1000, description="Only printings matching this Scryfall-syntax query.")
    ] = None,
) -> EntryList:
    """Entries in the order they were added; `q` filters with the card search language (every printing,
    every language: the catalog's default hiding of extras does not apply to what you own)."""
    collection = await collection_service.get_collection(session, collection_id, principal)
    filters = collection_service.EntryFilters(finish, condition, language, tag, set, q)
    rows, total, warnings = await collection_service.list_entries(
        session, collection, filters, page=page, page_size=page_size
    )
    has_more = page * page_size < total
    return EntryList(
        total=total,
        has_more=has_more,
        next_page=_next_page(request, page, has_more),
        data=[EntryRead(**r) for r in rows],
        warnings=warnings or None,
    )


@router.post(
    "/collections/{collection_id}/entries",
    status_code=201,
    response_model=EntryRead,
    responses={200: {"description": "Merged into an identical entry"}, **_WRITE},
    summary="Add a printing",
)
async def create_entry(
    collection_id: CollectionId, data: EntryCreate, session: SessionDep, principal: WritePrincipal, response: Response
) -> EntryRead:
    """Add copies of a printing (201); the same printing, finish, condition and language merges into the
    existing entry (200): quantities add up, the purchase price becomes the quantity-weighted average
    cost per copy (a price in another currency than the entry's is not converted but kept out and named
    in `warnings`), tags are united, notes appended, `acquired` is the earliest. The finish must be one
    the printing exists in."""
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    entry, created = await collection_service.add_entry(session, collection, data)
    if not created:
        response.status_code = 200
    return EntryRead(**entry)


@router.patch(
    "/collections/{collection_id}/entries/{entry_id}",
    response_model=EntryRead,
    responses=_WRITE,
    summary="Change an entry",
)
async def update_entry(
    collection_id: CollectionId, entry_id: EntryId, data: EntryUpdate, session: SessionDep, principal: WritePrincipal
) -> EntryRead:
    """Change quantity, finish, condition, language, purchase data, tags or notes (409 when the change
    would make it identical to another entry)."""
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    return EntryRead(**await collection_service.update_entry(session, collection, entry_id, data))


@router.delete(
    "/collections/{collection_id}/entries/{entry_id}", status_code=204, responses=_WRITE, summary="Remove an entry"
)
async def delete_entry(
    collection_id: CollectionId, entry_id: EntryId, session: SessionDep, principal: WritePrincipal
) -> Response:
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    await collection_service.delete_entry(session, collection, entry_id)
    return Response(status_code=204)


# -- import / export ------------------------------------------------------------------------------------------


def _upload_chunks(upload: UploadFile) -> Iterator[bytes]:
    # Runs in the parsing thread: UploadFile.file is Starlette's SpooledTemporaryFile (disk beyond 1 MB).
    upload.file.seek(0)
    while chunk := upload.file.read(_UPLOAD_CHUNK):
        yield chunk


@router.post(
    "/collections/{collection_id}/import",
    response_model=ImportReport,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "The import report (JSON), or with report=csv every unresolved row as CSV",
        },
        **error_responses(400, 401, 403, 404, 413, 429),
    },
    summary="Import a CSV export",
)
async def import_collection(
    collection_id: CollectionId,
    session: SessionDep,
    settings: SettingsDep,
    principal: WritePrincipal,
    file: Annotated[UploadFile, File(description="The CSV file another app exported, plain or gzip-compressed.")],
    format: Annotated[str, Query(max_length=20, description=_FORMAT_HELP)] = "auto",
    dry_run: Annotated[bool, Query(description="Report what would happen; change nothing.")] = False,
    merge: Annotated[
        bool, Query(description="true: add to the collection's entries; false: replace them with the file's.")
    ] = True,
    currency: Annotated[
        ImportCurrency | None,
        Query(
            description="Currency of purchase prices the file does not label (USD or EUR); a currency the row "
            "names itself wins. Default: the app's own (Moxfield: USD), else none, with a warning per row."
        ),
    ] = None,
    report: Annotated[
        Literal["json", "csv"],
        Query(description="json: the import report; csv: every unresolved row (the import still happens)."),
    ] = "json",
) -> Any:
    """Import a collection export (Moxfield, ManaBox, Deckbox, Archidekt, TCGplayer, Dragon Shield, …).

    Rows resolve by Scryfall id, then TCGplayer/Cardmarket/MTGO id, then set code + collector number,
    then name + set name, then name alone (listed in `warnings` as approximate). Every row is imported,
    merged or unresolved with its line and reason; a file that cannot be read at all is a 400 and nothing
    is written. A row that merges into an existing entry merges its data too (see POST …/entries);
    what could not be kept is a `merge` warning.

    The JSON report echoes the first `MTG_COLLECTION__MAX_REPORT_ROWS` (100) unresolved rows and warnings
    (`errors_truncated`, `warnings_truncated`; the counts are always exact). `report=csv` answers every
    unresolved row as CSV instead (`Import Line`, `Import Error`, then the row's own columns: fix the rows
    and import that file), with the counts in `X-Import-Rows-Read`, `X-Import-Imported`,
    `X-Import-Merged` and `X-Import-Unresolved` headers; combine it with `dry_run=true` to get the list
    without importing. A gzip-compressed file (recognised by its magic bytes, whatever its name) is decompressed.
    Up to `MTG_COLLECTION__MAX_IMPORT_BYTES` (50 MB, uploaded and decompressed: 413 beyond) and
    `MAX_IMPORT_ROWS` (200,000 rows)."""
    fmt = _check_format(format, allow_auto=True)
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    result = await collection_service.import_file(
        session,
        collection,
        _upload_chunks(file),
        fmt=fmt,
        dry_run=dry_run,
        merge=merge,
        max_rows=settings.collection.max_import_rows,
        max_bytes=settings.collection.max_import_bytes,
        currency=currency.upper() if currency else None,
    )
    if report == "json":
        return collection_service.cap_report(result, settings.collection.max_report_rows)
    counts = {
        f"X-Import-{name.replace('_', '-').title()}": str(result[name])
        for name in ("rows_read", "imported", "merged", "unresolved")
    }
    rows = [(e["line"], e["reason"], e["row"]) for e in result["errors"]]
    return StreamingResponse(
        (text.encode() for text in formats.write_unresolved(rows)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unresolved-rows.csv"', **counts},
    )


@router.get(
    "/collections/{collection_id}/export",
    responses={200: {"content": {"text/csv": {}}, "description": "The CSV file"}, **_READ},
    summary="Export as CSV",
)
async def export_collection(
    collection_id: CollectionId,
    session: SessionDep,
    principal: OptionalPrincipal,
    format: Annotated[str, Query(max_length=20, description="One of: " + ", ".join(formats.FORMATS))] = "moxfield",
) -> StreamingResponse:
    """The collection in that app's own header layout and vocabulary, so it imports into that app."""
    fmt = _check_format(format, allow_auto=False)
    collection = await collection_service.get_collection(session, collection_id, principal)
    rows = await collection_service.export_rows(session, collection)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", collection.name).strip("-") or "collection"

    def body() -> Iterator[bytes]:
        buffer: list[str] = []
        size = 0
        for text in formats.write_rows(fmt, rows):
            buffer.append(text)
            size += len(text)
            if size >= 64 * 1024:
                yield "".join(buffer).encode()
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{fmt}.csv"'},
    )


# -- value ----------------------------------------------------------------------------------------------------


@router.get(
    "/collections/{collection_id}/value", response_model=CollectionValue, responses=_READ, summary="Current value"
)
async def collection_value(
    collection_id: CollectionId,
    session: SessionDep,
    principal: OptionalPrincipal,
    currency: Annotated[Currency, Query(description="usd or eur.")] = "usd",
) -> dict[str, Any]:
    """What the collection is worth at the catalog's current prices (see `fallback_priced_cards` for
    copies valued at another finish's price, `unpriced_cards` for copies with no price)."""
    collection = await collection_service.get_collection(session, collection_id, principal)
    return await valuation.collection_value(session, collection.id, currency)


@router.get(
    "/collections/{collection_id}/value/history",
    response_model=ValueHistory,
    responses=_READ,
    summary="Value over time",
)
async def value_history(
    collection_id: CollectionId,
    session: SessionDep,
    principal: OptionalPrincipal,
    currency: Annotated[Currency, Query(description="usd or eur.")] = "usd",
    from_: Annotated[date | None, Query(alias="from", description="First day, inclusive.")] = None,
    to: Annotated[date | None, Query(description="Last day, inclusive.")] = None,
) -> dict[str, Any]:
    """One point per day the `collection.value_snapshot` job ran, oldest first."""
    if from_ is not None and to is not None and from_ > to:
        raise BadRequest(f"from ({from_}) is after to ({to}).")
    collection = await collection_service.get_collection(session, collection_id, principal)
    data = await valuation.value_history(session, collection.id, currency, start=from_, end=to)
    return {"object": "list", "currency": currency, "has_more": False, "data": data}
