"""Uploads: the size limit, the type decided by content (never by name or the browser's
word), names that try to leave the upload folder, files that carry script, and the
XLSX zip bombs (refused unopened: no upload takes spreadsheets; the helper is ready for
the roster import when it lands).

Routes covered: POST /outreach (posters and photos). The learning domain's submission
uploads are checked through learning/uploads.py, the service its route calls."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from iil_lms.learning import uploads
from tests.security.world import build_world, client_for
from tests.security.zipbomb import xlsx_zip_bomb

XLSX_BOMB = xlsx_zip_bomb(64 << 20)  # no upload accepts spreadsheets, so none inflates it
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


def png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), "teal").save(out, format="PNG")
    return out.getvalue()


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def trainee(app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, "trainee_a")
    with who.client:
        yield who


def _send(who, data: bytes, name: str, content_type: str):
    return who.client.post(
        "/outreach",
        data={"csrf_token": who.csrf_token, "kind": "image", "title": "Poster"},
        files={"upload": (name, data, content_type)},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (HTML, "poster.png", "image/png"),
        (HTML, "poster.html", "text/html"),
        (SVG, "poster.svg", "image/svg+xml"),
        (b"MZ\x90\x00" + b"\x00" * 100, "poster.jpg", "image/jpeg"),
        (b"", "empty.png", "image/png"),
        (XLSX_BOMB, "roster.xlsx", XLSX_TYPE),
        (XLSX_BOMB, "poster.png", "image/png"),
    ],
    ids=[
        "html-named-png",
        "html",
        "svg-with-script",
        "exe-named-jpg",
        "empty",
        "xlsx-zip-bomb",
        "xlsx-zip-bomb-named-png",
    ],
)
def test_outreach_refuses_files_that_are_not_what_they_claim(
    trainee, settings, data, name, content_type
):
    response = _send(trainee, data, name, content_type)
    assert response.status_code == 400
    assert _files_under(settings.uploads_dir) == []


def test_outreach_refuses_a_file_over_the_size_limit(trainee, settings):
    settings.upload_max_bytes = 2048
    big = png() + b"\0" * 4096
    response = _send(trainee, big, "big.png", "image/png")
    assert response.status_code == 400
    assert "larger than" in response.text
    assert _files_under(settings.uploads_dir) == []


@pytest.mark.parametrize(
    "name",
    [
        "../../../../tmp/evil.png",
        "..\\..\\evil.png",
        "/etc/passwd",
        "a/../../b.png",
        "évil\x00.png",
    ],
)
def test_outreach_never_lets_the_file_name_reach_the_file_system(trainee, settings, name):
    response = _send(trainee, png(), name, "image/png")
    assert response.status_code == 303, response.text[:300]
    stored = _files_under(settings.uploads_dir)
    assert len(stored) == 1
    root = settings.uploads_dir.resolve()
    assert root in stored[0].resolve().parents
    assert "evil" not in stored[0].name and "passwd" not in stored[0].name


def test_a_png_carrying_script_is_re_encoded_and_served_as_an_image(trainee, settings):
    polyglot = png() + HTML
    response = _send(trainee, polyglot, "poster.png", "image/png")
    assert response.status_code == 303
    [stored] = _files_under(settings.uploads_dir)
    assert b"<script" not in stored.read_bytes()
    item_url = response.headers["location"]
    served = trainee.client.get(f"{item_url}/file")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in served.headers["content-security-policy"]


# --- submission uploads (learning/uploads.py) ------------------------------------------


def _upload(tmp_path: Path, data: bytes, name: str = "answer.pdf", limit: int = 1 << 20):
    return uploads.Upload(data=data, original_name=name, uploads_dir=tmp_path, max_bytes=limit)


def test_submission_upload_type_is_decided_by_content(tmp_path):
    with pytest.raises(uploads.UploadRefused):
        uploads.check_upload(_upload(tmp_path, HTML, "answer.pdf"), ["pdf"])
    with pytest.raises(uploads.UploadRefused):
        uploads.check_upload(_upload(tmp_path, SVG, "answer.png"), ["image"])
    checked = uploads.check_upload(_upload(tmp_path, b"%PDF-1.7\n...", "answer.exe"), ["pdf"])
    assert checked.content_type == "application/pdf"


def test_submission_upload_refuses_an_xlsx_zip_bomb_unopened(tmp_path):
    for name in ("work.xlsx", "work.pdf", "work.png"):
        with pytest.raises(uploads.UploadRefused):
            uploads.check_upload(_upload(tmp_path, XLSX_BOMB, name), ["image", "pdf"])
    assert _files_under(tmp_path) == []


def test_submission_upload_size_limit(tmp_path):
    with pytest.raises(uploads.UploadRefused):
        uploads.check_upload(_upload(tmp_path, b"%PDF-" + b"0" * 2000, limit=1000), ["pdf"])
    with pytest.raises(uploads.UploadRefused):
        uploads.check_upload(_upload(tmp_path, b""), ["pdf"])


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path.pdf", 'a"<b>.pdf', "x\x00y.pdf"]
)
def test_submission_upload_name_is_for_display_only(tmp_path, name):
    checked = uploads.check_upload(_upload(tmp_path, b"%PDF-1.7", name), ["pdf"])
    assert "/" not in checked.original_name and "\\" not in checked.original_name
    assert not set('"<>\x00') & set(checked.original_name)
    stored = uploads.store(checked)
    assert (tmp_path / stored).resolve().parent == (tmp_path / uploads.SUBFOLDER).resolve()
    assert uploads.stored_path(tmp_path, stored) is not None
    assert uploads.stored_path(tmp_path, "../" * 6 + "etc/passwd") is None
    assert uploads.stored_path(tmp_path, f"{uploads.SUBFOLDER}/../../outside.pdf") is None


def test_zip_bomb_helper_builds_a_small_xlsx_that_inflates_past_any_sane_limit():
    bomb = xlsx_zip_bomb(64 << 20)
    assert len(bomb) < 512 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()
        inflated = sum(info.file_size for info in z.infolist())
    assert inflated >= 64 << 20
    assert inflated / len(bomb) > 100
