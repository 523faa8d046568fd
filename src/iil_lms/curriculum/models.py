"""Curriculum content as loaded from `curricula/<slug>/`, and cohort plans over it.

Content rows are upserted by slug and never deleted: a removed module or exercise is
marked retired so submissions against it stay readable."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field


class Curriculum(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="")
    languages: list[str] = Field(default_factory=list, sa_type=JSON)


class CurriculumVersion(SQLModel, table=True):
    __tablename__ = "curriculum_version"

    id: int | None = Field(default=None, primary_key=True)
    curriculum_id: int = Field(foreign_key="curriculum.id", index=True)
    content_hash: str = Field(max_length=64)
    loaded_at: datetime = created_at_field()


class Milestone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("curriculum_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    curriculum_id: int = Field(foreign_key="curriculum.id", index=True)
    slug: str = Field(max_length=60)
    position: int
    title: str = Field(max_length=200)
    # {"ur": "...", "ne": "..."}
    title_translations: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    summary: str = Field(default="")
    retired: bool = False


class Module(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("curriculum_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    curriculum_id: int = Field(foreign_key="curriculum.id", index=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    slug: str = Field(max_length=60)
    position: int
    title: str = Field(max_length=200)
    title_translations: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    minutes: int = 60
    outcomes: list[str] = Field(default_factory=list, sa_type=JSON)
    reading_md: str = Field(default="")
    reading_translations: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # From module.<lang>.yaml: {"ur": {"review": "draft"|"reviewed", "outcomes": [...]}}
    translations: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    retired: bool = False


class Exercise(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    slug: str = Field(max_length=60)
    position: int
    type: str = Field(max_length=20)  # reflection|case_study|quiz|upload|action_plan|survey
    title: str = Field(max_length=200)
    # Everything type-specific, as validated by the loader (prompt, scenario, questions,
    # options with answers and explanations, rubric, accept, pass_mark, attempts...).
    spec: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The exercise's text from module.<lang>.yaml, in spec's shape:
    # {"ur": {"title": ..., "prompt": ..., "questions": [...], "rubric": [...]}}
    translations: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    retired: bool = False


class PlanItem(SQLModel, table=True):
    """One module scheduled for a cohort. A row with circle_id overrides the cohort-wide
    row of the same module for that learning circle; `removed` drops it from the plan."""

    __tablename__ = "plan_item"
    __table_args__ = (UniqueConstraint("cohort_id", "module_id", "circle_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    circle_id: int | None = Field(default=None, foreign_key="learning_circle.id")
    opens_on: date
    due_on: date
    removed: bool = False
