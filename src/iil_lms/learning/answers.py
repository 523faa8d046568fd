"""Answers to exercises: the shape stored on drafts and submissions (read from a form),
what must be filled in before submitting, quiz scoring and when an exercise is done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from iil_lms.curriculum.models import Exercise
from iil_lms.i18n import N_
from iil_lms.i18n import gettext as _
from iil_lms.learning.models import SubmissionStatus

MAX_TEXT = 20_000
TYPES = ("reflection", "case_study", "quiz", "upload", "action_plan", "survey")
AUTO_SCORED = ("quiz", "survey")
# Answers to these are confidential: never shown one by one to anyone but their author
# (no mentor, no trainer, no name); trainers read them together in reports.surveys.
CONFIDENTIAL_TYPES = ("survey",)
# The action plan's fields, in form order, with their labels (templates translate them).
ACTION_PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("problem", N_("The problem")),
    ("who_is_affected", N_("Who is affected")),
    ("idea", N_("Your idea")),
    ("first_steps", N_("First steps")),
    ("measures_of_success", N_("Measures of success")),
)
LIKERT = (1, 2, 3, 4, 5)
LIKERT_BY_VALUE = {str(n): n for n in LIKERT}


def likert_labels() -> list[tuple[int, str]]:
    """The Likert scale's values with their labels, in the reader's language."""
    return [
        (1, _("Strongly disagree")),
        (2, _("Disagree")),
        (3, _("Neither agree nor disagree")),
        (4, _("Agree")),
        (5, _("Strongly agree")),
    ]


def _text(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or []
    return (values[0] if values else "").replace("\r\n", "\n")[:MAX_TEXT]


def answer_from_form(exercise: Exercise, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The answer in the shape stored on drafts and submissions, from form fields (each
    name mapped to its list of values). Lenient: drafts may be incomplete."""
    spec = exercise.spec or {}
    kind = exercise.type
    if kind == "reflection":
        return {"answer": _text(form, "answer")}
    if kind == "case_study":
        return {
            "answers": [_text(form, f"answer_{i}") for i in range(len(spec.get("questions") or []))]
        }
    if kind == "action_plan":
        return {name: _text(form, name) for name, _label in ACTION_PLAN_FIELDS}
    if kind == "upload":
        return {"note": _text(form, "note")}
    if kind == "quiz":
        answers: list[list[int]] = []
        for i, question in enumerate(spec.get("questions") or []):
            # An option is named by its index; anything else is not an option and ignored.
            options = {str(n): n for n in range(len(question.get("options") or []))}
            chosen = sorted({options[v] for v in form.get(f"q{i}") or [] if v in options})
            answers.append(chosen if question.get("multiple") else chosen[:1])
        return {"answers": answers}
    if kind == "survey":
        ratings: list[int | None] = []
        for i in range(len(spec.get("statements") or [])):
            value = _text(form, f"rating_{i}")
            ratings.append(LIKERT_BY_VALUE.get(value))
        texts = [_text(form, f"text_{i}") for i in range(len(spec.get("questions") or []))]
        return {"ratings": ratings, "answers": texts}
    return {}


def answer_errors(exercise: Exercise, answer: dict[str, Any]) -> dict[str, str]:
    """What must be filled in before the answer can be submitted, by form field."""
    errors: dict[str, str] = {}
    kind = exercise.type
    if kind == "reflection" and not answer.get("answer", "").strip():
        errors["answer"] = _("Write your reflection before submitting.")
    elif kind == "case_study":
        for i, text in enumerate(answer.get("answers") or []):
            if not str(text).strip():
                errors[f"answer_{i}"] = _("Answer this question before submitting.")
    elif kind == "action_plan":
        for name, _label in ACTION_PLAN_FIELDS:
            if not str(answer.get(name, "")).strip():
                errors[name] = _("Fill in this part of the plan before submitting.")
    elif kind == "quiz":
        for i, chosen in enumerate(answer.get("answers") or []):
            if not chosen:
                errors[f"q{i}"] = _("Choose an answer to this question.")
    elif kind == "survey":
        for i, rating in enumerate(answer.get("ratings") or []):
            if rating is None:
                errors[f"rating_{i}"] = _("Choose how much you agree with this statement.")
    return errors


def quiz_score(spec: dict[str, Any], answers: list[list[int]]) -> float:
    """Percent of questions answered exactly right: for a multiple-choice question every
    correct option and no wrong one must be chosen."""
    questions = spec.get("questions") or []
    if not questions:
        return 0.0
    right = 0
    for i, question in enumerate(questions):
        correct = {j for j, o in enumerate(question.get("options") or []) if o.get("correct")}
        chosen = set(answers[i]) if i < len(answers) else set()
        right += chosen == correct
    return round(100 * right / len(questions), 1)


def attempts_allowed(exercise: Exercise) -> int | None:
    """The quiz's attempts limit from the curriculum; None means unlimited."""
    value = (exercise.spec or {}).get("attempts")
    return value if isinstance(value, int) and value > 0 else None


def is_done(
    exercise_type: str, spec: dict[str, Any], rows: Sequence[tuple[str, float | None]]
) -> bool:
    """An exercise counts as done when a version was accepted, a quiz's best score
    reached the pass mark, or a survey was submitted. `rows` are (status, score)."""
    if any(status == SubmissionStatus.ACCEPTED for status, _score in rows):
        return True
    if exercise_type == "quiz":
        best = max((s for status, s in rows if s is not None), default=None)
        return best is not None and best >= float(spec.get("pass_mark") or 0)
    if exercise_type == "survey":
        return any(status == SubmissionStatus.SCORED for status, _score in rows)
    return False
