"""The demo gives every feedback survey of the Pakistan cohort that has opened enough
answers for its results page to show figures and comments, and the first survey a
trainer's response."""

from __future__ import annotations

from sqlmodel import Session, select

from iil_lms.cohorts.models import Cohort
from iil_lms.demo import DEFAULT_PASSWORD
from iil_lms.reports import surveys
from tests.test_demo import run_demo


def test_demo_surveys_have_five_answers_or_more_and_a_response(engine, client):
    run_demo(engine)
    with Session(engine) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
        found = surveys.cohort_surveys(session, cohort)
        assert len(found) >= 5
        opened = [s for s in found if s.respondents]
        assert opened
        assert all(s.respondents >= surveys.MIN_GROUP for s in opened)
        first = surveys.survey_results(session, cohort, found[0].exercise_id)
        assert first.replies and not first.hidden
        assert any(comments for _q, comments in first.comments)
        assert any(
            not surveys.survey_results(session, cohort, found[0].exercise_id, g.key).hidden
            for g in first.groups["circle"]
        )
    client.login("trainer1@csa-pk.example.org", DEFAULT_PASSWORD)
    page = client.get(f"/cohorts/{cohort.id}/feedback/{found[0].exercise_id}")
    assert page.status_code == 200 and "data-count" in page.text
