"""Printed and exported outputs: the PDFs carry the schedule's text, the iCalendar feeds
parse, the CSV and frab JSON hold every scheduled pitch."""

from __future__ import annotations

import csv
import io
import json

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from iil_lms.summit import judging, outputs, planning, service
from iil_lms.summit.models import ScoringState
from tests.pdf_text import pdf_text
from tests.summit.factories import make_summit


@pytest.fixture
def programme(session, factory):
    cohort = factory.cohort(trainees=5, organisers=1)
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser)
    judging.invite_judge(session, made.summit, room_id=made.rooms[0].id, name="Justice Shah")
    service.add_guest(session, made.summit, name="Ms Guest", affiliation="Ombudsman")
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    session.commit()
    return outputs.build_programme(session, made.summit)


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


@pytest.fixture
def crowded_room(session, factory):
    """One room with a pitch in each of its 24 slots: more than an A4 or A5 page holds."""
    cohort = factory.cohort(trainees=24, organisers=1)
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser, rooms=1)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    session.commit()
    return outputs.build_programme(session, made.summit)


def _continued(pages: list[str], first_title: str) -> list[str]:
    """The pages after the one where a room's sheet starts (found by its first pitch)."""
    start = next(n for n, text in enumerate(pages) if first_title in text)
    return pages[start + 1 :]


def test_a_door_sheet_running_over_a_page_names_its_room_and_columns_again(crowded_room):
    pages = _pages(outputs.door_sheets_pdf(crowded_room, "en"))
    first = crowded_room.by_room(crowded_room.rooms[0].id)[0].title
    door = [text for text in pages if "Presenters" in text and "Pitch schedule" in text]
    continued = _continued(door, f"{first} ")
    assert continued, "the room's 24 pitches should run over one A4 page"
    for text in continued:
        assert "Room 1, continued" in text and "Time Pitch Presenters" in text
    assert "continued" not in door[0]


def test_a_judges_sheet_running_over_a_page_names_its_room_again(crowded_room):
    pages = _pages(outputs.judges_sheets_pdf(crowded_room, "en"))
    assert len(pages) > 1
    assert "continued" not in pages[0]
    for text in pages[1:]:
        assert "Room 1, continued" in text and "Integrity impact" in text


def test_the_booklets_pitch_pages_carry_their_room_as_running_head(crowded_room):
    pages = _pages(outputs.programme_pdf(crowded_room, "en"))
    start = next(n for n, text in enumerate(pages) if "The pitches" in text)
    last = next(n for n, text in enumerate(pages) if "Pitch 24 in one line" in text)
    assert last > start, "the room's pitches should run over one A5 page"
    for text in pages[start + 1 : last + 1]:
        assert text.startswith("Room 1") or " Room 1 " in f" {text} "
    notes = [text for text in pages[last + 1 :] if "Notes" in text]
    assert notes and "Room 1" not in notes[0], "the running head ends with the pitches"


def test_door_sheets_show_each_room_its_pitches_and_presenters(programme):
    text = _flat(outputs.door_sheets_pdf(programme, "en"))
    assert "Pitch schedule" in text
    for entry in programme.entries:
        assert entry.title in text
    assert "Room 1" in text and "Room 2" in text and "Justice Shah" in text


def test_judges_sheets_carry_the_rubric(programme):
    text = _flat(outputs.judges_sheets_pdf(programme, "en"))
    assert "Integrity impact" in text and "Pitch 1" in text


def test_programme_booklet_has_cover_timetable_pitches_judges_guests_and_notes(programme):
    text = _flat(outputs.programme_pdf(programme, "en"))
    for heading in ("Welcome", "Timetable", "The pitches", "Judges", "Guests", "Notes"):
        assert heading in text
    assert "Pitch 3 in one line" in text and "Ms Guest, Ombudsman" in text


def test_summit_calendar_parses_with_one_event_per_pitch(programme):
    parsed = Calendar.from_ical(outputs.calendar(programme))
    events = list(parsed.walk("VEVENT"))
    assert len(events) == len(programme.entries) == 5
    assert {str(e["summary"]) for e in events} == {e.title for e in programme.entries}


def test_a_persons_calendar_holds_only_their_pitch(programme):
    mine = outputs.person_entries(programme, programme.entries[0].member_ids[0], set())
    events = list(Calendar.from_ical(outputs.calendar(programme, mine)).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [programme.entries[0].title]


def test_csv_lists_room_times_pitch_team_and_judges(programme):
    rows = list(csv.DictReader(io.StringIO(outputs.schedule_csv(programme))))
    assert len(rows) == 5
    assert set(rows[0]) == {"room", "start", "end", "pitch", "team members", "judges"}
    assert any(r["judges"] == "Justice Shah" for r in rows)


def test_frab_json_has_days_rooms_and_events(programme):
    data = json.loads(outputs.schedule_json(programme))
    conference = data["schedule"]["conference"]
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert len(events) == 5 and events[0]["duration"] == "00:10"
    assert {r["name"] for r in conference["rooms"]} == {"Room 1", "Room 2"}


def test_score_record_pdf_lists_judges_scores_and_awards(session, programme):
    summit = programme.summit
    room_one = [e for e in programme.entries if e.room_id == programme.rooms[0].id]
    judge = judging.judges_of(session, summit.id)[0]
    organiser_id = 1
    judging.set_scoring(session, summit, state=ScoringState.OPEN, actor_id=organiser_id)
    judging.save_score(
        session,
        summit,
        judge,
        pitch_id=room_one[0].pitch_id,
        scores=dict.fromkeys(summit.rubric, 5),
        notes={},
    )
    judging.set_scoring(session, summit, state=ScoringState.CLOSED, actor_id=organiser_id)
    judging.record_award(
        session, summit, pitch_id=room_one[0].pitch_id, name="Best idea", actor_id=organiser_id
    )
    text = _flat(outputs.score_record_pdf(programme, judging.results(session, summit), "en"))
    assert "Justice Shah" in text and "Best idea" in text and "5.00" in text
