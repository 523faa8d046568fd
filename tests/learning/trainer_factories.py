"""Small curriculum factories for the trainer-side and exercise-pack tests: one
milestone with one module holding an exercise of every type, planned for a cohort."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum.models import (
    Curriculum,
    CurriculumVersion,
    Exercise,
    Milestone,
    Module,
    PlanItem,
)
from tests.curricula import outline

SPECS: dict[str, dict[str, Any]] = {
    "reflection": {
        "prompt": "Describe a time you saw a rule bent for a relative.",
        "rubric": [{"criterion": "Honesty", "levels": ["Thin", "Clear", "Searching"]}],
    },
    "case_study": {
        "scenario": "A clerk in the district office is offered a gift after a transfer.",
        "questions": ["What should the clerk do?", "Who else is affected?"],
    },
    "quiz": {
        "pass_mark": 50,
        "attempts": 2,
        "questions": [
            {
                "text": "Which is a conflict of interest?",
                "multiple": False,
                "options": [
                    {
                        "text": "Awarding a contract to your cousin",
                        "correct": True,
                        "explanation": "SECRET-EXPLANATION-ONE family ties bias the award.",
                    },
                    {
                        "text": "Publishing the tender online",
                        "correct": False,
                        "explanation": "SECRET-EXPLANATION-TWO openness is good practice.",
                    },
                ],
            },
            {
                "text": "Which records should a clinic keep?",
                "multiple": True,
                "options": [
                    {"text": "Stock registers", "correct": True, "explanation": "SECRET-3"},
                    {"text": "Patient visits", "correct": True, "explanation": "SECRET-4"},
                    {"text": "Nothing", "correct": False, "explanation": "SECRET-5"},
                ],
            },
        ],
    },
    "upload": {"prompt": "Photograph your problem tree.", "accept": ["image", "pdf"]},
    "action_plan": {"prompt": "Plan a first step to fix the queue at the tehsil office."},
    "survey": {
        "statements": ["The module was useful.", "The reading was clear."],
        "questions": ["What would you change?"],
    },
}


@dataclass
class PlannedCurriculum:
    curriculum: Curriculum
    version: CurriculumVersion
    milestone: Milestone
    module: Module
    exercises: dict[str, Exercise] = field(default_factory=dict)
    plan_item: PlanItem | None = None


def planned_module(
    session: Session,
    cohort: Cohort | None,
    *,
    slug: str = "gifts-and-transfers",
    due_on: date = date(2026, 10, 9),
    opens_on: date = date(2026, 9, 14),
    types: tuple[str, ...] = tuple(SPECS),
    reading_md: str = "## Why gifts matter\n\nA gift can **oblige** the one who takes it.",
    reading_translations: dict[str, str] | None = None,
    specs: dict[str, dict[str, Any]] | None = None,
) -> PlannedCurriculum:
    """A curriculum with one milestone and one module holding one exercise per type,
    in `cohort`'s plan (cohort-wide) when a cohort is given."""
    built = outline(
        session,
        slug=f"core-{slug}",
        title="IIL core",
        languages=["en", "ur"],
        milestone=lambda _n: {"slug": "foundations", "title": "Foundations of integrity"},
        module=lambda _n: {
            "slug": slug,
            "title": "Gifts, transfers and favours",
            "title_translations": {"ur": "تحائف، تبادلے اور احسانات"},
            "minutes": 90,
            "outcomes": ["Recognise a conflict of interest", "Say no to a gift politely"],
            "reading_md": reading_md,
            "reading_translations": reading_translations or {},
        },
    )
    curriculum, version = built.curriculum, built.version
    milestone, module = built.milestones[0], built.modules[0]
    made = PlannedCurriculum(curriculum, version, milestone, module)
    all_specs = {**SPECS, **(specs or {})}
    for position, kind in enumerate(types, start=1):
        exercise = Exercise(
            module_id=module.id or 0,
            slug=f"{kind.replace('_', '-')}-1",
            position=position,
            type=kind,
            title=f"{kind.replace('_', ' ').capitalize()} exercise",
            spec=all_specs[kind],
        )
        session.add(exercise)
        made.exercises[kind] = exercise
    if cohort is not None:
        cohort.curriculum_version_id = version.id
        session.add(cohort)
        made.plan_item = PlanItem(
            cohort_id=cohort.id or 0, module_id=module.id or 0, opens_on=opens_on, due_on=due_on
        )
        session.add(made.plan_item)
    session.commit()
    return made
