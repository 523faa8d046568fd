"""The JSON API on a hand-built cohort: each endpoint answers what the matching page
shows, to whom the page shows it, with JSON errors that say what is wrong."""

from __future__ import annotations

import html
import re

from sqlalchemy import func
from sqlmodel import select

from iil_lms.accounts.models import User
from iil_lms.api import tokens
from iil_lms.cohorts.models import Membership
from iil_lms.db import utcnow
from tests.api.helpers import bearer, token_for
from tests.cohorts.roster_files import csv_bytes, people
from tests.learning.test_progress import crafted
from tests.reports.helpers import answer, surveys

HIDDEN = "Fewer than 5 answers: hidden to protect anonymity."


def test_cohorts_lists_only_the_persons_cohorts_with_their_roles(client, factory, session):
    a = factory.cohort(trainees=1, name="Lahore 2026")
    b = factory.cohort(trainees=1, name="Kathmandu 2026")
    token = token_for(session, a.trainers[0], tokens.READ)
    listed = client.get("/api/v1/cohorts", headers=bearer(token))
    assert listed.status_code == 200
    assert [(c["name"], c["roles"]) for c in listed.json()] == [("Lahore 2026", ["trainer"])]
    one = client.get(f"/api/v1/cohorts/{a.cohort.id}", headers=bearer(token)).json()
    assert one["academy"] == a.academy.name and one["starts_on"] == "2026-09-07"
    assert one["archived"] is False
    # another cohort: as on the pages, its existence is not revealed
    other = client.get(f"/api/v1/cohorts/{b.cohort.id}", headers=bearer(token))
    assert other.status_code == 404
    assert "not one of your cohorts" in other.json()["detail"]
    admin = factory.user(is_admin=True)
    names = [
        c["name"]
        for c in client.get("/api/v1/cohorts", headers=bearer(token_for(session, admin))).json()
    ]
    assert sorted(names) == ["Kathmandu 2026", "Lahore 2026"]


def test_a_malformed_id_is_a_422_naming_it(client, factory, session):
    c = factory.cohort()
    token = token_for(session, c.trainers[0])
    answer_ = client.get("/api/v1/cohorts/abc", headers=bearer(token))
    assert answer_.status_code == 422
    assert answer_.json()["detail"][0]["loc"] == ["path", "cohort_id"]
    assert client.get(f"/api/v1/cohorts/{2**64}", headers=bearer(token)).status_code == 422
    assert client.get("/api/v1/cohorts/999999", headers=bearer(token)).status_code == 404


def test_roster_is_for_trainers_as_on_the_roster_page(client, factory, session):
    c = factory.cohort(trainees=2, circles=1)
    trainer = token_for(session, c.trainers[0], tokens.READ)
    roster = client.get(f"/api/v1/cohorts/{c.cohort.id}/roster", headers=bearer(trainer))
    assert roster.status_code == 200
    trainees = roster.json()["trainees"]
    assert [t["email"] for t in trainees] == sorted(u.email for u in c.trainees)
    assert trainees[0]["circle"] == "Circle 1" and trainees[0]["district"] == "Lahore"
    for who in (c.trainees[0], c.mentors[0], c.organisers[0]):
        refused = client.get(
            f"/api/v1/cohorts/{c.cohort.id}/roster", headers=bearer(token_for(session, who))
        )
        assert refused.status_code == 403, who.email
        assert refused.json()["detail"] == "Your roles do not allow this."


def _api_import(client, token, cohort_id, rows):
    body = {
        "rows": [
            {
                "name": r["name"],
                "email": r["email"],
                "department": r["department"],
                "service_group": r["service group"],
                "district": r["district"],
                "province": r["province"],
                "circle": r["learning circle"],
                "language": r["preferred language"],
            }
            for r in rows
        ]
    }
    return client.post(f"/api/v1/cohorts/{cohort_id}/roster", json=body, headers=bearer(token))


