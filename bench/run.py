"""`python -m bench`: the load benchmarks of issue 7, printed as a table and written to
bench/results.json (one flat JSON object). The method is in bench/README.md.

Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_ROUNDS (default 3;
each figure is the median), BENCH_CONNECTIONS (default 32), BENCH_KEEP (keep the temp
folder with the database and server logs)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SECRET = "bench-secret-key-0123456789abcdef"
DEMO_COHORT = "ctp-2026"
DEMO_TRAINEE = "trainee001@csa-pk.example.org"
BIG_COHORT = 2000
TARGET_ROSTER_IMPORT_S = 5.0
TARGET_JOURNEY_VS_HELLO = 0.15
TARGET_SLOW_CLIENT_P99_MS = 500


@dataclass
class Config:
    duration: int = int(os.environ.get("BENCH_DURATION", "10"))
    rounds: int = int(os.environ.get("BENCH_ROUNDS", "3"))
    connections: int = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    keep: bool = bool(os.environ.get("BENCH_KEEP"))


def _env(workdir: Path, database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        IIL_DATABASE_URL=f"sqlite:///{database}",
        IIL_DATA_DIR=str(workdir / "data"),
        IIL_SECRET_KEY=SECRET,
        IIL_BASE_URL="http://127.0.0.1",
        IIL_PRODUCTION="true",  # as deployed: templates are not re-checked on disk
        PYTHONPATH=str(PROJECT),
    )
    return env


def _settings(workdir: Path, database: Path) -> Any:
    from iil_lms.settings import Settings

    return Settings(
        database_url=f"sqlite:///{database}",
        data_dir=workdir / "data",
        secret_key=SECRET,
        base_url="http://127.0.0.1",
    )


# --- the database -----------------------------------------------------------------------


def build_database(workdir: Path) -> Path:
    """A fresh SQLite database with every table and the demo (curriculum, plans, the
    Pakistan cohort of 275 trainees)."""
    from sqlmodel import Session, SQLModel

    import iil_lms.all_models  # noqa: F401
    from iil_lms.db import make_engine
    from iil_lms.demo import build_demo

    database = workdir / "bench.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        build_demo(session, curricula_dir=PROJECT / "curricula")
        session.commit()
    engine.dispose()
    return database


def grow_cohort(source: Path, target: Path, trainees: int) -> None:
    """A copy of the database whose demo cohort has `trainees` trainees (the extra ones
    spread over the same circles), for the query-count comparison."""
    from sqlmodel import Session, select

    from iil_lms.accounts.models import User
    from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role
    from iil_lms.db import make_engine

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{target}")
    with Session(engine) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == DEMO_COHORT)).one()
        circles = [
            c.id
            for c in session.exec(
                select(LearningCircle).where(LearningCircle.cohort_id == cohort.id)
            )
        ]
        have = len(
            session.exec(
                select(Membership).where(
                    Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE.value
                )
            ).all()
        )
        sample = session.exec(select(User).where(User.email == DEMO_TRAINEE)).one()
        for i in range(have + 1, trainees + 1):
            user = User(
                email=f"bench{i:04d}@csa-pk.example.org",
                display_name=f"Bench {i}",
                language="en",
                password_hash=sample.password_hash,
            )
            session.add(user)
            session.flush()
            assert cohort.id is not None and user.id is not None
            session.add(
                Membership(
                    cohort_id=cohort.id,
                    user_id=user.id,
                    role=Role.TRAINEE.value,
                    department="Bench",
                    district="Lahore",
                    province="Punjab",
                    circle_id=circles[i % len(circles)] if circles else None,
                )
            )
        session.commit()
    engine.dispose()


def sessions_for(database: Path, emails: list[str]) -> list[tuple[str, str, int]]:
    """(session token, CSRF token, user id) per email: what a login would set, created
    directly (a login's password hash would dominate the setup time)."""
    from sqlmodel import Session, select

    from iil_lms.accounts import service
    from iil_lms.accounts.models import User
    from iil_lms.db import make_engine
    from iil_lms.web.security import sign

    engine = make_engine(f"sqlite:///{database}")
    settings = _settings(database.parent, database)
    made: list[tuple[str, str, int]] = []
    with Session(engine) as session:
        users = {u.email: u for u in session.exec(select(User).where(User.email.in_(emails)))}  # type: ignore[attr-defined]
        for email in emails:
            user = users[email]
            token = service.start_session(session, settings, user)
            csrf = sign(SECRET, "session:" + service.hash_token(token))
            made.append((token, csrf, user.id))  # type: ignore[arg-type]
        session.commit()
    engine.dispose()
    return made


# --- routes of the app that the benchmarks need -------------------------------------------


def app_paths() -> set[tuple[str, str]]:
    from iil_lms.app import create_app
    from iil_lms.settings import Settings
    from iil_lms.web.route_table import iter_api_routes

    app = create_app(Settings(database_url="sqlite://", secret_key=SECRET))
    return {(m, r.path) for r in iter_api_routes(app.routes) for m in r.methods or ()}


def autosave_path_template(paths: set[tuple[str, str]]) -> str | None:
    """The learning domain's draft autosave route: a POST with {exercise_id} in its path
    that names a draft or autosave."""
    for method, path in sorted(paths):
        if method == "POST" and "{exercise_id}" in path and ("draft" in path or "autosave" in path):
            return path
    return None


def trainee_exercise_targets(database: Path, user_id: int) -> tuple[list[int], list[int]]:
    """Module ids and reflection exercise ids the demo trainee may open today, in plan
    order (assigned_exercise decides)."""
    from sqlmodel import Session, col, select

    from iil_lms.cohorts.models import Cohort
    from iil_lms.curriculum.models import Exercise
    from iil_lms.db import make_engine
    from iil_lms.learning import service

    engine = make_engine(f"sqlite:///{database}")
    modules: list[int] = []
    reflections: list[int] = []
    with Session(engine) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == DEMO_COHORT)).one()
        for exercise in session.exec(
            select(Exercise).order_by(col(Exercise.module_id), col(Exercise.position))
        ):
            assert cohort.id is not None and exercise.id is not None
            try:
                service.assigned_exercise(
                    session, cohort_id=cohort.id, user_id=user_id, exercise_id=exercise.id
                )
            except Exception:  # noqa: BLE001 - not open to this trainee today
                continue
            if exercise.module_id not in modules:
                modules.append(exercise.module_id)
            if exercise.type == "reflection":
                reflections.append(exercise.id)
    engine.dispose()
    return modules, reflections


