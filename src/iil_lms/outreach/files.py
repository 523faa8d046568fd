"""Uploaded posters and photos: the type is decided by the file's content (magic bytes,
then Pillow for images), never by its name. Images are re-encoded, which drops their
metadata (a phone photo's GPS position must not reach a public page) and caps their
size; PDFs are kept as they are and only ever served as downloads."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from iil_lms.i18n import gettext as _
from iil_lms.settings import Settings

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}\.(jpg|png|pdf)$")


class UploadRefused(ValueError):
    """Why an upload was not accepted, in words for the person who sent it."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    width: int | None
    height: int | None


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes, or None when it is not one we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _folder(settings: Settings) -> Path:
    return settings.uploads_dir / "outreach"


def store_upload(settings: Settings, data: bytes) -> StoredFile:
    """Check and store a poster or photo (JPEG, PNG, WebP or PDF, at most the configured
    size) under a random name. Nothing is stored when the file is refused."""
    if not data:
        raise UploadRefused(_("The file is empty."))
    if len(data) > settings.upload_max_bytes:
        raise UploadRefused(
            _(
                "The file is larger than %(size)s MB.",
                size=round(settings.upload_max_bytes / 1_048_576, 1),
            )
        )
    kind = sniff(data)
    if kind is None:
        raise UploadRefused(_("Upload a photo or poster as JPEG, PNG, WebP or PDF."))
    width = height = None
    if kind == "application/pdf":
        payload, extension, content_type = data, "pdf", kind
    else:
        payload, extension, content_type, width, height = _clean_image(data)
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{extension}"
    (folder / name).write_bytes(payload)
    return StoredFile(name, content_type, width, height)


def _clean_image(data: bytes) -> tuple[bytes, str, str, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadRefused(_("The image is too large; use one under 40 megapixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            keep_png = image.format == "PNG"
            out = io.BytesIO()
            if keep_png:
                upright.save(out, format="PNG", optimize=True)
                return out.getvalue(), "png", "image/png", upright.width, upright.height
            upright.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), "jpg", "image/jpeg", upright.width, upright.height
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UploadRefused(_("The image could not be read; it may be damaged.")) from error


def stored_path(settings: Settings, name: str) -> Path | None:
    """The stored file's path, only for names this module made."""
    if not NAME_PATTERN.match(name):
        return None
    path = _folder(settings) / name
    return path if path.is_file() else None
