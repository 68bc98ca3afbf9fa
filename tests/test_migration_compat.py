"""N−1 compatibility: the newest migration leaves the previous release's code working.

During a rolling deploy the migration runs first, while pods of the previous release still serve. They
know nothing of the new schema, so the new one must be a superset of the old: no table or column
dropped or renamed, no type changed, no column made NOT NULL that was nullable, and every column added
to an existing table nullable or with a server default (the old code's INSERTs do not name it).

A migration that cannot keep this (the "contract" step of an expand/contract change) says so in its
module: ``BREAKS_PREVIOUS_RELEASE = "why, and what the release notes tell operators"`` — then this test
lets it pass, and the release needs the old pods stopped before it migrates.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from mtg_tracker.kit import migrations
from support import make_settings

Schema = dict[str, dict[str, dict[str, Any]]]


def _sync(url: str) -> str:
    return url.replace("+aiosqlite", "")


def _schema(url: str) -> Schema:
    engine = create_engine(_sync(url))
    try:
        inspector = inspect(engine)
        return {
            table: {
                column["name"]: {
                    "type": str(column["type"].as_generic()) if _has_generic(column["type"]) else str(column["type"]),
                    "nullable": column["nullable"],
                    "default": column.get("default") is not None,
                }
                for column in inspector.get_columns(table)
            }
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
    finally:
        engine.dispose()


def _has_generic(column_type: Any) -> bool:
    try:
        column_type.as_generic()
    except NotImplementedError:
        return False
    return True


def incompatibilities(old: Schema, new: Schema) -> list[str]:
    """What would break code written for ``old`` when it runs against ``new``."""
    problems = []
    for table, columns in old.items():
        if table not in new:
            problems.append(f"table {table} dropped or renamed")
            continue
        for name, was in columns.items():
            now = new[table].get(name)
            if now is None:
                problems.append(f"column {table}.{name} dropped or renamed")
                continue
            if now["type"] != was["type"]:
                problems.append(f"column {table}.{name} changed type {was['type']} -> {now['type']}")
            if was["nullable"] and not now["nullable"]:
                problems.append(f"column {table}.{name} became NOT NULL")
        for name, now in new[table].items():
            if name not in columns and not now["nullable"] and not now["default"]:
                problems.append(f"column {table}.{name} added NOT NULL without a server default")
    return problems


def test_the_check_sees_breaking_changes() -> None:
    old: Schema = {"t": {"id": {"type": "INTEGER", "nullable": False, "default": False}}}
    assert incompatibilities(old, old) == []
    assert incompatibilities(old, {}) == ["table t dropped or renamed"]
    added = {"t": {**old["t"], "x": {"type": "TEXT", "nullable": False, "default": False}}}
    assert incompatibilities(old, added) == ["column t.x added NOT NULL without a server default"]
    defaulted = {"t": {**old["t"], "x": {"type": "TEXT", "nullable": False, "default": True}}}
    assert incompatibilities(old, defaulted) == []
    retyped = {"t": {"id": {"type": "TEXT", "nullable": False, "default": False}}}
    assert incompatibilities(old, retyped) == ["column t.id changed type INTEGER -> TEXT"]


def test_newest_migration_keeps_the_previous_release_working(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path)
    script = ScriptDirectory.from_config(migrations.alembic_config(settings))
    heads = script.get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them (alembic merge) first"
    newest = script.get_revision(heads[0])
    assert newest is not None and newest.down_revision is not None
    module = _load(Path(newest.path))
    if getattr(module, "BREAKS_PREVIOUS_RELEASE", None):
        return  # declared: the release notes carry the reason (see the module docstring)

    migrations.downgrade(settings, str(newest.down_revision))
    try:
        before = _schema(settings.database_url)
    finally:
        migrations.upgrade(settings, "head")
    after = _schema(settings.database_url)
    assert incompatibilities(before, after) == [], f"migration {newest.revision} ({Path(newest.path).name})"


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
