"""Two real server processes share one Redis budget: the reason the Redis backend exists."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mtg_tracker.config import Settings
from mtg_tracker.kit import migrations

pytestmark = pytest.mark.slow

MTG = Path(sys.executable).with_name("mtg-tracker")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"server exited with {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} not healthy after {timeout} s")


@pytest.fixture
def servers(redis_url: str, tmp_path: Path) -> Iterator[list[str]]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # the test database index: a clean key space per run
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    migrations.upgrade(Settings(database_url=db_url, environment="test"))
    env = {
        **os.environ,
        "MTG_DATABASE_URL": db_url,
        "MTG_REDIS_URL": redis_url,
        "MTG_RATE_LIMIT__PER_MINUTE": "10",
        "MTG_RATE_LIMIT__BURST": "10",
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_ENVIRONMENT": "test",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_DATA_DIR": str(tmp_path / "var"),
        "MTG_LOG__LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for _ in range(2):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [str(MTG), "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            _wait_healthy(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_two_processes_share_one_budget(servers: list[str]) -> None:
    with httpx.Client(timeout=10.0) as client:
        responses = [client.get(f"{servers[i % 2]}/api/v1/sets") for i in range(15)]
    statuses = [r.status_code for r in responses]
    assert sum(s != 429 for s in statuses) == 10, statuses
    assert statuses[10:] == [429] * 5, statuses
    assert all(s in (200, 404, 429) for s in statuses), statuses
    # each process refuses once the other one has spent the shared budget
    assert {i % 2 for i, s in enumerate(statuses) if s == 429} == {0, 1}
    assert all(int(r.headers["retry-after"]) >= 1 for r in responses[10:])
