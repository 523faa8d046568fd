"""A full classroom writing at once, and one slow client, against a real uvicorn server
on 127.0.0.1 (SQLite): reading a page never fails because others write, and nobody's
save waits for someone else's slow body or for a mail server. Fixed small loads; the
figures at full size are in bench/ (`exercise_page_under_autosave_errors`,
`autosave_p99_with_slow_client_ms`)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select

from iil_lms.app import create_app
from iil_lms.learning import service
from iil_lms.learning.models import Feedback
from iil_lms.notifications.models import OutboxMessage
from iil_lms.web.auth import ANON_COOKIE
from iil_lms.web.security import sign
from tests.learning.factories import course
from tests.security.live_server import Credentials, free_port, live_server, sign_in

AUTOSAVERS = 20
READERS = 4
LOADS_PER_READER = 25


@dataclass
class Classroom:
    exercise_path: str
    reader: Credentials
    savers: list[Credentials]
    feedback_id: int


@pytest.fixture
def classroom(session, settings, factory) -> Classroom:
    """AUTOSAVERS + 1 trainees on one reflection exercise; the first has submitted it and
    has a mentor's comment they have not read yet."""
    made = factory.cohort(trainees=AUTOSAVERS + 1, mentors=1, circles=0)
    exercise = course(session, made.cohort, types=("reflection",)).exercises["reflection"]
    reader = made.trainees[0]
    submission = service.submit(
        session,
        cohort_id=made.cohort.id,
        user_id=reader.id,
        exercise_id=exercise.id,
        content={"answer": "My first version."},
    )
    comment = Feedback(submission_id=submission.id, author_id=made.mentors[0].id, body="Good.")
    session.add(comment)
    session.commit()
    return Classroom(
        exercise_path=f"/journey/exercises/{exercise.id}",
        reader=sign_in(session, settings, reader),
        savers=[sign_in(session, settings, t) for t in made.trainees[1:]],
        feedback_id=comment.id or 0,
    )


def autosave(client: httpx.Client, who: Credentials, path: str, text: str) -> int:
    response = client.post(
        f"{path}/draft", data={"answer": text}, headers={**who.headers, "HX-Request": "true"}
    )
    return response.status_code


def test_exercise_page_answers_200_while_twenty_trainees_autosave(
    app, session, classroom: Classroom
):
    stop = threading.Event()

    def keep_saving(who: Credentials) -> Counter[int | str]:
        statuses: Counter[int | str] = Counter()
        with httpx.Client(base_url=base, timeout=30) as client:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    statuses[autosave(client, who, classroom.exercise_path, f"draft {n}")] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1
        return statuses

    def read_page() -> Counter[int | str]:
        statuses: Counter[int | str] = Counter()
        with httpx.Client(base_url=base, timeout=30, headers=classroom.reader.headers) as client:
            for _ in range(LOADS_PER_READER):
                try:
                    statuses[client.get(classroom.exercise_path).status_code] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1
        return statuses

    with live_server(app) as base, ThreadPoolExecutor(AUTOSAVERS + READERS) as pool:
        savers = [pool.submit(keep_saving, who) for who in classroom.savers]
        try:
            time.sleep(0.3)  # the saves are under way
            readers = [pool.submit(read_page) for _ in range(READERS)]
            reads = sum((r.result() for r in readers), Counter())
        finally:
            stop.set()
        saves = sum((s.result() for s in savers), Counter())
    assert reads == Counter({200: READERS * LOADS_PER_READER})
    assert set(saves) == {200} and saves[200] >= AUTOSAVERS
    # Opening the page still counts the mentor's comment as read.
    session.expire_all()
    assert session.get(Feedback, classroom.feedback_id).read_by_trainee_at is not None


