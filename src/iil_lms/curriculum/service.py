"""Curriculum rules: loading a validated folder into the database, and the queries the
curriculum browser and module pages need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum.checker import TRANSLATED
from iil_lms.curriculum.loader import CurriculumData, ModuleData, load_folder
from iil_lms.curriculum.models import Curriculum, CurriculumVersion, Exercise, Milestone, Module
from iil_lms.curriculum.translations import Coverage, coverage


class CurriculumError(Exception):
    """A rule was broken; the message is for the person who asked."""


@dataclass
class LoadReport:
    slug: str
    version_hash: str
    version_id: int
    changed: bool
    milestones: int
    modules: int
    exercises_by_type: dict[str, int]
    retired_modules: list[str] = field(default_factory=list)
    retired_exercises: list[str] = field(default_factory=list)
    translations: list[Coverage] = field(default_factory=list)

    def summary_lines(self, checked_only: bool = False) -> list[str]:
        total = sum(self.exercises_by_type.values())
        by_type = ", ".join(f"{k} {v}" for k, v in sorted(self.exercises_by_type.items()))
        lines = [
            f"Curriculum {self.slug}: {self.milestones} milestones, {self.modules} modules, "
            f"{total} exercises ({by_type})",
            f"Version {self.version_hash[:12]}"
            + (
                " (valid; --check writes nothing)"
                if checked_only
                else ("" if self.changed else " (unchanged: nothing written)")
            ),
        ]
        if self.retired_modules:
            lines.append("Retired modules: " + ", ".join(self.retired_modules))
        if self.retired_exercises:
            lines.append("Retired exercises: " + ", ".join(self.retired_exercises))
        if checked_only:
            lines += translation_lines(self.translations)
        return lines


def translation_coverage(data: CurriculumData) -> list[Coverage]:
    """Per translated language of the curriculum (and any with files), per module, what
    is still in English and whether the translation is a draft."""
    languages = [lang for lang in TRANSLATED if lang in data.languages] + [
        lang
        for lang in TRANSLATED
        if lang not in data.languages and any(lang in m.translations for m in data.modules.values())
    ]
    found = []
    for language in languages:
        for milestone in data.milestones:
            for slug in milestone.module_slugs:
                module = data.modules[slug]
                found.append(
                    coverage(
                        slug,
                        language,
                        title_translated=language in module.title_translations,
                        reading=language in module.reading_translations,
                        outcomes=module.outcomes,
                        exercises=[(e.slug, e.title, e.spec) for e in module.exercises],
                        translation=_translation_of(module, language),
                    )
                )
    return found


def _translation_of(module: ModuleData, language: str) -> dict[str, Any] | None:
    if language not in module.translations:
        return None
    return {
        **module.translations[language],
        "exercises": {
            e.slug: e.translations[language] for e in module.exercises if language in e.translations
        },
    }


def translation_lines(found: list[Coverage]) -> list[str]:
    """What `load-curriculum --check` says of translations: per language a total, then
    per module its review state, the count of fields still in English and which."""
    lines: list[str] = []
    for language in dict.fromkeys(c.language for c in found):
        rows = [c for c in found if c.language == language]
        drafts = [c.module for c in rows if c.review == "draft"]
        reviewed = sum(1 for c in rows if c.review == "reviewed")
        without = sum(1 for c in rows if c.review is None)
        missing = sum(len(c.missing) for c in rows)
        lines.append(
            f"Translation {language}: {len(rows) - without} of {len(rows)} modules have "
            f"module.{language}.yaml ({len(drafts)} draft, {reviewed} reviewed); "
            f"{missing} fields still in English"
        )
        if drafts:
            lines.append(f"  drafts for the academy's review: {', '.join(drafts)}")
        for c in rows:
            state = c.review or f"no module.{language}.yaml"
            if c.missing:
                lines.append(
                    f"  {c.module} ({state}): {len(c.missing)} missing: {', '.join(c.missing)}"
                )
            else:
                lines.append(f"  {c.module} ({state}): complete")
    return lines


def check_curriculum(path: Path) -> LoadReport:
    """Validate only (raises loader.CurriculumInvalid); the report of what would load."""
    data = load_folder(path)
    return LoadReport(
        **_counts(data),  # type: ignore[arg-type]
        version_id=0,
        changed=False,
        translations=translation_coverage(data),
    )


def _counts(data: CurriculumData) -> dict[str, object]:
    return {
        "slug": data.slug,
        "version_hash": data.content_hash,
        "milestones": len(data.milestones),
        "modules": len(data.modules),
        "exercises_by_type": dict(
            Counter(e.type for m in data.modules.values() for e in m.exercises)
        ),
    }


def load_curriculum(session: Session, path: Path) -> LoadReport:
    """Validate the whole folder first (raises loader.CurriculumInvalid, writing nothing),
    then upsert by slug. Rows missing from the files are retired, never deleted, so
    submissions stay readable; a row that comes back is un-retired. Content identical
    to the latest version records nothing."""
    data = load_folder(path)
    report_base = _counts(data)
    curriculum = session.exec(select(Curriculum).where(Curriculum.slug == data.slug)).first()
    if curriculum is not None:
        latest = latest_version(session, curriculum.id or 0)
        if latest is not None and latest.content_hash == data.content_hash:
            return LoadReport(**report_base, version_id=latest.id or 0, changed=False)  # type: ignore[arg-type]
    if curriculum is None:
        curriculum = Curriculum(slug=data.slug, title=data.title)
    curriculum.title = data.title
    curriculum.summary = data.summary
    curriculum.languages = data.languages
    session.add(curriculum)
    session.flush()
    curriculum_id = curriculum.id or 0

    milestones = {
        m.slug: m
        for m in session.exec(select(Milestone).where(Milestone.curriculum_id == curriculum_id))
    }
    modules = {
        m.slug: m for m in session.exec(select(Module).where(Module.curriculum_id == curriculum_id))
    }
    exercises: dict[tuple[int, str], Exercise] = {
        (e.module_id, e.slug): e
        for e in session.exec(
            select(Exercise).where(col(Exercise.module_id).in_([m.id for m in modules.values()]))
        )
    }
    kept_modules: set[str] = set()
    kept_exercises: set[int] = set()
    for m_position, m_data in enumerate(data.milestones, start=1):
        milestone = milestones.get(m_data.slug) or Milestone(
            curriculum_id=curriculum_id, slug=m_data.slug, position=m_position, title=m_data.title
        )
        milestone.position = m_position
        milestone.title = m_data.title
        milestone.title_translations = m_data.title_translations
        milestone.summary = m_data.summary
        milestone.retired = False
        session.add(milestone)
        session.flush()
        milestones[m_data.slug] = milestone
        for position, module_slug in enumerate(m_data.module_slugs, start=1):
            source = data.modules[module_slug]
            module = modules.get(module_slug) or Module(
                curriculum_id=curriculum_id,
                milestone_id=milestone.id or 0,
                slug=module_slug,
                position=position,
                title=source.title,
            )
            module.milestone_id = milestone.id or 0
            module.position = position
            module.title = source.title
            module.title_translations = source.title_translations
            module.minutes = source.minutes
            module.outcomes = source.outcomes
            module.reading_md = source.reading_md
            module.reading_translations = source.reading_translations
            module.translations = source.translations
            module.retired = False
            session.add(module)
            session.flush()
            modules[module_slug] = module
            kept_modules.add(module_slug)
            for e_position, e_data in enumerate(source.exercises, start=1):
                key = (module.id or 0, e_data.slug)
                exercise = exercises.get(key) or Exercise(
                    module_id=module.id or 0,
                    slug=e_data.slug,
                    position=e_position,
                    type=e_data.type,
                    title=e_data.title,
                )
                exercise.position = e_position
                exercise.type = e_data.type
                exercise.title = e_data.title
                exercise.spec = e_data.spec
                exercise.translations = e_data.translations
                exercise.retired = False
                session.add(exercise)
                session.flush()
                exercises[key] = exercise
                kept_exercises.add(exercise.id or 0)

    kept_milestones = {m.slug for m in data.milestones}
    for slug, milestone in milestones.items():
        if slug not in kept_milestones and not milestone.retired:
            milestone.retired = True
            session.add(milestone)
    slug_of = {m.id: m.slug for m in modules.values()}
    retired_modules = []
    for slug, module in modules.items():
        if slug not in kept_modules and not module.retired:
            module.retired = True
            session.add(module)
            retired_modules.append(slug)
    retired_exercises = []
    for exercise in exercises.values():
        if exercise.id not in kept_exercises and not exercise.retired:
            exercise.retired = True
            session.add(exercise)
            retired_exercises.append(f"{slug_of.get(exercise.module_id)}/{exercise.slug}")
    version = CurriculumVersion(curriculum_id=curriculum_id, content_hash=data.content_hash)
    session.add(version)
    session.flush()
    return LoadReport(
        **report_base,  # type: ignore[arg-type]
        version_id=version.id or 0,
        changed=True,
        retired_modules=sorted(retired_modules),
        retired_exercises=sorted(retired_exercises),
    )


def latest_version(session: Session, curriculum_id: int) -> CurriculumVersion | None:
    return session.exec(
        select(CurriculumVersion)
        .where(CurriculumVersion.curriculum_id == curriculum_id)
        .order_by(col(CurriculumVersion.id).desc())
    ).first()


def curriculum_of_cohort(session: Session, cohort: Cohort) -> Curriculum | None:
    if cohort.curriculum_version_id is None:
        return None
    return session.exec(
        select(Curriculum)
        .join(CurriculumVersion, col(CurriculumVersion.curriculum_id) == Curriculum.id)
        .where(CurriculumVersion.id == cohort.curriculum_version_id)
    ).first()


def visible_curriculum_ids(
    session: Session, cohort_ids: list[int], is_admin: bool, preferred_cohort: int | None = None
) -> list[int]:
    """Curricula a viewer may read: those used by their cohorts (the active cohort's
    first); site admins read every curriculum."""
    if is_admin:
        return list(session.exec(select(Curriculum.id).order_by(col(Curriculum.slug))).all())  # type: ignore[arg-type]
    if not cohort_ids:
        return []
    rows = session.exec(
        select(Cohort.id, CurriculumVersion.curriculum_id)
        .join(CurriculumVersion, col(CurriculumVersion.id) == Cohort.curriculum_version_id)
        .where(col(Cohort.id).in_(cohort_ids))
    ).all()
    ordered = sorted(rows, key=lambda r: (r[0] != preferred_cohort, r[0]))
    found: list[int] = []
    for _cohort_id, curriculum_id in ordered:
        if curriculum_id not in found:
            found.append(curriculum_id)
    return found


@dataclass
class ExerciseSummary:
    id: int
    slug: str
    type: str
    title: str
    translations: dict[str, Any] = field(default_factory=dict)


@dataclass
class ModuleSummary:
    module: Module
    exercises: list[ExerciseSummary] = field(default_factory=list)


@dataclass
class MilestoneTree:
    milestone: Milestone
    modules: list[ModuleSummary] = field(default_factory=list)


@dataclass
class CurriculumTree:
    curriculum: Curriculum
    milestones: list[MilestoneTree] = field(default_factory=list)

    @property
    def module_count(self) -> int:
        return sum(len(m.modules) for m in self.milestones)


def curriculum_trees(session: Session, curriculum_ids: list[int]) -> list[CurriculumTree]:
    """Milestones > modules > exercises of the given curricula, retired ones left out
    (four queries whatever the size)."""
    if not curriculum_ids:
        return []
    curricula = {
        c.id: c
        for c in session.exec(select(Curriculum).where(col(Curriculum.id).in_(curriculum_ids)))
    }
    milestones = session.exec(
        select(Milestone)
        .where(col(Milestone.curriculum_id).in_(curriculum_ids), col(Milestone.retired).is_(False))
        .order_by(col(Milestone.position))
    ).all()
    modules = session.exec(
        select(Module)
        .where(col(Module.curriculum_id).in_(curriculum_ids), col(Module.retired).is_(False))
        .order_by(col(Module.position))
    ).all()
    exercise_rows = session.execute(
        sa_select(
            col(Exercise.id),
            col(Exercise.module_id),
            col(Exercise.slug),
            col(Exercise.type),
            col(Exercise.title),
            col(Exercise.translations),
        )
        .join(Module, col(Module.id) == Exercise.module_id)
        .where(col(Module.curriculum_id).in_(curriculum_ids), col(Exercise.retired).is_(False))
        .order_by(col(Exercise.position))
    ).all()
    by_module: dict[int, ModuleSummary] = {m.id or 0: ModuleSummary(m) for m in modules}
    for e_id, module_id, slug, e_type, title, translated in exercise_rows:
        if module_id in by_module:
            by_module[module_id].exercises.append(
                ExerciseSummary(e_id or 0, slug, e_type, title, translated or {})
            )
    trees = {c_id: CurriculumTree(c) for c_id, c in curricula.items()}
    by_milestone: dict[int, MilestoneTree] = {}
    for milestone in milestones:
        node = MilestoneTree(milestone)
        by_milestone[milestone.id or 0] = node
        trees[milestone.curriculum_id].milestones.append(node)
    for summary in by_module.values():
        if summary.module.milestone_id in by_milestone:
            by_milestone[summary.module.milestone_id].modules.append(summary)
    return [trees[c_id] for c_id in curriculum_ids if c_id in trees]


@dataclass
class ModuleDetail:
    curriculum: Curriculum
    milestone: Milestone
    module: Module
    exercises: list[Exercise]


def module_detail(session: Session, module: Module) -> ModuleDetail:
    curriculum = session.get(Curriculum, module.curriculum_id)
    milestone = session.get(Milestone, module.milestone_id)
    assert curriculum is not None and milestone is not None
    exercises = list(
        session.exec(
            select(Exercise)
            .where(Exercise.module_id == module.id, col(Exercise.retired).is_(False))
            .order_by(col(Exercise.position))
        )
    )
    return ModuleDetail(curriculum, milestone, module, exercises)


def find_module(session: Session, slug: str, curriculum_ids: list[int]) -> Module | None:
    """The module with this slug in the first of the given curricula that has one."""
    if not curriculum_ids:
        return None
    found = {
        m.curriculum_id: m
        for m in session.exec(
            select(Module).where(Module.slug == slug, col(Module.curriculum_id).in_(curriculum_ids))
        )
    }
    return next((found[c] for c in curriculum_ids if c in found), None)
