"""Outreach: publishing, moderation, and the public showcase that shows only approved
items and only the names people agreed to show."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlmodel import select

from iil_lms.notifications.models import Notification
from iil_lms.outreach.models import OutreachDecision, OutreachItem, OutreachRevision
from tests.mentoring.helpers import fresh


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="PNG")
    return out.getvalue()


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (3000, 2000), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 31.0, 0.0)}  # GPS latitude of Lahore
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _publish(client, **fields):
    data = {
        "kind": "story",
        "title": "Queue tokens at the tehsil",
        "body": "We cut waits.",
        "video_url": "",
        "csrf_token": client.csrf("/outreach/new"),
    }
    files = fields.pop("files", None)
    data.update(fields)
    return client.post("/outreach", data=data, files=files, follow_redirects=False)


def _item(session) -> OutreachItem:
    """The newest item as requests left it; the test's read transaction is ended after
    reading, so later writes by the test do not collide with the requests' writes."""
    session.commit()
    item = session.exec(select(OutreachItem).order_by(OutreachItem.id.desc())).first()
    session.commit()
    return item


def _moderate(trainer, cohort_id, item_id, action, note=""):
    return trainer.post_form(
        f"/cohorts/{cohort_id}/outreach/{item_id}", {"action": action, "note": note}
    )


def test_showcase_shows_only_approved_items_and_consented_names(
    client, make_client, factory, session
):
    c = factory.cohort(trainees=2, name="CTP 2026")
    named, anonymous = c.trainees
    client.login(named.email)
    assert _publish(client, title="Named story", show_name="1").status_code == 303
    named_item = _item(session)
    other = make_client()
    other.login(anonymous.email)
    _publish(other, title="Anonymous story")
    anonymous_item = _item(session)
    _publish(other, title="Still waiting")

    public = make_client()
    assert "Named story" not in public.get(f"/showcase/{c.academy.slug}").text

    trainer = make_client()
    trainer.login(c.trainers[0].email)
    queue = trainer.get(f"/cohorts/{c.cohort.id}/outreach").text
    assert "Named story" in queue and "Still waiting" in queue
    assert _moderate(trainer, c.cohort.id, named_item.id, "approve").status_code == 303
    _moderate(trainer, c.cohort.id, anonymous_item.id, "approve")

    page = public.get(f"/showcase/{c.academy.slug}")
    assert page.status_code == 200
    assert "Named story" in page.text and "Anonymous story" in page.text
    assert "Still waiting" not in page.text
    assert named.display_name in page.text
    assert anonymous.display_name not in page.text
    assert "A participant of CTP 2026" in page.text
    assert anonymous.email not in page.text and named.email not in page.text
    detail = public.get(f"/showcase/{c.academy.slug}/{named_item.public_id}")
    assert detail.status_code == 200 and "We cut waits." in detail.text
    waiting = _item(session)
    assert public.get(f"/showcase/{c.academy.slug}/{waiting.public_id}").status_code == 404
    assert public.get(f"/showcase/{c.academy.slug}/{named_item.id}").status_code == 404

    # taking back consent hides the name at once
    client.post_form(
        f"/outreach/{named_item.id}/consent", {}, token_from=f"/outreach/{named_item.id}"
    )
    assert named.display_name not in public.get(f"/showcase/{c.academy.slug}").text
    told = session.exec(select(Notification).where(Notification.user_id == named.id)).one()
    assert told.params["message"] == "outreach_approved"


