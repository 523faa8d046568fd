"""The JSON shapes of /api/v1: what the OpenAPI document promises and the routes answer."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from iil_lms.cohorts import roster

# Long enough for any cell the roster import accepts (the import names a value that is
# too long, as the page does); short enough to bound what a request can send.
CELL_LIMIT = 1000


class Error(BaseModel):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class CohortOut(BaseModel):
    id: int
    name: str
    slug: str
    academy: str
    language: str
    starts_on: date
    ends_on: date
    archived: bool
    roles: list[str] = Field(description="Your roles in the cohort (empty for a site admin).")


class Person(BaseModel):
    membership_id: int
    user_id: int
    name: str
    email: str
    circle: str
    department: str
    service_group: str
    district: str
    province: str
    gender: str
    disability: str
    invited: bool = Field(description="Has not yet followed the invitation to set a password.")
    withdrawn: bool


class Roster(BaseModel):
    cohort_id: int
    trainees: list[Person]


class RosterRow(BaseModel):
    """One trainee, with the columns of the roster template (empty when not known)."""

    name: str = Field(default="", max_length=CELL_LIMIT)
    email: str = Field(default="", max_length=CELL_LIMIT)
    department: str = Field(default="", max_length=CELL_LIMIT)
    service_group: str = Field(default="", max_length=CELL_LIMIT)
    district: str = Field(default="", max_length=CELL_LIMIT)
    province: str = Field(default="", max_length=CELL_LIMIT)
    circle: str = Field(default="", max_length=CELL_LIMIT, description="Learning circle.")
    language: str = Field(default="", max_length=CELL_LIMIT, description="en, ur or ne.")
    gender: str = Field(default="", max_length=CELL_LIMIT)
    disability: str = Field(default="", max_length=CELL_LIMIT)


class RosterImport(BaseModel):
    rows: list[RosterRow] = Field(
        max_length=roster.MAX_ROWS,
        description="The trainees to add; all or nothing, checked like the page's import.",
    )


class Problem(BaseModel):
    """One invalid value, in the shape of FastAPI's validation errors."""

    loc: list[str | int] = Field(description='Where, e.g. ["body", "rows", 0, "email"].')
    msg: str = Field(description="Why, in words a person can act on.")
    type: str
    row: int | None = Field(
        default=None, description="For a roster row: its position in `rows`, from 1."
    )
    field: str | None = Field(default=None, description="For a roster row: the column.")


class Invalid(BaseModel):
    detail: list[Problem]


class RosterImported(BaseModel):
    invited: int = Field(description="New accounts, each sent an invitation link.")
    enrolled: int = Field(description="Existing accounts enrolled as trainees.")
    unchanged: int = Field(description="Rows already on the roster exactly as sent.")
    circles_created: int


class MilestoneProgress(BaseModel):
    milestone_id: int
    status: str | None = Field(
        description="done, overdue, due_soon, in_progress or not_started; null when the "
        "milestone is not in the trainee's plan."
    )
    done: int
    total: int


class TraineeProgress(BaseModel):
    user_id: int
    name: str
    email: str
    circle: str | None
    mentor: str | None
    withdrawn: bool
    at_risk: bool
    days_behind: int
    idle_days: int
    done: int
    total: int
    milestones: list[MilestoneProgress]


class MilestoneSummary(BaseModel):
    milestone_id: int
    position: int
    title: str
    done: int
    overdue: int
    planned_for: int


class Progress(BaseModel):
    cohort_id: int
    has_plan: bool
    trainee_count: int
    milestones: list[MilestoneSummary]
    trainees: list[TraineeProgress]


class SurveyOut(BaseModel):
    exercise_id: int
    title: str
    milestone_position: int
    milestone_title: str
    convening: str
    respondents: int
    shown: bool = Field(description="Whether results are shown (at least 5 respondents).")


class StatementOut(BaseModel):
    text: str
    counts: list[int] = Field(description="How many gave each rating, lowest first.")
    answered: int
    average: float | None


class CommentOut(BaseModel):
    text: str
    count: int


class QuestionComments(BaseModel):
    question: str
    comments: list[CommentOut] | None = Field(
        description="null when hidden to protect anonymity (or for a group)."
    )


class TrendOut(BaseModel):
    exercise_id: int
    title: str
    average: float | None = Field(description="null when hidden or not asked.")
    current: bool


class ReplyOut(BaseModel):
    body: str
    created_at: str


class SurveyResultsOut(BaseModel):
    survey: SurveyOut
    group: str | None = Field(description="The group the figures are for, e.g. circle:3.")
    hidden: str | None = Field(
        description="Why no figures are given (fewer than 5 answers); null when they are."
    )
    respondents: int
    statements: list[StatementOut]
    comments: list[QuestionComments]
    overall_trend: list[TrendOut]
    replies: list[ReplyOut]


class CertificateVerification(BaseModel):
    code: str
    status: str = Field(description="valid, revoked or superseded.")
    holder: str
    achievement: str
    description: str
    programme: str
    issuer: str
    issued_on: str
    revoked_on: str | None
    replaced_by: str | None


class UnknownCertificate(BaseModel):
    status: str = Field(description='"unknown".')
    code: str
