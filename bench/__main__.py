"""Run the benchmarks of the catalog issue and write bench/results/<name>-<date>.json.

    python -m bench import   # real 2019 file and 150k synthetic into SQLite and PostgreSQL (+ naive baseline)
    python -m bench cards    # GET /api/v1/cards/{id} from cache vs a trivial endpoint, wrk, 64 connections
    python -m bench prices   # 150k printings × 90 days of prices: snapshot, size, history latency, movers
    python -m bench collections  # the real 20,726-row ManaBox export into the real 2019 catalog: import, value
    python -m bench web      # server render of the web app's search page on the real 2019 catalog
    python -m bench forecast # GET /cards/{id}/forecast p50/p95 under 50 concurrent clients (real cards and prices)
    python -m bench search   # the search engine vs a naive in-memory filter (see bench/search.py, --help)
    python -m bench marketplace  # the nightly integrity audit over 1,000,000 journal lines
    python -m bench backup   # real 2019 catalog + 20k-entry collection: backup create, verify, RTO of a restore
PostgreSQL runs when MTG_BENCH_DATABASE_URL (or MTG_TEST_DATABASE_URL) points at a server.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
REAL = ROOT.parent / "shared" / "data" / "cards" / "scryfall-default-cards-2019.json.gz"
PY = sys.executable


def machine() -> dict[str, Any]:
    def field(path: str, key: str) -> str:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
        return "0"

    cpu = field("/proc/cpuinfo", "model name")
    mem = field("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    out = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def backends() -> list[str]:
    """SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL (or MTG_TEST_DATABASE_URL) names a server."""
    pg = os.environ.get("MTG_BENCH_DATABASE_URL") or os.environ.get("MTG_TEST_DATABASE_URL")
    return ["sqlite", "postgresql"] if pg else ["sqlite"]


def on_each_backend(
    tag: str, catalog: Path, bench: Callable[[str, str], Awaitable[dict[str, Any]]], *, drop_sqlite: bool = False
) -> list[dict[str, Any]]:
    """Per backend: a fresh migrated database named after ``tag``, ``catalog`` imported into it, then
    ``bench(backend, url)``; one result row each. ``drop_sqlite`` deletes the SQLite file afterwards
    (the price history at 150k printings is gigabytes)."""
    rows = []
    for backend in backends():
        url = fresh_db(backend, f"{backend}_{tag}")
        one_import(url, catalog)
        row = asyncio.run(bench(backend, url))
        print(row)
        rows.append(row)
        if drop_sqlite and backend == "sqlite":
            for p in WORK.glob(f"{backend}_{tag}.db*"):
                p.unlink()
    return rows


def fresh_db(backend: str, tag: str) -> str:
    if backend == "sqlite":
        path = WORK / f"{tag}.db"
        for p in WORK.glob(f"{tag}.db*"):
            p.unlink()
        url = f"sqlite+aiosqlite:///{path}"
    else:
        from sqlalchemy import create_engine, text

        base = os.environ.get("MTG_BENCH_DATABASE_URL") or os.environ["MTG_TEST_DATABASE_URL"]
        from sqlalchemy.engine import make_url

        from mtg_tracker.config import normalise_database_url

        admin = create_engine(normalise_database_url(base), isolation_level="AUTOCOMMIT")
        name = f"mtg_bench_{tag}"
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(normalise_database_url(base)).set(database=name).render_as_string(hide_password=False)
    run([PY, "-m", "mtg_tracker", "db", "upgrade"], env={"MTG_DATABASE_URL": url, "MTG_LOG__LEVEL": "WARNING"})
    return url


def one_import(url: str, path: Path, mode: str = "fast") -> dict[str, Any]:
    lines = (
        run([PY, "-m", "bench.import_worker", url, str(path), mode], env={"MTG_LOG__LEVEL": "WARNING"})
        .strip()
        .splitlines()
    )
    return json.loads(lines[-1])


def bench_import() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    synthetic = WORK / "synthetic-150k.json.gz"
    if not synthetic.exists():
        run([PY, "-m", "mtg_tracker", "dev", "generate-catalog", "--cards", "150000", "--out", str(synthetic)])
    files = {"real-2019-45851": REAL, "synthetic-150k": synthetic}
    rows = []
    for label, path in files.items():
        if not path.exists():
            print(f"skip {label}: {path} missing")
            continue
        for backend in backends():
            url = fresh_db(backend, f"{backend}_{label.replace('-', '_')}")
            first = one_import(url, path)
            second = one_import(url, path)  # identical file, same day: recognised by its fingerprint
            forced = one_import(url, path, "force")  # the full comparison of every record
            row = {
                "file": label,
                "backend": backend,
                "first": first,
                "reimport": second,
                "reimport_forced": forced,
                "cards_per_s": round(first["read"] / first["seconds"]),
                "reimport_ratio": round(second["seconds"] / first["seconds"], 3),
                "forced_ratio": round(forced["seconds"] / first["seconds"], 3),
            }
            if backend == "sqlite":
                naive_url = fresh_db("sqlite", f"naive_{label.replace('-', '_')}")
                row["naive"] = one_import(naive_url, path, "naive")
                row["speedup_vs_naive"] = round(row["naive"]["seconds"] / first["seconds"], 1)
            print(json.dumps(row))
            rows.append(row)
    return {"benchmark": "catalog-import", "machine": machine(), "rows": rows}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str, seconds: int = 15, connections: int = 64) -> dict[str, Any]:
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {
        p: m.group(2) + m.group(3) for p in ("50", "99") if (m := re.search(rf"\s{p}(\.000)?%\s+([\d.]+)(\w+)", out))
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": rps,
        "p50": lat.get("50"),
        "p99": lat.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def bench_cards() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    url = fresh_db("sqlite", "cards_http")
    one_import(url, REAL)
    import gzip

    import ijson

    with gzip.open(REAL, "rb") as f:
        card_id = next(iter(ijson.items(f, "item")))["id"]
    port = free_port()
    env = {
        **os.environ,
        "MTG_DATABASE_URL": url,
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_LOG__LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [PY, "-m", "bench.serve_app", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        httpx.get(f"{base}/api/v1/cards/{card_id}")  # warm the cache
        wrk(f"{base}/bench/trivial", seconds=3)  # warm-up
        trivial = wrk(f"{base}/bench/trivial")
        card = wrk(f"{base}/api/v1/cards/{card_id}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    result = {
        "trivial": trivial,
        "card_cached": card,
        "ratio": round(card["requests_per_s"] / trivial["requests_per_s"], 3),
    }
    print(json.dumps(result))
    return {"benchmark": "card-by-id-cached", "machine": machine(), "connections": 64, "result": result}


def main() -> None:
    which = sys.argv[1:] or ["import", "cards", "prices"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if which[0] == "search":  # its own options: python -m bench search --help
        from bench import search

        print(f"wrote {search.write(search.main(which[1:]))}")
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    for name in which:
        if name == "prices":
            from bench.prices import bench_prices

            result = bench_prices()
        elif name == "marketplace":
            from bench.marketplace import bench_marketplace

            result = bench_marketplace()
        elif name == "web":
            from bench.web import bench_web

            result = bench_web()
        elif name == "forecast":
            from bench.forecast import bench_forecast

            result = bench_forecast()
        elif name == "backup":
            from bench.backup import bench_backup

            result = bench_backup()
        elif name == "collections":
            from bench.collections import bench_collections

            result = bench_collections()
        else:
            result = {"import": bench_import, "cards": bench_cards}[name]()
        out = RESULTS / f"{name}-{stamp}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {out}")
    shutil.rmtree(WORK / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
