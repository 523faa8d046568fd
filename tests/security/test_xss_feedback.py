"""Stored XSS through the free text of feedback surveys read together: trainees'
comments, the survey's statements and questions (curriculum text), self-declared GESI
values in the group filter, and the trainers' "you said, we did" response, on the
results page, the list, the trainee's survey page and in the exports."""

from __future__ import annotations

from iil_lms.curriculum.models import Exercise
from tests.reports.helpers import answer, declare, surveys
from tests.security.html_checks import executable_markup, visible_text
from tests.security.test_xss import PAYLOADS

SMALL = "<img src=x onerror=alert(1)>"


def stored(field: str) -> str:
    return f"XSS-{field} " + "\n\n".join(PAYLOADS)


def _check(page, markers, what):
    assert page.status_code == 200, f"{what}: {page.status_code}"
    assert executable_markup(page.text) == [], f"{what}: {executable_markup(page.text)}"
    text = visible_text(page.text)
    for marker in markers:
        assert f"XSS-{marker}" in text, f"{what}: {marker} not shown"


def test_survey_texts_render_as_text_everywhere(factory, session, client, make_client):
    c = factory.cohort(trainees=10, circles=1)
    made = surveys(session, c.cohort.id)
    survey = session.get(Exercise, made.first.id)
    survey.title = f"XSS-title {SMALL}"
    survey.spec = {
        "statements": [f"XSS-statement {SMALL}", "Plain."],
        "questions": [f"XSS-question {SMALL}"],
    }
    session.add(survey)
    session.commit()
    for i, trainee in enumerate(c.trainees):
        declare(session, c.memberships[(trainee.id, "trainee")], gender=SMALL if i < 5 else "x")
        answer(session, c.cohort.id, trainee.id, made.first, [3, 4], stored(f"comment{i}"))
    client.login(c.trainers[0].email)
    url = f"/cohorts/{c.cohort.id}/feedback/{made.first.id}"
    reply = client.post_form(url + "/replies", {"body": stored("reply")}, token_from=url)
    assert reply.status_code == 303
    _check(client.get(url), ["title", "statement", "question", "comment0", "reply"], "results")
    filtered = client.get(url, params={"group": f"gender:{SMALL}"})
    _check(filtered, ["title", "statement"], "results of a group")
    assert SMALL in visible_text(filtered.text)
    _check(client.get(f"/cohorts/{c.cohort.id}/feedback"), ["title"], "survey list")
    refused = client.post_form(url + "/replies", {"body": " "}, token_from=url)
    assert executable_markup(refused.text) == []
    trainee = make_client()
    trainee.login(c.trainees[0].email)
    _check(trainee.get(f"/journey/exercises/{made.first.id}"), ["reply", "statement"], "journey")
    export = client.get(url + "/results.csv").content.decode("utf-8-sig")
    assert "XSS-comment0" in export and "XSS-statement" in export
