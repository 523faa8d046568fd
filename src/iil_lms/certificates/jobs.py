"""Bulk issue: one organiser action issues a kind to a whole cohort, outside the request.

The queue is huey with its SQLite storage (a file beside the database, no server to
run); on a multi-server install `IIL_JOBS_URL` puts it on Redis or PostgreSQL
(`queue_storage`). The job's own state
lives in the database (`CertificateJob`), so it survives a restart:

1. issue: every person of the job gets the certificate unless they hold a current one
   (idempotent, one transaction), so running the job again never issues twice;
2. render: the certificates as a few chunk documents (one page each) on two processes,
   which also draw the QR codes and split their chunk into single PDFs (each with its
   signed credential attached); each chunk is kept as files once done, so a resumed job
   renders only what is missing, and progress moves chunk by chunk; a chunk that fails
   is rendered sheet by sheet so one bad certificate is listed with why and the others
   go on;
3. pack: one merged PDF for printing and one ZIP of single PDFs, joined from the
   chunks.

`iil-lms worker` runs the queue; on start it enqueues again every job left unfinished."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey
from huey.exceptions import ConfigurationError
from pypdf import PdfReader, PdfWriter
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from iil_lms.certificates import pdf, service
from iil_lms.certificates.design import design_for
from iil_lms.certificates.models import Certificate, CertificateJob, CertificateKind, JobStatus
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.db import transaction, utcnow
from iil_lms.settings import Settings

log = logging.getLogger("iil_lms.certificates")

CHUNK = 69  # certificates per rendered document: 4 documents for a cohort of 275
WORKERS = 2
MERGED = "certificates.pdf"
ZIPPED = "certificates.zip"
_FOLDER = re.compile(r"^job-[0-9]+-[A-Za-z0-9_-]{8,40}$")


class SimulatedCrash(RuntimeError):
    """Raised by tests in the middle of a job, as a killed worker would stop."""


# --- the queue -------------------------------------------------------------------------


class JobsConfigError(ValueError):
    """`IIL_JOBS_URL` names a storage the queue cannot use."""


def queue_storage(jobs_url: str, data_dir: Path) -> tuple[type[Huey], dict[str, Any]]:
    """The huey class and its storage arguments for `IIL_JOBS_URL`:

    - empty (the default): SqliteHuey on `<IIL_DATA_DIR>/jobs.sqlite3`, no server to run;
      the worker must run on the app's machine;
    - `sqlite:///path`: SqliteHuey on that file;
    - `redis://`, `rediss://` or `unix://` URLs: RedisHuey (install `iil-lms[redis]`), for a
      multi-server install: app servers and the worker on different machines;
    - `postgresql://` URLs: PostgresHuey (psycopg, already installed), the same without a
      Redis server, on the PostgreSQL the app already uses or another one."""
    url = jobs_url.strip()
    if not url:
        return SqliteHuey, {"filename": str(data_dir / "jobs.sqlite3")}
    scheme = urlsplit(url).scheme.lower().split("+", 1)[0]
    if scheme == "sqlite":
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path:
            raise JobsConfigError(
                f"IIL_JOBS_URL {url!r}: a SQLite queue needs a file, e.g. sqlite:////srv/jobs.db"
            )
        return SqliteHuey, {"filename": path}
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey, {"url": url}
    if scheme in ("postgresql", "postgres"):
        dsn = re.sub(r"^[A-Za-z]+(\+[A-Za-z0-9]+)?://", "postgresql://", url)
        return PostgresHuey, {"dsn": dsn}
    raise JobsConfigError(
        f"IIL_JOBS_URL {url!r}: unknown scheme {scheme or '(none)'!r}; use redis://, "
        "rediss://, unix://, postgresql:// or sqlite:///, or leave it empty for the SQLite "
        "file in IIL_DATA_DIR"
    )


@lru_cache(maxsize=8)
def _queue(jobs_url: str, data_dir: Path) -> tuple[Huey, Any]:
    cls, storage = queue_storage(jobs_url, data_dir)
    if cls is SqliteHuey:
        Path(storage["filename"]).parent.mkdir(parents=True, exist_ok=True)
    try:
        huey = cls("iil-lms", results=False, **storage)
    except ConfigurationError as error:
        hint = " (install it with: pip install 'iil-lms[redis]')" if cls is RedisHuey else ""
        raise JobsConfigError(f"IIL_JOBS_URL: {error}{hint}") from error

    @huey.task(name="certificates.bulk_issue")
    def bulk_issue(job_id: int) -> None:
        import iil_lms.all_models  # noqa: F401 - every table known before any query
        from iil_lms.db import make_engine
        from iil_lms.settings import get_settings

        settings = get_settings()
        run_guarded(make_engine(settings.database_url), settings, job_id)

    return huey, bulk_issue


def queue(settings: Settings) -> Huey:
    return _queue(settings.jobs_url, settings.data_dir)[0]


def enqueue(settings: Settings, job_id: int) -> None:
    _queue(settings.jobs_url, settings.data_dir)[1](job_id)


def resume_unfinished(engine: Engine, settings: Settings) -> list[int]:
    """Enqueue every job a stopped worker left queued or running (each step of a job is
    safe to run again)."""
    with Session(engine) as session:
        ids = [
            i
            for i in session.exec(
                select(CertificateJob.id).where(
                    col(CertificateJob.status).in_([JobStatus.QUEUED, JobStatus.RUNNING])
                )
            ).all()
            if i is not None
        ]
    for job_id in ids:
        enqueue(settings, job_id)
    return ids


# --- asking for a job ------------------------------------------------------------------


def create_job(
    session: Session,
    *,
    cohort: Cohort,
    kind: CertificateKind,
    user_ids: list[int],
    created_by_id: int | None,
) -> CertificateJob:
    """A queued job for these people (fixed now: a rule's later changes do not move it)."""
    if not user_ids:
        raise service.CertificateError("Nobody to issue to.", "kind")
    job = CertificateJob(
        cohort_id=cohort.id or 0,
        kind_id=kind.id or 0,
        created_by_id=created_by_id,
        user_ids=json.dumps(sorted(set(user_ids))),
        total=len(set(user_ids)),
        folder=f"job-{cohort.id}-{secrets.token_urlsafe(12)}",
    )
    session.add(job)
    session.flush()
    return job


def jobs_of(session: Session, cohort_id: int) -> list[CertificateJob]:
    return list(
        session.exec(
            select(CertificateJob)
            .where(col(CertificateJob.cohort_id) == cohort_id)
            .order_by(col(CertificateJob.id).desc())
        ).all()
    )


def failures(job: CertificateJob) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(job.failures or "[]")
    return found


def job_folder(settings: Settings, job: CertificateJob) -> Path | None:
    if not _FOLDER.match(job.folder):
        return None
    return settings.data_dir / "certificates" / job.folder


def output(settings: Settings, job: CertificateJob, name: str) -> Path | None:
    """The job's merged PDF or ZIP, once made."""
    folder = job_folder(settings, job)
    if folder is None or name not in (MERGED, ZIPPED):
        return None
    path = folder / name
    return path if job.status == JobStatus.DONE and path.is_file() else None


# --- running a job ---------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a crash never leaves half a file under the final name."""
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _update(engine: Engine, job_id: int, **values: Any) -> None:
    with transaction(engine) as session:
        job = session.get(CertificateJob, job_id)
        assert job is not None
        for name, value in values.items():
            setattr(job, name, value)
        session.add(job)


def _safe_name(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:60] or "certificate"


@dataclass
class _Work:
    """What a job renders, gathered once in the parent; forked render workers inherit it
    (`_WORK`), so a chunk is sent to them as its index alone."""

    certificates: list[Certificate]
    timezone: str
    design: Any
    failures: list[dict[str, Any]]
    settings: Settings
    folder: Path
    chunks: list[list[int]]


_WORK: _Work | None = None  # the job being rendered, as the forked workers see it


def _issue_step(
    engine: Engine, settings: Settings, job_id: int
) -> tuple[str, list[Certificate], str, Any, list[dict[str, Any]]] | None:
    """Issue what is missing and gather the job's certificates, in one transaction."""
    with transaction(engine) as session:
        job = session.get(CertificateJob, job_id)
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return None
        cohort = session.get(Cohort, job.cohort_id)
        kind = session.get(CertificateKind, job.kind_id)
        assert cohort is not None and kind is not None
        academy = session.get(Academy, cohort.academy_id)
        assert academy is not None
        user_ids: list[int] = json.loads(job.user_ids)
        made = service.issue(
            session,
            settings,
            cohort=cohort,
            kind=kind,
            user_ids=user_ids,
            issued_by_id=job.created_by_id,
        )
        names = {p.user_id: p.name for p in service.members(session, cohort.id or 0)}
        problems = [
            {"user_id": uid, "name": names.get(uid, str(uid)), "reason": why}
            for uid, why in made.refused
        ]
        certificates = list(
            session.exec(
                select(Certificate)
                .where(
                    col(Certificate.kind_id) == kind.id,
                    col(Certificate.is_current).is_(True),
                    col(Certificate.user_id).in_(user_ids),
                )
                .order_by(col(Certificate.holder_name), col(Certificate.id))
            ).all()
        )
        design = design_for(session, settings, cohort)
        job.status = JobStatus.RUNNING
        session.add(job)
        return job.folder, certificates, academy.timezone, design, problems


def run_guarded(engine: Engine, settings: Settings, job_id: int) -> None:
    """Run a job; an error that stops it (not a crash of the worker, which resumes) marks
    it failed, with why, so the organiser's page stops waiting."""
    try:
        run_job(engine, settings, job_id)
    except Exception as error:
        log.exception("certificate job %s stopped", job_id)
        with Session(engine) as session:
            job = session.get(CertificateJob, job_id)
            listed = failures(job) if job else []
        listed.append({"user_id": None, "name": "", "reason": f"{type(error).__name__}: {error}"})
        _update(engine, job_id, status=JobStatus.FAILED, failures=json.dumps(listed))


def _problem(cert: Certificate, error: Exception) -> dict[str, Any]:
    return {"user_id": cert.user_id, "name": cert.holder_name, "reason": str(error)}


def _chunk_path(folder: Path, index: int, suffix: str) -> Path:
    return folder / "chunks" / f"{index:04d}{suffix}"


def _single_name(cert: Certificate) -> str:
    return f"{_safe_name(cert.holder_name)}-{cert.code[:8]}.pdf"


def _keep_chunk(work: _Work, index: int, data: bytes, members: list[int]) -> None:
    """A rendered chunk on disk: its pages (for the merged PDF) and its single PDFs with
    their credentials attached (for the ZIP), each written whole."""
    certs = [work.certificates[i] for i in members]
    singles = pdf.split_pages(data, [c.credential for c in certs])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for cert, single in zip(certs, singles, strict=True):
            archive.writestr(_single_name(cert), single)
    _write(_chunk_path(work.folder, index, ".pdf"), data)
    _write(_chunk_path(work.folder, index, ".zip"), buffer.getvalue())


def _render_chunk(index: int) -> list[dict[str, Any]]:
    """In a render worker: one chunk's sheets (QR codes included), its document, its
    single PDFs, all kept on disk. A certificate whose sheet cannot be made is left out
    and listed; the chunk as a whole fails (and is retried sheet by sheet by the parent)
    when its document does not come out one page a sheet."""
    work = _WORK
    assert work is not None
    sheets, members, problems = [], [], []
    for i in work.chunks[index]:
        cert = work.certificates[i]
        try:
            sheets.append(pdf.sheet(work.settings, cert, work.timezone))
            members.append(i)
        except Exception as error:  # noqa: BLE001 - one bad certificate must not stop the rest
            problems.append(_problem(cert, error))
    if members:
        data = pdf.render_sheets(sheets, work.design)
        if pdf.page_count(data) != len(members):
            raise ValueError("a certificate does not fit on one page")
        _keep_chunk(work, index, data, members)
    _write(_chunk_path(work.folder, index, ".json"), json.dumps(members).encode())
    return problems


def run_job(
    engine: Engine,
    settings: Settings,
    job_id: int,
    *,
    after_chunk: Callable[[int], None] | None = None,
) -> None:
    """Run (or resume) a bulk issue job to the end. `after_chunk` is called with the
    number of chunks done (tests stop a job there to play a crash).

    The parent issues and signs; everything per certificate after that (QR code, HTML,
    rendering, splitting into single PDFs) runs in two forked workers, a chunk each at a
    time, so both cores work from the first certificate to the last. The parent then only
    joins the chunks' pages and their ZIP entries."""
    global _WORK
    started = _issue_step(engine, settings, job_id)
    if started is None:
        return
    folder_name, certificates, timezone, design, problems = started
    folder = settings.data_dir / "certificates" / folder_name
    (folder / "chunks").mkdir(parents=True, exist_ok=True)
    chunks = [
        list(range(i, min(i + CHUNK, len(certificates))))
        for i in range(0, len(certificates), CHUNK)
    ]
    work = _Work(certificates, timezone, design, problems, settings, folder, chunks)
    rendered: dict[int, list[int]] = {}  # chunk -> indexes of certificates on its pages

    def record(index: int, pages: list[int]) -> None:
        rendered[index] = pages
        done = sum(len(p) for p in rendered.values())
        _update(engine, job_id, done=done, failures=json.dumps(problems))
        if after_chunk is not None:
            after_chunk(len(rendered))

    pending = []
    for index in range(len(chunks)):
        map_path = _chunk_path(folder, index, ".json")
        if map_path.is_file():
            rendered[index] = json.loads(map_path.read_text())
        else:
            pending.append(index)
    if rendered:
        _update(engine, job_id, done=sum(len(p) for p in rendered.values()))

    if pending:
        _WORK = work
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                max_workers=min(WORKERS, len(pending)), mp_context=context
            ) as pool:
                futures = [(index, pool.submit(_render_chunk, index)) for index in pending]
                for index, future in futures:
                    try:
                        problems.extend(future.result())
                        members = json.loads(_chunk_path(folder, index, ".json").read_text())
                    except Exception as error:  # noqa: BLE001 - retried sheet by sheet
                        log.warning(
                            "certificate chunk %s of job %s failed: %s", index, job_id, error
                        )
                        members = _one_by_one(work, index, problems)
                    record(index, members)
        finally:
            _WORK = None
    _pack(folder, chunks, rendered)
    _update(
        engine,
        job_id,
        status=JobStatus.DONE,
        done=sum(len(p) for p in rendered.values()),
        failures=json.dumps(problems),
        finished_at=utcnow(),
    )


