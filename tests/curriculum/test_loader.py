"""The curriculum loader: strict validation with precise messages, all-or-nothing
writes, stable upserts by slug, retiring instead of deleting."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from iil_lms import cli
from iil_lms.curriculum.loader import CurriculumInvalid, load_folder
from iil_lms.curriculum.models import Curriculum, CurriculumVersion, Exercise, Module
from iil_lms.curriculum.service import load_curriculum
from iil_lms.learning.models import Submission
from iil_lms.settings import get_settings
from tests.curriculum.helpers import MINI, REAL, copy_mini, load_mini, row_counts

WIQ = "modules/what-is-integrity/module.yaml"


def test_the_small_valid_curriculum_loads_with_every_type_and_a_summary(session):
    report = load_mini(session)
    assert report.changed and report.milestones == 6 and report.modules == 7
    assert report.exercises_by_type == {
        "reflection": 2,
        "quiz": 1,
        "case_study": 1,
        "upload": 1,
        "action_plan": 1,
        "survey": 1,
    }
    assert len(report.version_hash) == 64
    assert report.summary_lines()[0].startswith("Curriculum mini: 6 milestones, 7 modules")
    module = session.exec(select(Module).where(Module.slug == "what-is-integrity")).one()
    assert module.title_translations == {"ur": "دیانت کیا ہے؟"}
    assert "ur" in module.reading_translations and module.outcomes
    # module: links are stored as links to the module's page
    assert "[dilemmas](/curriculum/modules/dilemmas)" in module.reading_md
    quiz = session.exec(select(Exercise).where(Exercise.slug == "basics-quiz")).one()
    assert quiz.spec["pass_mark"] == 60 and quiz.spec["attempts"] == 3
    option = quiz.spec["questions"][0]["options"][0]
    assert option == {
        "text": "Awarding a contract to your cousin",
        "correct": True,
        "explanation": "A family tie creates a private interest.",
    }
    upload = session.exec(select(Exercise).where(Exercise.slug == "problem-tree")).one()
    assert upload.spec["accept"] == ["image", "pdf"] and "slug" not in upload.spec


def test_loading_the_same_content_twice_records_no_version_and_changes_nothing(session, engine):
    load_mini(session)
    before = row_counts(engine)
    again = load_mini(session)
    assert not again.changed
    assert row_counts(engine) == before
    assert len(session.exec(select(CurriculumVersion)).all()) == 1


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_reload_after_edits_keeps_submissions_and_retires_what_was_removed(
    session, tmp_path, factory
):
    folder = copy_mini(tmp_path)
    load_mini(session, folder)
    made = factory.cohort(trainees=1)
    quiz = session.exec(select(Exercise).where(Exercise.slug == "basics-quiz")).one()
    first_module = session.exec(select(Module).where(Module.slug == "what-is-integrity")).one()
    submission = Submission(
        cohort_id=made.cohort.id,
        user_id=made.trainees[0].id,
        exercise_id=quiz.id,
        content={"answers": [[0]]},
        score=100.0,
        status="scored",
    )
    session.add(submission)
    session.commit()

    # drop the quiz, retitle the module, drop the "stories" module entirely
    module_yaml = folder / WIQ
    text = module_yaml.read_text(encoding="utf-8")
    module_yaml.write_text(text[: text.index("  - slug: basics-quiz")], encoding="utf-8")
    _edit(module_yaml, "title: What is integrity?", "title: What integrity means")
    _edit(
        folder / "curriculum.yaml",
        "    modules:\n      - stories\n",
        "    modules:\n      - pitch\n",
    )
    _edit(
        folder / "curriculum.yaml",
        "  - slug: summit\n    title: Integrity Summit\n    modules:\n      - pitch\n",
        "",
    )
    shutil.rmtree(folder / "modules" / "stories")

    report = load_mini(session, folder)
    assert report.changed
    assert report.retired_exercises == ["stories/feedback", "what-is-integrity/basics-quiz"]
    assert report.retired_modules == ["stories"]
    session.expire_all()
    quiz_again = session.get(Exercise, quiz.id)
    assert quiz_again is not None and quiz_again.retired
    kept = session.get(Submission, submission.id)
    assert kept is not None and kept.exercise_id == quiz.id and kept.score == 100.0
    module = session.get(Module, first_module.id)
    assert module is not None and module.title == "What integrity means" and not module.retired
    assert session.exec(select(Module).where(Module.slug == "stories")).one().retired
    assert len(session.exec(select(CurriculumVersion)).all()) == 2

    # the quiz comes back: the same row, no longer retired
    shutil.copy(MINI / "modules" / "what-is-integrity" / "module.yaml", module_yaml)
    load_mini(session, folder)
    session.expire_all()
    back = session.get(Exercise, quiz.id)
    assert back is not None and not back.retired
    assert session.exec(select(Exercise).where(Exercise.slug == "basics-quiz")).all() == [back]


Mutation = Callable[[Path], None]


def replace(file: str, old: str, new: str) -> Mutation:
    return lambda folder: _edit(folder / file, old, new)


def remove(relative: str) -> Mutation:
    def mutate(folder: Path) -> None:
        target = folder / relative
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    return mutate


def add_file(relative: str, content: str | bytes) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / relative).write_bytes(data)

    return mutate


BROKEN: dict[str, tuple[Mutation, str]] = {
    "unknown exercise type": (
        replace(WIQ, "type: reflection", "type: essay"),
        f"{WIQ}:9: exercises[1].type: one of reflection, case_study, quiz, upload, "
        "action_plan, survey (got 'essay')",
    ),
    "quiz without a correct option": (
        replace(WIQ, "correct: true", "correct: false"),
        "exercises[2].questions[1].options: at least one option with correct: true",
    ),
    "single-choice quiz with two correct options": (
        replace(WIQ, "correct: false", "correct: true"),
        "exercises[2].questions[1].options: exactly one correct option when multiple is false",
    ),
    "quiz option without explanation": (
        replace(WIQ, "            explanation: That is the rule working.", ""),
        "exercises[2].questions[1].options[2].explanation: a non-empty text (field is missing)",
    ),
    "pass mark out of range": (
        replace(WIQ, "pass_mark: 60", "pass_mark: 160"),
        f"{WIQ}:18: exercises[2].pass_mark: a whole number from 1 to 100 (got 160)",
    ),
    "duplicate module slug": (
        replace(
            "curriculum.yaml",
            "      - empathy-interviews\n",
            "      - empathy-interviews\n      - dilemmas\n",
        ),
        "curriculum.yaml:18: milestones[2].modules[2]: a module slug unique in the curriculum "
        "('dilemmas' is already listed at milestones[1].modules[2])",
    ),
    "duplicate exercise slug": (
        replace(WIQ, "slug: basics-quiz", "slug: first-reflection"),
        "exercises[2].slug: a slug unique in the module ('first-reflection' is used twice)",
    ),
    "missing milestones": (
        replace("curriculum.yaml", "milestones:", "stages:"),
        "mini/curriculum.yaml:1: milestones: a non-empty list of milestones",
    ),
    "milestone without modules": (
        replace("curriculum.yaml", "    modules:\n      - pitch\n", "    modules: []\n"),
        "milestones[6].modules: a non-empty list of module slugs (a milestone needs modules)",
    ),
    "module folder not listed under any milestone": (
        add_file("modules/orphan/module.yaml", "slug: orphan\n"),
        "mini/modules/orphan/module.yaml: (milestone): module 'orphan' listed under a "
        "milestone in curriculum.yaml",
    ),
    "module listed but folder missing": (
        remove("modules/stories"),
        "milestones[5].modules[1]: a folder modules/stories/ (it does not exist)",
    ),
    "broken module link": (
        replace("modules/what-is-integrity/reading.md", "module:dilemmas", "module:dilemma"),
        "mini/modules/what-is-integrity/reading.md:3: link module:dilemma: the slug of a "
        "module in this curriculum (no such module)",
    ),
    "missing reading": (
        remove("modules/pitch/reading.md"),
        "mini/modules/pitch/reading.md: reading.md: a reading in Markdown (file is missing)",
    ),
    "bad minutes": (
        replace("modules/stories/module.yaml", "minutes: 30", "minutes: 3"),
        "mini/modules/stories/module.yaml:3: minutes: a whole number of minutes from 5 to 600 "
        "(got 3)",
    ),
    "slug does not match the folder": (
        replace("modules/prototypes/module.yaml", "slug: prototypes", "slug: prototype"),
        "mini/modules/prototypes/module.yaml:1: slug: the folder's name 'prototypes' "
        "(got 'prototype')",
    ),
    "bad slug": (
        replace("curriculum.yaml", "slug: ideas", "slug: Ideas"),
        "milestones[3].slug: a slug matching ^[a-z][a-z0-9-]{0,59}$ (got 'Ideas')",
    ),
    "case study with one question": (
        replace("modules/dilemmas/module.yaml", "      - What would you do?\n", ""),
        "exercises[1].questions: 2-4 entries (got 1)",
    ),
    "upload of an unknown kind": (
        replace("modules/empathy-interviews/module.yaml", "[image, pdf]", "[video]"),
        "exercises[1].accept: a non-empty list from ['image', 'pdf'] (got ['video'])",
    ),
    "module without outcomes": (
        replace("modules/pitch/module.yaml", "outcomes:\n  - Pitch the idea.\n", ""),
        "mini/modules/pitch/module.yaml:1: outcomes: a list of texts (at least 1)",
    ),
    "YAML syntax error": (
        replace("modules/pitch/module.yaml", "title: The pitch", "title: [The pitch"),
        "mini/modules/pitch/module.yaml:3: (syntax): valid YAML",
    ),
    "misspelt field": (
        replace(WIQ, "pass_mark: 60", "pass_mark: 60\n    passmark: 50"),
        f"{WIQ}:19: exercises[2].passmark: a known field (one of slug, type, title, pass_mark, "
        "attempts, questions)",
    ),
    "reading not in UTF-8": (
        add_file("modules/pitch/reading.ur.md", "Caf\xe9".encode("latin-1")),
        "mini/modules/pitch/reading.ur.md: reading.ur.md: Markdown saved as UTF-8",
    ),
    "missing curriculum.yaml": (
        remove("curriculum.yaml"),
        "mini/curriculum.yaml: (file): file is missing",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_curriculum_names_its_problem_and_writes_nothing(case, session, engine, tmp_path):
    load_mini(session)  # a loaded version is there; the broken one must not touch it
    folder = copy_mini(tmp_path)
    mutate, expected = BROKEN[case]
    mutate(folder)
    before = row_counts(engine)
    with pytest.raises(CurriculumInvalid) as raised:
        load_curriculum(session, folder)
    session.rollback()
    messages = [str(error) for error in raised.value.errors]
    assert any(expected in message for message in messages), messages
    assert row_counts(engine) == before


def test_every_problem_is_reported_at_once(tmp_path):
    folder = copy_mini(tmp_path)
    _edit(folder / WIQ, "type: reflection", "type: essay")
    _edit(folder / "modules/stories/module.yaml", "minutes: 30", "minutes: 0")
    (folder / "modules/pitch/reading.md").unlink()
    with pytest.raises(CurriculumInvalid) as raised:
        load_folder(folder)
    assert len(raised.value.errors) == 3


@pytest.fixture
def cli_database(monkeypatch, tmp_path, settings) -> Iterator[None]:
    monkeypatch.setenv("IIL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    get_settings.cache_clear()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    get_settings.cache_clear()


def test_load_curriculum_command_prints_a_summary_and_is_idempotent(cli_database, capsys, session):
    assert cli.main(["load-curriculum", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "Curriculum mini: 6 milestones, 7 modules, 7 exercises" in out
    assert "quiz 1" in out and "Version " in out
    assert cli.main(["load-curriculum", str(MINI)]) == 0
    assert "unchanged: nothing written" in capsys.readouterr().out
    assert len(session.exec(select(CurriculumVersion)).all()) == 1


def test_check_only_validates_and_errors_exit_1(cli_database, capsys, session, tmp_path):
    assert cli.main(["load-curriculum", "--check", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "Curriculum mini: 6 milestones, 7 modules, 7 exercises" in out
    assert "(valid; --check writes nothing)" in out
    assert session.exec(select(Curriculum)).all() == []
    folder = copy_mini(tmp_path)
    _edit(folder / WIQ, "type: reflection", "type: essay")
    assert cli.main(["load-curriculum", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "error: mini/modules/what-is-integrity/module.yaml:9: exercises[1].type" in err
    assert "1 problem(s); nothing was loaded." in err
    assert session.exec(select(Curriculum)).all() == []


def test_the_real_iil_core_curriculum_loads(session: Session):
    report = load_curriculum(session, REAL)
    session.commit()
    assert report.milestones >= 6
    modules = session.exec(select(Module).where(col(Module.retired).is_(False))).all()
    per_milestone = Counter(m.milestone_id for m in modules)
    assert len(per_milestone) >= 6 and min(per_milestone.values()) >= 3
    types = Counter(e.type for e in session.exec(select(Exercise)))
    assert sum(types.values()) >= 45
    assert set(types) == {"reflection", "case_study", "quiz", "upload", "action_plan", "survey"}
    assert all(m.reading_md.strip() and m.outcomes for m in modules)
