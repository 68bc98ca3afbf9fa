"""Collection pages: list, detail (filters, value, chart, entry edit), add from a card page, the import
wizard (upload → detected format → dry-run report → confirm) and exports."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import Response, StreamingResponse

from mtg_tracker.collection import formats, valuation
from mtg_tracker.collection import service as collection_service
from mtg_tracker.collection.models import Collection
from mtg_tracker.collection.schemas import CollectionCreate, EntryCreate, EntryUpdate
from mtg_tracker.config import Settings
from mtg_tracker.kit.deps import ReadSessionDep, SessionDep, SettingsDep
from mtg_tracker.kit.errors import AppError, BadRequest, NotFound
from mtg_tracker.web import charts
from mtg_tracker.web.auth import page_principal
from mtg_tracker.web.pages import WebRoute, check_csrf, redirect, render, require_login, text_field

router = APIRouter(route_class=WebRoute, include_in_schema=False)

KINDS = ("collection", "binder", "deck", "wishlist")
FINISHES = ("nonfoil", "foil", "etched")
CONDITIONS = ("M", "NM", "LP", "MP", "HP", "D")
_UPLOAD_CHUNK = 256 * 1024
_CHART_DAYS = 3 * 365
_UPLOAD_MAX_AGE = 86_400
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Rows of the dry-run report drawn on the page; every unresolved row is one click away as CSV (a 20,000
# row report would be a page no browser scrolls comfortably).
SHOWN_ROWS = 500


def _invalid(exc: ValidationError) -> BadRequest:
    return BadRequest(
        "Some fields are not valid.",
        errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
    )


@router.get("/collections")
async def collections_page(request: Request, session: ReadSessionDep) -> Response:
    principal = await require_login(request)
    rows, _ = await collection_service.list_collections(session, owner_id=principal.user_id, page=1, page_size=1000)
    values = {c.id: await valuation.collection_value(session, c.id, "usd") for c in rows}
    return await render(request, "collections.html", {"collections": rows, "values": values, "kinds": KINDS})


@router.post("/collections")
async def create_collection(request: Request, session: SessionDep) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    try:
        data = CollectionCreate(
            name=text_field(form, "name"),
            kind=text_field(form, "kind", "collection") or "collection",
            description=text_field(form, "description") or None,
            is_public=form.get("is_public") == "on",
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    collection = await collection_service.create_collection(session, owner_id=principal.user_id, data=data)
    return redirect(request, f"/collections/{collection.id}")


async def _value_chart(session: Any, collection: Collection) -> charts.Chart:
    """Two lines: the recorded daily snapshots (what the collection was worth), and today's holdings
    valued over the price history (how the cards held now moved) — the latter is there from day one."""
    history = await valuation.value_history(session, collection.id, "usd", start=None, end=None)
    recorded = [(row["date"], Decimal(row["total"])) for row in history if row["total"] is not None]
    start = date.today() - timedelta(days=_CHART_DAYS)
    held = await valuation.holdings_history(session, collection.id, "usd", start=start)
    holdings = [(row["date"], Decimal(row["total"])) for row in held]
    return charts.line_chart({"recorded value": recorded, "current cards at past prices": holdings})


@router.get("/collections/{collection_id}")
async def collection_page(
    request: Request,
    collection_id: uuid.UUID,
    session: ReadSessionDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    finish: Literal["", "nonfoil", "foil", "etched"] = "",
    condition: Literal["", "M", "NM", "LP", "MP", "HP", "D"] = "",
    set: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    imported: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    principal = await page_principal(request)
    collection = await collection_service.get_collection(session, collection_id, principal)
    filters = collection_service.EntryFilters(
        finish=finish or None, condition=condition or None, set_code=set.lower() or None, q=q.strip() or None
    )
    error = None
    try:
        entries, total, warnings = await collection_service.list_entries(
            session, collection, filters, page=page, page_size=100
        )
    except AppError as exc:  # a query the search language cannot understand: shown next to the box
        entries, total, warnings, error = [], 0, exc.warnings or [], exc.message
    value = await valuation.collection_value(session, collection.id, "usd")
    value_eur = await valuation.collection_value(session, collection.id, "eur")
    owner = principal is not None and principal.user_id == collection.owner_id
    return await render(
        request,
        "collection.html",
        {
            "collection": collection, "entries": entries, "total": total, "warnings": warnings, "error": error,
            "value": value, "value_eur": value_eur, "chart": await _value_chart(session, collection),
            "owner": owner, "filters": {"q": q, "finish": finish, "condition": condition, "set": set},
            "page": page, "has_more": page * 100 < total, "formats": formats.FORMATS, "finishes": FINISHES,
            "conditions": CONDITIONS, "imported": imported,
        },
    )  # fmt: skip


@router.post("/collections/add")
async def add_card(request: Request, session: SessionDep) -> Response:
    """From a card page: into an existing collection, or into a new one named in the same form."""
    principal = await require_login(request)
    form = await check_csrf(request)
    target = text_field(form, "collection_id")
    if target == "new" or not target:
        try:
            data = CollectionCreate(name=text_field(form, "new_name") or "My collection")
        except ValidationError as exc:
            raise _invalid(exc) from None
        collection = await collection_service.create_collection(session, owner_id=principal.user_id, data=data)
    else:
        try:
            target_id = uuid.UUID(target)
        except ValueError:
            raise NotFound("No such collection.") from None
        collection = await collection_service.get_collection(session, target_id, principal, write=True)
    try:
        entry = EntryCreate(
            card_id=text_field(form, "card_id"),
            quantity=text_field(form, "quantity", "1") or 1,
            finish=text_field(form, "finish", "nonfoil") or "nonfoil",
            condition=text_field(form, "condition", "NM") or "NM",
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    await collection_service.add_entry(session, collection, entry)
    return redirect(request, f"/collections/{collection.id}")


@router.post("/collections/{collection_id}/entries/{entry_id}")
async def edit_entry(request: Request, collection_id: uuid.UUID, entry_id: int, session: SessionDep) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    if form.get("action") == "delete":
        await collection_service.delete_entry(session, collection, entry_id)
        return redirect(request, f"/collections/{collection.id}")
    changes: dict[str, Any] = {
        "quantity": text_field(form, "quantity") or None,
        "finish": text_field(form, "finish") or None,
        "condition": text_field(form, "condition") or None,
    }
    price = text_field(form, "purchase_price")
    if price:
        changes["purchase_price"] = price
        changes["currency"] = text_field(form, "currency", "USD") or "USD"
    try:
        data = EntryUpdate(**{k: v for k, v in changes.items() if v is not None})
    except ValidationError as exc:
        raise _invalid(exc) from None
    await collection_service.update_entry(session, collection, entry_id, data)
    return redirect(request, f"/collections/{collection.id}")


@router.get("/collections/{collection_id}/export")
async def export(
    request: Request, collection_id: uuid.UUID, session: ReadSessionDep, format: Annotated[str, Query(max_length=20)]
) -> Response:
    if format not in formats.FORMATS:
        raise BadRequest(f"Unknown export format {format!r}; one of: {', '.join(formats.FORMATS)}.")
    collection = await collection_service.get_collection(session, collection_id, await page_principal(request))
    rows = await collection_service.export_rows(session, collection)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", collection.name).strip("-") or "collection"

    def body() -> Iterator[bytes]:
        for text in formats.write_rows(format, rows):
            yield text.encode()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{format}.csv"', "Cache-Control": "no-store"},
    )


# -- import wizard ------------------------------------------------------------------------------------------


def _upload_dir(settings: Settings) -> Path:
    path = settings.data_dir / "web-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _upload_path(settings: Settings, user_id: uuid.UUID, token: str) -> Path:
    # The owner's id is part of the name: a token alone cannot confirm someone else's upload.
    return _upload_dir(settings) / f"{user_id.hex}-{token}.upload"


def _prune_uploads(settings: Settings) -> None:
    cutoff = time.time() - _UPLOAD_MAX_AGE
    for path in _upload_dir(settings).glob("*.upload"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_UPLOAD_CHUNK):
            yield chunk


@router.get("/collections/{collection_id}/import")
async def import_page(request: Request, collection_id: uuid.UUID, session: ReadSessionDep) -> Response:
    principal = await require_login(request)
    collection = await collection_service.get_collection(session, collection_id, principal, write=False)
    if collection.owner_id != principal.user_id:
        raise NotFound("No collection found with that id.")
    return await render(request, "import.html", {"collection": collection, "formats": formats.FORMATS, "report": None})


@router.post("/collections/{collection_id}/import")
async def import_dry_run(
    request: Request, collection_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadRequest("Choose the CSV file to import.")
    fmt = text_field(form, "format", "auto") or "auto"
    if fmt != "auto" and fmt not in formats.FORMATS:
        raise BadRequest(f"Unknown format {fmt!r}.")
    _prune_uploads(settings)
    token = secrets.token_urlsafe(24)
    path = _upload_path(settings, principal.user_id, token)
    with path.open("wb") as out:
        while chunk := await upload.read(_UPLOAD_CHUNK):
            out.write(chunk)
    try:
        report = await collection_service.import_file(
            session, collection, _file_chunks(path), fmt=fmt, dry_run=True,
            max_rows=settings.collection.max_import_rows, max_bytes=settings.collection.max_import_bytes,
        )  # fmt: skip
    except AppError:
        path.unlink(missing_ok=True)
        raise
    return await render(
        request,
        "import.html",
        {"collection": collection, "formats": formats.FORMATS, "report": report, "token": token,
         "filename": upload.filename, "format": report["format"], "shown_rows": SHOWN_ROWS},
    )  # fmt: skip


def _stored_upload(settings: Settings, user_id: uuid.UUID, form: dict[str, Any]) -> tuple[Path, str]:
    token = text_field(form, "token")
    fmt = text_field(form, "format", "auto") or "auto"
    if not _TOKEN.match(token) or (fmt != "auto" and fmt not in formats.FORMATS):
        raise BadRequest("This import is not known; upload the file again.")
    path = _upload_path(settings, user_id, token)
    if not path.exists():
        raise BadRequest("This upload expired or was already imported; upload the file again.")
    return path, fmt


@router.post("/collections/{collection_id}/import/unresolved")
async def import_unresolved(
    request: Request, collection_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> Response:
    """Every unresolved row of the pending upload as a CSV to fix and import (a dry run: nothing changes)."""
    principal = await require_login(request)
    form = await check_csrf(request)
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    path, fmt = _stored_upload(settings, principal.user_id, form)
    report = await collection_service.import_file(
        session, collection, _file_chunks(path), fmt=fmt, dry_run=True,
        max_rows=settings.collection.max_import_rows, max_bytes=settings.collection.max_import_bytes,
    )  # fmt: skip
    rows = [(e["line"], e["reason"], e["row"]) for e in report["errors"]]
    return StreamingResponse(
        (text.encode() for text in formats.write_unresolved(rows)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unresolved-rows.csv"', "Cache-Control": "no-store"},
    )


@router.post("/collections/{collection_id}/import/confirm")
async def import_confirm(
    request: Request, collection_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> Response:
    principal = await require_login(request)
    form = await check_csrf(request)
    collection = await collection_service.get_collection(session, collection_id, principal, write=True)
    path, fmt = _stored_upload(settings, principal.user_id, form)
    try:
        report = await collection_service.import_file(
            session, collection, _file_chunks(path), fmt=fmt, dry_run=False,
            max_rows=settings.collection.max_import_rows, max_bytes=settings.collection.max_import_bytes,
        )  # fmt: skip
    finally:
        path.unlink(missing_ok=True)
    done = int(report["imported"]) + int(report["merged"])
    return redirect(request, f"/collections/{collection.id}?imported={done}")
