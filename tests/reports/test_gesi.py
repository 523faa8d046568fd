"""GESI figures: counts per self-declared group on a hand-built cohort whose right
answers are known, the small-group suppression rule (which cannot be undone by
subtraction), the printable PDF, and a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.cohorts.models import Attendance, Convening
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring.models import MentoringLogEntry
from iil_lms.outreach.models import OutreachItem, OutreachStatus
from iil_lms.reports import gesi
from iil_lms.reports.suppression import suppress_columns
from iil_lms.summit.models import Pitch, PitchMember, PitchStatus, Summit, SummitAward
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import course
from tests.pdf_text import pdf_text
from tests.query_count import count_queries

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def hand_built(session: Session, factory: Factory) -> CohortFixture:
    """13 trainees, the last withdrawn. t0-t5 Punjab, t6-t11 Sindh; t0-t6 women
    (t5 wrote "female ", t6 said so in their profile, not the roster), t7-t10 men, t11
    did not say; t3 and t8 declared a disability.
    Milestone 1 finished: t0-t5 and t7. Present at a convening: t0-t4 and t6-t10.
    Mentoring sessions: t0-t5. Approved outreach: t0 (t1's is still waiting).
    One pitch, by t0 with t6 on the team, won an award."""
    made = factory.cohort(trainees=13, circles=1)
    cohort_id = made.cohort.id or 0
    t = made.trainees
    ids = [u.id or 0 for u in t]
    c = course(session, made.cohort, milestones=2, types=("reflection",))
    genders = ["Female"] * 5 + ["female ", ""] + ["Male"] * 4 + ["", "Female"]
    for i in range(len(t)):
        m = made.memberships[(ids[i], "trainee")]
        m.gender = genders[i]
        m.province = "Punjab" if i < 6 else "Sindh"
        m.district = "Lahore" if i < 6 else "Karachi"
        m.disability = "Yes" if i in (3, 8) else ""
        if i == 12:
            m.withdrawn_at = NOW
        session.add(m)
    t[6].gender = "Female"  # in their own profile only
    session.add(t[6])
    exercise = c.by_module[c.modules[0].id or 0][0]
    for i in (0, 1, 2, 3, 4, 5, 7, 12):
        session.add(
            Submission(
                cohort_id=cohort_id,
                user_id=ids[i],
                exercise_id=exercise.id or 0,
                content={"answer": "done"},
                status=SubmissionStatus.ACCEPTED,
            )
        )
    convening = Convening(
        cohort_id=cohort_id, title="First", starts_on=date(2026, 9, 20), ends_on=date(2026, 9, 21)
    )
    session.add(convening)
    session.flush()
    for i in range(12):
        for day in (date(2026, 9, 20), date(2026, 9, 21)):
            session.add(
                Attendance(
                    convening_id=convening.id or 0,
                    user_id=ids[i],
                    day=day,
                    present=i in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10) and day.day == 20,
                )
            )
    for i in range(6):
        for _n in range(i + 1):  # several sessions count once
            session.add(
                MentoringLogEntry(
                    cohort_id=cohort_id,
                    mentor_id=made.mentors[0].id or 0,
                    trainee_id=ids[i],
                    held_on=date(2026, 9, 25),
                    mode="phone",
                )
            )
    for i, status in ((0, OutreachStatus.APPROVED), (1, OutreachStatus.SUBMITTED)):
        session.add(
            OutreachItem(
                public_id=f"p{i}-{cohort_id}",
                cohort_id=cohort_id,
                author_id=ids[i],
                kind="story",
                title="A story",
                status=status,
            )
        )
    summit = Summit(
        cohort_id=cohort_id, title="Summit", starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 2)
    )
    session.add(summit)
    session.flush()
    pitch = Pitch(
        summit_id=summit.id or 0, owner_id=ids[0], status=PitchStatus.SHORTLISTED, version=1
    )
    session.add(pitch)
    session.flush()
    session.add(PitchMember(pitch_id=pitch.id or 0, user_id=ids[0], confirmed_at=NOW))
    session.add(PitchMember(pitch_id=pitch.id or 0, user_id=ids[6], confirmed_at=NOW))
    session.add(PitchMember(pitch_id=pitch.id or 0, user_id=ids[9]))  # never confirmed
    session.add(SummitAward(summit_id=summit.id or 0, pitch_id=pitch.id or 0, name="Best idea"))
    session.commit()
    return made


def table(report: gesi.GesiReport, dimension: str) -> dict[str, list[str]]:
    found = next(t for t in report.tables if t.dimension == dimension)
    rows = {row.label: [f.shown() for f in row.figures] for row in found.rows}
    rows["total"] = [f.shown() for f in found.total.figures]
    return rows


def values(report: gesi.GesiReport, dimension: str) -> dict[str, list[int]]:
    found = next(t for t in report.tables if t.dimension == dimension)
    rows = {row.label: [f.value for f in row.figures] for row in found.rows}
    rows["total"] = [f.value for f in found.total.figures]
    return rows


def test_gesi_counts_each_group_on_a_hand_built_cohort(session: Session, factory: Factory) -> None:
    made = hand_built(session, factory)
    report = gesi.cohort_gesi(session, made.cohort.id or 0)
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
    assert report.trainee_count == 12  # the withdrawn trainee is left out
    # Letter case and spaces do not split a group; no answer is "Not stated", last.
    assert values(report, "gender") == {
        "Female": [7, 6, 0, 6, 6, 1, 2, 2],
        "Male": [4, 1, 0, 4, 0, 0, 0, 0],
        "Not stated": [1, 0, 0, 0, 0, 0, 0, 0],
        "total": [12, 7, 0, 10, 6, 1, 2, 2],
    }
    assert values(report, "province") == {
        "Punjab": [6, 6, 0, 5, 6, 1, 1, 1],
        "Sindh": [6, 1, 0, 5, 0, 0, 1, 1],
        "total": [12, 7, 0, 10, 6, 1, 2, 2],
    }
    assert values(report, "disability")["Yes"] == [2, 1, 0, 2, 1, 0, 0, 0]


def test_gesi_hides_every_figure_under_five_people(session: Session, factory: Factory) -> None:
    made = hand_built(session, factory)
    report = gesi.cohort_gesi(session, made.cohort.id or 0)
    assert table(report, "gender") == {
        "Female": ["7", "6", "<5", "6", "6", "<5", "<5", "<5"],
        "Male": ["<5", "<5", "<5", "<5", "<5", "<5", "<5", "<5"],
        "Not stated": ["<5", "<5", "<5", "<5", "<5", "<5", "<5", "<5"],
        "total": ["12", "7", "<5", "10", "6", "<5", "<5", "<5"],
    }


def test_a_hidden_figure_cannot_be_found_by_subtracting_from_the_total(
    session: Session, factory: Factory
) -> None:
    made = hand_built(session, factory)
    report = gesi.cohort_gesi(session, made.cohort.id or 0)
    # Sindh's 1 finisher of milestone 1 and 0 mentored are hidden; 7 - 6 and 6 - 6 would
    # give them back, so Punjab's 6 are hidden as well.
    assert table(report, "province") == {
        "Punjab": ["6", "<5", "<5", "5", "<5", "<5", "<5", "<5"],
        "Sindh": ["6", "<5", "<5", "5", "<5", "<5", "<5", "<5"],
        "total": ["12", "7", "<5", "10", "6", "<5", "<5", "<5"],
    }


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_suppression_never_leaves_one_hidden_figure_under_a_shown_total(
    cells: list[list[int]],
) -> None:
    totals = [sum(row[c] for row in cells) for c in range(3)]
    hidden = suppress_columns(cells, totals)
    for c, total in enumerate(totals):
        column = [row[c] for row in hidden]
        for r, row in enumerate(cells):
            if row[c] < 5:
                assert hidden[r][c]
        if total >= 5:
            assert sum(column) != 1


def test_trainer_reads_the_gesi_page_and_prints_it(
    session: Session, factory: Factory, client: Any
) -> None:
    made = hand_built(session, factory)
    client.login(made.trainers[0].email)
    page = client.get(f"/cohorts/{made.cohort.id}/gesi")
    assert page.status_code == 200
    assert "By gender" in page.text and "Not stated" in page.text
    assert "&lt;5" in page.text
    pdf = client.get(f"/cohorts/{made.cohort.id}/gesi.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "GESI figures" in text
    assert "By province" in text and "Punjab" in text and "<5" in text


def test_mentor_and_organiser_cannot_open_gesi_figures(
    session: Session, factory: Factory, client: Any
) -> None:
    made = hand_built(session, factory)
    client.login(made.mentors[0].email)
    assert client.get(f"/cohorts/{made.cohort.id}/gesi").status_code == 403


def test_gesi_page_takes_the_same_number_of_queries_for_5_and_40_trainees(
    session: Session, factory: Factory, make_client: Any, engine: Engine
) -> None:
    counts = []
    for size in (5, 40):
        made = factory.cohort(trainees=size, circles=2)
        course(session, made.cohort, milestones=3)
        for i, user in enumerate(made.trainees):
            m = made.memberships[(user.id or 0, "trainee")]
            m.gender = "Female" if i % 2 else "Male"
            session.add(m)
            session.add(
                MentoringLogEntry(
                    cohort_id=made.cohort.id or 0,
                    mentor_id=made.mentors[0].id or 0,
                    trainee_id=user.id or 0,
                    held_on=date(2026, 9, 25) - timedelta(days=i),
                    mode="phone",
                )
            )
        session.commit()
        client = make_client()
        client.login(made.trainers[0].email)
        url = f"/cohorts/{made.cohort.id}/gesi"
        client.get(url)
        with count_queries(engine) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
