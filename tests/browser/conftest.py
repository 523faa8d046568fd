"""Browser journeys: one real server and one headless Chromium per test session (with
pytest-xdist, per worker: the journeys spread over every worker like the other tests, and
each worker serves its own demo, so no journey sees another worker's writes).

The server is set up the way an operator would: `iil-lms migrate`, `iil-lms demo` and
`iil-lms serve` in subprocesses against a fresh data directory and SQLite database. The
migrated demo is built once per run (the first worker builds it, the others wait) into a
cache folder keyed by a hash of everything it is made from, and each worker serves its own
copy of it.
Chromium is Debian's (Playwright's own download does not work here); `make test`
apt-installs it. Every test gets a new browser context; each journey runs at a desktop and
a phone viewport and in every language (see VARIANTS).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from playwright.sync_api import Browser, Playwright, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from iil_lms.all_models import metadata
from tests.browser.helpers import DEMO_PASSWORD, Journey, Variant

BROWSER_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BROWSER_DIR.parents[1]
FAILURES_DIR = BROWSER_DIR / "failures"
BIN_DIR = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The viewports and languages journeys run in (Urdu is RTL). Each journey runs in two of
# them, one per viewport, so that together they cover all three languages on both
# viewports while the suite stays short; the page sweep (test_every_page.py) runs axe
# on every page in every language.
VARIANTS = [
    Variant("desktop", 1280, 800, "en"),
    Variant("phone", 360, 740, "en"),
    Variant("desktop", 1280, 800, "ur"),
    Variant("phone", 360, 740, "ne"),
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_failed_key] = report.failed
    return report


_failed_key = pytest.StashKey[bool]()


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    engine: Engine
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(line[:1500] for line in text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(BIN_DIR / "iil-lms"), *args], env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"iil-lms {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _schema_from_models_if_migrations_lag(database_url: str) -> None:
    """While models change faster than the migration (it is regenerated at checkpoints),
    build the schema from the models so the journeys still run; tests/test_migrations.py is
    what fails on the lag, with a warning here to say why the journeys did not use it."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, metadata)
        if differences:
            warnings.warn(
                f"the migrations lag the models ({len(differences)} differences); the browser "
                "journeys use a schema built from the models",
                stacklevel=1,
            )
            metadata.drop_all(engine)
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            metadata.create_all(engine)
    finally:
        engine.dispose()


