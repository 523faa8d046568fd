"""The curriculum's structure for the hot read paths (journey map, module page), cached
in-process: milestones, modules, their exercises, and each module's reading as
sanitised HTML.

Curriculum content changes only through the loader, which records a new
CurriculumVersion for every change. The cache is therefore keyed by the newest
curriculum_version id (one indexed query per request), kept per engine, and also
dropped whenever this process flushes a change to a Curriculum, Milestone, Module,
Exercise or CurriculumVersion row (an ORM event), so an edit is visible on the next
request even without a new version. Entries are read-only: never mutate them."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import event, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from iil_lms.curriculum.models import Curriculum, CurriculumVersion, Exercise, Milestone, Module

# Reading HTML per (module, language) kept at most per structure.
READING_CACHE_SIZE = 512


@dataclass(frozen=True)
class ExerciseRef:
    id: int
    module_id: int
    position: int
    type: str
    title: str
    spec: dict[str, Any]
    translations: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MilestoneInfo:
    id: int
    position: int
    title: str
    title_translations: dict[str, str]
    retired: bool


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    slug: str
    position: int
    title: str
    title_translations: dict[str, str]
    milestone_id: int
    retired: bool
    minutes: int
    outcomes: tuple[str, ...]
    translations: dict[str, Any] = field(default_factory=dict)


@dataclass
class Structure:
    """Every curriculum's milestones and modules by id, and each module's live (not
    retired) exercises in position order."""

    version: int | None
    milestones: dict[int, MilestoneInfo]
    modules: dict[int, ModuleInfo]
    exercises: dict[int, tuple[ExerciseRef, ...]]
    readings: dict[tuple[int, str], Markup] = field(default_factory=dict)
    # (module, language) whose reading is shown in English for want of a translation
    english_readings: set[tuple[int, str]] = field(default_factory=set)

    def exercises_of(self, module_id: int) -> tuple[ExerciseRef, ...]:
        return self.exercises.get(module_id, ())

    def module_title(self, module_id: int, language: str | None) -> str | None:
        module = self.modules.get(module_id)
        if module is None or not language:
            return None
        return module.title_translations.get(language) or None

    def milestone_title(self, milestone_id: int, language: str | None) -> str | None:
        milestone = self.milestones.get(milestone_id)
        if milestone is None or not language:
            return None
        return milestone.title_translations.get(language) or None


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Engine, Structure] = weakref.WeakKeyDictionary()
_CONTENT_TYPES = (Curriculum, CurriculumVersion, Milestone, Module, Exercise)


def clear() -> None:
    """Forget every cached structure (this process)."""
    with _lock:
        _cache.clear()


@event.listens_for(OrmSession, "after_flush")
def _content_flushed(session: OrmSession, _context: Any) -> None:
    for collection in (session.new, session.dirty, session.deleted):
        if any(isinstance(obj, _CONTENT_TYPES) for obj in collection):
            clear()
            return


def latest_version_column() -> Any:
    """The newest curriculum version id as a scalar subquery, for a query to carry."""
    return sa_select(func.max(col(CurriculumVersion.id))).scalar_subquery()


_LATEST_VERSION = sa_select(latest_version_column())


def latest_version_id(session: Session) -> int | None:
    value = session.connection().execute(_LATEST_VERSION).scalar()
    return int(value) if value is not None else None


def structure(session: Session, version: int | None | bool = False) -> Structure:
    """The cached structure, reloaded when a newer curriculum version exists: one query
    when cached (none when the caller read `version` with latest_version_column
    already), three more when not."""
    if version is False:
        version = latest_version_id(session)
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    assert isinstance(engine, Engine) and not isinstance(version, bool)
    found = _cache.get(engine)
    if found is not None and found.version == version:
        return found
    loaded = _load(session, version)
    with _lock:
        _cache[engine] = loaded
    return loaded


def _load(session: Session, version: int | None) -> Structure:
    milestones = {
        r[0]: MilestoneInfo(r[0], r[1], r[2], dict(r[3] or {}), bool(r[4]))
        for r in session.execute(
            sa_select(
                col(Milestone.id),
                col(Milestone.position),
                col(Milestone.title),
                col(Milestone.title_translations),
                col(Milestone.retired),
            )
        ).all()
    }
    modules = {
        r[0]: ModuleInfo(
            r[0],
            r[1],
            r[2],
            r[3],
            dict(r[4] or {}),
            r[5],
            bool(r[6]),
            r[7],
            tuple(r[8] or ()),
            dict(r[9] or {}),
        )
        for r in session.execute(
            sa_select(
                col(Module.id),
                col(Module.slug),
                col(Module.position),
                col(Module.title),
                col(Module.title_translations),
                col(Module.milestone_id),
                col(Module.retired),
                col(Module.minutes),
                col(Module.outcomes),
                col(Module.translations),
            )
        ).all()
    }
    exercises: dict[int, list[ExerciseRef]] = {}
    for r in session.execute(
        sa_select(
            col(Exercise.id),
            col(Exercise.module_id),
            col(Exercise.position),
            col(Exercise.type),
            col(Exercise.title),
            col(Exercise.spec),
            col(Exercise.translations),
        )
        .where(col(Exercise.retired).is_(False))
        .order_by(col(Exercise.module_id), col(Exercise.position), col(Exercise.id))
    ).all():
        exercises.setdefault(r[1], []).append(
            ExerciseRef(r[0], r[1], r[2], r[3], r[4], r[5] or {}, r[6] or {})
        )
    return Structure(
        version=version,
        milestones=milestones,
        modules=modules,
        exercises={k: tuple(v) for k, v in exercises.items()},
    )


def reading_html(session: Session, module_id: int, language: str) -> Markup:
    """A module's reading in `language` (English where it has no translation) as
    sanitised HTML, rendered once per structure version."""
    from iil_lms.markdown import render_markdown

    cached = structure(session)
    key = (module_id, language)
    html = cached.readings.get(key)
    if html is not None:
        return html
    row = session.execute(
        sa_select(col(Module.reading_md), col(Module.reading_translations)).where(
            col(Module.id) == module_id
        )
    ).first()
    if row is None:
        return Markup("")
    translated = (row[1] or {}).get(language)
    source = translated or row[0]
    html = render_markdown(source) if source else Markup("")
    if len(cached.readings) >= READING_CACHE_SIZE:
        cached.readings.clear()
        cached.english_readings.clear()
    cached.readings[key] = html
    if language != "en" and not translated and row[0]:
        cached.english_readings.add(key)
    return html


def reading_in_english(session: Session, module_id: int, language: str) -> bool:
    """True when reading_html shows the module's reading in English to a reader of
    another language (call after reading_html)."""
    return (module_id, language) in structure(session).english_readings
