"""One settings object, read from `IIL_*` environment variables (and `.env`)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "ur", "ne")
RTL_LANGUAGES = frozenset({"ur"})


# Where the job queue may live (IIL_JOBS_URL): see certificates/jobs.py, queue_storage.
JOBS_SCHEMES = ("sqlite", "redis", "rediss", "unix", "postgresql", "postgres")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IIL_", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_DIR / "var"
    database_url: str = ""
    # The job queue (bulk certificates): empty for a SQLite file in data_dir; redis://...
    # or postgresql://... on a multi-server install (certificates/jobs.py, queue_storage).
    jobs_url: str = ""
    secret_key: str = ""
    production: bool = False
    base_url: str = "http://127.0.0.1:8000"
    templates_dir: Path = PROJECT_DIR / "templates"
    static_dir: Path = PROJECT_DIR / "static"
    curricula_dir: Path = PROJECT_DIR / "curricula"
    default_language: str = "en"
    session_days: int = 14
    invitation_days: int = 14
    reset_hours: int = 2
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_minutes: int = 15
    # Past the limits a login waits (not locked): the first wait, doubling to the longest.
    login_first_delay_seconds: int = 30
    login_longest_delay_seconds: int = 900
    login_known_device_days: int = 365
    login_unlock_hours: int = 24
    # Password reset emails per account and requests per address, per window.
    reset_emails_per_account: int = 3
    reset_requests_per_address: int = 10
    reset_window_minutes: int = 60
    upload_max_bytes: int = 10 * 1024 * 1024
    # A request body must start arriving within the grace period and then keep coming
    # at this average rate, else 408 (a client trickling a body holds a connection).
    body_grace_seconds: float = 10.0
    body_min_bytes_per_second: int = 1000
    # The in-process email sender: how often it looks for due emails (0: never; then
    # run `iil-lms send-outbox` from cron).
    outbox_interval_seconds: float = 60.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = "iil-lms <no-reply@localhost>"

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'iil.sqlite3'}"
        jobs_scheme = urlsplit(self.jobs_url.strip()).scheme.lower().split("+", 1)[0]
        if self.jobs_url.strip() and jobs_scheme not in JOBS_SCHEMES:
            raise ValueError(
                f"IIL_JOBS_URL {self.jobs_url!r}: unknown scheme {jobs_scheme or '(none)'!r}; "
                "use redis://, rediss://, unix://, postgresql:// or sqlite:///, or leave it "
                "empty for the SQLite file in IIL_DATA_DIR"
            )
        if not self.secret_key:
            if self.production:
                raise ValueError(
                    "IIL_SECRET_KEY must be set in production mode (IIL_PRODUCTION=true)"
                )
            self.secret_key = _stored_secret_key(self.data_dir)
        return self

    @property
    def body_max_bytes(self) -> int:
        """The largest request body: one upload and the form fields around it."""
        return self.upload_max_bytes + 1024 * 1024

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


def _stored_secret_key(data_dir: Path) -> str:
    """Development installs keep a generated key under the data directory so sessions
    survive restarts without anyone having to configure one."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
