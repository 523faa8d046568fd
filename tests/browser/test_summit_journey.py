"""The organiser's summit, from an empty summit to a printed programme: rooms and a
session, shortlisting, the automatic schedule, a hand move whose clash is refused live,
a guest judge who scores on a phone by their personal link, scoring closed, the score
record published and the programme printed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session

from iil_lms.summit import pitches
from iil_lms.summit.models import Summit
from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey
from tests.browser.people import PAKISTAN

pytestmark = pytest.mark.browser
ORGANISER = "organiser1@csa-pk.example.org"
SUMMIT_DAY = "2027-06-24"


def _two_mentees_and_two_others(engine, variant_index: int) -> list[int]:
    """Trainees with no demo pitch: two of one mentor (whose pitches bring the mentor, so
    they may never share a time) and two others."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.trainee_id, a.mentor_id FROM mentor_assignment a"
                ' JOIN cohort c ON c.id = a.cohort_id JOIN "user" t ON t.id = a.trainee_id'
                " WHERE c.slug = :slug AND a.ended_at IS NULL ORDER BY t.email"
            ),
            {"slug": PAKISTAN},
        ).all()
    pool = rows[200 + 12 * variant_index : 200 + 12 * (variant_index + 1)]
    mentor = pool[0][1]
    same = [t for t, m in pool if m == mentor][:2]
    others = [t for t, m in pool if m != mentor][:2]
    assert len(same) == 2 and len(others) == 2, "the demo cohort lacks mentees for the test"
    return same + others


def _seed_pitches(engine, summit_id: int, trainee_ids: list[int]) -> list[int]:
    """What trainees would have sent by the deadline (through the services)."""
    made = []
    with Session(engine) as session:
        summit = session.get(Summit, summit_id)
        assert summit is not None
        for n, trainee_id in enumerate(trainee_ids):
            pitch = pitches.start_pitch(session, summit, owner_id=trainee_id)
            values = dict.fromkeys(pitches.FIELD_NAMES, "Filled in.")
            values["title"] = f"Browser pitch {n + 1}"
            pitches.save_draft(
                session, pitch, user_id=trainee_id, values=values, mentor_attends=n < 2
            )
            pitches.submit_pitch(session, summit, pitch, user_id=trainee_id)
            made.append(pitch.id or 0)
        session.commit()
    return made


def _placements(engine, summit_id: int) -> dict[int, tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT pitch_id, room_id, starts_at FROM schedule_slot WHERE summit_id = :s"),
            {"s": summit_id},
        ).all()
    return {pitch: (room, str(starts)) for pitch, room, starts in rows}


