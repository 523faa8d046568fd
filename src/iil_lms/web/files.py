"""How every file a person uploaded is served: one rule for all of them. Only an image we
re-encoded ourselves (outreach photos and posters) is shown in the browser; anything else
(a PDF, an image stored as it was sent) is a download, so a file crafted to act as a page
or a script never runs under this site's address. The type is never sniffed."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import FileResponse

# What re-encoding with Pillow produces (outreach/files.py).
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


def uploaded_file(
    path: Path,
    *,
    media_type: str,
    filename: str,
    reencoded: bool,
    cache_control: str = "private, no-store",
) -> FileResponse:
    """The stored file with its checked type; inline only for images we re-encoded,
    otherwise an attachment named `filename`."""
    inline = reencoded and media_type in INLINE_TYPES
    return FileResponse(
        path,
        media_type=media_type,
        filename=filename,
        content_disposition_type="inline" if inline else "attachment",
        # X-Content-Type-Options: nosniff comes with every response (web/middleware.py).
        headers={"Cache-Control": cache_control},
    )


async def read_upload(upload: UploadFile | None, limit: int) -> bytes | None:
    """An uploaded file's bytes, or None when none was chosen. One byte past `limit` is
    read so the caller can say "too large" without holding an unbounded body."""
    if upload is None or not upload.filename:
        return None
    data: bytes = await upload.read(limit + 1)
    return data or None
