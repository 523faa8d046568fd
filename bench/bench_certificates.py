"""Time a bulk certificate issue for the whole demo cohort (275 trainees): the job as an
organiser starts it (issue and sign 275 certificates, render, merged PDF, ZIP of single
PDFs), and, in the same run, the floor WeasyPrint allows: the same 275 certificates
rendered as one merged document in one process.

Run alone (builds the demo in a temporary folder, prints the figures, and with
--write puts them into bench/results.json): .venv/bin/python -m bench.bench_certificates
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.json"
COHORT = "ctp-2026"
TARGET_SECONDS = 15.0
TARGET_RATIO = 1.5


def measure(database: Path, data_dir: Path) -> dict[str, Any]:
    from sqlmodel import Session, col, select

    import iil_lms.all_models  # noqa: F401
    from iil_lms.certificates import jobs, pdf, service
    from iil_lms.certificates.design import design_for
    from iil_lms.certificates.models import Certificate, CertificateJob
    from iil_lms.cohorts.models import Academy, Cohort, Membership
    from iil_lms.db import make_engine
    from iil_lms.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{database}",
        data_dir=data_dir,
        secret_key="bench-secret-key-0123456789",
        base_url="http://127.0.0.1:8000",
    )
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        cohort = session.exec(select(Cohort).where(col(Cohort.slug) == COHORT)).one()
        trainees = [
            m.user_id
            for m in session.exec(
                select(Membership).where(
                    col(Membership.cohort_id) == cohort.id, col(Membership.role) == "trainee"
                )
            ).all()
        ]
        choice = service.find_choice(session, cohort.id or 0, "completion")
        kind = service.ensure_kind(session, cohort, choice)
        job = jobs.create_job(
            session, cohort=cohort, kind=kind, user_ids=trainees, created_by_id=None
        )
        session.commit()
        job_id, kind_id = job.id or 0, kind.id

    load_before = os.getloadavg()[0]
    children_before = _children_cpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    jobs.run_job(engine, settings, job_id)
    job_seconds = time.perf_counter() - started
    job_parent_cpu = time.process_time() - cpu_started
    job_workers_cpu = _children_cpu() - children_before

    with Session(engine) as session:
        done = session.get(CertificateJob, job_id)
        assert done is not None
        certificates = session.exec(
            select(Certificate)
            .where(col(Certificate.kind_id) == kind_id)
            .order_by(col(Certificate.holder_name), col(Certificate.id))
        ).all()
        cohort = session.exec(select(Cohort).where(col(Cohort.slug) == COHORT)).one()
        academy = session.get(Academy, cohort.academy_id)
        assert academy is not None
        design = design_for(session, settings, cohort)
        started, cpu_started = time.perf_counter(), time.process_time()
        sheets = [pdf.sheet(settings, c, academy.timezone) for c in certificates]
        merged = pdf.render_sheets(sheets, design)
        merged_seconds = time.perf_counter() - started
        merged_cpu = time.process_time() - cpu_started
    engine.dispose()
    return {
        "certs_275_s": round(job_seconds, 2),
        "certs_merged_s": round(merged_seconds, 2),
        "certs_vs_merged": round(job_seconds / merged_seconds, 2),
        "certs_count": len(certificates),
        "certs_pages": pdf.page_count(merged),
        "certs_failures": len(jobs.failures(done)),
        # CPU seconds, which a busy machine inflates less than wall time: the job's
        # parent (issue, sign, join) and its two render workers together, and the merged
        # render; with two free cores the job takes about parent + workers / 2.
        "certs_275_parent_cpu_s": round(job_parent_cpu, 2),
        "certs_275_workers_cpu_s": round(job_workers_cpu, 2),
        "certs_merged_cpu_s": round(merged_cpu, 2),
        "certs_load_average": round(max(load_before, os.getloadavg()[0]), 1),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(workdir: Path) -> Path:
    from sqlmodel import Session, SQLModel

    import iil_lms.all_models  # noqa: F401
    from iil_lms.db import make_engine
    from iil_lms.demo import build_demo

    database = workdir / "certs.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        build_demo(session, curricula_dir=PROJECT / "curricula")
        session.commit()
    engine.dispose()
    return database


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="iil-bench-certs-"))
    try:
        figures = measure(build(workdir), workdir / "data")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    if "--write" in sys.argv:
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results.update(figures)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    missed = figures["certs_275_s"] >= TARGET_SECONDS or figures["certs_vs_merged"] > TARGET_RATIO
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
