"""The journey map's caches never show stale content: the curriculum structure (cached
in-process by curriculum version) and the trainee's plan (read fresh every request)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.curriculum import plans, structure
from iil_lms.curriculum.models import CurriculumVersion
from iil_lms.db import make_engine, utcnow
from iil_lms.settings import Settings
from tests.conftest import Factory, WebClient
from tests.learning.factories import course, today
from tests.query_count import count_queries


def _module_links(page: str) -> list[str]:
    return re.findall(r'<a href="/journey/modules/\d+">([^<]+)</a>', page)


def test_a_plan_edit_shows_on_the_next_journey_request(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort, milestones=2)
    client.login(made.trainees[0].email)
    assert _module_links(client.get("/journey").text) == ["Module 1", "Module 2"]

    later = today() + timedelta(days=30)
    plans.set_dates(session, made.cohort, c.modules[1].id, later, later + timedelta(days=7))
    session.commit()
    page = client.get("/journey").text
    assert _module_links(page) == ["Module 1"]
    assert "Module 2" in page and "opens" in page

    plans.set_removed(session, made.cohort, c.modules[0].id, True)
    session.commit()
    assert "Module 1" not in client.get("/journey").text


def test_a_content_edit_in_this_process_shows_without_a_new_version(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    client.login(made.trainees[0].email)
    module_page = f"/journey/modules/{c.modules[0].id}"
    assert "Module 1" in client.get("/journey").text
    assert "<strong>oblige</strong>" in client.get(module_page).text

    module = c.modules[0]
    module.title = "Gifts and favours"
    module.reading_md = "A gift can *bind* the one who takes it."
    session.add(module)
    exercise = c.exercises["quiz"]
    exercise.title = "Gift quiz"
    session.add(exercise)
    session.commit()
    assert "Gifts and favours" in client.get("/journey").text
    page = client.get(module_page).text
    assert "<em>bind</em>" in page and "Gift quiz" in page


def test_a_curriculum_reload_by_another_process_shows_on_the_next_request(
    client: WebClient, factory: Factory, session: Session, settings: Settings
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    client.login(made.trainees[0].email)
    assert "Module 1" in client.get("/journey").text

    # Another process (the CLI's curriculum loader) writes without this process's ORM
    # events: only the new curriculum_version row tells the cache.
    other = make_engine(settings.database_url)
    with other.begin() as connection:
        connection.execute(
            text("UPDATE module SET title = 'Reloaded title' WHERE id = :id"),
            {"id": c.modules[0].id},
        )
        connection.execute(
            CurriculumVersion.__table__.insert().values(  # type: ignore[attr-defined]
                curriculum_id=c.curriculum.id, content_hash="1" * 64, loaded_at=utcnow()
            )
        )
    other.dispose()
    assert "Reloaded title" in client.get("/journey").text


def test_the_structure_is_cached_per_curriculum_version(factory: Factory, session: Session) -> None:
    made = factory.cohort(trainees=1)
    course(session, made.cohort)
    first = structure.structure(session)
    assert structure.structure(session) is first
    c = course(session, None, slug="other")
    assert structure.structure(session) is not first  # new content flushed here
    second = structure.structure(session)
    session.add(CurriculumVersion(curriculum_id=c.curriculum.id or 0, content_hash="2" * 64))
    session.flush()
    assert structure.structure(session) is not second


def test_the_journey_map_is_five_statements(
    client: WebClient, factory: Factory, session: Session, engine: Engine
) -> None:
    """The viewer (session, user, roles, cohorts: one), the plan items (which carry the
    curriculum version), submissions, drafts, convenings; unread feedback adds one once
    something was sent. SQLite's BEGIN goes to the driver and is not counted."""
    made = factory.cohort(trainees=3, circles=1)
    course(session, made.cohort, milestones=3)
    client.login(made.trainees[0].email)
    client.get("/journey")  # warms the structure cache
    with count_queries(engine) as statements:
        assert client.get("/journey").status_code == 200
    assert len(statements) == 5, statements
