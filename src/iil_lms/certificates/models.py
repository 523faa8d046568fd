"""Certificates: the kinds a cohort awards, the certificates issued (immutable once
issued: a re-issue is a new one superseding the old), each academy's signing keys, the
design of the printed certificate, and the bulk issue jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class KindRule:
    """How a kind picks who qualifies. A custom kind is issued by hand only."""

    COMPLETION = "completion"  # every milestone of the programme complete
    SUMMIT = "summit"  # pitched at the Integrity Summit
    MENTOR = "mentor"  # mentored in the cohort
    CUSTOM = "custom"  # defined by an organiser
    BUILT_IN = (COMPLETION, SUMMIT, MENTOR)
    ALL = (COMPLETION, SUMMIT, MENTOR, CUSTOM)


class CertificateKind(SQLModel, table=True):
    """What a certificate says it is for, in English and the academy's second language.
    A cohort has the three built-in kinds (made when first needed) and any custom ones."""

    __tablename__ = "certificate_kind"
    __table_args__ = (UniqueConstraint("cohort_id", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    rule: str = Field(max_length=12)
    title: str = Field(max_length=200)
    title_local: str = Field(default="", max_length=200)
    achievement: str = Field(default="", max_length=500)
    achievement_local: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()


class Certificate(SQLModel, table=True):
    """One issued certificate. What it says is copied in when issued and never changes;
    only its revocation and its replacement by a re-issue are recorded later. `current`
    marks the one certificate a person holds of a kind (at most one: issuing is
    idempotent per person and kind)."""

    __tablename__ = "certificate"
    __table_args__ = (
        Index(
            "uq_certificate_current",
            "kind_id",
            "user_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # Crockford base32, no dashes
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    kind_id: int = Field(foreign_key="certificate_kind.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    holder_name: str = Field(max_length=120)
    academy_name: str = Field(max_length=200)
    programme: str = Field(max_length=200)
    title: str = Field(max_length=200)
    title_local: str = Field(default="", max_length=200)
    achievement: str = Field(default="", max_length=500)
    achievement_local: str = Field(default="", max_length=500)
    language: str = Field(max_length=8)  # the second language printed beside English
    issued_on: datetime = created_at_field()
    issued_by_id: int | None = Field(default=None, foreign_key="user.id")
    supersedes_id: int | None = Field(default=None, foreign_key="certificate.id")
    is_current: bool = True
    credential: str = Field(default="")  # the signed Open Badges 3.0 credential (JSON)
    revoked_at: datetime | None = utc_field()
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoke_reason: str = Field(default="", max_length=1000)


class SigningKey(SQLModel, table=True):
    """An academy's Ed25519 key. The public half is kept here for ever (old credentials
    still verify after a rotation); the private half is a file in the storage folder."""

    __tablename__ = "certificate_signing_key"

    id: int | None = Field(default=None, primary_key=True)
    academy_id: int = Field(foreign_key="academy.id", index=True)
    public_key: str = Field(max_length=64)  # raw 32 bytes, hex
    file_name: str = Field(max_length=80)
    created_at: datetime = created_at_field()
    retired_at: datetime | None = utc_field()


class CertificateDesign(SQLModel, table=True):
    """The logo and signatories printed on a cohort's certificates (cohort_id set), or
    on every cohort of an academy without its own (cohort_id empty)."""

    __tablename__ = "certificate_design"
    __table_args__ = (UniqueConstraint("academy_id", "cohort_id"),)

    id: int | None = Field(default=None, primary_key=True)
    academy_id: int = Field(foreign_key="academy.id", index=True)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id")
    logo_file: str | None = Field(default=None, max_length=80)
    updated_at: datetime = created_at_field()


class Signatory(SQLModel, table=True):
    __tablename__ = "certificate_signatory"

    id: int | None = Field(default=None, primary_key=True)
    design_id: int = Field(foreign_key="certificate_design.id", index=True)
    position: int = 0
    name: str = Field(max_length=120)
    name_local: str = Field(default="", max_length=120)
    title: str = Field(max_length=200)
    title_local: str = Field(default="", max_length=200)
    signature_file: str | None = Field(default=None, max_length=80)


class JobStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ALL = (QUEUED, RUNNING, DONE, FAILED)


class CertificateJob(SQLModel, table=True):
    """A bulk issue: who it is for, how far it got, what failed and why, and the two
    files it made (a ZIP of single PDFs and one merged PDF)."""

    __tablename__ = "certificate_job"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    kind_id: int = Field(foreign_key="certificate_kind.id")
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default=JobStatus.QUEUED, max_length=10)
    user_ids: str = Field(default="")  # JSON list, fixed when the job was asked for
    total: int = 0
    done: int = 0
    failures: str = Field(default="[]")  # JSON list of {"user_id", "name", "reason"}
    folder: str = Field(default="", max_length=80)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = utc_field()