def _one_by_one(work: _Work, index: int, problems: list[dict[str, Any]]) -> list[int]:
    """Render a failed chunk's certificates one at a time: the good ones kept as the
    chunk, the bad ones listed with why."""
    writer = PdfWriter()
    kept: list[int] = []
    for i in work.chunks[index]:
        cert = work.certificates[i]
        try:
            data = pdf.render_sheets([pdf.sheet(work.settings, cert, work.timezone)], work.design)
            if pdf.page_count(data) != 1:
                raise ValueError("the certificate does not fit on one page")
        except Exception as error:  # noqa: BLE001 - listed, the others go on
            problems.append(_problem(cert, error))
            continue
        writer.append(PdfReader(io.BytesIO(data)))
        kept.append(i)
    if kept:
        out = io.BytesIO()
        writer.write(out)
        _keep_chunk(work, index, out.getvalue(), kept)
    _write(_chunk_path(work.folder, index, ".json"), json.dumps(kept).encode())
    return kept


def _pack(folder: Path, chunks: list[list[int]], rendered: dict[int, list[int]]) -> None:
    """The merged PDF (the chunks' pages joined) and the ZIP of single PDFs (the chunks'
    ZIP entries copied as they are)."""
    merged = PdfWriter()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for index in range(len(chunks)):
            pdf_path = _chunk_path(folder, index, ".pdf")
            zip_path = _chunk_path(folder, index, ".zip")
            if not rendered.get(index) or not pdf_path.is_file() or not zip_path.is_file():
                continue
            merged.append(PdfReader(io.BytesIO(pdf_path.read_bytes())))
            with zipfile.ZipFile(zip_path) as part:
                for entry in part.infolist():
                    archive.writestr(entry, part.read(entry))
    out = io.BytesIO()
    merged.write(out)
    _write(folder / MERGED, out.getvalue())
    _write(folder / ZIPPED, buffer.getvalue())
