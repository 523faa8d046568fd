"""Files trainees upload as exercise answers: the type is decided by the content (magic
bytes), never by the name or the browser's word; files are stored under the data
directory with a random name, so nothing the sender chose reaches the file system."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from iil_lms.i18n import gettext as _

SUBFOLDER = "submissions"
# kind in the curriculum's `accept` list -> content types of that kind
KINDS: dict[str, tuple[str, ...]] = {
    "image": ("image/png", "image/jpeg", "image/webp", "image/gif"),
    "pdf": ("application/pdf",),
}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/pdf": "pdf",
}


class UploadRefused(ValueError):
    """Why a file was not accepted, in words for the person who sent it."""


@dataclass(frozen=True)
class Upload:
    """A file sent with a submission, and where and how big it may be stored."""

    data: bytes
    original_name: str
    uploads_dir: Path
    max_bytes: int


@dataclass(frozen=True)
class CheckedUpload:
    upload: Upload
    content_type: str
    original_name: str


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes, or None when it is not one we take."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_name(name: str) -> str:
    """The sender's file name for display only: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')
    return base.strip()[:200] or "file"


def check_upload(upload: Upload, accept: list[str] | None) -> CheckedUpload:
    """Refuse empty, oversized or wrong-type files before anything is written."""
    if not upload.data:
        raise UploadRefused(_("Choose a file to upload."))
    if len(upload.data) > upload.max_bytes:
        raise UploadRefused(
            _(
                "The file is too large: the limit is %(mb)s MB.",
                mb=round(upload.max_bytes / (1024 * 1024), 1),
            )
        )
    kinds = accept or list(KINDS)
    allowed = {ctype for kind in kinds for ctype in KINDS.get(kind, ())}
    found = sniff(upload.data)
    if found is None or found not in allowed:
        if kinds == ["pdf"]:
            raise UploadRefused(_("This file is not a PDF. Upload a PDF file."))
        if kinds == ["image"]:
            raise UploadRefused(
                _("This file is not an image we can take. Upload a PNG, JPEG, WebP or GIF.")
            )
        raise UploadRefused(
            _("This file type is not accepted. Upload an image (PNG, JPEG, WebP, GIF) or a PDF.")
        )
    return CheckedUpload(upload, found, clean_name(upload.original_name))


def store(checked: CheckedUpload) -> str:
    """Write the file under a random name; returns the name relative to uploads_dir."""
    folder = checked.upload.uploads_dir / SUBFOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{SUBFOLDER}/{secrets.token_urlsafe(24)}.{EXTENSIONS[checked.content_type]}"
    (checked.upload.uploads_dir / name).write_bytes(checked.upload.data)
    return name


def stored_path(uploads_dir: Path, name: str) -> Path | None:
    """The stored file of a submission, only if it lies inside the uploads folder."""
    path = (uploads_dir / name).resolve()
    root = uploads_dir.resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path
