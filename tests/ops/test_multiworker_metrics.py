"""With several worker processes /metrics still adds up (prometheus multiprocess mode)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health_count(text: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("http_requests_total{") and 'route="/health"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.slow
def test_two_workers_counts_add_up(tmp_path: Path, sqlite_template: Path) -> None:
    db = tmp_path / "mtg.db"
    shutil.copyfile(sqlite_template, db)
    port = _free_port()
    env = {
        **os.environ,
        "MTG_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "MTG_DATA_DIR": str(tmp_path / "var"),
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_LOG__LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mtg_tracker", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise AssertionError(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.2)
        before = _health_count(httpx.get(f"{base}/metrics").text)
        for _ in range(60):
            # A new connection each time so the kernel spreads requests over both workers.
            with httpx.Client() as c:
                assert c.get(f"{base}/health").status_code == 200
        for _ in range(5):
            text = httpx.get(f"{base}/metrics").text
            assert _health_count(text) == before + 60
        assert "http_requests_in_progress" in text
        assert (tmp_path / "var" / "prometheus-multiproc").is_dir()
        assert len(list((tmp_path / "var" / "prometheus-multiproc").glob("counter_*.db"))) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=20)
