"""An academy's GESI figures: its cohorts' figures summed on a hand-built academy of two
cohorts whose right answers are known; suppression that cannot be undone by subtracting
the other cohorts' pages from the academy's, nor by subtracting within the academy's
page; who may read it; exports that hold the page's numbers; the printable PDF."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.cohorts.models import Academy, Cohort, Membership
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring.models import MentoringLogEntry
from iil_lms.outreach.models import OutreachItem, OutreachStatus
from iil_lms.reports import gesi
from iil_lms.reports.suppression import THRESHOLD
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import course
from tests.pdf_text import pdf_text
from tests.query_count import count_queries
from tests.reports.test_exports import CELL, ROW, csv_rows, text_of, xlsx_rows
from tests.reports.test_gesi import hand_built, table, values

URDU = "لاہور"
NEPALI = "काठमाडौं"
FORMULA = '=HYPERLINK("http://x")'


def second_cohort(session: Session, factory: Factory, academy_id: int) -> CohortFixture:
    """Cohort B of the same academy: 12 trainees, t0-t5 "female" (lower case: the same
    group as cohort A's "Female"), t6-t11 "Male"; all Punjab; t0 declared a disability.
    Milestone 1 finished: t0-t10. Nobody attended a convening. Mentoring sessions: t0-t9.
    Approved outreach: t0-t4. t9's district is written in Urdu, t10's in Nepali, t11's
    looks like a formula."""
    made = factory.cohort(trainees=12, circles=1, trainers=1)
    made.cohort.academy_id = academy_id
    session.add(made.cohort)
    cohort_id = made.cohort.id or 0
    ids = [u.id or 0 for u in made.trainees]
    c = course(session, made.cohort, milestones=2, types=("reflection",))
    districts = {9: URDU, 10: NEPALI, 11: FORMULA}
    for i, user_id in enumerate(ids):
        m = made.memberships[(user_id, "trainee")]
        m.gender = "female" if i < 6 else "Male"
        m.disability = "yes" if i == 0 else ""
        m.district = districts.get(i, "Lahore")
        session.add(m)
    exercise = c.by_module[c.modules[0].id or 0][0]
    for i in range(11):
        session.add(
            Submission(
                cohort_id=cohort_id,
                user_id=ids[i],
                exercise_id=exercise.id or 0,
                content={"answer": "done"},
                status=SubmissionStatus.ACCEPTED,
            )
        )
    for i in range(10):
        session.add(
            MentoringLogEntry(
                cohort_id=cohort_id,
                mentor_id=made.mentors[0].id or 0,
                trainee_id=ids[i],
                held_on=date(2026, 9, 25),
                mode="phone",
            )
        )
    for i in range(5):
        session.add(
            OutreachItem(
                public_id=f"b{i}-{cohort_id}",
                cohort_id=cohort_id,
                author_id=ids[i],
                kind="story",
                title="A story",
                status=OutreachStatus.APPROVED,
            )
        )
    session.commit()
    return made


def two_cohorts(session: Session, factory: Factory) -> tuple[CohortFixture, CohortFixture]:
    """Cohort A is test_gesi's hand-built cohort (12 enrolled); cohort B above joins its
    academy. The academy's trainer: A's first trainer, made a trainer of B as well."""
    a = hand_built(session, factory)
    b = second_cohort(session, factory, a.cohort.academy_id)
    session.add(Membership(cohort_id=b.cohort.id, user_id=a.trainers[0].id, role="trainer"))
    session.commit()
    return a, b


def academy_of(session: Session, a: CohortFixture) -> gesi.GesiReport:
    return gesi.academy_gesi(session, a.cohort.academy_id)


def test_academy_figures_are_its_cohorts_figures_added_up(
    session: Session, factory: Factory
) -> None:
    a, b = two_cohorts(session, factory)
    report = academy_of(session, a)
    assert report.trainee_count == 24
    assert report.columns == [
        "Enrolled",
        "Finished milestone 1",
        "Finished milestone 2",
        "Attended a convening",
        "Met their mentor",
        "Published outreach",
        "Pitched at the summit",
        "Won an award",
    ]
    # A: Female [7, 6, 0, 6, 6, 1, 2, 2], Male [4, 1, 0, 4, 0, 0, 0, 0], Not stated [1, 0...]
    # B: female [6, 6, 0, 0, 6, 5, 0, 0], Male [6, 5, 0, 0, 4, 0, 0, 0]
    assert values(report, "gender") == {
        "Female": [13, 12, 0, 6, 12, 6, 2, 2],
        "Male": [10, 6, 0, 4, 4, 0, 0, 0],
        "Not stated": [1, 0, 0, 0, 0, 0, 0, 0],
        "total": [24, 18, 0, 10, 16, 6, 2, 2],
    }
    assert values(report, "province") == {
        "Punjab": [18, 17, 0, 5, 16, 6, 1, 1],
        "Sindh": [6, 1, 0, 5, 0, 0, 1, 1],
        "total": [24, 18, 0, 10, 16, 6, 2, 2],
    }
    # "Yes" (A's two) and "yes" (B's one) are one group.
    assert values(report, "disability")["Yes"] == [3, 2, 0, 2, 2, 1, 0, 0]


def test_academy_hides_a_sum_whose_part_a_cohort_page_hides(
    session: Session, factory: Factory
) -> None:
    a, b = two_cohorts(session, factory)
    report = academy_of(session, a)
    assert table(report, "gender") == {
        # 13 = 7 + 6 and 12 = 6 + 6 are shown on both cohorts' pages: shown. Female
        # attendance 6 + 0 and mentoring 6 + <5: B hides its part, so hidden here.
        "Female": ["13", "12", "<5", "<5", "<5", "<5", "<5", "<5"],
        # 10 men enrolled: A's 4 is hidden on A's page, and 10 - B's 6 would give it back.
        "Male": ["<5", "<5", "<5", "<5", "<5", "<5", "<5", "<5"],
        "Not stated": ["<5", "<5", "<5", "<5", "<5", "<5", "<5", "<5"],
        # B's nobody-attended (0) is hidden on its page, so the academy's 10 is too.
        "total": ["24", "18", "<5", "<5", "16", "<5", "<5", "<5"],
    }
    assert table(report, "province") == {
        "Punjab": ["18", "<5", "<5", "<5", "<5", "<5", "<5", "<5"],
        "Sindh": ["6", "<5", "<5", "5", "<5", "<5", "<5", "<5"],
        "total": ["24", "18", "<5", "<5", "16", "<5", "<5", "<5"],
    }


def _cells(report: gesi.GesiReport) -> dict[tuple[str, str, str], gesi.Figure]:
    """Every figure of a report by (dimension, group, column)."""
    found = {}
    for t in report.tables:
        for key, row in [*((r.key, r) for r in t.rows), ("*total*", t.total)]:
            for column, figure in zip(report.column_keys, row.figures, strict=True):
                found[(t.dimension, key, column)] = figure
    return found


def test_no_hidden_cohort_figure_comes_back_from_the_academy_minus_the_other_cohorts(
    session: Session, factory: Factory
) -> None:
    a, b = two_cohorts(session, factory)
    pages = {
        "a": _cells(gesi.cohort_gesi(session, a.cohort.id or 0)),
        "b": _cells(gesi.cohort_gesi(session, b.cohort.id or 0)),
    }
    academy = _cells(academy_of(session, a))
    recovered = 0
    for where, figure in academy.items():
        for cohort, other in (("a", "b"), ("b", "a")):
            mine = pages[cohort].get(where)
            if mine is None or not mine.hidden:
                continue
            # The attack: the academy's figure minus the other cohort's shown figure.
            theirs = pages[other].get(where)
            if not figure.hidden and (theirs is None or not theirs.hidden):
                recovered += 1
    assert recovered == 0
    # And the attack is real: summed naively, A's 4 men would come back as 10 - 6.
    male = ("gender", "male", "enrolled")
    assert pages["a"][male].hidden and not pages["b"][male].hidden
    assert academy[male].value - pages["b"][male].value == pages["a"][male].value == 4
    assert academy[male].hidden


@st.composite
def cohort_tables(draw: Any) -> list[list[list[int]]]:
    """2-4 cohorts, each a table of 1-4 groups (the same group names in each, some
    missing) by 2 figures."""
    cohorts = draw(st.integers(min_value=2, max_value=4))
    return [
        draw(
            st.lists(
                st.lists(st.integers(min_value=0, max_value=15), min_size=2, max_size=2),
                min_size=1,
                max_size=4,
            )
        )
        for _ in range(cohorts)
    ]


def _report(rows: list[list[int]]) -> gesi.GesiReport:
    """A cohort's report with one table (groups g0, g1, ...) suppressed by the cohort
    rule; the other dimensions empty."""
    labels = {f"g{i}": f"G{i}" for i in range(len(rows))}
    counts = {f"g{i}": row for i, row in enumerate(rows)}
    totals = [sum(r[c] for r in rows) for c in range(2)]
    tables = [
        gesi._suppressed_table(dimension, dimension, labels, counts, totals)
        if dimension == "gender"
        else gesi._suppressed_table(dimension, dimension, {"": ""}, {"": totals}, totals)
        for dimension in gesi.DIMENSIONS
    ]
    return gesi.GesiReport(
        cohort_id=1,
        columns=["x", "y"],
        tables=tables,
        trainee_count=max(1, totals[0]),
        column_keys=("enrolled", "attended"),
    )


@settings(max_examples=300, deadline=None)
@given(cohort_tables())
def test_every_figure_the_academy_shows_is_a_sum_of_figures_its_cohorts_show(
    cohorts: list[list[list[int]]],
) -> None:
    reports = [_report(rows) for rows in cohorts]
    academy = gesi.combine(reports)
    theirs = [next(t for t in r.tables if t.dimension == "gender") for r in reports]
    mine = next(t for t in academy.tables if t.dimension == "gender")
    sums = [(row, [p for t in theirs for p in t.rows if p.key == row.key]) for row in mine.rows]
    for row, parts_rows in [*sums, (mine.total, [t.total for t in theirs])]:
        for c, figure in enumerate(row.figures):
            parts = [p.figures[c] for p in parts_rows]
            assert figure.value == sum(p.value for p in parts)
            if not figure.hidden:
                # nothing new: the cohort pages already show every part
                assert all(not p.hidden for p in parts)
                assert figure.value >= THRESHOLD
    # Read alone, the academy's table keeps the cohort rule: no lone hidden figure in a
    # column under a shown total.
    for c in range(2):
        hidden = [row.figures[c].hidden for row in mine.rows]
        if not mine.total.figures[c].hidden:
            assert sum(hidden) != 1


def test_academy_trainer_reads_the_page_prints_it_and_downloads_the_same_numbers(
    session: Session, factory: Factory, client: Any
) -> None:
    a, _b = two_cohorts(session, factory)
    academy_id = a.cohort.academy_id
    client.login(a.trainers[0].email)
    base = f"/academies/{academy_id}/gesi"
    page = client.get(base)
    assert page.status_code == 200
    assert "By gender" in page.text and f'href="/cohorts/{a.cohort.id}/gesi"' in page.text
    on_page = [
        [text_of(label), *(text_of(c) for c in CELL.findall(cells))]
        for label, cells in ROW.findall(page.text)
    ]
    assert ["Female", "13", "12", "<5", "<5", "<5", "<5", "<5", "<5"] in on_page
    assert [URDU, *["<5"] * 8] in on_page and [NEPALI, *["<5"] * 8] in on_page
    assert [FORMULA, *["<5"] * 8] in on_page
    sheet = xlsx_rows(client.get(base + ".xlsx").content)
    assert sheet[0][:3] == ["Split by", "Group", "Enrolled"]
    from_sheet = [[str(v) for v in row[1:]] for row in sheet[1:]]
    from_csv = [row[1:] for row in csv_rows(client.get(base + ".csv").content)[1:]]
    # The spreadsheets hold the page's rows, but a formula-looking group is made text.
    unguarded = [[v.removeprefix("'") if v == "'" + FORMULA else v for v in r] for r in from_sheet]
    assert unguarded == on_page
    assert ["'" + FORMULA, *["<5"] * 8] in from_sheet
    assert from_csv == from_sheet
    pdf = client.get(base + ".pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "GESI figures of" in text and "By province" in text and "Punjab" in text
    # The cohort's own GESI page links to the academy's for this trainer.
    assert f'href="{base}"' in client.get(f"/cohorts/{a.cohort.id}/gesi").text


def test_a_trainer_of_only_some_of_the_academys_cohorts_cannot_read_its_figures(
    session: Session, factory: Factory, client: Any
) -> None:
    a, b = two_cohorts(session, factory)
    base = f"/academies/{a.cohort.academy_id}/gesi"
    client.login(b.trainers[0].email)  # a trainer of cohort B only
    for suffix in ("", ".pdf", ".csv", ".xlsx"):
        assert client.get(base + suffix).status_code == 403
    # ... and their cohort's page does not offer the academy's.
    assert base not in client.get(f"/cohorts/{b.cohort.id}/gesi").text


def test_people_of_another_academy_get_not_found_and_admins_read_it(
    session: Session, factory: Factory, make_client: Any
) -> None:
    a, _b = two_cohorts(session, factory)
    other = factory.cohort(trainees=1)
    admin = factory.user(name="Admin", email="admin-gesi@example.test", is_admin=True)
    base = f"/academies/{a.cohort.academy_id}/gesi"
    stranger = make_client()
    stranger.login(other.trainers[0].email)
    assert stranger.get(base).status_code == 404
    assert stranger.get("/academies/999999/gesi").status_code == 404
    site_admin = make_client()
    site_admin.login(admin.email)
    assert site_admin.get(base).status_code == 200
    assert base in site_admin.get("/admin").text
    assert base in site_admin.get(f"/admin/academies/{a.cohort.academy_id}").text


def test_an_academy_without_trainees_says_so(
    session: Session, factory: Factory, make_client: Any
) -> None:
    academy = Academy(slug="empty", name="Empty academy", country="Nepal", timezone="UTC")
    session.add(academy)
    session.flush()
    session.add(
        Cohort(
            academy_id=academy.id or 0,
            slug="c",
            name="Empty cohort",
            starts_on=date(2026, 9, 7),
            ends_on=date(2027, 7, 30),
            timeframe="academy-year",
        )
    )
    admin = factory.user(name="Admin", email="admin-empty@example.test", is_admin=True)
    session.commit()
    client = make_client()
    client.login(admin.email)
    page = client.get(f"/academies/{academy.id}/gesi")
    assert page.status_code == 200
    assert "There are no trainees in this academy" in page.text
    assert "<table" not in page.text
    assert (
        list(itertools.chain(*(t.rows for t in gesi.academy_gesi(session, academy.id or 0).tables)))
        == []
    )


def test_academy_page_takes_the_same_number_of_queries_for_5_and_40_trainees_a_cohort(
    session: Session, factory: Factory, make_client: Any, engine: Engine
) -> None:
    """A fixed number of queries per cohort of the academy, whatever the cohorts' size."""
    counts = []
    for size in (5, 40):
        first = factory.cohort(trainees=size, circles=1)
        second = factory.cohort(trainees=size, circles=1, trainers=0)
        second.cohort.academy_id = first.cohort.academy_id
        session.add(second.cohort)
        session.add(
            Membership(cohort_id=second.cohort.id, user_id=first.trainers[0].id, role="trainer")
        )
        for made in (first, second):
            course(session, made.cohort, milestones=3)
            for i, user in enumerate(made.trainees):
                m = made.memberships[(user.id or 0, "trainee")]
                m.gender = "Female" if i % 2 else "Male"
                session.add(m)
        session.commit()
        client = make_client()
        client.login(first.trainers[0].email)
        url = f"/academies/{first.cohort.academy_id}/gesi"
        client.get(url)
        with count_queries(engine) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
