"""Curriculum translations on the pages: Urdu where module.ur.yaml has it, English with
the untranslated note (once per block) and lang="en" dir="auto" where it has not."""

from __future__ import annotations

import re

from sqlmodel import Session

from iil_lms.curriculum.models import Exercise, Module
from iil_lms.learning.pack import build_pack
from iil_lms.pdf import render_template_html
from tests.conftest import Factory, WebClient
from tests.learning.factories import course
from tests.mentoring.helpers import RUBRIC, assign, curriculum, submit

QUIZ_UR = {
    "title": "مفادات کا ٹکراؤ: کوئز",
    "questions": [
        {
            "text": "مفادات کا ٹکراؤ کون سا ہے؟",
            "options": [
                {"text": "اپنے کزن کو ٹھیکہ دینا", "explanation": "خاندانی تعلق۔"},
                {"text": "ٹینڈر آن لائن شائع کرنا", "explanation": "شفافیت۔"},
            ],
        },
        {
            "text": "کلینک کو کون سا ریکارڈ رکھنا چاہیے؟",
            "options": [{"text": "اسٹاک رجسٹر"}, {"text": "مریضوں کی آمد"}, {"text": "کچھ نہیں"}],
        },
    ],
}
NOTE = 'class="untranslated-note"'


def _urdu_trainee(factory: Factory, session: Session):
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    trainee = made.trainees[0]
    trainee.language = "ur"
    session.add(trainee)
    session.commit()
    return made, c, trainee


def _translate(session: Session, row: Exercise | Module, language: str, value: dict) -> None:
    row.translations = {language: value}
    session.add(row)
    session.commit()


def test_an_urdu_trainee_sees_the_quiz_in_urdu_without_a_note(
    client: WebClient, factory: Factory, session: Session
) -> None:
    _made, c, trainee = _urdu_trainee(factory, session)
    _translate(session, c.exercises["quiz"], "ur", QUIZ_UR)
    client.login(trainee.email)
    page = client.get(f"/journey/exercises/{c.exercises['quiz'].id}").text
    assert "مفادات کا ٹکراؤ: کوئز" in page and "مفادات کا ٹکراؤ کون سا ہے؟" in page
    assert "اپنے کزن کو ٹھیکہ دینا" in page and "کچھ نہیں" in page
    assert "Which is a conflict of interest?" not in page and "Stock registers" not in page
    assert NOTE not in page and 'lang="en"' not in page.split("<main", 1)[1]


def test_a_missing_translation_shows_english_marked_with_one_note_per_block(
    client: WebClient, factory: Factory, session: Session
) -> None:
    _made, c, trainee = _urdu_trainee(factory, session)
    # only the first question is translated: the block falls back, and says so once
    partial = {"questions": [QUIZ_UR["questions"][0]]}
    _translate(session, c.exercises["quiz"], "ur", partial)
    client.login(trainee.email)
    page = client.get(f"/journey/exercises/{c.exercises['quiz'].id}").text
    main = page.split("<main", 1)[1]
    # the English title, and the questions block: one note each
    assert main.count(NOTE) == 2
    assert "مفادات کا ٹکراؤ کون سا ہے؟" in main
    assert '<bdi lang="en">Which records should a clinic keep?</bdi>' in main
    assert re.search(r'<label[^>]*dir="auto" lang="en">Stock registers</label>', main)
    assert re.search(r'<h1 dir="auto" lang="en">Quiz 1</h1>', main)

    reflection = client.get(f"/journey/exercises/{c.exercises['reflection'].id}").text
    assert re.search(r'<div class="prompt" dir="auto" lang="en">', reflection)

    module = client.get(f"/journey/modules/{c.modules[0].id}").text
    assert '<li><bdi lang="en">Recognise a conflict of interest</bdi></li>' in module
    assert module.split("<main", 1)[1].count(NOTE) == 2  # outcomes, exercise titles


