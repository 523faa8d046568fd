"""Translations of a module (module.<lang>.yaml): the loader accepts a good one, stores
it, and rejects each kind of bad one naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from iil_lms.curriculum.loader import CurriculumInvalid, load_folder
from iil_lms.curriculum.models import Exercise, Module
from iil_lms.curriculum.service import load_curriculum
from tests.curriculum.translated import translated_mini

WIQ_UR = "mini/modules/what-is-integrity/module.ur.yaml"


def _errors(folder: Path) -> list[str]:
    with pytest.raises(CurriculumInvalid) as caught:
        load_folder(folder)
    return [str(e) for e in caught.value.errors]


def _write(folder: Path, text: str) -> None:
    (folder / "modules" / "what-is-integrity" / "module.ur.yaml").write_text(text, encoding="utf-8")


def test_a_good_translation_loads_and_is_stored_with_its_review_state(session, tmp_path):
    load_curriculum(session, translated_mini(tmp_path))
    session.commit()
    module = session.exec(select(Module).where(Module.slug == "dilemmas")).one()
    assert module.translations == {
        "ur": {"review": "reviewed", "outcomes": ["ایک مخمصے کا تجزیہ کریں۔"]}
    }
    quiz = session.exec(select(Exercise).where(Exercise.slug == "basics-quiz")).one()
    ur = quiz.translations["ur"]
    assert ur["title"] == "بنیادی باتیں"
    assert ur["questions"][0]["options"][1]["explanation"] == "یہ قاعدہ اپنا کام کر رہا ہے۔"
    # the answer key stays the English spec's own
    assert quiz.spec["questions"][0]["options"][0]["correct"] is True
    wiq = session.exec(select(Module).where(Module.slug == "what-is-integrity")).one()
    assert wiq.translations["ur"]["review"] == "draft" and "outcomes" not in wiq.translations["ur"]


BAD = [
    (
        "review: draft\nexercises:\n  no-such-exercise:\n    title: x\n",
        f"{WIQ_UR}:3: exercises.no-such-exercise: the slug of an exercise in module.yaml "
        "(first-reflection, basics-quiz)",
    ),
    (
        "review: draft\noutcomes:\n  - ایک\n  - دو\n",
        f"{WIQ_UR}:2: outcomes: 1 entries, the same count and order as module.yaml (got 2)",
    ),
    (
        "review: draft\nexercises:\n  basics-quiz:\n    questions:\n      - text: a\n"
        "      - text: b\n",
        f"{WIQ_UR}:4: exercises.basics-quiz.questions: 1 questions, the same count and order "
        "as module.yaml (got 2)",
    ),
    (
        "review: draft\nexercises:\n  basics-quiz:\n    questions:\n      - text: a\n"
        "        options:\n          - text: x\n",
        f"{WIQ_UR}:6: exercises.basics-quiz.questions[1].options: 2 options, the same count "
        "and order as module.yaml (got 1)",
    ),
    (
        "review: draft\nexercises:\n  first-reflection:\n    rubric:\n      - criterion: c\n"
        "        levels: [a, b, c]\n",
        f"{WIQ_UR}:6: exercises.first-reflection.rubric[1].levels: 2 entries, the same count "
        "and order as module.yaml (got 3)",
    ),
    (
        "review: draft\nexercises:\n  basics-quiz:\n    questions:\n      - text: a\n"
        "        options:\n          - text: x\n            correct: true\n          - text: y\n",
        f"{WIQ_UR}:8: exercises.basics-quiz.questions[1].options[1].correct: a known field "
        "(one of text, explanation)",
    ),
    (
        "review: draft\nexercises:\n  first-reflection:\n    scenario: not in module.yaml\n",
        f"{WIQ_UR}:4: exercises.first-reflection.scenario: a known field "
        "(one of title, prompt, rubric)",
    ),
    (
        "review: draft\ntitel: x\n",
        f"{WIQ_UR}:2: titel: a known field (one of review, outcomes, exercises)",
    ),
    (
        "review: done\n",
        f"{WIQ_UR}:1: review: draft or reviewed (got 'done')",
    ),
    (
        "review: draft\nexercises:\n  basics-quiz:\n    title: ''\n",
        f"{WIQ_UR}:4: exercises.basics-quiz.title: a non-empty text",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(": ")[1] for _t, m in BAD])
def test_a_bad_translation_is_rejected_naming_file_line_and_field(tmp_path, text, message):
    folder = translated_mini(tmp_path)
    _write(folder, text)
    assert message in _errors(folder)


def test_a_bad_translation_writes_nothing(session, tmp_path):
    folder = translated_mini(tmp_path)
    _write(folder, "review: done\n")
    with pytest.raises(CurriculumInvalid):
        load_curriculum(session, folder)
    assert session.exec(select(Module)).first() is None


def test_check_reports_per_language_what_is_missing_and_which_are_drafts(tmp_path, capsys):
    from iil_lms import cli

    assert cli.main(["load-curriculum", "--check", str(translated_mini(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert (
        "Translation ur: 2 of 7 modules have module.ur.yaml (1 draft, 1 reviewed); "
        "28 fields still in English"
    ) in out
    assert "  drafts for the academy's review: what-is-integrity" in out
    assert (
        "  what-is-integrity (draft): 2 missing: outcomes[1], exercises.first-reflection.prompt"
    ) in out
    assert "  dilemmas (reviewed): 2 missing: title.ur, reading.ur.md" in out
    assert "  pitch (no module.ur.yaml): 5 missing: title.ur, reading.ur.md, outcomes[1]" in out
    assert "Translation ne: 0 of 7 modules have module.ne.yaml" in out


def test_a_link_to_an_unknown_module_in_a_translated_prompt_is_rejected(tmp_path):
    folder = translated_mini(tmp_path)
    _write(
        folder,
        "review: draft\nexercises:\n  first-reflection:\n"
        "    prompt: دیکھیں [یہ](module:no-such-module)\n",
    )
    assert (
        f"{WIQ_UR}: link module:no-such-module: the slug of a module in this curriculum "
        "(no such module)"
    ) in _errors(folder)
