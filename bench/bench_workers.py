"""`journey_2workers_vs_1`: the journey map's requests/s (the demo trainee, `GET /journey`,
as `journey_vs_hello` measures it) served on PostgreSQL by two uvicorn workers, divided by
the same served by one worker; target >= 1.3 on a 2-core machine where wrk and PostgreSQL
share the cores with the workers.

A throwaway PostgreSQL server on 127.0.0.1 (started like the test session's,
tests/pg_server.py), the schema and the demo loaded into it, then the app served with the
options of `iil-lms serve` (`--workers 1`, then `--workers 2`), each loaded by the same wrk
run in turn, every round. Alongside, the CPU time each party spent during the two-worker
runs (wrk, PostgreSQL's processes, the app's worker processes, everything else on the
machine) is read from /proc, to show where the second core goes.

Run inside `python -m bench`, or alone with `python -m bench.bench_workers`, which
merges its figures into bench/results.json."""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_2WORKERS_VS_1 = 1.3
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def build_postgres_database(url: str) -> None:
    """Every table (from the models) and the demo, as `build_database` does on SQLite."""
    from sqlmodel import Session, SQLModel

    import iil_lms.all_models  # noqa: F401
    from bench.run import PROJECT
    from iil_lms.db import make_engine
    from iil_lms.demo import build_demo

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        build_demo(session, curricula_dir=PROJECT / "curricula")
        session.commit()
    engine.dispose()


def session_cookie(url: str, workdir: Path, email: str) -> str:
    """The cookie a login would set for `email`, its session created directly."""
    from sqlmodel import Session, select

    from bench.run import SECRET
    from iil_lms.accounts import service
    from iil_lms.accounts.models import User
    from iil_lms.db import make_engine
    from iil_lms.settings import Settings

    settings = Settings(
        database_url=url, data_dir=workdir / "data", secret_key=SECRET, base_url="http://127.0.0.1"
    )
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        token = service.start_session(session, settings, user)
        session.commit()
    engine.dispose()
    return f"iil_session={token}"


# --- CPU time per party, from /proc -----------------------------------------------------


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every process readable in /proc."""
    found: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _tree_cpu(processes: dict[int, tuple[int, float]], root: int) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            total += processes[pid][1]
        todo.extend(children.get(pid, []))
    return total


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every core, not idle or iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICK


def _serve_pid(port: str) -> int | None:
    for pid, (parent, _cpu) in _processes().items():
        if parent != os.getpid():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bench.serve" in command and port.encode() in command:
            return pid
    return None


def cpu_split(run: Callable[[], dict[str, Any]], app_pid: int, pg_pid: int) -> dict[str, Any]:
    """Runs `run` (one wrk run) and returns its figures with the CPU seconds spent meanwhile
    by wrk (this process's reaped children), PostgreSQL, the app's processes and the rest."""
    before = _processes()
    busy_before = _machine_busy()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = run()
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _machine_busy() - busy_before
    after = _processes()
    wrk_cpu = sum(getattr(wrk_after, f) - getattr(wrk_before, f) for f in ("ru_utime", "ru_stime"))
    app = _tree_cpu(after, app_pid) - _tree_cpu(before, app_pid)
    pg = _tree_cpu(after, pg_pid) - _tree_cpu(before, pg_pid)
    seconds = figures["duration_us"] / 1e6
    figures["cpu"] = {
        "app": app / seconds,
        "postgres": pg / seconds,
        "wrk": wrk_cpu / seconds,
        "other": max(busy - app - pg - wrk_cpu, 0.0) / seconds,
    }
    return figures


def _postmaster_pid(server: Any) -> int:
    return int((server.data / "postmaster.pid").read_text().split("\n", 1)[0])


def measure(config: Any, workdir: Path) -> dict[str, Any]:
    """Figures of one and two workers on PostgreSQL; `null` with a note when PostgreSQL
    cannot be started here."""
    from tests.pg_server import PostgresServer

    from bench.run import DEMO_TRAINEE, HERE, _env, median_of, served, status_of, wrk

    server = PostgresServer()
    try:
        url = server.start()
    except (RuntimeError, OSError) as error:
        return {"journey_2workers_vs_1": None, "workers_notes": f"no PostgreSQL: {error}"}
    try:
        build_postgres_database(url)
        cookie = session_cookie(url, workdir, DEMO_TRAINEE)
        env = _env(workdir, workdir / "unused.sqlite3") | {"IIL_DATABASE_URL": url}
        script = HERE / "wrk_get.lua"
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        with (
            served("iil_lms.asgi:app", env, workdir / "pg-1.log", workers=1) as one,
            served("iil_lms.asgi:app", env, workdir / "pg-2.log", workers=2) as two,
        ):
            bases = {1: one, 2: two}
            for base in bases.values():
                status = status_of(base + "/journey", cookie)
                if status != 200:
                    return {
                        "journey_2workers_vs_1": None,
                        "workers_notes": f"/journey answered {status} on PostgreSQL, not 200",
                    }
            # Warm-up, not counted: each worker process fills its own caches (curriculum
            # structure, compiled templates, the connection pool) on its first requests,
            # and the status check above reached only one of the two.
            for base in bases.values():
                wrk(base + "/journey", script, [cookie], config.connections, 2)
            pg_pid = _postmaster_pid(server)
            app_pids = {n: _serve_pid(base.rsplit(":", 1)[1]) for n, base in bases.items()}
            for _round in range(config.rounds):
                for n, base in bases.items():

                    def run(base: str = base) -> dict[str, Any]:
                        return wrk(
                            base + "/journey",
                            script,
                            [cookie],
                            config.connections,
                            config.duration,
                        )

                    app_pid = app_pids[n]
                    runs[n].append(cpu_split(run, app_pid, pg_pid) if app_pid else run())
    finally:
        server.stop()
    one_rps, two_rps = median_of(runs[1], "rps"), median_of(runs[2], "rps")
    found: dict[str, Any] = {
        "journey_pg_1worker_rps": round(one_rps, 1),
        "journey_pg_2workers_rps": round(two_rps, 1),
        "journey_2workers_vs_1": round(two_rps / one_rps, 3) if one_rps else None,
        "journey_pg_workers_errors": int(
            sum(r["non200"] + r["socket_errors"] for n in runs for r in runs[n])
        ),
    }
    for n in (1, 2):
        splits = [r["cpu"] for r in runs[n] if "cpu" in r]
        if splits:
            # Cores busy on average during the run, per party (2.0 = both cores all the time).
            found[f"journey_pg_{n}w_cores"] = {
                party: round(sorted(s[party] for s in splits)[len(splits) // 2], 2)
                for party in ("app", "postgres", "wrk", "other")
            }
    return found


def main() -> int:
    """One and two workers on PostgreSQL only; merged into bench/results.json."""
    from bench.run import RESULTS, Config

    config = Config()
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-workers-"))
    try:
        found = measure(config, workdir)
    finally:
        if config.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(found)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(found, indent=2))
    ratio = found.get("journey_2workers_vs_1")
    ok = ratio is not None and ratio >= TARGET_2WORKERS_VS_1
    ok = ok and found.get("journey_pg_workers_errors") == 0
    if not ok:
        print(f"MISSED: journey_2workers_vs_1 {ratio} (target >= {TARGET_2WORKERS_VS_1})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