def fill(template: str, **values: object) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


# --- servers and the load generator ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(
    target: str, env: dict[str, str], log: Path, probe: str = "/healthz", workers: int = 1
) -> Iterator[str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", target, str(port), str(workers)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # BENCH_START_S: a loaded machine may need long to import the app (default 120 s).
            deadline = time.monotonic() + float(os.environ.get("BENCH_START_S", "120"))
            while True:
                try:
                    urllib.request.urlopen(base + probe, timeout=2).close()
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{target} did not start; see {log}") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def page_timeout(duration: int) -> int:
    """wrk's --timeout for a heavy page: half the run, at most 5 s. wrk counts a request
    as timed out only once it is older than the timeout while the run lasts, so with a
    timeout as long as the run (the old 10 s for 10 s runs) a page slower than the run
    completed nothing and counted no error: 0 req/s, 0 errors. Whole seconds: wrk takes
    no fractions."""
    return max(1, min(5, duration // 2))


def wrk(
    url: str,
    script: Path,
    args: list[str],
    connections: int,
    duration: int,
    timeout: int = 10,
) -> dict[str, Any]:
    """One wrk run; its figures (requests, rps, p50_us, p99_us, socket_errors with the
    timeouts in them, timeouts, non200). `completed` is False when no request got an
    answer during the run: its 0 req/s is a failure, never a figure."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        f"{timeout}s",
        "-s",
        str(script),
        url,
        "--",
        *args,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["completed"] = figures["requests"] > 0
    figures["timeout_s"] = timeout
    return figures


def run_errors(runs: list[dict[str, Any]]) -> int:
    """Non-200 answers, socket errors and timeouts of `runs`, plus one for every run in
    which no request completed at all (so such a run can never pass as a quiet 0)."""
    return int(
        sum(r["non200"] + r["socket_errors"] + (0 if r.get("completed", True) else 1) for r in runs)
    )


def wrk_alongside(
    first: tuple[str, Path, list[str], int], second: tuple[str, Path, list[str], int], duration: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two wrk runs at the same time (each: url, script, args, connections)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(wrk, *first, duration)
        b = pool.submit(wrk, *second, duration)
        return a.result(), b.result()


@contextmanager
def trickling_client(base: str, path: str = "/login") -> Iterator[list[str]]:
    """While the block runs, one client sends a 100 KB request body at 1 byte/s; when
    the server cuts it off (it should, with 408), it starts again. Yields the status
    lines the server answered with."""
    import threading

    host, port = base.removeprefix("http://").split(":")
    answers: list[str] = []
    stop = threading.Event()

    def trickle() -> None:
        while not stop.is_set():
            with socket.create_connection((host, int(port))) as sock:
                sock.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 100000\r\n\r\n".encode()
                )
                sock.settimeout(1.0)
                while not stop.is_set():
                    try:
                        sock.sendall(b"a")
                        answer = sock.recv(200)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if answer:
                        answers.append(answer.split(b"\r\n", 1)[0].decode())
                    break

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield answers
    finally:
        stop.set()
        thread.join(timeout=5)


def fetch(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def status_of(url: str, cookie: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as error:
        return error.code


# --- figures ---------------------------------------------------------------------------------


def count_queries(database: Path, path: str, email: str) -> int | None:
    """SQL statements issued while rendering `path` for `email` (after one warm-up
    request), in-process with the app's own engine."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from iil_lms.app import create_app
    from iil_lms.db import make_engine

    token, _csrf, _uid = sessions_for(database, [email])[0]
    engine = make_engine(f"sqlite:///{database}")
    app = create_app(_settings(database.parent, database), engine)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("PRAGMA"):
            statements.append(statement)

    with TestClient(app) as client:
        client.cookies.set("iil_session", token)
        if client.get(path, follow_redirects=False).status_code != 200:
            return None
        event.listen(engine, "before_cursor_execute", count)
        response = client.get(path, follow_redirects=False)
        event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return len(statements) if response.status_code == 200 else None


def mentor_matching_ms(rounds: int) -> float:
    from bench.bench_mentor_matching import roster
    from iil_lms.mentoring.matching import MatchOptions, match

    trainees, mentors = roster()
    options = MatchOptions(prefer_same_province=True, prefer_same_language=True)
    times = []
    for _ in range(max(rounds, 3)):
        started = time.perf_counter()
        match(trainees, mentors, options)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def drafts_intact(database: Path, exercise_id: int, expected: dict[int, str]) -> list[str]:
    """Problems with the trainees' drafts after the final save: missing or not the text
    each trainee sent last."""
    from sqlmodel import Session, select

    from iil_lms.db import make_engine
    from iil_lms.learning.models import Draft

    engine = make_engine(f"sqlite:///{database}")
    problems: list[str] = []
    with Session(engine) as session:
        drafts = {
            d.user_id: d
            for d in session.exec(select(Draft).where(Draft.exercise_id == exercise_id))
        }
        for user_id, text in expected.items():
            draft = drafts.get(user_id)
            if draft is None:
                problems.append(f"user {user_id}: no draft")
            elif (draft.content or {}).get("answer") != text:
                problems.append(f"user {user_id}: draft is {draft.content!r}")
    engine.dispose()
    return problems


def final_saves(
    base: str, path: str, trainees: list[tuple[str, str, int]]
) -> tuple[dict[int, str], int]:
    """One last save per trainee, 32 at a time, with a text in three scripts; returns
    the texts sent and the number of failed requests."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlencode

    sent: dict[int, str] = {}

    def save(trainee: tuple[str, str, int]) -> bool:
        token, csrf, user_id = trainee
        text = f"Last draft of {user_id}: integrity / دیانت داری / इमानदारिता ✓"
        sent[user_id] = text
        body = urlencode({"csrf_token": csrf, "answer": text}).encode()
        request = urllib.request.Request(
            base + path,
            data=body,
            method="POST",
            headers={
                "Cookie": f"iil_session={token}",
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status in (200, 204)
        except urllib.error.HTTPError:
            return False

    with ThreadPoolExecutor(32) as pool:
        failures = sum(1 for ok in pool.map(save, trainees) if not ok)
    return sent, failures


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def measure(config: Config, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    notes: list[str] = []
    database = build_database(workdir)
    env = _env(workdir, database)
    paths = app_paths()
    [(token, _csrf, trainee_id)] = sessions_for(database, [DEMO_TRAINEE])
    cookie = f"iil_session={token}"
    modules, reflections = trainee_exercise_targets(database, trainee_id)
    from bench import bench_surveys

    pages: dict[str, str | None] = {"journey": None, "module": None, "account": "/account"}
    # The survey results page is a trainer's: it is read with a trainer's session.
    cookies: dict[str, str] = {}
    if ("GET", "/cohorts/{cohort_id}/feedback/{exercise_id}") in paths:
        pages["survey_results"] = bench_surveys.answer_everyone(database)
        [(trainer_token, _c, _u)] = sessions_for(database, [bench_surveys.TRAINER])
        cookies["survey_results"] = f"iil_session={trainer_token}"
    else:
        pages["survey_results"] = None
        notes.append("no survey results page yet: survey_results figures not measured")
    if ("GET", "/journey") in paths:
        pages["journey"] = "/journey"
    else:
        notes.append("no GET /journey route yet: journey figures not measured")
    module_template = "/journey/modules/{module_id}"
    if ("GET", module_template) not in paths:
        notes.append(f"no GET {module_template} route yet: module figures not measured")
    autosave = autosave_path_template(paths)
    if autosave is None:
        notes.append("no draft autosave route yet: autosave figures not measured")

    scripts = {"get": HERE / "wrk_get.lua", "autosave": HERE / "wrk_autosave.lua"}
    runs: dict[str, list[dict[str, Any]]] = {
        "hello": [],
        "journey": [],
        "module": [],
        "account": [],
        "survey_results": [],
    }
    with (
        served("bench.hello:app", env, workdir / "hello.log", probe="/hello") as hello_base,
        served("iil_lms.asgi:app", env, workdir / "app.log") as app_base,
    ):
        if ("GET", module_template) in paths:
            for module_id in modules:
                candidate = fill(module_template, module_id=module_id)
                if status_of(app_base + candidate, cookie) == 200:
                    pages["module"] = candidate
                    break
            else:
                notes.append("no module page answered 200 for the demo trainee")
        for name, page in list(pages.items()):
            who = cookies.get(name, cookie)
            if page is not None and status_of(app_base + page, who) != 200:
                notes.append(f"{page} answered {status_of(app_base + page, who)}, not 200")
                pages[name] = None
        for _round in range(config.rounds):
            runs["hello"].append(
                wrk(
                    hello_base + "/hello", scripts["get"], [""], config.connections, config.duration
                )
            )
            for name, page in pages.items():
                if page is not None:
                    runs[name].append(
                        wrk(
                            app_base + page,
                            scripts["get"],
                            [cookies.get(name, cookie)],
                            config.connections,
                            config.duration,
                            # A heavy page's slow answers must count as timeouts.
                            page_timeout(config.duration) if name == "survey_results" else 10,
                        )
                    )

        if autosave is not None and reflections:
            exercise_id = reflections[0]
            emails = [f"trainee{i:03d}@csa-pk.example.org" for i in range(1, 276)]
            trainees = sessions_for(database, emails)
            path = fill(
                autosave,
                exercise_id=exercise_id,
                cohort_id=_cohort_id(database),
                module_id=modules[0] if modules else 0,
            )
            lines = workdir / "autosave.tsv"
            lines.write_text("".join(f"iil_session={t}\t{c}\t{path}\n" for t, c, _ in trainees))
            saves = [
                wrk(
                    app_base + path,
                    scripts["autosave"],
                    [str(lines)],
                    len(trainees),
                    config.duration,
                )
                for _ in range(config.rounds)
            ]
            sent, failed = final_saves(app_base, path, trainees)
            problems = drafts_intact(database, exercise_id, sent)
            results["autosave_rps"] = round(median_of(saves, "rps"), 1)
            results["autosave_errors"] = int(
                sum(s["non200"] + s["socket_errors"] for s in saves) + failed + len(problems)
            )
            results["autosave_trainees"] = len(trainees)
            if problems:
                notes.append(f"{len(problems)} drafts not intact, e.g. {problems[0]}")
            # The exercise page read by 32 connections while the 275 trainees autosave.
            page = f"/journey/exercises/{exercise_id}"
            saving, reading = wrk_alongside(
                (app_base + path, scripts["autosave"], [str(lines)], len(trainees)),
                (app_base + page, scripts["get"], [cookie], config.connections),
                config.duration,
            )
            results["exercise_page_under_autosave_errors"] = int(
                reading["non200"] + reading["socket_errors"]
            )
            results["exercise_page_under_autosave_rps"] = round(reading["rps"], 1)
            results["exercise_page_under_autosave_p99_ms"] = round(reading["p99_us"] / 1000, 1)
            results["autosave_rps_while_reading"] = round(saving["rps"], 1)
            results["autosave_errors_while_reading"] = int(
                saving["non200"] + saving["socket_errors"]
            )
            # Autosave latency at 32 connections, alone and while one client trickles a
            # body in: the second must not be worse than the machine's own noise.
            alone = wrk(
                app_base + path,
                scripts["autosave"],
                [str(lines)],
                config.connections,
                config.duration,
            )
            results["autosave_p99_ms"] = round(alone["p99_us"] / 1000, 1)
            with trickling_client(app_base) as answers:
                time.sleep(1)
                slow = wrk(
                    app_base + path,
                    scripts["autosave"],
                    [str(lines)],
                    config.connections,
                    config.duration,
                )
            results["autosave_p99_with_slow_client_ms"] = round(slow["p99_us"] / 1000, 1)
            results["autosave_errors_with_slow_client"] = int(
                slow["non200"] + slow["socket_errors"]
            )
            results["slow_client_answers"] = sorted(set(answers))
        elif autosave is not None:
            notes.append("the demo trainee has no open reflection exercise: autosave not measured")

    hello_rps = median_of(runs["hello"], "rps")
    results["hello_rps"] = round(hello_rps, 1)
    for name in ("journey", "module", "account"):
        if runs[name]:
            rps = median_of(runs[name], "rps")
            results[f"{name}_rps"] = round(rps, 1)
            results[f"{name}_vs_hello"] = round(rps / hello_rps, 3)
            results[f"{name}_p50_ms"] = round(median_of(runs[name], "p50_us") / 1000, 1)
            results[f"{name}_p99_ms"] = round(median_of(runs[name], "p99_us") / 1000, 1)
            results[f"{name}_errors"] = int(
                sum(r["non200"] + r["socket_errors"] for r in runs[name])
            )
        else:
            results[f"{name}_vs_hello"] = None
    results["hello_errors"] = int(sum(r["non200"] + r["socket_errors"] for r in runs["hello"]))
    results.update(bench_surveys.figures(runs["survey_results"], hello_rps))
    if pages["survey_results"] is not None:
        results.update(bench_surveys.query_counts(database, workdir, pages["survey_results"]))

    if pages["journey"] is not None:
        big = workdir / "big.sqlite3"
        grow_cohort(database, big, BIG_COHORT)
        results["journey_queries_275"] = count_queries(database, pages["journey"], DEMO_TRAINEE)
        results["journey_queries_2000"] = count_queries(big, pages["journey"], DEMO_TRAINEE)
    else:
        results["journey_queries_275"] = results["journey_queries_2000"] = None
    results["mentor_matching_ms"] = mentor_matching_ms(config.rounds)
    from bench.bench_roster_import import roster_import_2000_s

    (
        results["roster_import_2000_s"],
        results["roster_import_statements"],
    ) = roster_import_2000_s(database, _settings(workdir, database), config.rounds)
    from bench.bench_summit import measure as summit_figures

    results.update(summit_figures(max(config.rounds, 3)))
    from bench.bench_certificates import measure as measure_certificates

    # On a copy: the bulk job adds 275 certificates, which no other figure should see.
    certs_db = workdir / "certs.sqlite3"
    shutil.copy(database, certs_db)
    results.update(measure_certificates(certs_db, workdir / "certs-data"))
    from bench.bench_grid import measure as measure_grid

    results.update(measure_grid(config, workdir, database))
    from bench.bench_workers import measure as measure_workers

    results.update(measure_workers(config, workdir))
    results["duration_s"] = config.duration
    results["rounds"] = config.rounds
    results["connections"] = config.connections
    results["cpus"] = os.cpu_count()
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["notes"] = "; ".join(notes)
    return results


def _cohort_id(database: Path) -> int:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT id FROM cohort WHERE slug = ?", (DEMO_COHORT,)).fetchone()
    return int(row[0])


# --- report --------------------------------------------------------------------------------

CHECKS: list[tuple[str, str, Callable[[dict[str, Any]], bool | None]]] = [
    (
        "journey_vs_hello",
        ">= 0.15 (aim 0.25)",
        lambda r: (
            None
            if r.get("journey_vs_hello") is None
            else r["journey_vs_hello"] >= TARGET_JOURNEY_VS_HELLO
        ),
    ),
    (
        "autosave_errors",
        "0",
        lambda r: None if "autosave_errors" not in r else r["autosave_errors"] == 0,
    ),
    (
        "journey_queries_2000",
        "== journey_queries_275",
        lambda r: (
            None
            if r.get("journey_queries_275") is None
            else r["journey_queries_275"] == r["journey_queries_2000"]
        ),
    ),
    (
        "journey_errors",
        "0",
        lambda r: None if "journey_errors" not in r else r["journey_errors"] == 0,
    ),
    ("module_errors", "0", lambda r: None if "module_errors" not in r else r["module_errors"] == 0),
    (
        "exercise_page_under_autosave_errors",
        "0",
        lambda r: (
            None
            if "exercise_page_under_autosave_errors" not in r
            else r["exercise_page_under_autosave_errors"] == 0
        ),
    ),
    (
        "autosave_p99_with_slow_client_ms",
        f"< {TARGET_SLOW_CLIENT_P99_MS}",
        lambda r: (
            None
            if "autosave_p99_with_slow_client_ms" not in r
            else r["autosave_p99_with_slow_client_ms"] < TARGET_SLOW_CLIENT_P99_MS
            and r["autosave_errors_with_slow_client"] == 0
        ),
    ),
    (
        "roster_import_2000_s",
        "< 5",
        lambda r: (
            None
            if r.get("roster_import_2000_s") is None
            else r["roster_import_2000_s"] < TARGET_ROSTER_IMPORT_S
        ),
    ),
    (
        "survey_results_vs_hello",
        ">= 0.05",
        lambda r: (
            None
            if r.get("survey_results_vs_hello") is None
            else r["survey_results_vs_hello"] >= 0.05
            and r.get("survey_results_errors") == 0
            and r.get("survey_results_queries_275") == r.get("survey_results_queries_2000")
        ),
    ),
    (
        "grid_vs_hello",
        ">= 0.04",
        lambda r: (
            None
            if r.get("grid_vs_hello") is None
            else r["grid_vs_hello"] >= 0.04 and r.get("grid_errors") == 0
        ),
    ),
    (
        "grid_304_vs_hello",
        ">= 0.3",
        lambda r: (
            None
            if r.get("grid_304_vs_hello") is None
            else r["grid_304_vs_hello"] >= 0.3 and r.get("grid_304_errors") == 0
        ),
    ),
    (
        "journey_2workers_vs_1",
        ">= 1.3",
        lambda r: (
            None
            if r.get("journey_2workers_vs_1") is None
            else r["journey_2workers_vs_1"] >= 1.3 and r.get("journey_pg_workers_errors") == 0
        ),
    ),
    ("certs_275_s", "< 15", lambda r: None if "certs_275_s" not in r else r["certs_275_s"] < 15),
    (
        "certs_vs_merged",
        "<= 1.5",
        lambda r: None if "certs_vs_merged" not in r else r["certs_vs_merged"] <= 1.5,
    ),
    (
        "certs_failures",
        "0",
        lambda r: None if "certs_failures" not in r else r["certs_failures"] == 0,
    ),
]


def table(results: dict[str, Any]) -> str:
    width = max(len(k) for k in results)
    lines = [f"{'figure'.ljust(width)}  value", f"{'-' * width}  -----"]
    lines += [
        f"{key.ljust(width)}  {'-' if value is None else value}" for key, value in results.items()
    ]
    return "\n".join(lines)


def main() -> int:
    config = Config()
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-"))
    try:
        results = measure(config, workdir)
    finally:
        if config.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\nwritten to {RESULTS.relative_to(PROJECT)}")
    failed = []
    for key, target, check in CHECKS:
        outcome = check(results)
        if outcome is False:
            failed.append(f"{key} {results.get(key)} (target {target})")
    for line in failed:
        print(f"MISSED: {line}")
    return 1 if failed else 0
