"""The look of a cohort's certificates: the academy's logo and the signatories (names,
titles, signature images), set per cohort or once for the academy. Images are decoded
and re-encoded as PNG by Pillow (as outreach/files.py does), which drops metadata and
anything that is not a picture; they are stored under random names."""

from __future__ import annotations

import base64
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from iil_lms.certificates.models import CertificateDesign, Signatory
from iil_lms.cohorts.models import Cohort
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.outreach.files import MAX_PIXELS, sniff
from iil_lms.settings import Settings

MAX_SIDE = 800
MAX_SIGNATORIES = 3
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}\.png$")


class DesignError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _folder(settings: Settings) -> Path:
    return settings.uploads_dir / "certificates"


def store_image(settings: Settings, data: bytes, field: str) -> str:
    """Check and re-encode an uploaded logo or signature (PNG, JPEG or WebP) as PNG."""
    if len(data) > settings.upload_max_bytes:
        raise DesignError(_("The image is too large."), field)
    if sniff(data) not in ("image/png", "image/jpeg", "image/webp"):
        raise DesignError(_("Upload the image as PNG, JPEG or WebP."), field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise DesignError(_("The image is too large."), field)
            image.load()
            clean = image.convert("RGBA")
            clean.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            clean.save(out, format="PNG", optimize=True)
    except DesignError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise DesignError(_("The image could not be read; it may be damaged."), field) from error
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.png"
    (folder / name).write_bytes(out.getvalue())
    return name


def image_data_uri(settings: Settings, name: str | None) -> str | None:
    """A stored image as a data: URL, which the PDF renderer reads without any file
    access outside the static folder."""
    if not name or not NAME_PATTERN.match(name):
        return None
    path = _folder(settings) / name
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


@dataclass(frozen=True)
class SignatoryView:
    name: str
    name_local: str
    title: str
    title_local: str
    signature: str | None  # data: URL


@dataclass(frozen=True)
class DesignView:
    own: bool  # the cohort's own design (not the academy's)
    logo: str | None  # data: URL
    logo_file: str | None
    signatories: list[SignatoryView]


def _design_row(session: Session, cohort: Cohort) -> CertificateDesign | None:
    rows = session.exec(
        select(CertificateDesign).where(
            col(CertificateDesign.academy_id) == cohort.academy_id,
            (col(CertificateDesign.cohort_id) == cohort.id)
            | col(CertificateDesign.cohort_id).is_(None),
        )
    ).all()
    own = [r for r in rows if r.cohort_id == cohort.id]
    found = own or list(rows)
    return found[0] if found else None


def design_for(session: Session, settings: Settings, cohort: Cohort) -> DesignView:
    """The cohort's design, else its academy's, else an empty one."""
    row = _design_row(session, cohort)
    if row is None:
        return DesignView(False, None, None, [])
    signatories = session.exec(
        select(Signatory)
        .where(col(Signatory.design_id) == row.id)
        .order_by(col(Signatory.position), col(Signatory.id))
    ).all()
    return DesignView(
        own=row.cohort_id == cohort.id,
        logo=image_data_uri(settings, row.logo_file),
        logo_file=row.logo_file,
        signatories=[
            SignatoryView(
                s.name,
                s.name_local,
                s.title,
                s.title_local,
                image_data_uri(settings, s.signature_file),
            )
            for s in signatories
        ],
    )


@dataclass(frozen=True)
class SignatoryInput:
    name: str
    name_local: str
    title: str
    title_local: str
    signature: bytes | None


def save_design(
    session: Session,
    settings: Settings,
    cohort: Cohort,
    *,
    for_academy: bool,
    logo: bytes | None,
    signatories: list[SignatoryInput],
) -> None:
    """Replace the cohort's (or the academy's) logo and signatories. Every field is
    checked before anything is written; a signatory row left empty is dropped, and one
    without a new signature image keeps the one it had at that place."""
    # (place on the form, row) of the rows filled in; messages name the form's place
    rows = [
        (place, s)
        for place, s in enumerate(signatories, start=1)
        if s.name.strip() or s.title.strip() or s.signature
    ]
    if len(rows) > MAX_SIGNATORIES:
        raise DesignError(_("At most three signatories."), "name_1")
    for place, s in rows:
        if not s.name.strip():
            raise DesignError(_("Signatory %(n)s needs a name.", n=place), f"name_{place}")
        if len(s.name) > 120 or len(s.name_local) > 120:
            raise DesignError(_("A name is at most 120 characters."), f"name_{place}")
        if len(s.title) > 200 or len(s.title_local) > 200:
            raise DesignError(_("A title is at most 200 characters."), f"title_{place}")
    logo_name = store_image(settings, logo, "logo") if logo else None
    signature_names = [
        store_image(settings, s.signature, f"signature_{place}") if s.signature else None
        for place, s in rows
    ]
    cohort_id = None if for_academy else cohort.id
    design = session.exec(
        select(CertificateDesign).where(
            col(CertificateDesign.academy_id) == cohort.academy_id,
            col(CertificateDesign.cohort_id) == cohort_id
            if cohort_id is not None
            else col(CertificateDesign.cohort_id).is_(None),
        )
    ).first()
    if design is None:
        design = CertificateDesign(academy_id=cohort.academy_id, cohort_id=cohort_id)
    old = []
    if design.id is not None:
        old = list(
            session.exec(
                select(Signatory)
                .where(col(Signatory.design_id) == design.id)
                .order_by(col(Signatory.position), col(Signatory.id))
            ).all()
        )
    design.logo_file = logo_name or design.logo_file
    design.updated_at = utcnow()
    session.add(design)
    session.flush()
    session.execute(delete(Signatory).where(col(Signatory.design_id) == design.id))
    for position, ((_place, s), stored) in enumerate(zip(rows, signature_names, strict=True)):
        kept = old[position].signature_file if position < len(old) else None
        session.add(
            Signatory(
                design_id=design.id or 0,
                position=position,
                name=s.name.strip(),
                name_local=s.name_local.strip(),
                title=s.title.strip(),
                title_local=s.title_local.strip(),
                signature_file=stored or kept,
            )
        )
    session.flush()
