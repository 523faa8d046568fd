"""A survey's computed results are kept between views (issue 18's speed target), and
what changes them shows on the very next view: a new answer, a new version of one, a
"you said, we did" response, a trainee's changed GESI declaration."""

from __future__ import annotations

from iil_lms.learning.models import Submission, SubmissionStatus
from tests.reports.helpers import answer, declare, surveys
from tests.reports.test_survey_results import _counts


def _setup(factory, session, client):
    c = factory.cohort(trainees=7, circles=1)
    made = surveys(session, c.cohort.id)
    for trainee in c.trainees[:6]:
        answer(session, c.cohort.id, trainee.id, made.first, [5, 5], "Fine")
    client.login(c.trainers[0].email)
    return c, made, f"/cohorts/{c.cohort.id}/feedback/{made.first.id}"


def test_a_new_answer_shows_on_the_next_view(factory, session, client):
    c, made, url = _setup(factory, session, client)
    first = client.get(url).text
    assert _counts(first)[0] == ([0, 0, 0, 0, 6], 5.0)
    assert client.get(url).text == first  # kept
    answer(session, c.cohort.id, c.trainees[6].id, made.first, [1, 1], "Too long")
    after = client.get(url).text
    assert _counts(after)[0] == ([1, 0, 0, 0, 6], 4.43)
    assert "Too long" in after


def test_a_new_version_of_an_answer_replaces_the_old_one_at_once(factory, session, client):
    c, made, url = _setup(factory, session, client)
    client.get(url)
    session.add(
        Submission(
            cohort_id=c.cohort.id,
            user_id=c.trainees[0].id,
            exercise_id=made.first.id,
            version=2,
            content={"ratings": [2, 2], "answers": ["Changed"]},
            status=SubmissionStatus.SCORED,
        )
    )
    session.commit()
    assert _counts(client.get(url).text)[0] == ([0, 1, 0, 0, 5], 4.5)


def test_a_you_said_we_did_response_shows_at_once(factory, session, client):
    _c, _made, url = _setup(factory, session, client)
    assert "we cut two" not in client.get(url).text
    response = client.post_form(
        url + "/replies", {"body": "You said the readings were long: we cut two."}, token_from=url
    )
    assert response.status_code == 303
    assert "we cut two" in client.get(url).text


def test_a_changed_gesi_declaration_changes_the_groups_at_once(factory, session, client):
    c, _made, url = _setup(factory, session, client)
    assert "female" not in client.get(url).text
    for trainee in c.trainees[:6]:
        declare(session, c.memberships[(trainee.id, "trainee")], gender="female")
    page = client.get(url).text
    assert "female" in page
