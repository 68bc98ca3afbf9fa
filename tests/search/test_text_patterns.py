"""What user text may become in SQL: never a GLOB pattern, and on the FTS5 index only ``LIKE '%piece%'``
with no wildcard inside (SQLite < 3.41 crashed on trigram patterns with interior wildcards or classes)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.dialects import sqlite

from fuzzqueries import BLOCKER, fuzz_queries
from mtg_tracker.kit.errors import AppError
from mtg_tracker.search import compiler, service

FTS_LIKE = re.compile(r"catalog_card_text_fts\.\"?\w+\"? LIKE '((?:[^']|'')*)'")


def _sql(q: str) -> str:
    plan = compiler.plan(service.understand(q), "sqlite")
    return str(plan.where.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("q", "index_pattern", "exact"),
    [
        ("o:flying", "%flying%", None),  # oracle (without reminder text): index on full text, exact on oracle
        ("name:bolt", "%bolt%", None),
        (f"o:{BLOCKER}", f"%{BLOCKER}%", None),  # `?` is no wildcard in LIKE
        ("fo:100%", "%100%", "100%"),  # `%` stays out of the index pattern, instr checks it
        ("name:a_b_cde", "%cde%", "a_b_cde"),
        ('o:"~ deals"', "% deals%", "~ deals"),
        ("o:ab%", None, "ab%"),  # no 3-character piece: the stored text is read
    ],
)
def test_text_terms_compile_to_safe_patterns(q: str, index_pattern: str | None, exact: str | None) -> None:
    sql = _sql(q)
    patterns = [m.replace("''", "'") for m in FTS_LIKE.findall(sql)]
    assert patterns == ([index_pattern] if index_pattern else [])
    if exact is not None:
        assert f"'{exact}'" in sql and "instr(" in sql


def test_no_user_text_reaches_glob_or_interior_wildcards() -> None:
    for q in fuzz_queries(seed=7, count=3000):
        try:
            sql = _sql(q)
        except AppError:
            continue
        assert " GLOB " not in sql.upper(), q
        for pattern in FTS_LIKE.findall(sql):
            inner = pattern.replace("''", "'")[1:-1]
            assert pattern.startswith("%") and pattern.endswith("%") and not re.search("[%_]", inner), (q, pattern)
