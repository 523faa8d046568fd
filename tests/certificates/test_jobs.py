"""Bulk issue: a whole cohort in one job that resumes after a crash without issuing
twice, goes on past one bad certificate, and ends in one merged PDF and one ZIP."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from iil_lms.certificates import jobs, pdf
from iil_lms.certificates.models import Certificate, CertificateJob, JobStatus
from iil_lms.settings import Settings
from tests.certificates.helpers import completion_kind
from tests.conftest import Factory


def _job(session: Session, factory: Factory, trainees: int) -> tuple[CertificateJob, list[int]]:
    made = factory.cohort(trainees=trainees, mentors=0, circles=0)
    kind = completion_kind(session, made)
    ids = [u.id or 0 for u in made.trainees]
    job = jobs.create_job(session, cohort=made.cohort, kind=kind, user_ids=ids, created_by_id=None)
    session.commit()
    return job, ids


def test_bulk_job_resumes_after_a_crash_without_issuing_twice(
    session: Session, factory: Factory, engine: Engine, settings: Settings, monkeypatch
) -> None:
    monkeypatch.setattr(jobs, "CHUNK", 2)
    job, ids = _job(session, factory, trainees=5)

    def crash(chunks_done: int) -> None:
        if chunks_done == 1:
            raise jobs.SimulatedCrash

    with pytest.raises(jobs.SimulatedCrash):
        jobs.run_job(engine, settings, job.id or 0, after_chunk=crash)
    with Session(engine) as fresh:
        halfway = fresh.get(CertificateJob, job.id)
        assert halfway is not None and halfway.status == JobStatus.RUNNING
        assert 0 < halfway.done < 5
    assert jobs.resume_unfinished(engine, settings) == [job.id]
    jobs.run_job(engine, settings, job.id or 0)
    jobs.run_job(engine, settings, job.id or 0)  # a second delivery of the task: no-op
    with Session(engine) as fresh:
        certs = fresh.exec(select(Certificate)).all()
        assert sorted(c.user_id for c in certs) == sorted(ids)  # one each, no duplicates
        done = fresh.get(CertificateJob, job.id)
        assert done is not None and done.status == JobStatus.DONE and done.done == 5
        merged = jobs.output(settings, done, jobs.MERGED)
        zipped = jobs.output(settings, done, jobs.ZIPPED)
    assert merged is not None and zipped is not None
    assert pdf.page_count(merged.read_bytes()) == 5
    with zipfile.ZipFile(io.BytesIO(zipped.read_bytes())) as archive:
        names = archive.namelist()
        assert len(names) == 5
        single = archive.read(names[0])
    assert pdf.page_count(single) == 1 and pdf.attachment(single) is not None


def test_one_failing_certificate_is_listed_and_the_others_are_made(
    session: Session, factory: Factory, engine: Engine, settings: Settings, monkeypatch
) -> None:
    job, ids = _job(session, factory, trainees=3)
    real_sheet = pdf.sheet

    def sheet(settings_: Settings, cert: Certificate, timezone: str) -> pdf.Sheet:
        if cert.user_id == ids[1]:
            raise ValueError("the QR code could not be drawn")
        return real_sheet(settings_, cert, timezone)

    monkeypatch.setattr(pdf, "sheet", sheet)
    jobs.run_job(engine, settings, job.id or 0)
    with Session(engine) as fresh:
        done = fresh.get(CertificateJob, job.id)
        assert done is not None and done.status == JobStatus.DONE
        failures = json.loads(done.failures)
        merged = jobs.output(settings, done, jobs.MERGED)
    assert [f["user_id"] for f in failures] == [ids[1]]
    assert failures[0]["reason"] == "the QR code could not be drawn"
    assert merged is not None and pdf.page_count(merged.read_bytes()) == 2


def test_a_job_stopped_by_an_error_is_marked_failed_with_why(
    session: Session, factory: Factory, engine: Engine, settings: Settings, monkeypatch
) -> None:
    job, _ids = _job(session, factory, trainees=2)

    def broken_pack(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "_pack", broken_pack)
    jobs.run_guarded(engine, settings, job.id or 0)
    with Session(engine) as fresh:
        stopped = fresh.get(CertificateJob, job.id)
        assert stopped is not None and stopped.status == JobStatus.FAILED
        assert "disk full" in jobs.failures(stopped)[-1]["reason"]
    assert jobs.resume_unfinished(engine, settings) == []
