"""The one way tests put a curriculum in the database: a curriculum with its loaded
version and milestones holding one module each (what every test curriculum looks like).
Builders for each domain's tests add the exercises and the plan they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from iil_lms.curriculum.models import Curriculum, CurriculumVersion, Milestone, Module


@dataclass
class Outline:
    curriculum: Curriculum
    version: CurriculumVersion
    milestones: list[Milestone] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)


def outline(
    session: Session,
    *,
    slug: str,
    title: str = "Test curriculum",
    milestones: int = 1,
    content_hash: str = "0" * 64,
    milestone: Callable[[int], dict[str, Any]] | None = None,
    module: Callable[[int], dict[str, Any]] | None = None,
    **curriculum_fields: Any,
) -> Outline:
    """A curriculum `slug` with `milestones` milestones (slug m1, m2...) holding one module
    each (mod1, mod2...); `milestone(n)` and `module(n)` give each one's other fields."""
    curriculum = Curriculum(slug=slug, title=title, **curriculum_fields)
    session.add(curriculum)
    session.flush()
    version = CurriculumVersion(curriculum_id=curriculum.id or 0, content_hash=content_hash)
    session.add(version)
    made = Outline(curriculum, version)
    for n in range(1, milestones + 1):
        milestone_row = Milestone(
            curriculum_id=curriculum.id or 0,
            **{"slug": f"m{n}", "position": n, "title": f"Milestone {n}"}
            | (milestone(n) if milestone else {}),
        )
        session.add(milestone_row)
        session.flush()
        module_row = Module(
            curriculum_id=curriculum.id or 0,
            milestone_id=milestone_row.id or 0,
            **{"slug": f"mod{n}", "position": 1, "title": f"Module {n}"}
            | (module(n) if module else {}),
        )
        session.add(module_row)
        session.flush()
        made.milestones.append(milestone_row)
        made.modules.append(module_row)
    return made
