"""The trainer's progress grid of the 275-trainee demo cohort: requests/s of the full
page (gzip asked for, as browsers do) and of a repeat view answering 304, each over
`hello_rps` measured alongside. Run alone with `python -m bench.bench_grid` (merges its
figures into results.json) or as part of `make bench`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from bench.run import (
    DEMO_COHORT,
    HERE,
    RESULTS,
    Config,
    _env,
    build_database,
    median_of,
    page_timeout,
    run_errors,
    served,
    sessions_for,
    wrk,
)

TRAINER = "trainer1@csa-pk.example.org"
TARGET_GRID_VS_HELLO = 0.04
TARGET_GRID_304_VS_HELLO = 0.3


def _etag(url: str, cookie: str) -> tuple[int, str, int]:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
        body = response.read()
        return response.status, response.headers.get("ETag", ""), len(body)


def measure(config: Config, workdir: Path, database: Path | None = None) -> dict[str, Any]:
    database = database or build_database(workdir)
    env = _env(workdir, database)
    [(token, _csrf, _user_id)] = sessions_for(database, [TRAINER])
    cookie = f"iil_session={token}"
    with sqlite3.connect(database) as db:
        cohort_id = int(
            db.execute("SELECT id FROM cohort WHERE slug = ?", (DEMO_COHORT,)).fetchone()[0]
        )
    path = f"/cohorts/{cohort_id}/progress"
    runs: dict[str, list[dict[str, Any]]] = {"hello": [], "grid": [], "grid_304": []}
    results: dict[str, Any] = {}
    with (
        served("bench.hello:app", env, workdir / "hello.log", probe="/hello") as hello_base,
        served("iil_lms.asgi:app", env, workdir / "app.log") as app_base,
    ):
        status, etag, size = _etag(app_base + path, cookie)
        results["grid_gzip_kb"] = round(size / 1024, 1)
        for _round in range(config.rounds):
            runs["hello"].append(
                wrk(
                    hello_base + "/hello",
                    HERE / "wrk_get.lua",
                    [""],
                    config.connections,
                    config.duration,
                )
            )
            runs["grid"].append(
                wrk(
                    app_base + path,
                    HERE / "wrk_get.lua",
                    [cookie, "gzip"],  # as browsers ask for it
                    config.connections,
                    config.duration,
                    timeout=page_timeout(config.duration),
                )
            )
            runs["grid_304"].append(
                wrk(
                    app_base + path,
                    HERE / "wrk_conditional.lua",
                    [cookie, etag],
                    config.connections,
                    config.duration,
                    timeout=page_timeout(config.duration),
                )
            )
    hello_rps = median_of(runs["hello"], "rps")
    for name in ("grid", "grid_304"):
        rps = median_of(runs[name], "rps")
        results[f"{name}_rps"] = round(rps, 1)
        results[f"{name}_vs_hello"] = round(rps / hello_rps, 3)
        results[f"{name}_p50_ms"] = round(median_of(runs[name], "p50_us") / 1000, 1)
        # Timeouts and runs that completed nothing count as errors: a 0 is never quiet.
        results[f"{name}_errors"] = run_errors(runs[name])
        results[f"{name}_timeouts"] = int(sum(r.get("timeouts", 0) for r in runs[name]))
    results["grid_hello_rps"] = round(hello_rps, 1)
    results["grid_status"] = status
    results["grid_timeout_s"] = page_timeout(config.duration)
    return results


def main() -> int:
    config = Config()
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-grid-"))
    try:
        figures = measure(config, workdir)
    finally:
        if config.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, indent=2))
    missed = [
        f"{key} {figures[key]} (target {target})"
        for key, target in (
            ("grid_vs_hello", TARGET_GRID_VS_HELLO),
            ("grid_304_vs_hello", TARGET_GRID_304_VS_HELLO),
        )
        if figures[key] < target
    ]
    missed += [
        f"{name}_errors {figures[f'{name}_errors']} (timeouts {figures[f'{name}_timeouts']}"
        f" at {figures['grid_timeout_s']} s, non-200 answers, or runs that completed nothing)"
        for name in ("grid", "grid_304")
        if figures[f"{name}_errors"]
    ]
    if figures["grid_status"] != 200:
        missed.append(f"grid_status {figures['grid_status']} (the first view must be 200)")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
