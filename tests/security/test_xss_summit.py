"""Stored XSS through every free-text field of the summit: summit title, venue and
welcome; room, session, guest and affiliation names; every pitch field; mentor comments
and the organisers' change note; judge names and departments, judges' notes; award
names. Checked in every page that shows them and in every PDF (printed as text, with no
script or link action), and in the CSV (no spreadsheet formula)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from iil_lms.summit import judging, outputs, pitches, planning, service
from iil_lms.summit.models import ScoringState
from tests.pdf_text import pdf_text
from tests.security.html_checks import executable_markup, visible_text
from tests.security.test_xss import PAYLOADS, SHORT
from tests.security.world import build_world, client_for
from tests.summit.factories import SUMMIT_DAY, fields


def short(name: str) -> str:
    return f"XSS-{name} {SHORT}"


def stored(name: str) -> str:
    return f"XSS-{name} " + " ".join(PAYLOADS)


def _seed(session, settings, engine):
    world = build_world(session, settings, engine)
    organiser, trainee, mentor = (
        world.users["organiser"],
        world.users["trainee_a"],
        world.users["mentor_a"],
    )
    summit = service.create_summit(
        session,
        cohort_id=world.cohort_a.id,
        actor_id=organiser.id,
        fields=fields(title=short("summit"), venue=short("venue"), welcome=stored("welcome")),
    )
    room = service.add_room(session, summit, name=short("room"), capacity=30)
    service.add_session(
        session,
        summit,
        label=short("session"),
        day=SUMMIT_DAY,
        starts="09:00",
        ends="11:00",
        is_break=False,
    )
    service.add_guest(session, summit, name=short("guest"), affiliation=short("affiliation"))
    pitch = pitches.start_pitch(session, summit, owner_id=trainee.id)
    values = {name: stored(f"pitch-{name}")[:limit] for name, _l, limit in pitches.FIELDS}
    values["title"] = short("pitch-title")
    values["summary"] = short("pitch-summary")
    pitches.save_draft(session, pitch, user_id=trainee.id, values=values, mentor_attends=False)
    pitches.submit_pitch(session, summit, pitch, user_id=trainee.id)
    pitches.comment(session, summit, pitch, author_id=mentor.id, body=stored("comment"))
    pitches.decide(
        session, summit, pitch, actor_id=organiser.id, decision="changes", note=short("note")
    )
    pitches.submit_pitch(session, summit, pitch, user_id=trainee.id)
    pitches.decide(session, summit, pitch, actor_id=organiser.id, decision="shortlist")
    judge, token = judging.invite_judge(
        session, summit, room_id=room.id, name=short("judge"), department=short("department")
    )
    planning.run_schedule(session, summit, actor_id=organiser.id)
    judging.set_rubric(
        session, summit, text=short("criterion") + "\nFeasibility", actor_id=organiser.id
    )
    judging.set_scoring(session, summit, state=ScoringState.OPEN, actor_id=organiser.id)
    judging.save_score(
        session,
        summit,
        judge,
        pitch_id=pitch.id,
        scores=dict.fromkeys(summit.rubric, 3),
        notes={summit.rubric[0]: short("judge-note")},
    )
    judging.record_award(session, summit, pitch_id=pitch.id, name=short("award"), actor_id=1)
    session.commit()
    return world, summit, pitch, token


def _check(page, markers, what):
    assert page.status_code == 200, f"{what}: {page.status_code}"
    assert executable_markup(page.text) == [], f"{what}: {executable_markup(page.text)}"
    text = visible_text(page.text)
    for marker in markers:
        assert f"XSS-{marker}" in text, f"{what}: {marker} not shown"


def test_summit_payloads_render_as_text_on_every_page(app, session, settings, engine):
    world, summit, pitch, token = _seed(session, settings, engine)
    base = f"/summits/{summit.id}"
    visits = {
        "organiser": [
            ("/summits", ["summit", "venue"]),
            (f"{base}/setup", ["summit", "room", "session", "guest", "affiliation", "welcome"]),
            (f"{base}/pitches", ["pitch-title", "pitch-summary"]),
            (f"{base}/schedule", ["pitch-title", "room"]),
            (f"{base}/judges", ["judge", "department"]),
            (f"{base}/results", ["pitch-title", "award", "criterion"]),
            (f"/pitches/{pitch.id}", ["pitch-title", "pitch-problem", "comment", "note"]),
        ],
        "trainee_a": [
            (f"/pitches/{pitch.id}", ["pitch-title", "pitch-idea", "comment", "note"]),
            ("/notifications", ["pitch-title", "note"]),
        ],
        "mentor_a": [
            ("/mentee-pitches", ["pitch-title", "summit"]),
            ("/notifications", ["pitch-title", "summit"]),
        ],
        "anonymous": [
            (f"/judge/{token}", ["pitch-title", "pitch-summary", "room", "judge"]),
            (f"/judge/{token}/pitches/{pitch.id}", ["pitch-evidence", "judge-note", "criterion"]),
        ],
    }
    for role, pages in visits.items():
        who = client_for(app, world, role)
        with who.client:
            for path, markers in pages:
                _check(who.client.get(path), markers, f"{role} {path}")


def test_summit_pdfs_print_payloads_as_text_without_actions(session, settings, engine):
    _world, summit, _pitch, _token = _seed(session, settings, engine)
    programme = outputs.build_programme(session, summit)
    rows = judging.results(session, summit)
    for name, pdf, markers in (
        (
            "programme",
            outputs.programme_pdf(programme, "en"),
            ["summit", "pitch-summary", "guest", "judge", "welcome"],
        ),
        ("doors", outputs.door_sheets_pdf(programme, "en"), ["room", "pitch-title"]),
        ("judges", outputs.judges_sheets_pdf(programme, "en"), ["room", "pitch-title"]),
        (
            "record",
            outputs.score_record_pdf(programme, rows, "en"),
            ["pitch-title", "award", "judge"],
        ),
    ):
        flat = " ".join(pdf_text(pdf).split())
        for marker in markers:
            assert f"XSS-{marker}" in flat, f"{name}: {marker} not printed"
        assert "<svg onload=alert(1)>" in flat or '"><img src=x onerror=alert(1)>' in flat
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert "/OpenAction" not in root and "/AA" not in root, name
        assert "/JavaScript" not in (root.get("/Names") or {}), name
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                assert action.get("/S") not in ("/JavaScript", "/Launch"), name


def test_summit_csv_cells_never_start_a_formula(session, settings, engine):
    _world, summit, pitch, _token = _seed(session, settings, engine)
    pitch.title = '=HYPERLINK("http://evil.example")'
    session.add(pitch)
    session.commit()
    programme = outputs.build_programme(session, summit)
    assert "'=HYPERLINK" in outputs.schedule_csv(programme)
    assert "'=HYPERLINK" in judging.score_record_csv(summit, judging.results(session, summit))