def test_organiser_runs_a_summit_from_empty_to_printed_programme(
    journey: Journey, live_server: LiveServer
) -> None:
    organiser = journey.person("organiser")
    journey.login(organiser, ORGANISER)
    page = organiser.page
    t = organiser.t
    page.goto("/")
    page.wait_for_url("**/summits")
    journey.check(organiser, "summits")

    title = f"Browser summit {journey.variant}"
    form = page.locator("form[action='/summits']")
    form.get_by_label(t("Title")).fill(title)
    form.get_by_label(t("Venue")).fill("Civil Services Academy")
    form.get_by_label(t("First day")).fill(SUMMIT_DAY)
    form.get_by_label(t("Last day")).fill(SUMMIT_DAY)
    form.get_by_role("button", name=t("Create the summit")).click()
    page.wait_for_url(re.compile(r".*/summits/\d+/setup"))
    summit_id = int(re.search(r"/summits/(\d+)/", page.url).group(1))
    base = f"/summits/{summit_id}"

    for room in ("Hall A", "Hall B"):
        rooms = page.locator(f"form[action='{base}/rooms']")
        rooms.get_by_label(t("Room name")).fill(room)
        rooms.get_by_label(t("Capacity (people)")).fill("40")
        rooms.get_by_role("button", name=t("Add room")).click()
        expect(page.get_by_role("row", name=re.compile(room))).to_be_visible()
    sessions = page.locator(f"form[action='{base}/sessions']")
    sessions.get_by_label(t("Label")).fill("Morning")
    sessions.get_by_label(t("From (hours:minutes)")).fill("09:00")
    sessions.get_by_label(t("To (hours:minutes)")).fill("10:00")
    sessions.get_by_role("button", name=t("Add session")).click()
    expect(page.get_by_role("cell", name=f"Morning {t('Pitches')}")).to_be_visible()
    journey.check(organiser, "setup")

    variant_index = VARIANTS.index(journey.variant)
    ids = _seed_pitches(
        live_server.engine,
        summit_id,
        _two_mentees_and_two_others(live_server.engine, variant_index),
    )

    page.goto(f"{base}/pitches")
    journey.check(organiser, "pitches")
    for pitch_id in ids:
        decision = page.locator(f"form[action='{base}/pitches/{pitch_id}/decision']")
        decision.locator("select[name=decision]").select_option("shortlist")
        decision.get_by_role("button", name=t("Record")).click()
        expect(page.get_by_role("status").first).to_have_text(t("Decision recorded."))

    page.goto(f"{base}/schedule")
    page.get_by_role("button", name=t("Schedule every shortlisted pitch")).click()
    expect(page.locator("table.schedule-grid")).to_be_visible()
    journey.check(organiser, "schedule")

    # The two pitches that bring the same mentor never share a time; moving the first to
    # the second's time in the other room would put the mentor in two places.
    first = ids[0]
    move = page.locator("#move-form")
    move.get_by_label(t("Pitch"), exact=True).select_option(str(first))
    options = move.locator("select[name=target] option")
    labelled = {
        str(options.nth(i).get_attribute("value")): options.nth(i).inner_text()
        for i in range(options.count())
    }
    second_cell = next(v for v, label in labelled.items() if "Browser pitch 2" in label)
    second_room, second_index = second_cell.split(":")
    clash = next(
        v for v in labelled if v.endswith(f":{second_index}") and not v.startswith(second_room)
    )
    target = move.get_by_label(t("To (a taken slot swaps the two pitches)"))
    target.select_option(clash)
    expect(page.locator("#move-check")).to_contain_text(t("This move would break:"))
    move.get_by_role("button", name=t("Move")).click()
    expect(page.locator("#move-refused")).to_be_visible()
    journey.check(organiser, "move-refused")

    free = next(
        v
        for v, label in labelled.items()
        if "(" not in label and not v.endswith(f":{second_index}")
    )
    move = page.locator("#move-form")
    move.get_by_label(t("Pitch"), exact=True).select_option(str(first))
    move.get_by_label(t("To (a taken slot swaps the two pitches)")).select_option(free)
    expect(page.locator("#move-check")).to_contain_text(t("This move keeps every rule."))
    move.get_by_role("button", name=t("Move")).click()
    expect(page.get_by_role("status").first).to_have_text(t("Moved."))

    # A guest judge for the first pitch's room, invited with a personal link.
    page.goto(f"{base}/judges")
    judge_room = _placements(live_server.engine, summit_id)[first][0]
    invite = page.locator(f"form[action='{base}/judges']")
    invite.locator("select[name=room_id]").select_option(str(judge_room))
    invite.get_by_label(t("Name"), exact=True).fill("Guest Judge")
    invite.get_by_role("button", name=t("Invite and show the link")).click()
    link = page.locator("#judge-link").get_attribute("href")
    assert link and "/judge/" in link
    journey.check(organiser, "judges")

    page.goto(f"{base}/results")
    page.get_by_role("button", name=t("Open scoring")).click()
    expect(page.get_by_role("button", name=t("Close scoring"))).to_be_visible()

    # The judge, on a phone set to the journey's language, with no account: the page
    # follows the browser's language.
    phone = journey.browser.new_context(
        base_url=journey.base_url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        locale={"en": "en-GB", "ur": "ur-PK", "ne": "ne-NP"}[journey.variant.language],
    )
    judge = phone.new_page()
    judge.goto(link.replace(journey.base_url, ""))
    expect(judge.get_by_role("heading", level=1)).to_be_visible()
    judge.get_by_role("link", name="Browser pitch 1").click()
    for fieldset in judge.locator("fieldset.score").all():
        fieldset.locator("input[value='4']").check()
    judge.get_by_role("button", name=t("Save scores")).click()
    expect(judge.get_by_role("status").first).to_have_text(
        t("Scores saved. You can change them until scoring closes.")
    )
    overflow = judge.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "the judge's page scrolls sideways on a phone"
    phone.close()

    page.goto(f"{base}/results")
    expect(page.get_by_role("row", name=re.compile("4.00"))).to_be_visible()
    page.get_by_role("button", name=t("Close scoring")).click()
    page.get_by_role("button", name=t("Publish the score record to the cohort")).click()
    expect(page.get_by_role("status").first).to_have_text(t("The score record is published."))
    journey.check(organiser, "results")

    page.goto(f"{base}/outputs")
    journey.check(organiser, "outputs")
    programme = page.request.get(f"{base}/programme.pdf")
    assert programme.ok and programme.body().startswith(b"%PDF")
    page.get_by_role("button", name=t("Mark the programme as printed")).click()
    expect(page.get_by_role("status").first).to_have_text(t("Marked as printed."))
    journey.logout(organiser)
