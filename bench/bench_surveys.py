"""`survey_results_vs_hello`: a milestone survey's results page (the Pakistan cohort's
first feedback survey, answered by all 275 trainees) read by one of its trainers, in
requests/s over `hello_rps`; and the SQL statements that page issues with 275 and with
2,000 respondents (must be equal). Run inside `python -m bench`, or alone with
`python -m bench.bench_surveys`, which measures hello and this page only and updates
their figures in bench/results.json."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

TRAINER = "trainer1@csa-pk.example.org"
TARGET_SURVEY_VS_HELLO = 0.05


def answer_everyone(database: Path, cohort_slug: str = "ctp-2026") -> str:
    """Every trainee of the cohort answers its first feedback survey (those who have not
    yet); returns the survey's results page path."""
    from sqlmodel import Session, select

    from iil_lms.cohorts.models import Cohort, Membership, Role
    from iil_lms.db import make_engine
    from iil_lms.learning.models import Submission, SubmissionStatus
    from iil_lms.reports.surveys import survey_rows

    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == cohort_slug)).one()
        exercise = survey_rows(session, cohort)[0][0]
        done = set(
            session.exec(
                select(Submission.user_id).where(
                    Submission.cohort_id == cohort.id, Submission.exercise_id == exercise.id
                )
            ).all()
        )
        statements = len((exercise.spec or {}).get("statements") or [])
        questions = len((exercise.spec or {}).get("questions") or [])
        trainees = session.exec(
            select(Membership.user_id).where(
                Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE.value
            )
        ).all()
        for n, user_id in enumerate(trainees):
            if user_id in done:
                continue
            session.add(
                Submission(
                    cohort_id=cohort.id or 0,
                    user_id=user_id,
                    exercise_id=exercise.id or 0,
                    content={
                        "ratings": [1 + (n + i) % 5 for i in range(statements)],
                        "answers": [f"Comment {n}: more fieldwork time." for _ in range(questions)],
                    },
                    status=SubmissionStatus.SCORED,
                )
            )
        session.commit()
        path = f"/cohorts/{cohort.id}/feedback/{exercise.id}"
    engine.dispose()
    return path


def figures(runs: list[dict[str, Any]], hello_rps: float) -> dict[str, Any]:
    from bench.run import median_of, run_errors

    if not runs:
        return {"survey_results_vs_hello": None}
    rps = median_of(runs, "rps")
    return {
        "survey_results_rps": round(rps, 1),
        "survey_results_vs_hello": round(rps / hello_rps, 3),
        "survey_results_p50_ms": round(median_of(runs, "p50_us") / 1000, 1),
        "survey_results_p99_ms": round(median_of(runs, "p99_us") / 1000, 1),
        # Timeouts and runs that completed nothing count here: a 0 is never quiet.
        "survey_results_errors": run_errors(runs),
        "survey_results_timeouts": int(sum(r.get("timeouts", 0) for r in runs)),
        "survey_results_timeout_s": runs[0].get("timeout_s"),
    }


def query_counts(database: Path, workdir: Path, path: str) -> dict[str, Any]:
    """Statements for the page with 275 respondents, then with 2,000 (a copy of the
    database whose cohort grew to 2,000 trainees, every one of whom answered)."""
    from bench.run import BIG_COHORT, count_queries, grow_cohort

    big = workdir / "survey-big.sqlite3"
    grow_cohort(database, big, BIG_COHORT)
    big_path = answer_everyone(big)
    return {
        "survey_results_queries_275": count_queries(database, path, TRAINER),
        "survey_results_queries_2000": count_queries(big, big_path, TRAINER),
    }


def main() -> int:
    """Hello and the survey results page only; merged into bench/results.json."""
    from bench.run import (
        HERE,
        RESULTS,
        Config,
        _env,
        build_database,
        page_timeout,
        served,
        sessions_for,
        wrk,
    )

    config = Config()
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-survey-"))
    database = build_database(workdir)
    path = answer_everyone(database)
    [(token, _csrf, _uid)] = sessions_for(database, [TRAINER])
    env = _env(workdir, database)
    script = HERE / "wrk_get.lua"
    hello: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    with (
        served("bench.hello:app", env, workdir / "hello.log", probe="/hello") as hello_base,
        served("iil_lms.asgi:app", env, workdir / "app.log") as app_base,
    ):
        load = (config.connections, config.duration)
        for _round in range(config.rounds):
            hello.append(wrk(hello_base + "/hello", script, [""], *load))
            runs.append(
                wrk(
                    app_base + path,
                    script,
                    [f"iil_session={token}"],
                    *load,
                    timeout=page_timeout(config.duration),
                )
            )
    from bench.run import median_of

    found = {"hello_rps_with_survey": round(median_of(hello, "rps"), 1)}
    found |= figures(runs, median_of(hello, "rps"))
    found |= query_counts(database, workdir, path)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(found)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(found, indent=2))
    missed = []
    if (found.get("survey_results_vs_hello") or 0) < TARGET_SURVEY_VS_HELLO:
        missed.append(
            f"survey_results_vs_hello {found.get('survey_results_vs_hello')}"
            f" (target {TARGET_SURVEY_VS_HELLO})"
        )
    if found.get("survey_results_errors"):
        missed.append(
            f"survey_results_errors {found['survey_results_errors']} (timeouts"
            f" {found.get('survey_results_timeouts')}, or runs in which nothing completed)"
        )
    if found["survey_results_queries_275"] != found["survey_results_queries_2000"]:
        missed.append("survey_results_queries_275 != survey_results_queries_2000")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