def _start_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`iil-lms serve` on a free port; ready once *our* process says it listens (another
    process may grab the same port between the probe and the bind) and /healthz answers."""
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(BIN_DIR / "iil-lms"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env | {"IIL_BASE_URL": url}, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if f"running on {url}" in log_path.read_text(errors="replace"):
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            return process, url
                except OSError:
                    pass
            time.sleep(0.2)
        if process.poll() is None:
            _stop(process)
            pytest.fail(f"the server did not answer /healthz within 120 s:\n{_tail(log_path)}")
        if "address already in use" not in log_path.read_text(errors="replace").lower():
            pytest.fail(f"the server exited with {process.returncode}:\n{_tail(log_path)}")
    pytest.fail("no free port for the server after 3 attempts")


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IIL_TEST")}
    env |= {"IIL_DATA_DIR": str(data_dir), "IIL_DATABASE_URL": _database_url(data_dir),
            "IIL_PRODUCTION": "false", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    return env


def _database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'iil.sqlite3'}"


def _demo_key() -> str:
    """A hash of what the migrated demo is made from: the code (the demo calls the
    services), the migrations, the curricula, the demo password and today's date (the
    demo cohort's dates and work follow it)."""
    digest = hashlib.sha256(f"{date.today().isoformat()}\0{DEMO_PASSWORD}".encode())
    for folder in ("src", "migrations", "curricula"):
        for path in sorted((PROJECT_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _demo_cache_dir() -> Path:
    given = os.environ.get("IIL_TEST_DEMO_CACHE")
    return Path(given) if given else PROJECT_DIR / ".pytest_cache" / "iil-demo"


def _built_demo() -> Path:
    """The data folder of the migrated demo (its SQLite database and the academies' keys),
    built by `iil-lms migrate` and `iil-lms demo` once per key; a lock file makes the other
    xdist workers wait for the first one's build instead of building their own."""
    cache = _demo_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    built = cache / _demo_key()
    with (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "complete").exists():
            for old in cache.iterdir():  # demos of other code or other days
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            building = cache / f"building-{os.getpid()}"
            env = _server_env(building)
            _run_cli(env, "migrate")
            _schema_from_models_if_migrations_lag(_database_url(building))
            _run_cli(env, "demo", "--password", DEMO_PASSWORD)
            _cheapen_demo_password_hashes(building)
            (building / "complete").touch()
            building.rename(built)
    return built


def _cheapen_demo_password_hashes(data_dir: Path) -> None:
    """The demo's accounts share one password hash at the production cost (0.27 s of the
    server's CPU per sign-in); the journeys sign in hundreds of times, so that hash is
    replaced by one of the same password at argon2's lowest cost (as tests/conftest.py
    does for the in-process tests). The server checks a hash at the cost it carries."""
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with closing(sqlite3.connect(data_dir / "iil.sqlite3")) as db, db:
        hashes = [row[0] for row in db.execute('SELECT DISTINCT password_hash FROM "user"')]
        for stored in hashes:
            try:
                fast.verify(stored, DEMO_PASSWORD)
            except (VerificationError, InvalidHashError, TypeError):
                continue
            db.execute(
                'UPDATE "user" SET password_hash = ? WHERE password_hash = ?',
                (fast.hash(DEMO_PASSWORD), stored),
            )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-server") / "data"
    shutil.copytree(_built_demo(), data_dir)
    (data_dir / "complete").unlink()
    database_url = _database_url(data_dir)
    env = _server_env(data_dir)
    log_path = data_dir / "server.log"
    process, url = _start_server(env, log_path)
    # The job worker beside the server, as `make run` starts it (bulk certificates).
    with (data_dir / "worker.log").open("wb") as worker_log:
        worker = subprocess.Popen(
            [str(BIN_DIR / "iil-lms"), "worker"],
            env=env | {"IIL_BASE_URL": url}, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    engine = create_engine(database_url)
    try:
        yield LiveServer(url=url, database_url=database_url, engine=engine, log_path=log_path)
    finally:
        engine.dispose()
        _stop(worker)
        _stop(process)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        # Never a skip: CI must not go green without the journeys (and nor should a laptop).
        pytest.fail(
            "Debian's chromium is not installed, so the browser journeys cannot run. "
            "Run `make test` (it apt-installs chromium) or `apt-get install chromium`."
        )
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Unless a journey chooses its own: a right-to-left desktop and a Nepali phone.
JOURNEY_VARIANTS = [VARIANTS[2], VARIANTS[3]]


@pytest.fixture(params=JOURNEY_VARIANTS, ids=str)
def variant(request: pytest.FixtureRequest) -> Variant:
    variant: Variant = request.param
    return variant


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, variant: Variant
) -> Iterator[Journey]:
    """Opens browser contexts (one per person) for one test; on failure saves a screenshot
    of every step to tests/browser/failures/<test>/ and prints the server log's tail (and
    on success too into $IIL_BROWSER_SCREENSHOTS/<test>/ when that variable is set)."""
    trip = Journey(browser=browser, base_url=live_server.url, variant=variant)
    yield trip
    try:
        if request.node.stash.get(_failed_key, False):
            folder = FAILURES_DIR / request.node.name.replace("/", "_")
            saved = trip.save_screenshots(folder)
            print(f"\nScreenshots of {len(saved)} steps: {folder}")
            print(f"Server log (tail):\n{live_server.log_tail()}")
        elif os.environ.get("IIL_BROWSER_SCREENSHOTS"):
            # To look at every step of a passing journey (phone, Urdu): set this to a folder.
            folder = Path(os.environ["IIL_BROWSER_SCREENSHOTS"]) / request.node.name
            trip.save_screenshots(folder.with_name(folder.name.replace("/", "_")), "at-end")
    finally:
        trip.close()