def _page_problems(client, cohort_id, rows):
    """(row, column label, message) from the page's preview of the same rows as a CSV."""
    upload = client.post(
        f"/cohorts/{cohort_id}/roster/upload",
        data={"csrf_token": client.csrf(f"/cohorts/{cohort_id}/roster")},
        files={"file": ("roster.csv", csv_bytes(rows), "text/csv")},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    page = client.get(upload.headers["location"]).text
    table = page.split('class="problems"')[1].split("</table>")[0]
    return re.findall(
        r'<tr><th scope="row">(\d+)</th><td>[^<]*</td><td dir="auto">[^<]*</td><td>([^<]*)</td>',
        table,
    )


def _as_page_counts(message):
    return re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) + 1}", message)


def _members(session):
    session.rollback()
    return session.exec(select(func.count()).select_from(Membership)).one()


def test_roster_import_refuses_the_same_rows_as_the_page_and_writes_nothing(
    client, factory, session
):
    c = factory.cohort(trainees=0, circles=0)
    trainer = c.trainers[0]
    rows = people(6)
    rows[1]["email"] = "nobody"
    rows[3]["preferred language"] = "Klingon"
    rows[4]["email"] = rows[0]["email"].upper()
    rows[5]["name"] = ""
    client.login(trainer.email)
    on_page = _page_problems(client, c.cohort.id, rows)
    before = _members(session)
    users_before = session.exec(select(func.count()).select_from(User)).one()
    refused = _api_import(client, token_for(session, trainer), c.cohort.id, rows)
    assert refused.status_code == 422
    problems = refused.json()["detail"]
    # the same rows (the page counts the header as row 1), fields and messages
    # the same rows, fields and messages; the page counts the header as row 1, the API
    # counts the rows it was sent
    assert [(p["row"] + 1, _as_page_counts(p["msg"])) for p in problems] == [
        (int(row), html.unescape(message)) for row, message in on_page
    ]
    assert [(p["row"], p["field"]) for p in problems] == [
        (2, "email"),
        (4, "language"),
        (5, "email"),
        (6, "name"),
    ]
    assert problems[0]["loc"] == ["body", "rows", 1, "email"]
    assert _members(session) == before
    assert session.exec(select(func.count()).select_from(User)).one() == users_before


def test_roster_import_adds_everyone_like_the_page_and_is_audited(client, factory, session):
    c = factory.cohort(trainees=0, circles=0)
    token = token_for(session, c.trainers[0])
    imported = _api_import(client, token, c.cohort.id, people(4))
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"invited": 4, "enrolled": 0, "unchanged": 0, "circles_created": 3}
    roster = client.get(f"/api/v1/cohorts/{c.cohort.id}/roster", headers=bearer(token)).json()
    assert len(roster["trainees"]) == 4 and all(t["invited"] for t in roster["trainees"])
    # the same file again changes nothing
    again = _api_import(client, token, c.cohort.id, people(4))
    assert again.json()["unchanged"] == 4
    from iil_lms.accounts.models import AuditEntry

    session.rollback()
    actions = session.exec(select(AuditEntry.action, AuditEntry.actor_id)).all()
    assert ("roster.import", c.trainers[0].id) in actions


def test_an_empty_import_or_an_archived_cohort_is_refused(client, factory, session):
    c = factory.cohort(trainees=0, circles=0)
    token = token_for(session, c.trainers[0])
    empty = client.post(
        f"/api/v1/cohorts/{c.cohort.id}/roster", json={"rows": []}, headers=bearer(token)
    )
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["msg"] == "There are no rows to import."
    not_json = client.post(
        f"/api/v1/cohorts/{c.cohort.id}/roster", content=b"name,email", headers=bearer(token)
    )
    assert not_json.status_code == 422
    c.cohort.archived_at = utcnow()
    session.add(c.cohort)
    session.commit()
    archived = _api_import(client, token, c.cohort.id, people(1))
    assert archived.status_code == 409
    assert "archived" in archived.json()["detail"]


