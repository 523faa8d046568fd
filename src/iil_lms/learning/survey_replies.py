""" "You said, we did": a trainer's short answer to what a cohort said in a survey, shown
to the cohort beside the survey. Written through reports.surveys (which tells the
cohort); read here, below the journey that shows it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, Session, SQLModel, col, select

from iil_lms.models_base import created_at_field

MAX_REPLY = 2000


class SurveyReply(SQLModel, table=True):
    """One response to a survey's results; a later one does not replace an earlier one
    (both stay, newest first)."""

    __tablename__ = "survey_reply"
    __table_args__ = (Index("ix_survey_reply_cohort_exercise", "cohort_id", "exercise_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    exercise_id: int = Field(foreign_key="exercise.id")
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=MAX_REPLY)
    created_at: datetime = created_at_field()


def replies_to(session: Session, cohort_id: int, exercise_id: int) -> list[SurveyReply]:
    """The cohort's "you said, we did" responses to one survey, newest first (one query)."""
    return list(
        session.exec(
            select(SurveyReply)
            .where(SurveyReply.cohort_id == cohort_id, SurveyReply.exercise_id == exercise_id)
            .order_by(col(SurveyReply.created_at).desc(), col(SurveyReply.id).desc())
        ).all()
    )