class Trickle:
    """A client sending a request body one byte at a time, every `every` seconds, for at
    most LASTS seconds; `answer` holds the first line of what the server answered."""

    LASTS = 5.0

    def __init__(self, base: str, path: str, length: int, every: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        self.every = every
        self.stop = threading.Event()
        self.answer = b""
        self.answered_after: float | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(self.every)
        while not self.stop.is_set() and time.monotonic() - self.started < self.LASTS:
            try:
                self.sock.sendall(b"a")
            except OSError:
                break
            try:
                data = self.sock.recv(200)
            except TimeoutError:
                continue
            except OSError:
                break
            if data:
                self.answer = data.split(b"\r\n", 1)[0]
                self.answered_after = time.monotonic() - self.started
            break

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def trickle_factory() -> Iterator[Any]:
    made: list[Trickle] = []

    def start(base: str, path: str, length: int = 100_000, every: float = 0.05) -> Trickle:
        made.append(Trickle(base, path, length, every))
        return made[-1]

    yield start
    for trickle in made:
        trickle.close()


def test_a_body_trickling_in_does_not_hold_up_other_trainees_autosaves(
    app, classroom: Classroom, trickle_factory
):
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        trickle = trickle_factory(base, "/login")
        time.sleep(0.3)  # the slow body is being read
        times = []
        for n in range(5):
            started = time.monotonic()
            assert autosave(client, classroom.savers[0], classroom.exercise_path, f"v{n}") == 200
            times.append(time.monotonic() - started)
        trickle.close()
    assert max(times) < 1.0, times


def test_a_body_slower_than_the_minimum_rate_is_cut_off_with_408(settings, engine, trickle_factory):
    slow_limits = settings.model_copy(
        update={"body_grace_seconds": 1.0, "body_min_bytes_per_second": 100}
    )
    with live_server(create_app(slow_limits, engine)) as base:
        trickle = trickle_factory(base, "/login", every=0.2)
        trickle.thread.join(timeout=10)
    assert trickle.answer == b"HTTP/1.1 408 Request Timeout"
    assert trickle.answered_after is not None and trickle.answered_after < 5


def _raw_request(base: str, head: str, body_chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """Send `head`, then body chunks until the server answers; returns the status line
    and how many body bytes went out."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head.encode())
        sock.settimeout(0.01)
        answer = b""
        for chunk in body_chunks:
            with contextlib.suppress(TimeoutError):
                answer = sock.recv(200)
            if answer:
                break
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
        sock.settimeout(10)
        if not answer:
            answer = sock.recv(200)
    return answer.split(b"\r\n", 1)[0], sent


def test_a_300_mb_upload_is_refused_by_its_declared_length_before_reading(
    app, session, settings, factory
):
    trainee = sign_in(session, settings, factory.user())
    declared = 300 * 1024 * 1024
    head = (
        "POST /outreach HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: iil_session={trainee.cookie}\r\nX-CSRF-Token: {trainee.csrf_token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    with live_server(app) as base:
        status, sent = _raw_request(base, head, iter([]))
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent == 0


def test_a_chunked_body_is_cut_off_at_the_limit_while_streaming(app, session, settings, factory):
    trainee = sign_in(session, settings, factory.user())
    head = (
        "POST /outreach HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: iil_session={trainee.cookie}\r\nX-CSRF-Token: {trainee.csrf_token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = 64 * 1024
    chunk = f"{piece:x}\r\n".encode() + b"x" * piece + b"\r\n"
    total = 300 * 1024 * 1024
    with live_server(app) as base:
        status, sent = _raw_request(base, head, (chunk for _ in range(total // piece)))
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    # The server stopped at the limit; what went out beyond it sat in socket buffers.
    assert sent < settings.body_max_bytes + 32 * 1024 * 1024


class SlowMailServer:
    """An SMTP server on 127.0.0.1 that says nothing until the test ends."""

    def __init__(self) -> None:
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.connected = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.done.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connected.set()
            self.done.wait()
            conn.close()

    def close(self) -> None:
        self.done.set()
        self.thread.join(timeout=5)
        self.listener.close()


def test_forgot_password_with_a_slow_mail_server_does_not_block_writes(
    settings, engine, session, classroom: Classroom, factory
):
    mail = SlowMailServer()
    with_mail = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mail.port,
            "smtp_starttls": False,
            "outbox_interval_seconds": 0.1,
        }
    )
    owner = factory.user(email="forgetful@example.test")
    anon_id = "anonymous-visitor-0123456789"
    csrf = sign(settings.secret_key, "anon:" + anon_id)
    try:
        with live_server(create_app(with_mail, engine)) as base:
            with httpx.Client(base_url=base, timeout=30) as client:
                client.cookies.set(ANON_COOKIE, anon_id)
                started = time.monotonic()
                asked = client.post(
                    "/password/forgot", data={"email": owner.email, "csrf_token": csrf}
                )
                asked_in = time.monotonic() - started
                # the background sender is now waiting for the mail server
                assert mail.connected.wait(timeout=10)
                started = time.monotonic()
                saved = autosave(client, classroom.savers[0], classroom.exercise_path, "while")
                saved_in = time.monotonic() - started
            mail.close()  # the sender's wait ends; the email stays in the outbox
    finally:
        mail.close()
    assert asked.status_code == 200 and asked_in < 1.0
    assert saved == 200 and saved_in < 1.0
    session.expire_all()
    queued = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == owner.email))
    assert "/password/reset/" in queued.one().body


def test_the_reset_email_leaves_through_the_background_sender(settings, engine, session, factory):
    sending = settings.model_copy(update={"outbox_interval_seconds": 0.1})
    owner = factory.user(email="forgetful@example.test")
    anon_id = "anonymous-visitor-0123456789"
    with live_server(create_app(sending, engine)) as base, httpx.Client(base_url=base) as client:
        client.cookies.set(ANON_COOKIE, anon_id)
        csrf = sign(settings.secret_key, "anon:" + anon_id)
        assert client.post(
            "/password/forgot", data={"email": owner.email, "csrf_token": csrf}
        ).is_success
        deadline = time.monotonic() + 10
        sent = None
        email = owner.email
        while sent is None and time.monotonic() < deadline:
            time.sleep(0.1)
            session.rollback()  # a new read transaction, to see the sender's commit
            message = session.exec(
                select(OutboxMessage).where(OutboxMessage.to_address == email)
            ).first()
            sent = message.sent_at if message else None
    assert sent is not None