def test_translated_outcomes_show_without_a_note(
    client: WebClient, factory: Factory, session: Session
) -> None:
    _made, c, trainee = _urdu_trainee(factory, session)
    module = c.modules[0]
    _translate(
        session, module, "ur", {"review": "draft", "outcomes": ["مفادات کے ٹکراؤ کو پہچانیں۔"]}
    )
    client.login(trainee.email)
    page = client.get(f"/journey/modules/{module.id}").text
    assert "مفادات کے ٹکراؤ کو پہچانیں۔" in page
    assert "Recognise a conflict of interest" not in page


def test_trainers_see_which_translations_are_drafts_and_trainees_do_not(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made, c, trainee = _urdu_trainee(factory, session)
    module = c.modules[0]
    _translate(session, module, "ur", {"review": "draft"})
    client.login(made.trainers[0].email)
    for path in ("/curriculum", f"/curriculum/modules/{module.slug}"):
        page = client.get(path).text
        assert "Draft translation (" in page and "academy's review" in page, path
    client.login(trainee.email)
    assert "badge-draft" not in client.get(f"/curriculum/modules/{module.slug}").text
    _translate(session, module, "ur", {"review": "reviewed"})
    client.login(made.trainers[0].email)
    assert "badge-draft" not in client.get(f"/curriculum/modules/{module.slug}").text


def test_the_mentor_scores_against_the_translated_rubric_and_english_is_stored(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1, mentors=1)
    trainee, mentor = made.trainees[0], made.mentors[0]
    exercise = curriculum(session, made.cohort, milestones=1, exercises=1)[0]
    assign(session, made.cohort, mentor, trainee)
    _translate(
        session,
        exercise,
        "ur",
        {
            "rubric": [
                {"criterion": "ایک حقیقی مسئلہ", "levels": ["ابھی نہیں", "کچھ حد تک", "واضح"]}
            ]
        },  # noqa: E501
    )
    mentor.language = "ur"
    session.add(mentor)
    session.commit()
    work = submit(session, made.cohort, trainee, exercise)
    client.login(mentor.email)
    page = client.get(f"/review/{work.id}").text
    assert "ایک حقیقی مسئلہ" in page and '<option value="Clearly">واضح</option>' in page
    # the second criterion is not translated: English, marked, and the note once
    assert re.search(r'<label for="rubric-1" dir="auto" lang="en">Evidence from citizens', page)
    assert f'value="{RUBRIC[1]["levels"][2]}" lang="en">Strong</option>' in page


def test_the_exercise_pack_prints_the_translation_and_marks_english(
    factory: Factory, session: Session
) -> None:
    made, c, _trainee = _urdu_trainee(factory, session)
    _translate(session, c.exercises["quiz"], "ur", QUIZ_UR)
    pack = build_pack(session, c.modules[0], made.cohort, "ur")
    html = render_template_html("pack.html", {"pack": pack}, "ur")
    assert "مفادات کا ٹکراؤ کون سا ہے؟" in html and "اپنے کزن کو ٹھیکہ دینا" in html
    # WeasyPrint knows neither dir="auto" nor <bdi>: English runs left to right, isolated
    # by LRI/PDI, so its full stop stays at its end
    assert (
        '<li><bdi lang="en" dir="ltr">\u2066Recognise a conflict of interest\u2069</bdi></li>'
        in html
    )
    assert NOTE in html


def test_a_reading_without_translation_says_so_and_is_marked_english(
    client: WebClient, factory: Factory, session: Session
) -> None:
    _made, c, trainee = _urdu_trainee(factory, session)
    module = c.modules[0]
    module.reading_translations = {}
    session.add(module)
    session.commit()
    client.login(trainee.email)
    page = client.get(f"/journey/modules/{module.id}").text
    reading = page.split('id="reading-heading"', 1)[1].split("</section>", 1)[0]
    assert NOTE in reading and '<div lang="en" dir="auto">' in reading
    assert "oblige" in reading
