"""Two app processes on one PostgreSQL database, as the README deploys them behind a
proxy: whichever process answers, a person's session, their saved work, a bulk job and a
curriculum change behave as with one."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from iil_lms.certificates.models import Certificate, CertificateJob, JobStatus
from iil_lms.curriculum.models import CurriculumVersion, Module
from iil_lms.db import make_engine
from iil_lms.learning.models import Draft, Submission
from tests.browser.conftest import BIN_DIR, _run_cli, _start_server, _stop
from tests.certificates.helpers import Finished, finished_cohort
from tests.conftest import PASSWORD, Factory

pytestmark = pytest.mark.postgres_only


@dataclass
class Deployment:
    urls: list[str]
    database_url: str
    data_dir: Path
    world: Finished


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None
) -> Iterator[Deployment]:
    """One deployment for the module (starting four processes is the slow part); each test
    works with its own people in it."""
    assert postgres_url is not None
    tmp_path = tmp_path_factory.mktemp("several-workers")
    from tests.pg_server import create_database, drop_database

    database_url = create_database(postgres_url)
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IIL_TEST")}
    env |= {
        "IIL_DATA_DIR": str(data_dir),
        "IIL_DATABASE_URL": database_url,
        "IIL_SECRET_KEY": "one-secret-for-every-worker-0123456789",
        "IIL_PRODUCTION": "false",
        "IIL_OUTBOX_INTERVAL_SECONDS": "0",
    }
    _run_cli(env, "migrate")
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        world = finished_cohort(session, Factory(session), trainees=9, done=4)
    engine.dispose()
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in (1, 2):
            process, url = _start_server(env, tmp_path / f"server-{n}.log")
            processes.append(process)
            urls.append(url)
        for n in (1, 2):  # a job worker per machine, sharing the queue as the README says
            with (tmp_path / f"worker-{n}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [str(BIN_DIR / "iil-lms"), "worker"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield Deployment(urls, database_url, data_dir, world)
    finally:
        for process in processes:
            _stop(process)
        drop_database(database_url, postgres_url)


def _csrf(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/login")},
    )
    assert response.status_code == 303, response.text[:300]
    return client


def test_a_session_started_on_one_worker_works_on_the_other(deployment: Deployment) -> None:
    first, second = deployment.urls
    trainee = deployment.world.made.trainees[0]
    client = _signed_in(first, trainee.email)
    # The same cookie, the other process: still this trainee.
    page = client.get(f"{second}/journey")
    assert page.status_code == 200
    assert trainee.display_name in page.text
    # Signing out on the second ends the session on the first too.
    token = _csrf(client, f"{second}/account")
    assert client.post(f"{second}/logout", data={"csrf_token": token}).status_code == 303
    assert client.get(f"{first}/journey").status_code in (302, 303, 401)


def test_autosaves_and_submissions_through_both_workers_lose_nothing(
    deployment: Deployment,
) -> None:
    world = deployment.world
    first, second = deployment.urls
    module = world.course.modules[0]
    exercise = world.course.by_module[module.id or 0][0]
    path = f"/journey/exercises/{exercise.id}"
    unfinished = world.unfinished[1:4]  # nothing accepted yet: every exercise is open

    def work(n: int) -> None:
        trainee = unfinished[n]
        client = _signed_in(first, trainee.email)
        token = _csrf(client, path)
        for k in range(12):
            base = (first, second)[k % 2]
            saved = client.post(
                f"{base}{path}/draft",
                data={"answer": f"{trainee.email} draft {k}"},
                headers={"X-CSRF-Token": token, "HX-Request": "true"},
            )
            assert saved.status_code == 200, saved.text[:300]
        page = client.get(f"{second}{path}").text
        assert f"{trainee.email} draft 11" in page  # the last save, whichever took it
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
        assert key
        for base in (first, second):  # a double submit, one to each worker
            sent = client.post(
                f"{base}{path}/submit",
                data={
                    "answer": f"{trainee.email} final",
                    "idempotency_key": key.group(1),
                    "csrf_token": token,
                },
            )
            assert sent.status_code == 303, sent.text[:300]

    with ThreadPoolExecutor(max_workers=len(unfinished)) as pool:
        list(pool.map(work, range(len(unfinished))))

    engine = make_engine(deployment.database_url)
    with Session(engine) as session:
        for trainee in unfinished:
            draft = session.exec(
                select(Draft).where(Draft.user_id == trainee.id, Draft.exercise_id == exercise.id)
            ).one()
            assert draft.revision == 13  # twelve saves, none lost, then emptied by the submit
            mine = session.exec(
                select(Submission).where(
                    Submission.user_id == trainee.id, Submission.exercise_id == exercise.id
                )
            ).all()
            assert [s.content["answer"] for s in mine] == [f"{trainee.email} final"]
    engine.dispose()


def test_a_bulk_job_queued_on_one_worker_is_done_exactly_once(deployment: Deployment) -> None:
    world = deployment.world
    first, _second = deployment.urls
    cohort_id = world.made.cohort.id
    organiser = _signed_in(first, world.made.organisers[0].email)
    base = f"/cohorts/{cohort_id}/certificates"
    started = organiser.post(
        f"{base}/bulk", data={"kind": "completion", "csrf_token": _csrf(organiser, base)}
    )
    assert started.status_code == 303, started.text[:300]
    engine = make_engine(deployment.database_url)
    deadline = time.monotonic() + 120
    with Session(engine) as session:
        while time.monotonic() < deadline:
            job = session.exec(select(CertificateJob)).one()
            if job.status == JobStatus.DONE:
                break
            session.expire_all()
            time.sleep(0.5)
        assert job.status == JobStatus.DONE, job
        holders = [c.user_id for c in session.exec(select(Certificate)).all()]
    engine.dispose()
    assert sorted(holders) == sorted(u.id for u in world.finished)


def test_a_curriculum_change_shows_on_every_worker(deployment: Deployment) -> None:
    world = deployment.world
    first, second = deployment.urls
    client = _signed_in(first, world.unfinished[-1].email)
    module = world.course.modules[0]
    for base in (first, second):  # both processes have the structure cached
        assert module.title in client.get(f"{base}/journey").text
    # What the loader writes on a reload: the changed row and a new curriculum version.
    engine = make_engine(deployment.database_url)
    with Session(engine) as session:
        row = session.get(Module, module.id)
        assert row is not None
        row.title = "Gifts, hospitality and the public's trust"
        session.add(row)
        session.add(CurriculumVersion(curriculum_id=row.curriculum_id, content_hash="9" * 64))
        session.commit()
    engine.dispose()
    for base in (first, second):
        assert "Gifts, hospitality and the public&#39;s trust" in client.get(f"{base}/journey").text
