"""The printable exercise pack of a module: its reading and every exercise with space to
write, for convenings without connectivity. Trainers later type in or upload what was
done on paper (`trainer_service.enter_paper_submission`).

The pack is built from plain data so the template cannot print what a trainee must not
see: quiz questions carry their options' texts only, never which is correct nor the
explanations."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from iil_lms import __version__
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.curriculum.plans import plan_for_cohort, trainee_plan
from iil_lms.curriculum.translations import localized_outcomes, localized_spec, localized_title
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, LIKERT
from iil_lms.pdf import render_pdf, render_template_html, render_template_pdf
from iil_lms.web.template_i18n import LocalizedTemplates


@dataclass(frozen=True)
class PackQuestion:
    text: str
    multiple: bool
    options: tuple[str, ...]


@dataclass(frozen=True)
class PackExercise:
    number: int
    title: str
    type: str
    prompt: str = ""
    scenario: str = ""
    questions: tuple[str, ...] = ()
    quiz: tuple[PackQuestion, ...] = ()
    statements: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()


@dataclass
class Pack:
    module_slug: str
    module_title: str
    milestone_title: str
    cohort_name: str
    minutes: int
    outcomes: list[str]
    reading_md: str
    language: str
    exercises: list[PackExercise] = field(default_factory=list)
    action_plan_fields: tuple[tuple[str, str], ...] = ACTION_PLAN_FIELDS
    likert: tuple[int, ...] = LIKERT

    @property
    def filename(self) -> str:
        return f"{self.module_slug}-pack.pdf"


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(_text(v) for v in value if isinstance(v, str | int | float))


def _text(value: Any) -> str:
    """A text as it is (an English stand-in keeps its mark), anything else as text."""
    return value if isinstance(value, str) else str(value or "")


def pack_exercise(number: int, exercise: Exercise, language: str = "en") -> PackExercise:
    """What the printed pack shows of an exercise (no answers, no explanations), in
    `language` where the curriculum has the translation."""
    spec = localized_spec(exercise.spec or {}, exercise.translations, language)
    quiz: tuple[PackQuestion, ...] = ()
    questions: tuple[str, ...] = ()
    if exercise.type == "quiz":
        quiz = tuple(
            PackQuestion(
                text=_text(q.get("text")),
                multiple=bool(q.get("multiple")),
                options=tuple(
                    _text(o.get("text")) for o in q.get("options") or [] if isinstance(o, dict)
                ),
            )
            for q in spec.get("questions") or []
            if isinstance(q, dict)
        )
    else:
        questions = _texts(spec.get("questions"))
    return PackExercise(
        number=number,
        title=localized_title(exercise.title, exercise.translations, language),
        type=exercise.type,
        prompt=_text(spec.get("prompt")),
        scenario=_text(spec.get("scenario")),
        questions=questions,
        quiz=quiz,
        statements=_texts(spec.get("statements")),
        accept=_texts(spec.get("accept")),
    )


def build_pack(session: Session, module: Module, cohort: Cohort, language: str) -> Pack:
    """The module's pack in `language`: the translated title and reading where the
    curriculum has them, else English; the module's current exercises in order."""
    milestone = session.get(Milestone, module.milestone_id)
    exercises = session.exec(
        select(Exercise)
        .where(Exercise.module_id == module.id, col(Exercise.retired).is_(False))
        .order_by(col(Exercise.position), col(Exercise.id))
    ).all()
    return Pack(
        module_slug=module.slug,
        module_title=(module.title_translations or {}).get(language) or module.title,
        milestone_title=(
            ((milestone.title_translations or {}).get(language) or milestone.title)
            if milestone
            else ""
        ),
        cohort_name=cohort.name,
        minutes=module.minutes,
        outcomes=localized_outcomes(module.outcomes or [], module.translations, language),
        reading_md=(module.reading_translations or {}).get(language) or module.reading_md,
        language=language,
        exercises=[pack_exercise(n, e, language) for n, e in enumerate(exercises, start=1)],
    )


def render_pack(
    pack: Pack, *, env: LocalizedTemplates | None = None, static_dir: Path | None = None
) -> bytes:
    return render_template_pdf(
        "pack.html", {"pack": pack}, pack.language, env=env, static_dir=static_dir
    )


def cached_pack_pdf(
    pack: Pack,
    cache_dir: Path,
    *,
    key: str,
    env: LocalizedTemplates | None = None,
    static_dir: Path | None = None,
) -> bytes:
    """The pack's PDF, rendered once (about a second of CPU) and then read from
    `cache_dir`. `key` names what the pack is of (cohort, module, language); the file also
    carries a digest of the pack's HTML and the app's version, so a curriculum reload, a
    renamed cohort, a new translation or template gives a new PDF, and the one it replaces
    is removed: one file per key."""
    html = render_template_html("pack.html", {"pack": pack}, pack.language, env=env)
    digest = hashlib.sha256(f"{__version__}\n{html}".encode()).hexdigest()[:32]
    path = cache_dir / f"{key}-{digest}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    pdf = render_pdf(html, static_dir=static_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then renamed: a concurrent reader sees the old
    # file, the new one, or none, never half of one.
    partial = cache_dir / f".{path.name}.{secrets.token_hex(4)}"
    partial.write_bytes(pdf)
    os.replace(partial, path)
    for older in cache_dir.glob(f"{key}-*.pdf"):
        if older != path:
            older.unlink(missing_ok=True)
    return pdf


# --- who may print which module -------------------------------------------------------


def module_in_cohort_plan(session: Session, cohort_id: int, module_id: int) -> Module | None:
    """The module, if the cohort's plan (cohort-wide or any circle's) holds it."""
    plan = plan_for_cohort(session, cohort_id)
    planned = {p.module_id for p in plan.default}
    for modules in plan.by_circle.values():
        planned.update(p.module_id for p in modules)
    if module_id not in planned:
        return None
    return session.get(Module, module_id)


def trainee_pack_cohort(
    session: Session, user_id: int, module_id: int, prefer: int | None
) -> tuple[Cohort, Module] | None:
    """The cohort in which this trainee has the module in their plan (their circle's
    plan), preferring their active cohort; None when no such cohort exists (a 404)."""
    cohort_ids = session.exec(
        select(Membership.cohort_id).where(
            Membership.user_id == user_id, Membership.role == Role.TRAINEE.value
        )
    ).all()
    for cohort_id in sorted(cohort_ids, key=lambda c: c != prefer):
        if any(p.module_id == module_id for p in trainee_plan(session, cohort_id, user_id)):
            cohort = session.get(Cohort, cohort_id)
            module = session.get(Module, module_id)
            if cohort is not None and module is not None:
                return cohort, module
    return None