def test_progress_gives_each_trainees_milestone_statuses_as_the_grid(client, factory, session):
    w = crafted(session, factory)
    token = token_for(session, w.made.trainers[0], tokens.READ)
    response = client.get(f"/api/v1/cohorts/{w.made.cohort.id}/progress", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["has_plan"] is True and body["trainee_count"] == 3
    statuses = {t["user_id"]: [m["status"] for m in t["milestones"]] for t in body["trainees"]}
    assert statuses == {
        w.a.id: ["done", "overdue", "not_started"],
        w.b.id: ["in_progress", "done", "not_started"],
        w.c.id: ["not_started", "overdue", "not_started"],
    }
    a = next(t for t in body["trainees"] if t["user_id"] == w.a.id)
    assert a["mentor"] == w.made.mentors[0].display_name and a["circle"] == "Circle 1"
    second = body["milestones"][1]
    assert (second["done"], second["overdue"], second["planned_for"]) == (1, 2, 3)
    # organisers see it too; mentors and trainees do not (as the progress page)
    organiser = token_for(session, w.made.organisers[0])
    assert (
        client.get(
            f"/api/v1/cohorts/{w.made.cohort.id}/progress", headers=bearer(organiser)
        ).status_code
        == 200
    )
    mentor = token_for(session, w.made.mentors[0])
    assert (
        client.get(
            f"/api/v1/cohorts/{w.made.cohort.id}/progress", headers=bearer(mentor)
        ).status_code
        == 403
    )


def test_survey_results_are_suppressed_under_five_as_on_screen(client, factory, session):
    c = factory.cohort(trainees=6, circles=2)
    made = surveys(session, c.cohort.id)
    for trainee in c.trainees[:4]:
        answer(session, c.cohort.id, trainee.id, made.first, [1, 2], "Secret words")
    for i, trainee in enumerate(c.trainees):
        answer(session, c.cohort.id, trainee.id, made.second, [5, 1 + i % 5], f"Comment {i}")
    token = token_for(session, c.trainers[0], tokens.READ)
    base = f"/api/v1/cohorts/{c.cohort.id}/surveys"
    listed = client.get(base, headers=bearer(token)).json()
    assert [(s["respondents"], s["shown"]) for s in listed] == [(4, False), (6, True)]
    hidden = client.get(f"{base}/{made.first.id}/results", headers=bearer(token))
    assert hidden.status_code == 200
    body = hidden.json()
    assert body["hidden"] == HIDDEN
    assert body["statements"] == [] and body["respondents"] == 0
    assert all(q["comments"] is None for q in body["comments"])
    assert "Secret words" not in hidden.text
    assert body["overall_trend"][0]["average"] is None
    shown = client.get(f"{base}/{made.second.id}/results", headers=bearer(token)).json()
    assert shown["hidden"] is None and shown["respondents"] == 6
    assert shown["statements"][0]["counts"] == [0, 0, 0, 0, 6]
    assert shown["statements"][1]["average"] == 2.67
    assert sorted(x["text"] for x in shown["comments"][0]["comments"]) == [
        f"Comment {i}" for i in range(6)
    ]
    # one circle of three: hidden, as the page hides it
    circle = c.circles[0].id
    grouped = client.get(
        f"{base}/{made.second.id}/results",
        params={"group": f"circle:{circle}"},
        headers=bearer(token),
    ).json()
    assert grouped["hidden"] and grouped["statements"] == []
    assert (
        client.get(
            f"{base}/{made.second.id}/results", params={"group": "bad"}, headers=bearer(token)
        ).status_code
        == 422
    )
    unknown = client.get(f"{base}/{made.reflection.id}/results", headers=bearer(token))
    assert unknown.status_code == 404 and "No such survey" in unknown.json()["detail"]


def test_the_openapi_document_describes_every_api_route_with_bearer_tokens(client):
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/cohorts",
        "/api/v1/cohorts/{cohort_id}",
        "/api/v1/cohorts/{cohort_id}/roster",
        "/api/v1/cohorts/{cohort_id}/progress",
        "/api/v1/cohorts/{cohort_id}/surveys",
        "/api/v1/cohorts/{cohort_id}/surveys/{exercise_id}/results",
        "/api/v1/certificates/{code}",
    ):
        assert path in paths, path
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token, made on your account page (/account).",
    }
    assert paths["/api/v1/cohorts"]["get"]["security"] == [{"token": []}]
    assert "security" not in paths["/api/v1/certificates/{code}"]["get"]
    assert "/account/api-tokens" not in paths
