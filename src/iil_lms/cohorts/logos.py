"""Academy logos: an uploaded image is accepted by its content (Pillow decides, never the
file's name), re-encoded as a PNG of at most LOGO_SIDE pixels a side (which drops any
metadata and anything hidden after the image data) and stored under a random name.
Certificates and programmes read the logo through cohorts.admin.academy_logo."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from iil_lms.i18n import gettext as _
from iil_lms.settings import Settings

LOGO_SIDE = 512
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}\.png$")


class LogoRefused(ValueError):
    """Why a logo was not accepted, in words for the person who sent it."""


def _folder(settings: Settings) -> Path:
    return settings.uploads_dir / "logos"


def clean_logo(data: bytes) -> bytes:
    """The logo re-encoded as a PNG, or LogoRefused saying what is wrong with the file."""
    if not data:
        raise LogoRefused(_("The logo file is empty."))
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(_("The logo is larger than 2 MB; use a smaller image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise LogoRefused(_("Upload the logo as a PNG, JPEG or WebP image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise LogoRefused(_("The logo is too large; use one under 25 megapixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((LOGO_SIDE, LOGO_SIDE))
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            out = io.BytesIO()
            image.convert(mode).save(out, format="PNG", optimize=True)
            return out.getvalue()
    except LogoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise LogoRefused(_("Upload the logo as a PNG, JPEG or WebP image.")) from error


def store_logo(settings: Settings, png: bytes) -> str:
    """Write a cleaned logo under a new random name and return the name."""
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.png"
    (folder / name).write_bytes(png)
    return name


def logo_path(settings: Settings, name: str | None) -> Path | None:
    """The stored logo's path, only for names this module made and files that exist."""
    if not name or not NAME_PATTERN.match(name):
        return None
    path = _folder(settings) / name
    return path if path.is_file() else None
