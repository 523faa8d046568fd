"""The trainer's cohort progress grid and its CSV export: statuses per trainee, the
circle and status filters, sorting, summaries, empty states, escaping, who may open it,
and a fixed number of queries whatever the cohort's size."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.learning import progress
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment
from tests.conftest import CohortFixture, Factory, WebClient
from tests.learning.factories import Course, course, today
from tests.query_count import count_queries

HX = {"HX-Request": "true"}


@dataclass
class Crafted:
    made: CohortFixture
    course: Course
    a: User  # M1 done, M2 overdue, M3 not started; circle 1; has a mentor
    b: User  # M1 in progress, M2 done, M3 not started; circle 2
    c: User  # nothing yet: M1 not started, M2 overdue, M3 not started; circle 1


def submit(
    session: Session, made: CohortFixture, user: User, exercise_id: int | None, status: str
) -> None:
    session.add(
        Submission(
            cohort_id=made.cohort.id or 0,
            user_id=user.id or 0,
            exercise_id=exercise_id or 0,
            content={"answer": "mine"},
            status=status,
        )
    )


def crafted(session: Session, factory: Factory) -> Crafted:
    """Three milestones of one reflection each: the first open and due in two weeks,
    the second due three days ago, the third not open yet."""
    made = factory.cohort(trainees=3, circles=2)
    c = course(session, made.cohort, milestones=3, types=("reflection",))
    m1, m2, m3 = c.modules
    c.plan[m2.id or 0].opens_on = today() - timedelta(days=30)
    c.plan[m2.id or 0].due_on = today() - timedelta(days=3)
    c.plan[m3.id or 0].opens_on = today() + timedelta(days=30)
    c.plan[m3.id or 0].due_on = today() + timedelta(days=60)
    session.add(c.plan[m2.id or 0])
    session.add(c.plan[m3.id or 0])
    a, b, t3 = made.trainees
    ex1 = c.by_module[m1.id or 0][0].id
    ex2 = c.by_module[m2.id or 0][0].id
    submit(session, made, a, ex1, SubmissionStatus.ACCEPTED)
    submit(session, made, b, ex1, SubmissionStatus.SUBMITTED)
    submit(session, made, b, ex2, SubmissionStatus.ACCEPTED)
    session.add(
        MentorAssignment(
            cohort_id=made.cohort.id or 0,
            mentor_id=made.mentors[0].id or 0,
            trainee_id=a.id or 0,
        )
    )
    session.commit()
    return Crafted(made, c, a, b, t3)


def statuses(report: progress.ProgressReport) -> dict[int, list[str | None]]:
    return {row.user_id: [cell.status for cell in row.cells] for row in report.rows}


# --- the service ------------------------------------------------------------------------


def test_each_trainee_gets_each_milestones_status_and_exercises_done(
    session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    report = progress.cohort_progress(session, w.made.cohort.id or 0)
    assert report.has_plan and report.trainee_count == 3
    assert [m.position for m in report.milestones] == [1, 2, 3]
    assert statuses(report) == {
        w.a.id: ["done", "overdue", "not_started"],
        w.b.id: ["in_progress", "done", "not_started"],
        w.c.id: ["not_started", "overdue", "not_started"],
    }
    rows = {r.user_id: r for r in report.rows}
    assert [(c.done, c.total) for c in rows[w.a.id or 0].cells] == [(1, 1), (0, 1), (0, 1)]
    assert [(c.done, c.total) for c in rows[w.b.id or 0].cells] == [(0, 1), (1, 1), (0, 1)]
    assert rows[w.a.id or 0].mentor_name == w.made.mentors[0].display_name
    assert rows[w.b.id or 0].mentor_name is None
    assert rows[w.a.id or 0].circle_name == "Circle 1"
    assert rows[w.b.id or 0].circle_name == "Circle 2"
    second = report.milestones[1]
    assert (second.done, second.overdue, second.planned_for) == (1, 2, 3)
    assert (report.behind, report.finished, report.done, report.total) == (2, 0, 2, 9)


def test_statuses_agree_with_the_journey_maps_milestone_statuses(
    session: Session, factory: Factory
) -> None:
    from iil_lms.learning.journey import milestone_statuses

    w = crafted(session, factory)
    report = progress.cohort_progress(session, w.made.cohort.id or 0)
    for row in report.rows:
        mine = milestone_statuses(session, cohort_id=w.made.cohort.id or 0, user_id=row.user_id)
        assert {
            m.milestone_id: c.status for m, c in zip(report.milestones, row.cells, strict=True)
        } == mine


def test_filters_by_circle_and_by_being_behind(session: Session, factory: Factory) -> None:
    w = crafted(session, factory)
    cohort_id = w.made.cohort.id or 0
    circle_2 = str(w.made.circles[1].id)
    only_b = progress.cohort_progress(session, cohort_id, circle=circle_2)
    assert [r.user_id for r in only_b.rows] == [w.b.id]
    assert only_b.trainee_count == 3 and only_b.filtered
    # the per-milestone summary counts the trainees shown
    assert (only_b.milestones[1].done, only_b.milestones[1].overdue) == (1, 0)
    behind = progress.cohort_progress(session, cohort_id, status="behind")
    assert {r.user_id for r in behind.rows} == {w.a.id, w.c.id}
    on_track = progress.cohort_progress(session, cohort_id, status="on_track")
    assert [r.user_id for r in on_track.rows] == [w.b.id]
    both = progress.cohort_progress(
        session, cohort_id, circle=str(w.made.circles[0].id), status="behind"
    )
    assert {r.user_id for r in both.rows} == {w.a.id, w.c.id}
    assert progress.cohort_progress(session, cohort_id, status="finished").rows == []
    assert progress.cohort_progress(session, cohort_id, circle="none").rows == []
    # unknown values are ignored, not refused
    anything = progress.cohort_progress(session, cohort_id, circle="x", status="?", sort="nope")
    assert len(anything.rows) == 3 and not anything.filtered and anything.sort == "name"
    elsewhere = progress.cohort_progress(session, cohort_id, circle="999999")
    assert len(elsewhere.rows) == 3 and elsewhere.circle == ""


def test_sorts_by_name_circle_mentor_and_most_behind_first(
    session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    cohort_id = w.made.cohort.id or 0
    for user, name in ((w.a, "Zainab"), (w.b, "Bilal"), (w.c, "Asma")):
        user.display_name = name
        session.add(user)
    session.commit()

    def order(sort: str) -> list[str]:
        return [r.name for r in progress.cohort_progress(session, cohort_id, sort=sort).rows]

    assert order("name") == ["Asma", "Bilal", "Zainab"]
    assert order("circle") == ["Asma", "Zainab", "Bilal"]
    assert order("mentor") == ["Zainab", "Asma", "Bilal"]  # without a mentor last
    # two overdue trainees first, the one with fewer exercises done before the other
    assert order("progress") == ["Asma", "Zainab", "Bilal"]


def test_a_cohort_without_a_plan_or_trainees_reports_so(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=2)
    report = progress.cohort_progress(session, made.cohort.id or 0)
    assert not report.has_plan and report.milestones == [] and report.trainee_count == 2
    empty = factory.cohort(trainees=0)
    course(session, empty.cohort, milestones=2)
    report = progress.cohort_progress(session, empty.cohort.id or 0)
    assert report.has_plan and report.trainee_count == 0 and len(report.milestones) == 2


def test_csv_cells_that_start_a_formula_are_quoted() -> None:
    assert progress.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for start in "+-@":
        assert progress.safe_cell(start + "1") == "'" + start + "1"
    assert progress.safe_cell("Ayesha = ok") == "Ayesha = ok"
    assert progress.safe_cell("") == ""


def test_csv_filename_keeps_only_safe_characters() -> None:
    day = date(2026, 11, 23)
    assert progress.csv_filename("lahore-2026", day) == "lahore-2026-progress-2026-11-23.csv"
    assert progress.csv_filename('a"b/c', day) == "a-b-c-progress-2026-11-23.csv"


# --- the pages --------------------------------------------------------------------------


def test_trainer_sees_the_grid_with_summary_statuses_and_links(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    client.login(w.made.trainers[0].email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Progress</h1>" in text
    assert text.count('<th scope="col" class="ms-head">') == 3
    assert "Milestone title 2" in text
    # summary line per milestone, and totals
    assert "Done: 1 of 3" in text and "Overdue: 2" in text
    assert "3 trainees." in text and "Behind: 2." in text
    # status words as text, not colour only
    body = text.split("<tbody>")[1]
    assert body.count('<td class="ms-overdue">Overdue <small>0/1</small></td>') == 2
    assert '<td class="ms-done">Done <small>1/1</small></td>' in body
    assert f'<a href="/mentees/{w.a.id}">' in body  # trainers may open the mentee page
    assert f'href="/cohorts/{w.made.cohort.id}/progress.csv"' in text
    assert 'class="row-behind"' in body
    # the navigation and the cohort page lead here
    assert f'href="/cohorts/{w.made.cohort.id}/progress"' in client.get("/").text
    home = client.get(f"/cohorts/{w.made.cohort.id}").text
    assert f'href="/cohorts/{w.made.cohort.id}/progress"' in home


def test_organiser_sees_the_grid_without_links_to_mentee_pages(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    client.login(w.made.organisers[0].email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress")
    assert page.status_code == 200
    assert w.a.display_name in page.text and "/mentees/" not in page.text
    # ...because the mentee page would refuse them
    assert client.get(f"/mentees/{w.a.id}").status_code == 404


def test_others_are_refused(client: WebClient, session: Session, factory: Factory) -> None:
    w = crafted(session, factory)
    url = f"/cohorts/{w.made.cohort.id}/progress"
    for user, code in ((w.a, 403), (w.made.mentors[0], 403), (factory.user(), 404)):
        client.cookies.clear()
        client.login(user.email)
        assert client.get(url).status_code == code, user.email
        assert client.get(url + ".csv").status_code == code, user.email
    client.cookies.clear()
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_site_admin_may_open_it(client: WebClient, session: Session, factory: Factory) -> None:
    w = crafted(session, factory)
    admin = factory.user(is_admin=True)
    client.login(admin.email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress")
    assert page.status_code == 200 and f'href="/mentees/{w.a.id}"' in page.text


def test_circle_filter_on_the_page_and_htmx_gets_only_the_table(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    client.login(w.made.trainers[0].email)
    circle = w.made.circles[1].id
    url = f"/cohorts/{w.made.cohort.id}/progress?circle={circle}&status=&sort=progress"
    page = client.get(url)
    assert page.status_code == 200
    body = page.text.split("<tbody>")[1]
    assert w.b.display_name in body and w.a.display_name not in body
    assert f'<option value="{circle}" selected>' in page.text
    assert "Showing 1 of 3 trainees." in page.text
    # the CSV link carries the same filters
    assert f"progress.csv?circle={circle}&amp;sort=progress" in page.text
    fragment = client.get(url, headers=HX)
    assert fragment.text.lstrip().startswith('<div id="progress-table">')
    assert "<html" not in fragment.text and w.b.display_name in fragment.text
    restore = client.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_empty_states_for_no_plan_no_trainees_and_no_match(
    client: WebClient, session: Session, factory: Factory
) -> None:
    no_plan = factory.cohort(trainees=2)
    client.login(no_plan.trainers[0].email)
    page = client.get(f"/cohorts/{no_plan.cohort.id}/progress")
    assert page.status_code == 200 and "This cohort has no plan yet" in page.text
    assert f'href="/cohorts/{no_plan.cohort.id}/plan"' in page.text

    nobody = factory.cohort(trainees=0)
    course(session, nobody.cohort, milestones=1)
    client.cookies.clear()
    client.login(nobody.trainers[0].email)
    page = client.get(f"/cohorts/{nobody.cohort.id}/progress")
    assert "There are no trainees in this cohort yet" in page.text

    w = crafted(session, factory)
    client.cookies.clear()
    client.login(w.made.trainers[0].email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress?status=finished")
    assert "No trainee matches these filters." in page.text and "<tbody>" not in page.text


def test_names_are_escaped_in_the_page(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    w.a.display_name = "<script>alert(1)</script>"
    session.add(w.a)
    session.commit()
    client.login(w.made.trainers[0].email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_urdu_page_is_right_to_left(client: WebClient, session: Session, factory: Factory) -> None:
    w = crafted(session, factory)
    trainer = w.made.trainers[0]
    trainer.language = "ur"
    session.add(trainer)
    session.commit()
    client.login(trainer.email)
    page = client.get(f"/cohorts/{w.made.cohort.id}/progress")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text and 'lang="ur"' in page.text


# --- CSV --------------------------------------------------------------------------------


def test_csv_export_has_bom_header_statuses_and_guarded_cells(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    w.a.display_name = '=HYPERLINK("http://evil.example","Click")'
    w.b.display_name = "عائشہ خان"
    session.add(w.a)
    session.add(w.b)
    session.commit()
    client.login(w.made.trainers[0].email)
    response = client.get(f"/cohorts/{w.made.cohort.id}/progress.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    expected_name = f"{w.made.cohort.slug}-progress-{today().isoformat()}.csv"
    assert response.headers["content-disposition"] == f'attachment; filename="{expected_name}"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "Email",
        "Learning circle",
        "Mentor",
        "Milestone 1: Milestone title 1",
        "Milestone 2: Milestone title 2",
        "Milestone 3: Milestone title 3",
        "Exercises done",
        "Exercises assigned",
        "Convening days present",
        "Convening days taken",
        "At risk",
    ]
    by_email = {r[1]: r for r in rows[1:]}
    assert len(by_email) == 3
    a = by_email[w.a.email]
    assert a[0] == '\'=HYPERLINK("http://evil.example","Click")'
    assert a[2:] == [
        "Circle 1",
        w.made.mentors[0].display_name,
        "Done",
        "Overdue",
        "Not started",
        "1",
        "3",
        "0",
        "0",
        "",  # overdue by 3 days only, and active today
    ]
    assert by_email[w.b.email][0] == "عائشہ خان"
    assert by_email[w.b.email][4:7] == ["In progress", "Done", "Not started"]


def test_csv_export_follows_the_filters(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = crafted(session, factory)
    client.login(w.made.organisers[0].email)
    response = client.get(f"/cohorts/{w.made.cohort.id}/progress.csv?status=behind")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {w.a.email, w.c.email}


# --- cost -------------------------------------------------------------------------------


def test_page_and_csv_queries_do_not_grow_with_the_cohort(
    make_client: Any, factory: Factory, session: Session, engine: Engine
) -> None:
    counts: list[tuple[int, int]] = []
    for size in (4, 40):
        made = factory.cohort(trainees=size, mentors=2, circles=3)
        c = course(session, made.cohort, milestones=6)
        for i, trainee in enumerate(made.trainees):
            submit(
                session,
                made,
                trainee,
                c.exercises["reflection"].id,
                SubmissionStatus.ACCEPTED if i % 2 else SubmissionStatus.SUBMITTED,
            )
            session.add(
                MentorAssignment(
                    cohort_id=made.cohort.id or 0,
                    mentor_id=made.mentors[i % 2].id or 0,
                    trainee_id=trainee.id or 0,
                )
            )
        session.commit()
        client = make_client()
        client.login(made.trainers[0].email)
        url = f"/cohorts/{made.cohort.id}/progress"
        client.get(url)  # warm up the curriculum structure cache
        with count_queries(engine) as page_statements:
            page = client.get(url + "?sort=progress")
        assert page.status_code == 200
        assert page.text.split("<tbody>")[1].count("<tr") == size
        with count_queries(engine) as csv_statements:
            assert client.get(url + ".csv").status_code == 200
        counts.append((len(page_statements), len(csv_statements)))
    assert counts[0] == counts[1], counts
