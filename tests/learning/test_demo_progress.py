"""The demo looks like a living cohort on the day it is built: on the Pakistan cohort's
progress page most trainees are on track, some are behind, and some have finished the
first milestone; its dates follow the day the demo is run."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from iil_lms.cohorts.models import Cohort
from iil_lms.db import transaction
from iil_lms.demo import build_demo, pakistan_dates
from iil_lms.learning.journey import DONE
from iil_lms.learning.progress import cohort_progress


def test_demo_progress_page_shows_most_trainees_on_track_some_behind_and_milestone_1_done(
    engine,
):
    today = date.today()
    with transaction(engine) as session:
        build_demo(session, password="demo-password-1", today=today)
    with transaction(engine, writes=False) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
        assert (cohort.starts_on, cohort.ends_on) == pakistan_dates(today)
        assert cohort.starts_on <= today - timedelta(weeks=11) < cohort.starts_on + timedelta(7)
        report = cohort_progress(session, cohort.id or 0, today=today)
    rows = report.rows
    assert len(rows) == 275
    behind = [r for r in rows if r.behind]
    milestone_1_done = [r for r in rows if r.cells and r.cells[0].status == DONE]
    assert len(rows) - len(behind) > len(rows) * 0.75  # most on track
    assert len(behind) >= 10  # some behind
    assert len(milestone_1_done) >= 1
