"""`iil-lms demo` loads the curriculum and plans both demo cohorts, idempotently."""

from __future__ import annotations

import shutil
from datetime import date

from sqlmodel import select

from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum import plans, timeframes
from iil_lms.db import transaction
from iil_lms.demo import build_demo
from tests.curriculum.helpers import MINI, row_counts


def test_demo_plans_pakistan_on_the_academy_year_and_nepal_on_convenings(engine, tmp_path):
    shutil.copytree(MINI, tmp_path / "iil-core")
    with transaction(engine) as session:
        build_demo(session, password="demo-password-1", curricula_dir=tmp_path)
    first = row_counts(engine)
    with transaction(engine) as session:
        build_demo(session, password="demo-password-1", curricula_dir=tmp_path)
    assert row_counts(engine) == first  # a second run changes nothing

    with transaction(engine, writes=False) as session:
        pakistan = session.exec(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
        nepal = session.exec(select(Cohort).where(Cohort.slug == "yics-2026")).one()
        assert pakistan.curriculum_version_id is not None
        assert nepal.curriculum_version_id == pakistan.curriculum_version_id
        assert (pakistan.timeframe, nepal.timeframe) == (
            timeframes.ACADEMY_YEAR,
            timeframes.QUARTERLY,
        )
        pk_plan = plans.effective_plan(session, pakistan.id, None)
        np_plan = plans.effective_plan(session, nepal.id, None)
    assert len(pk_plan) == len(np_plan) == 7
    assert pk_plan[0].opens_on == pakistan.starts_on
    convening_starts = {date(2026, 9, 14), date(2026, 12, 14), date(2027, 3, 15), date(2027, 6, 14)}
    assert {p.opens_on for p in np_plan} == convening_starts


def test_demo_without_a_curriculum_folder_still_builds(engine, tmp_path):
    with transaction(engine) as session:
        build_demo(session, password="demo-password-1", curricula_dir=tmp_path)
    with transaction(engine, writes=False) as session:
        cohort = session.exec(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
        assert cohort.curriculum_version_id is None
