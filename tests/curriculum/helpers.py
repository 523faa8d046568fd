"""Shared helpers of the curriculum tests: the small valid curriculum and a cohort on it."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.all_models import metadata
from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum import plans, timeframes
from iil_lms.curriculum.service import LoadReport, load_curriculum

MINI = Path(__file__).parent / "fixtures" / "mini"
REAL = Path(__file__).resolve().parents[2] / "curricula" / "iil-core"


def copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def load_mini(session: Session, path: Path = MINI) -> LoadReport:
    report = load_curriculum(session, path)
    session.commit()
    return report


def plan_cohort(
    session: Session, cohort: Cohort, report: LoadReport, timeframe: str = timeframes.ACADEMY_YEAR
) -> None:
    cohort.curriculum_version_id = report.version_id
    session.add(cohort)
    plans.generate_plan(session, cohort, timeframe)
    session.commit()


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
