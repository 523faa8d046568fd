"""One rule for every file a person uploaded (web/files.py): only an image we re-encoded
is shown in the browser; a PDF or an image kept as it was sent downloads; the type is
never sniffed. The trainee's exercise files and the outreach files follow it alike."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlmodel import select

from iil_lms.learning import service, uploads
from iil_lms.outreach.models import OutreachItem
from iil_lms.web.files import uploaded_file
from tests.learning.factories import course

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="PNG")
    return out.getvalue()


def test_only_a_reencoded_jpeg_or_png_is_inline(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"x")
    cases = [
        ("image/png", True, "inline"),
        ("image/jpeg", True, "inline"),
        ("image/png", False, "attachment"),
        ("image/gif", True, "attachment"),
        ("application/pdf", True, "attachment"),
        ("application/pdf", False, "attachment"),
    ]
    for media_type, reencoded, expected in cases:
        response = uploaded_file(
            path, media_type=media_type, filename="a b.pdf", reencoded=reencoded
        )
        disposition = response.headers["content-disposition"]
        assert disposition.split(";")[0] == expected, (media_type, reencoded)


def test_a_trainees_pdf_and_an_outreach_pdf_both_download_and_a_photo_shows(
    make_client, factory, session, settings
):
    made = factory.cohort(trainees=1)
    trainee = made.trainees[0]
    exercise = course(session, made.cohort, types=("upload",)).exercises["upload"]
    submission = service.submit(
        session,
        cohort_id=made.cohort.id,
        user_id=trainee.id,
        exercise_id=exercise.id,
        content={"note": ""},
        upload=uploads.Upload(
            data=PDF,
            original_name="problem tree.pdf",
            uploads_dir=settings.uploads_dir,
            max_bytes=settings.upload_max_bytes,
        ),
    )
    session.commit()
    client = make_client()
    client.login(trainee.email)
    served = client.get(f"/submissions/{submission.id}/file")
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-disposition"].startswith("attachment;")
    assert "problem%20tree.pdf" in served.headers["content-disposition"]
    assert served.headers["x-content-type-options"] == "nosniff"

    dispositions = {}
    for name, data, kind in (
        ("poster.pdf", PDF, "application/pdf"),
        ("a.png", _png(), "image/png"),
    ):
        sent = client.post(
            "/outreach",
            data={"kind": "image", "title": name, "csrf_token": client.csrf("/outreach/new")},
            files={"upload": (name, data, kind)},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text[:500]
        session.commit()
        item = session.exec(select(OutreachItem).order_by(OutreachItem.id.desc())).first()
        session.commit()
        response = client.get(f"/outreach/{item.id}/file")
        assert response.status_code == 200
        dispositions[kind] = response.headers["content-disposition"]
    assert dispositions["application/pdf"].startswith("attachment;")
    assert dispositions["image/png"].startswith("inline;")
