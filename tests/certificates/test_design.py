"""The certificate design: a logo and signatories with signature images, per cohort or
for the whole academy; images are re-encoded (nothing but pixels is kept), anything
else is refused with a clear message."""

from __future__ import annotations

import io

from PIL import Image
from sqlmodel import Session

from iil_lms.certificates.design import design_for
from iil_lms.settings import Settings
from tests.conftest import Factory


def _jpeg() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (300, 120), "navy")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a secret"
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_organiser_uploads_logo_and_signature_which_are_reencoded(
    client, session: Session, factory: Factory, settings: Settings
) -> None:
    made = factory.cohort(trainees=1, circles=0)
    client.login(made.organisers[0].email)
    base = f"/cohorts/{made.cohort.id}/certificates/design"
    response = client.post(
        base,
        data={
            "csrf_token": client.csrf(base),
            "name_1": "Dr. Ayesha Khan",
            "title_1": "Rector",
            "title_local_1": "ریکٹر",
        },
        files={"logo": ("logo.jpg", _jpeg(), "image/jpeg"), "signature_1": ("s.jpg", _jpeg())},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.commit()
    found = design_for(session, settings, made.cohort)
    assert found.own and found.logo and found.logo.startswith("data:image/png;base64,")
    assert [s.name for s in found.signatories] == ["Dr. Ayesha Khan"]
    stored = settings.uploads_dir / "certificates" / (found.logo_file or "")
    with Image.open(stored) as image:
        assert image.format == "PNG" and not image.getexif()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(
    client, session: Session, factory: Factory, settings: Settings
) -> None:
    made = factory.cohort(trainees=1, circles=0)
    client.login(made.organisers[0].email)
    base = f"/cohorts/{made.cohort.id}/certificates/design"
    response = client.post(
        base,
        data={"csrf_token": client.csrf(base), "name_1": "A"},
        files={"logo": ("logo.png", b"<svg onload=alert(1)>", "image/png")},
    )
    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in response.text
    session.commit()
    assert design_for(session, settings, made.cohort).signatories == []


def test_a_signatory_needs_a_name(client, factory: Factory) -> None:
    made = factory.cohort(trainees=1, circles=0)
    client.login(made.organisers[0].email)
    base = f"/cohorts/{made.cohort.id}/certificates/design"
    response = client.post(base, data={"csrf_token": client.csrf(base), "title_2": "Rector"})
    assert response.status_code == 400 and "Signatory 2 needs a name" in response.text
