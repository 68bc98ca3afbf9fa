"""Daily sync from Scryfall's bulk data: ask what is current, download only when it changed, import.

Scryfall publishes each bulk file under a new URL with a new ``updated_at``; comparing that with the
last successful import avoids downloading hundreds of megabytes for nothing, and the download itself is
conditional and resumable (see ScryfallClient.download).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mtg_tracker.catalog.importer import ImportSummary, ProgressFn, Tally, import_cards, import_sets
from mtg_tracker.catalog.models import CatalogImport
from mtg_tracker.catalog.rulings import read_file
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.service import MigrationsSummary, RulingsSummary, load_rulings, store_migrations
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.kit.logging import get_logger

log = get_logger("mtg_tracker.catalog.sync")


@dataclass
class SyncResult:
    bulk_type: str
    updated_at: str | None
    changed: bool
    summary: ImportSummary | None = None
    sets: Tally | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bulk_type": self.bulk_type,
            "updated_at": self.updated_at,
            "changed": self.changed,
            "import": self.summary.as_dict() if self.summary else None,
            "sets": None if self.sets is None else {"inserted": self.sets.inserted, "updated": self.sets.updated},
        }


async def _last_bulk(db: Database, bulk_type: str) -> CatalogImport | None:
    async with db.session(write=False) as session:
        stmt = (
            select(CatalogImport)
            .where(
                CatalogImport.kind == "bulk", CatalogImport.bulk_type == bulk_type, CatalogImport.status == "succeeded"
            )
            .order_by(CatalogImport.id.desc())
            .limit(1)
        )
        return (await session.execute(stmt)).scalar_one_or_none()


async def _record_unchanged(db: Database, bulk_type: str, updated_at: str | None, source: str) -> None:
    async with db.session_scope() as session:
        now = utcnow()
        session.add(
            CatalogImport(
                kind="bulk-check",
                source=source[:500],
                status="unchanged",
                started_at=now,
                finished_at=now,
                bulk_type=bulk_type,
                bulk_updated_at=updated_at,
            )
        )


def _price_day(updated_at: str | None) -> date | None:
    if not updated_at:
        return None
    try:
        return datetime.fromisoformat(updated_at.replace("Z", "+00:00")).date()
    except ValueError:
        return None


async def sync_bulk(
    db: Database,
    settings: Settings,
    client: ScryfallClient,
    *,
    bulk_type: str | None = None,
    with_sets: bool = True,
    download_progress: ProgressFn | None = None,
    import_progress: ProgressFn | None = None,
    on_total: Any = None,
) -> SyncResult:
    bulk_type = bulk_type or settings.scryfall.bulk_type
    sets_summary = None
    if with_sets:
        sets_summary = await import_sets(db, objects=await client.sets())
    meta = await client.bulk_data(bulk_type)
    updated_at = meta.get("updated_at")
    uri = meta.get("download_uri")
    if not isinstance(uri, str):
        raise ValueError(f"Scryfall's bulk entry {bulk_type!r} has no download_uri")
    last = await _last_bulk(db, bulk_type)
    if last is not None and last.bulk_updated_at == updated_at:
        await _record_unchanged(db, bulk_type, updated_at, uri)
        log.info("catalog_sync_unchanged", bulk_type=bulk_type, updated_at=updated_at)
        return SyncResult(bulk_type, updated_at, changed=False, sets=sets_summary)
    if on_total is not None:
        on_total(meta.get("size"))
    download_dir = Path(settings.scryfall.download_dir)
    download_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one syscall, once per daily sync
    dest = download_dir / f"{bulk_type}.json"
    result = await client.download(
        uri,
        dest,
        etag=last.etag if last else None,
        last_modified=last.last_modified if last else None,
        progress=(lambda done, _total: download_progress(done)) if download_progress else None,
    )
    if not result.changed:
        await _record_unchanged(db, bulk_type, updated_at, uri)
        return SyncResult(bulk_type, updated_at, changed=False, sets=sets_summary)
    summary = await import_cards(
        db,
        dest,
        kind="bulk",
        price_day=_price_day(updated_at),
        progress=import_progress,
        record_extra={
            "bulk_type": bulk_type,
            "bulk_updated_at": updated_at,
            "etag": result.etag,
            "last_modified": result.last_modified,
        },
    )
    return SyncResult(bulk_type, updated_at, changed=True, summary=summary, sets=sets_summary)


@dataclass
class RulingsSyncResult:
    updated_at: str | None
    changed: bool
    summary: RulingsSummary | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "updated_at": self.updated_at,
            "changed": self.changed,
            "load": self.summary.as_dict() if self.summary else None,
        }


async def sync_rulings(db: Database, settings: Settings, client: ScryfallClient) -> RulingsSyncResult:
    """Scryfall's rulings bulk file, when it changed since the last successful load (same check as cards)."""
    meta = await client.bulk_data("rulings")
    updated_at = meta.get("updated_at")
    uri = meta.get("download_uri")
    if not isinstance(uri, str):
        raise ValueError("Scryfall's rulings bulk entry has no download_uri")
    last = await _last_bulk(db, "rulings")
    if last is not None and last.bulk_updated_at == updated_at:
        await _record_unchanged(db, "rulings", updated_at, uri)
        return RulingsSyncResult(updated_at, changed=False)
    download_dir = Path(settings.scryfall.download_dir)
    download_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one syscall, once per daily sync
    dest = download_dir / "rulings.json"
    await client.download(uri, dest, endpoint="bulk_download")
    started = utcnow()
    async with db.session_scope() as session:
        summary = await load_rulings(session, read_file(dest))
        session.add(
            CatalogImport(
                kind="bulk",
                source=uri[:500],
                status="succeeded",
                started_at=started,
                finished_at=utcnow(),
                bulk_type="rulings",
                bulk_updated_at=updated_at,
                summary=json.dumps(summary.as_dict()),
            )
        )
    log.info("catalog_rulings_synced", updated_at=updated_at, **summary.as_dict())
    return RulingsSyncResult(updated_at, changed=True, summary=summary)


async def sync_migrations(db: Database, client: ScryfallClient) -> MigrationsSummary:
    """Scryfall's card migrations (a few thousand small objects): all pages, stored or refreshed."""
    objects = await client.migrations()
    async with db.session_scope() as session:
        summary = await store_migrations(session, objects)
    log.info("catalog_migrations_synced", **summary.as_dict())
    return summary