def test_public_pages_are_cacheable_and_carry_no_account(client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    response = client.get("/showcase")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in response.headers
    assert "csrf" not in response.text.lower()
    assert c.trainees[0].display_name not in response.text
    assert c.academy.name in response.text
    academy = client.get(f"/showcase/{c.academy.slug}")
    assert academy.headers["cache-control"] == "public, max-age=300"
    assert "Nothing is on this showcase yet" in academy.text
    assert client.get("/showcase/no-such-academy").status_code == 404


def test_asking_for_changes_needs_a_note_and_the_author_revises(
    client, make_client, factory, session
):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    _publish(client, title="First draft", body="Too short.")
    item = _item(session)
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    refused = _moderate(trainer, c.cohort.id, item.id, "changes")
    assert refused.status_code == 303
    assert "Say what should change." in trainer.get(f"/cohorts/{c.cohort.id}/outreach").text
    _moderate(trainer, c.cohort.id, item.id, "changes", "Add what the citizens said.")
    page = client.get(f"/outreach/{item.id}")
    assert "Add what the citizens said." in page.text
    token = client.csrf(f"/outreach/{item.id}")
    response = client.post(
        f"/outreach/{item.id}",
        data={
            "title": "Second draft",
            "body": "Citizens said the token system helps.",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    item = _item(session)
    fresh(session, item)
    assert (item.title, item.status) == ("Second draft", "submitted")
    revision = session.exec(select(OutreachRevision)).one()
    assert (revision.title, revision.body) == ("First draft", "Too short.")
    actions = [
        d.action for d in session.exec(select(OutreachDecision).order_by(OutreachDecision.id))
    ]
    assert actions == ["submitted", "changes", "submitted"]


def test_rejecting_needs_a_reason_and_keeps_the_item(client, make_client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    _publish(client, title="Off topic")
    item = _item(session)
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    _moderate(trainer, c.cohort.id, item.id, "reject", "Not about integrity work.")
    fresh(session, item)
    assert item.status == "rejected" and item.moderation_note == "Not about integrity work."
    assert "Not about integrity work." in client.get(f"/outreach/{item.id}").text
    assert "Off topic" not in make_client().get(f"/showcase/{c.academy.slug}").text


def test_a_story_with_a_script_is_shown_as_text(client, make_client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    _publish(
        client, title="<script>alert(1)</script>", body="<script>alert(2)</script>", show_name="1"
    )
    item = _item(session)
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    assert "<script>alert" not in trainer.get(f"/cohorts/{c.cohort.id}/outreach").text
    _moderate(trainer, c.cohort.id, item.id, "approve")
    for path in (f"/showcase/{c.academy.slug}", f"/showcase/{c.academy.slug}/{item.public_id}"):
        html = make_client().get(path).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_photo_upload_drops_its_location_and_is_served_after_approval(
    client, make_client, factory, session, settings
):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    response = _publish(
        client,
        kind="image",
        title="Our notice board",
        body="",
        files={"upload": ("board.jpg", _jpeg_with_location(), "image/jpeg")},
    )
    assert response.status_code == 303, response.text[:800]
    item = _item(session)
    assert item.file_type == "image/jpeg"
    assert max(item.image_width, item.image_height) == 1600
    stored = (settings.uploads_dir / "outreach" / item.file_name).read_bytes()
    assert not Image.open(io.BytesIO(stored)).getexif()
    public = make_client()
    path = f"/showcase/{c.academy.slug}/{item.public_id}/file"
    assert public.get(path).status_code == 404  # not approved yet
    assert client.get(f"/outreach/{item.id}/file").status_code == 200
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    _moderate(trainer, c.cohort.id, item.id, "approve")
    served = public.get(path)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    page = public.get(f"/showcase/{c.academy.slug}").text
    assert re.search(
        r'<img class="outreach-image" src="[^"]+" alt="Our notice board"[^>]*width="1600"', page
    )


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(
    client, factory, session, settings
):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    response = _publish(
        client,
        kind="image",
        title="Poster",
        files={"upload": ("poster.png", b"#!/bin/sh\nrm -rf /\n", "image/png")},
    )
    assert response.status_code == 400
    assert "Upload a photo or poster as JPEG, PNG, WebP or PDF." in response.text
    session.commit()
    assert session.exec(select(OutreachItem)).first() is None
    folder = settings.uploads_dir / "outreach"
    assert not folder.exists() or not any(folder.iterdir())
    png = _publish(
        client, kind="image", title="Poster", files={"upload": ("poster.png", _png(), "image/png")}
    )
    assert png.status_code == 303


def test_video_links_must_be_http_or_https(client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    response = _publish(client, kind="video", title="Clip", video_url="javascript:alert(1)")
    assert response.status_code == 400
    assert "starting with https://" in response.text
    ok = _publish(client, kind="video", title="Clip", video_url="https://video.example/watch?v=1")
    assert ok.status_code == 303
    assert _item(session).video_url == "https://video.example/watch?v=1"


def test_withdrawn_items_leave_the_showcase_but_are_kept(client, make_client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    _publish(client, title="Short-lived")
    item = _item(session)
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    _moderate(trainer, c.cohort.id, item.id, "approve")
    assert "Short-lived" in make_client().get(f"/showcase/{c.academy.slug}").text
    client.post_form(f"/outreach/{item.id}/withdraw", token_from=f"/outreach/{item.id}")
    assert "Short-lived" not in make_client().get(f"/showcase/{c.academy.slug}").text
    fresh(session, item)
    assert item.status == "withdrawn"


def test_only_the_author_and_the_cohorts_trainers_open_an_item(
    client, make_client, factory, session
):
    c = factory.cohort(trainees=2)
    client.login(c.trainees[0].email)
    _publish(client)
    item = _item(session)
    peer = make_client()
    peer.login(c.trainees[1].email)
    assert peer.get(f"/outreach/{item.id}").status_code == 404
    assert peer.post_form(f"/outreach/{item.id}/withdraw").status_code == 404
    other = factory.cohort(trainees=1)
    stranger = make_client()
    stranger.login(other.trainers[0].email)
    assert stranger.get(f"/outreach/{item.id}").status_code == 404
    assert _moderate(stranger, c.cohort.id, item.id, "approve").status_code == 404
    assert _moderate(stranger, other.cohort.id, item.id, "approve").status_code == 404


def test_showcase_index_lists_academies(client, factory):
    a, b = factory.cohort(trainees=1), factory.cohort(trainees=1)
    page = client.get("/showcase").text
    assert f'href="/showcase/{a.academy.slug}"' in page
    assert f'href="/showcase/{b.academy.slug}"' in page
