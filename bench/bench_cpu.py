"""CPU time per request, in-process: no network, no load generator, so the figures hold
on a busy machine where wrk's do not. `python -m bench.bench_cpu [N [PAGE ...]]` builds the demo
database (or reuses BENCH_CPU_DB), then for each page sends N sequential requests through
the app (httpx over ASGI, the production settings) and prints the median of three
batches' `time.process_time()` per request, in ms. The hello app is measured the same
way, so `ms(hello) / ms(page)` estimates the page's `_vs_hello` ratio (uvicorn's own
share, which both pay, is left out: the estimate is on the strict side)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import DEMO_COHORT, SECRET, build_database, sessions_for

TRAINER = "trainer1@csa-pk.example.org"


def _app(database: Path) -> Any:
    from iil_lms.app import create_app
    from iil_lms.db import make_engine
    from iil_lms.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{database}",
        data_dir=database.parent / "data",
        secret_key=SECRET,
        base_url="http://127.0.0.1",
        production=True,
    )
    return create_app(settings, make_engine(settings.database_url))


def per_request_ms(
    app: Any, path: str, headers: dict[str, str], n: int, status: int = 200
) -> float:
    """Median over three batches of the CPU ms per request of `n` sequential GETs."""
    import httpx

    async def run() -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for _ in range(3):  # warm-up: caches, compiled templates
                answer = await client.get(path, headers=headers)
                if answer.status_code != status:
                    raise SystemExit(f"{path}: {answer.status_code}, expected {status}")
            batches = []
            for _ in range(3):
                start = time.process_time()
                for _ in range(n):
                    await client.get(path, headers=headers)
                batches.append((time.process_time() - start) * 1000 / n)
            return statistics.median(batches)

    return asyncio.run(run())


def _lifespan(app: Any) -> Callable[[], None]:
    """Run the app's startup (as TestClient would) and return its shutdown."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    client.__enter__()
    return lambda: client.__exit__(None, None, None)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    kept = os.environ.get("BENCH_CPU_DB")
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-cpu-"))
    if kept and Path(kept).exists():
        database = workdir / "bench.sqlite3"
        with sqlite3.connect(kept) as src, sqlite3.connect(database) as dst:
            src.backup(dst)
    else:
        from bench.bench_surveys import answer_everyone

        database = build_database(workdir)
        answer_everyone(database)
        if kept:
            shutil.copy(database, kept)
    from bench.bench_surveys import answer_everyone

    survey_path = answer_everyone(database)  # idempotent: everyone has answered
    [(token, _csrf, _uid)] = sessions_for(database, [TRAINER])
    with sqlite3.connect(database) as db:
        cohort_id = int(
            db.execute("SELECT id FROM cohort WHERE slug = ?", (DEMO_COHORT,)).fetchone()[0]
        )
    from bench.hello import app as hello

    app = _app(database)
    stop = _lifespan(app)
    signed_in = {"Cookie": f"iil_session={token}", "Accept-Encoding": "gzip"}
    grid = f"/cohorts/{cohort_id}/progress"
    try:
        import httpx

        async def etag_of() -> str:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
                return (await client.get(grid, headers=signed_in)).headers["etag"]

        etag = asyncio.run(etag_of())
        pages: dict[str, Callable[[], float]] = {
            "hello": lambda: per_request_ms(hello, "/hello", {}, n * 10),
            "account": lambda: per_request_ms(app, "/account", signed_in, n * 5),
            "grid": lambda: per_request_ms(app, grid, signed_in, n),
            "grid_304": lambda: per_request_ms(
                app, grid, signed_in | {"If-None-Match": etag}, n * 5, status=304
            ),
            "survey_results": lambda: per_request_ms(app, survey_path, signed_in, n),
        }
        wanted = {"hello", *(sys.argv[2:] or pages)}
        figures = {name: measure() for name, measure in pages.items() if name in wanted}
    finally:
        stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for name, ms in figures.items():
        ratio = figures["hello"] / ms
        print(f"{name:16} {ms:8.3f} ms/request CPU   ~{ratio:.3f} of hello")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
