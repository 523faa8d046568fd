"""The printable exercise pack: what it prints (and never prints), and who may get it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from iil_lms.learning.pack import build_pack, pack_exercise, render_pack
from tests.conftest import Factory, WebClient
from tests.learning.trainer_factories import SPECS, planned_module
from tests.pdf_text import flat, pdf_text


def test_pack_prints_prompts_and_never_quiz_answers(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1, name="Lahore Cohort 2026")
    plan = planned_module(session, made.cohort)
    text = flat(pdf_text(render_pack(build_pack(session, plan.module, made.cohort, "en"))))
    assert "Gifts, transfers and favours" in text
    assert "Lahore Cohort 2026" in text
    assert "Recognise a conflict of interest" in text
    assert "Your name" in text
    assert "Why gifts matter" in text  # the reading
    assert SPECS["reflection"]["prompt"] in text
    assert SPECS["case_study"]["scenario"] in text
    assert "Who else is affected?" in text
    assert "Which is a conflict of interest?" in text
    assert "Awarding a contract to your cousin" in text
    assert "Photograph your problem tree." in text
    assert "Measures of success" in text
    assert "The module was useful." in text and "Strongly agree" in text
    assert "SECRET" not in text
    assert "correct" not in text.lower()


def test_pack_data_carries_no_answers() -> None:
    from iil_lms.curriculum.models import Exercise

    quiz = pack_exercise(
        1, Exercise(module_id=1, slug="q", position=1, type="quiz", title="Q", spec=SPECS["quiz"])
    )
    assert quiz.quiz[0].options == (
        "Awarding a contract to your cousin",
        "Publishing the tender online",
    )
    assert "explanation" not in repr(quiz) and "correct" not in repr(quiz)


def test_pack_escapes_curriculum_and_cohort_html(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1, name="Cohort <b>A</b>")
    plan = planned_module(
        session,
        made.cohort,
        reading_md="Read <script>alert(1)</script> this.",
        specs={"reflection": {"prompt": "Think about <img src=x onerror=alert(1)> gifts."}},
    )
    text = flat(pdf_text(render_pack(build_pack(session, plan.module, made.cohort, "en"))))
    assert "Cohort <b>A</b>" in text
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text


def test_pack_uses_the_translated_reading_when_there_is_one(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort, reading_translations={"ur": "دیانت داری کا مطلب"})
    urdu = build_pack(session, plan.module, made.cohort, "ur")
    assert urdu.reading_md == "دیانت داری کا مطلب"
    assert urdu.module_title == "تحائف، تبادلے اور احسانات"
    nepali = build_pack(session, plan.module, made.cohort, "ne")
    assert nepali.reading_md.startswith("## Why gifts matter")
    assert render_pack(urdu).startswith(b"%PDF-")


def test_staff_download_the_pack_as_an_attachment(
    make_client: object, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1, mentors=1, organisers=1)
    plan = planned_module(session, made.cohort)
    path = f"/cohorts/{made.cohort.id}/modules/{plan.module.id}/pack.pdf"
    for user in (made.trainers[0], made.organisers[0], made.mentors[0]):
        client = make_client()  # type: ignore[operator]
        client.login(user.email)
        response = client.get(path)
        assert response.status_code == 200, user.email
        assert response.headers["content-type"] == "application/pdf"
        assert (
            response.headers["content-disposition"]
            == 'attachment; filename="gifts-and-transfers-pack.pdf"'
        )
        assert response.content.startswith(b"%PDF-")
    trainee = make_client()  # type: ignore[operator]
    trainee.login(made.trainees[0].email)
    assert trainee.get(path).status_code == 403


def test_trainee_prints_modules_of_their_own_plan_only(
    make_client: object, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    other = factory.cohort(trainees=1, trainers=1)
    plan = planned_module(session, made.cohort)
    unplanned = planned_module(session, None, slug="not-planned")
    own: WebClient = make_client()  # type: ignore[operator]
    own.login(made.trainees[0].email)
    response = own.get(f"/journey/modules/{plan.module.id}/pack.pdf")
    assert response.status_code == 200
    assert "Gifts, transfers and favours" in flat(pdf_text(response.content))
    assert own.get(f"/journey/modules/{unplanned.module.id}/pack.pdf").status_code == 404
    assert own.get("/journey/modules/987654/pack.pdf").status_code == 404

    stranger: WebClient = make_client()  # type: ignore[operator]
    stranger.login(other.trainees[0].email)
    assert stranger.get(f"/journey/modules/{plan.module.id}/pack.pdf").status_code == 404
    trainer_elsewhere: WebClient = make_client()  # type: ignore[operator]
    trainer_elsewhere.login(other.trainers[0].email)
    assert (
        trainer_elsewhere.get(
            f"/cohorts/{made.cohort.id}/modules/{plan.module.id}/pack.pdf"
        ).status_code
        == 404
    )
    assert trainer_elsewhere.get(f"/journey/modules/{plan.module.id}/pack.pdf").status_code == 404


def test_a_pack_is_rendered_once_and_again_after_a_new_curriculum_version(
    make_client: object,
    session: Session,
    factory: Factory,
    monkeypatch: Any,
    settings: Any,
) -> None:
    from iil_lms.curriculum.models import CurriculumVersion
    from iil_lms.learning import pack as packs

    renders: list[int] = []
    real_render = packs.render_pdf

    def counting_render(*args: Any, **kwargs: Any) -> bytes:
        renders.append(1)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(packs, "render_pdf", counting_render)
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    path = f"/cohorts/{made.cohort.id}/modules/{plan.module.id}/pack.pdf"
    client = make_client()  # type: ignore[operator]
    client.login(made.trainers[0].email)
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert len(renders) == 1
    # Another language is another pack.
    client.post_form("/account/language", {"language": "ur"})
    assert client.get(path).status_code == 200
    assert len(renders) == 2
    client.post_form("/account/language", {"language": "en"})
    # A reload of the curriculum: a new version whose module text changed.
    session.commit()
    version = CurriculumVersion(curriculum_id=plan.curriculum.id or 0, content_hash="1" * 64)
    session.add(version)
    session.flush()
    made.cohort.curriculum_version_id = version.id
    plan.module.reading_md = "## Why gifts matter\n\nRevised after the first convening."
    session.add_all([made.cohort, plan.module])
    session.commit()
    third = client.get(path)
    assert third.status_code == 200 and third.content != first.content
    assert len(renders) == 3
    assert "Revised after the first convening." in flat(pdf_text(third.content))
    assert client.get(path).content == third.content
    assert len(renders) == 3
    # The replaced English PDF is gone: one file per cohort, module and language.
    cached = sorted(p.name.split("-")[2] for p in (settings.data_dir / "cache" / "packs").iterdir())
    assert cached == ["en", "ur"]
