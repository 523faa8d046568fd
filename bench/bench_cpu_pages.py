"""In-process CPU time per request of the signed-in pages (`python -m bench.bench_cpu_pages`):
the journey map, the first module page that answers 200 and /account, for the demo
trainee, through the app's ASGI callable on one event loop (no server, no network, no
wrk), so one change at a time can be compared on a busy machine: CPU time, unlike
requests/s, barely moves with other processes' load.

Each page: a warm-up, then BENCH_CPU_BATCHES batches (default 7) of BENCH_CPU_REQUESTS
sequential requests (default 200); the figure is the best batch's `time.process_time`
per request, in milliseconds. BENCH_CPU_DB reuses a database built before (the path is
printed), so variants of the code are measured on the same data."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import DEMO_TRAINEE, SECRET, build_database, sessions_for, trainee_exercise_targets

Message = dict[str, Any]


async def _get(app: Any, path: str, cookie: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"cookie", cookie.encode()),
            (b"accept-language", b"en"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


async def _cpu_ms(app: Any, path: str, cookie: str, batches: int, requests: int) -> float:
    for _ in range(20):
        status, _body = await _get(app, path, cookie)
        assert status == 200, (path, status)
    best = float("inf")
    for _ in range(batches):
        start = time.process_time()
        for _ in range(requests):
            await _get(app, path, cookie)
        best = min(best, (time.process_time() - start) / requests)
    return round(best * 1000, 3)


def measure(database: Path) -> dict[str, float]:
    from iil_lms.app import create_app
    from iil_lms.settings import Settings

    batches = int(os.environ.get("BENCH_CPU_BATCHES", "7"))
    requests = int(os.environ.get("BENCH_CPU_REQUESTS", "200"))
    [(token, _csrf, trainee_id)] = sessions_for(database, [DEMO_TRAINEE])
    cookie = f"iil_session={token}"
    modules, _reflections = trainee_exercise_targets(database, trainee_id)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        data_dir=database.parent / "data",
        secret_key=SECRET,
        base_url="http://127.0.0.1",
        production=True,
    )
    app = create_app(settings)

    async def run() -> dict[str, float]:
        module = None
        for module_id in modules:
            if (await _get(app, f"/journey/modules/{module_id}", cookie))[0] == 200:
                module = f"/journey/modules/{module_id}"
                break
        pages = {"journey": "/journey", "module": module, "account": "/account"}
        return {
            f"{name}_cpu_ms": await _cpu_ms(app, path, cookie, batches, requests)
            for name, path in pages.items()
            if path is not None
        }

    return asyncio.run(run())


def main() -> int:
    given = os.environ.get("BENCH_CPU_DB")
    if given:
        database = Path(given)
    else:
        database = build_database(Path(tempfile.mkdtemp(prefix="iil-bench-cpu-")))
        print(f"database: {database}", file=sys.stderr)
    print(json.dumps(measure(database)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
