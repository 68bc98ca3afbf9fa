"""The PostgreSQL point-in-time recovery recipe of docs/OPERATIONS.md, run for real by scripts/pitr_drill.sh on
a private cluster: base backup + archived WAL + recovery_target_time restore exactly the rows before the time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path(os.environ.get("MTG_TEST_PGBIN", "/usr/lib/postgresql/15/bin"))


@pytest.mark.slow
def test_pitr_drill_restores_exactly_the_rows_before_the_target_time() -> None:
    missing = [p for p in ("initdb", "pg_ctl", "pg_basebackup", "postgres", "psql") if not (PGBIN / p).exists()]
    if missing:
        if os.environ.get("CI") or os.environ.get("MTG_TEST_DATABASE_URL"):
            pytest.fail(f"PostgreSQL server programs missing under {PGBIN}: {missing} (set MTG_TEST_PGBIN)")
        pytest.skip(f"PostgreSQL server programs missing under {PGBIN} and MTG_TEST_DATABASE_URL unset")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pitr_drill.sh")],
        env={**os.environ, "PGBIN": str(PGBIN), "ROWS_BEFORE": "100", "ROWS_AFTER": "50"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "restored: rows/min/max = 100 1 100" in proc.stdout
    assert "PITR drill ok" in proc.stdout
