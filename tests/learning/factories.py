"""Small curriculum factories for the trainee journey tests: milestones with a module
each, an exercise of the chosen types per module, planned for a cohort relative to today."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum.models import (
    Curriculum,
    Exercise,
    Milestone,
    Module,
    PlanItem,
)
from iil_lms.db import utcnow
from tests.curricula import outline

QUIZ = {
    "pass_mark": 50,
    "questions": [
        {
            "text": "Which is a conflict of interest?",
            "multiple": False,
            "options": [
                {
                    "text": "Awarding a contract to your cousin",
                    "correct": True,
                    "explanation": "EXPLAIN-COUSIN family ties bias the award.",
                },
                {
                    "text": "Publishing the tender online",
                    "correct": False,
                    "explanation": "EXPLAIN-TENDER openness is good practice.",
                },
            ],
        },
        {
            "text": "Which records should a clinic keep?",
            "multiple": True,
            "options": [
                {"text": "Stock registers", "correct": True, "explanation": "EXPLAIN-STOCK"},
                {"text": "Patient visits", "correct": True, "explanation": "EXPLAIN-VISITS"},
                {"text": "Nothing", "correct": False, "explanation": "EXPLAIN-NOTHING"},
            ],
        },
    ],
}

SPECS: dict[str, dict[str, Any]] = {
    "reflection": {"prompt": "Describe a time you saw a rule bent for a relative."},
    "case_study": {
        "scenario": "A clerk is offered a gift after a transfer.",
        "questions": ["What should the clerk do?", "Who else is affected?"],
    },
    "quiz": QUIZ,
    "upload": {"prompt": "Photograph your problem tree.", "accept": ["image", "pdf"]},
    "action_plan": {"prompt": "Plan a first step to fix the queue at the tehsil office."},
    "survey": {
        "statements": ["The module was useful.", "The reading was clear."],
        "questions": ["What would you change?"],
    },
}

_COUNTER = itertools.count(1)


def today() -> date:
    return utcnow().date()


@dataclass
class Course:
    curriculum: Curriculum
    milestones: list[Milestone] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    exercises: dict[str, Exercise] = field(default_factory=dict)  # by type (first module)
    by_module: dict[int, list[Exercise]] = field(default_factory=dict)
    plan: dict[int, PlanItem] = field(default_factory=dict)  # by module id


def course(
    session: Session,
    cohort: Cohort | None,
    *,
    milestones: int = 1,
    types: tuple[str, ...] = tuple(SPECS),
    opens_on: date | None = None,
    due_on: date | None = None,
    specs: dict[str, dict[str, Any]] | None = None,
    slug: str = "core",
) -> Course:
    """A curriculum of `milestones` milestones with one module each; the first module
    holds one exercise per type in `types`, later ones a reflection. Planned
    cohort-wide for `cohort` (open since a week ago, due in two weeks by default)."""
    opens_on = opens_on or today() - timedelta(days=7)
    due_on = due_on or today() + timedelta(days=14)
    built = outline(
        session,
        slug=f"{slug}-{next(_COUNTER)}",
        title="IIL core",
        milestones=milestones,
        milestone=lambda n: {"title": f"Milestone title {n}"},
        module=lambda n: {
            "slug": f"module-{n}",
            "title_translations": {"ur": f"ماڈیول {n}"},
            "outcomes": ["Recognise a conflict of interest"],
            "reading_md": f"## Reading {n}\n\nA gift can **oblige** the one who takes it.",
            "reading_translations": {"ur": f"ترجمہ شدہ مطالعہ {n}"},
        },
    )
    curriculum, version = built.curriculum, built.version
    made = Course(curriculum)
    made.milestones.extend(built.milestones)
    made.modules.extend(built.modules)
    for n, module in enumerate(built.modules, start=1):
        kinds = types if n == 1 else ("reflection",)
        made.by_module[module.id or 0] = []
        for position, kind in enumerate(kinds, start=1):
            exercise = Exercise(
                module_id=module.id or 0,
                slug=f"{kind}-{n}",
                position=position,
                type=kind,
                title=f"{kind.replace('_', ' ').title()} {n}",
                spec=(specs or {}).get(kind, SPECS[kind]),
            )
            session.add(exercise)
            session.flush()
            made.by_module[module.id or 0].append(exercise)
            if n == 1:
                made.exercises[kind] = exercise
        if cohort is not None:
            item = PlanItem(
                cohort_id=cohort.id or 0, module_id=module.id or 0, opens_on=opens_on, due_on=due_on
            )
            session.add(item)
            made.plan[module.id or 0] = item
    if cohort is not None:
        cohort.curriculum_version_id = version.id
        session.add(cohort)
    session.commit()
    return made
