"""Stored XSS: a list of payloads through every free-text field that exists, checked in
the pages that show them (no executable markup from user text, the text still shown)
and in the printed exercise pack (the payload printed as text, no script or link action).

Fields covered (found by scanning templates for <textarea> and <input type="text">, and
the models behind them): display names; circle posts (form); exercise answers
(submission content, and drafts through the autosave route); review feedback (form);
mentoring log topics and next steps; mentor feedback from trainees; outreach titles and
bodies (own page and public showcase); curriculum titles, prompts and readings (review,
exercise, module and journey pages, and the exercise pack PDF).
curriculum browser (module titles, readings, prompts); the outreach moderation note
(trainer's list and the author's page); answers typed in from paper (the re-shown form
after an error, and the entered submission); roster files (file name, every column, in
the preview, the roster and one person's page) and convenings (title, venue, agenda, in
their pages, the attendance sheet and the journey); certificates (holder names, custom
kinds' titles and achievements, signatories, revocation reasons: the organiser's pages,
the holder's list, the public verification page and the printed certificate)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pypdf import PdfReader
from sqlmodel import select

from iil_lms.cohorts.models import Convening, Membership
from iil_lms.curriculum.models import Exercise, Module
from iil_lms.learning.models import Submission
from iil_lms.learning.pack import Pack, PackExercise, render_pack
from iil_lms.mentoring.models import MentorFeedback, MentoringLogEntry
from iil_lms.outreach.models import OutreachItem
from tests.pdf_text import pdf_text
from tests.security import expect_mentoring
from tests.security.html_checks import executable_markup, visible_text
from tests.security.world import build_world, client_for

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "{{7+7}} {% print 7+7 %}",
    "\u202eدیانت داری\u202c \u2067سچائی\u2069",
]
SHORT = '"><img src=x onerror=alert(1)><svg onload=alert(1)>'


def stored(field: str) -> str:
    return f"XSS-{field} " + "\n\n".join(PAYLOADS)


def short(field: str) -> str:
    return f"XSS-{field} {SHORT}"


def _seed(app: Any, session: Any, settings: Any, engine: Any) -> tuple[Any, dict[str, Any]]:
    world = build_world(session, settings, engine)
    params = expect_mentoring.path_params(world)
    users = world.users
    users["trainee_a"].display_name = "XSS-name-a <script>alert(1)</script>"
    users["mentor_a"].display_name = "XSS-name-m " + SHORT
    for user in users.values():
        session.add(user)
    submission = session.get(Submission, params["submission_id"])
    submission.content = {"answer": stored("answer")}
    exercise = session.get(Exercise, submission.exercise_id)
    exercise.title = short("exercise-title")
    module = session.get(Module, exercise.module_id)
    module.title = short("module-title")
    cohort_id, trainee_id = world.cohort_a.id, users["trainee_a"].id
    session.add(
        MentoringLogEntry(
            cohort_id=cohort_id,
            mentor_id=users["mentor_a"].id,
            trainee_id=trainee_id,
            held_on=date(2026, 10, 1),
            mode="in_person",
            topics=stored("log-topics"),
            next_steps=stored("log-next"),
        )
    )
    session.add(
        MentorFeedback(
            cohort_id=cohort_id,
            mentor_id=users["mentor_a"].id,
            trainee_id=trainee_id,
            rating=4,
            body=stored("mentor-feedback"),
        )
    )
    for item in session.exec(select(OutreachItem).where(OutreachItem.cohort_id == cohort_id)):
        item.title = short(f"title-{item.public_id}")
        item.body = stored(f"body-{item.public_id}")
        session.add(item)
    session.add_all([submission, exercise, module])
    session.commit()

    trainee = client_for(app, world, "trainee_a")
    mentor = client_for(app, world, "mentor_a")
    with trainee.client, mentor.client:
        posted = trainee.client.post(
            f"/circles/{params['circle_id']}/posts",
            data={"csrf_token": trainee.csrf_token, "body": stored("post")},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text[:300]
        commented = mentor.client.post(
            f"/review/{params['submission_id']}",
            data={"csrf_token": mentor.csrf_token, "body": stored("feedback")},
            follow_redirects=False,
        )
        assert commented.status_code == 303, commented.text[:300]
    return world, params


def _check(page: Any, markers: list[str], what: str) -> None:
    assert page.status_code == 200, f"{what}: {page.status_code}"
    assert executable_markup(page.text) == [], f"{what}: {executable_markup(page.text)}"
    text = visible_text(page.text)
    for marker in markers:
        assert f"XSS-{marker}" in text, f"{what}: the field {marker} is not shown"
    if any(not m.startswith(("name", "exercise", "module", "title")) for m in markers):
        assert "{{7+7}} {% print 7+7 %}" in text, f"{what}: template syntax not shown as typed"
        assert "دیانت داری" in text, f"{what}: the Urdu text is lost"


def test_stored_payloads_render_as_text_on_every_page(app, session, settings, engine):
    world, params = _seed(app, session, settings, engine)
    shown = params["public_id"]
    waiting = session.get(OutreachItem, params["item_id"]).public_id
    pages: dict[str, list[tuple[str, list[str]]]] = {
        "trainee_a": [
            (f"/circles/{params['circle_id']}", ["post", "name-a"]),
            ("/mentoring/log", ["log-topics", "log-next"]),
            (f"/outreach/{params['item_id']}", [f"title-{waiting}", f"body-{waiting}"]),
            (f"/review/{params['submission_id']}", ["answer", "feedback", "exercise-title"]),
        ],
        "mentor_a": [
            ("/mentees", ["name-a"]),
            (f"/mentees/{params['trainee_id']}/log", ["log-topics", "log-next", "name-a"]),
            (f"/review/{params['submission_id']}", ["answer", "feedback", "name-a"]),
        ],
        "trainer": [
            (f"/cohorts/{world.cohort_a.id}/mentors", ["name-a", "name-m"]),
            (f"/cohorts/{world.cohort_a.id}/mentors/feedback", ["mentor-feedback"]),
            (f"/circles/{params['circle_id']}", ["post"]),
        ],
        "anonymous": [
            (f"/showcase/{params['academy_slug']}/{shown}", [f"title-{shown}", f"body-{shown}"]),
            (f"/showcase/{params['academy_slug']}", [f"title-{shown}"]),
        ],
    }
    for role, visits in pages.items():
        who = client_for(app, world, role)
        with who.client:
            for path, markers in visits:
                _check(who.client.get(path), markers, f"{role} {path}")


def test_exercise_pack_prints_payloads_as_text_without_actions():
    pack = Pack(
        module_slug="xss",
        module_title=short("module-title"),
        milestone_title=short("milestone-title"),
        cohort_name=short("cohort"),
        minutes=30,
        outcomes=[short("outcome")],
        reading_md=stored("reading"),
        language="en",
        exercises=[
            PackExercise(
                number=1,
                title="<script>alert(1)</script> XSS-exercise-title",
                type="reflection",
                prompt="<svg onload=alert(1)> XSS-prompt [x](javascript:alert(1))",
            ),
            PackExercise(
                number=2,
                title="XSS-case",
                type="case_study",
                scenario='"><img src=x onerror=alert(1)> XSS-scenario',
                questions=("{{7+7}} XSS-question",),
            ),
        ],
    )
    pdf = render_pack(pack)
    flat = " ".join(pdf_text(pdf).split())
    reader = PdfReader(io.BytesIO(pdf))
    for literal in (
        "<script>alert(1)</script> XSS-exercise-title",
        "<svg onload=alert(1)> XSS-prompt",
        '"><img src=x onerror=alert(1)> XSS-scenario',
        "{{7+7}} XSS-question",
        "XSS-module-title",
        "XSS-reading",
    ):
        assert literal in flat, f"{literal!r} not printed as text"
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in (root.get("/Names") or {})
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert action.get("/S") != "/JavaScript"
            assert not str(action.get("/URI", "")).lower().startswith("javascript:")


def test_draft_answers_and_curriculum_texts_render_as_text_on_the_journey(
    app, session, settings, engine
):
    from tests.security import expect_learning

    world = build_world(session, settings, engine)
    params = expect_learning.path_params(world)
    exercise = session.get(Exercise, params["exercise_id"])
    module = session.get(Module, params["module_id"])
    exercise.title = short("exercise-title")
    exercise.spec = {**(exercise.spec or {}), "prompt": stored("prompt")}
    module.title = short("module-title")
    module.reading_md = stored("reading")
    session.add_all([exercise, module])
    session.commit()
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        saved = trainee.client.post(
            f"/journey/exercises/{exercise.id}/draft",
            data={"csrf_token": trainee.csrf_token, "answer": stored("draft")},
            headers={"HX-Request": "true"},
        )
        assert saved.status_code == 200, saved.text[:300]
        _check(
            trainee.client.get(f"/journey/exercises/{exercise.id}"),
            ["draft", "prompt", "exercise-title"],
            "exercise page",
        )
        _check(
            trainee.client.get(f"/journey/modules/{module.id}"),
            ["reading", "module-title", "exercise-title"],
            "module page",
        )
        _check(trainee.client.get("/journey"), ["module-title"], "journey map")


def test_overwritten_draft_text_renders_as_text_in_the_conflict_notice_and_versions(
    app, session, settings, engine
):
    from tests.security import expect_learning

    world = build_world(session, settings, engine)
    params = expect_learning.path_params(world)
    path = f"/journey/exercises/{params['exercise_id']}"
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        for answer in (stored("kept-draft"), "newer text"):
            saved = trainee.client.post(
                f"{path}/draft",
                data={"csrf_token": trainee.csrf_token, "answer": answer, "base_revision": "0"},
                headers={"HX-Request": "true"},
            )
        _check(saved, ["kept-draft"], "conflict notice")
        _check(trainee.client.get(path), ["kept-draft"], "earlier versions of the draft")


def test_curriculum_browser_shows_content_as_text(app, session, settings, engine):
    from tests.security import expect_curriculum

    world = build_world(session, settings, engine)
    params = expect_curriculum.path_params(world)
    module = session.get(Module, params["module_id"])
    module.title = short("module-title")
    module.reading_md = stored("reading")
    exercise = session.exec(
        select(Exercise).where(Exercise.module_id == module.id, Exercise.type == "reflection")
    ).first()
    exercise.title = short("exercise-title")
    exercise.spec = {**(exercise.spec or {}), "prompt": stored("prompt")}
    session.add_all([module, exercise])
    session.commit()
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        _check(trainee.client.get("/curriculum"), ["module-title"], "curriculum browser")
        _check(
            trainee.client.get(f"/curriculum/modules/{params['slug']}"),
            ["module-title", "reading", "exercise-title"],
            "curriculum module page",
        )
    trainer = client_for(app, world, "trainer")
    with trainer.client:
        _check(
            trainer.client.get(f"/cohorts/{world.cohort_a.id}/plan/preview/{module.id}"),
            ["module-title", "reading", "exercise-title", "prompt"],
            "the trainer's module preview",
        )


def test_moderation_note_is_shown_as_text(app, session, settings, engine):
    world = build_world(session, settings, engine)
    params = expect_mentoring.path_params(world)
    cohort_id, item_id = world.cohort_a.id, params["item_id"]
    trainer = client_for(app, world, "trainer")
    with trainer.client:
        moderated = trainer.client.post(
            f"/cohorts/{cohort_id}/outreach/{item_id}",
            data={"csrf_token": trainer.csrf_token, "action": "changes", "note": stored("note")},
            follow_redirects=False,
        )
        assert moderated.status_code == 303, moderated.text[:300]
        _check(trainer.client.get(f"/cohorts/{cohort_id}/outreach"), ["note"], "moderation list")
    author = client_for(app, world, "trainee_a")
    with author.client:
        _check(author.client.get(f"/outreach/{item_id}"), ["note"], "the author's item page")


def test_paper_answers_are_shown_as_text(app, session, settings, engine):
    from tests.security import expect_learning_trainer

    world = build_world(session, settings, engine)
    params = expect_learning_trainer.path_params(world)
    path = f"/cohorts/{world.cohort_a.id}/exercises/{params['exercise_id']}/paper"
    form = {"trainee_id": str(world.users["trainee_a"].id), "answer": stored("paper")}
    trainer = client_for(app, world, "trainer")
    with trainer.client:
        refused = trainer.client.post(
            path, data={**form, "csrf_token": trainer.csrf_token, "done_on": "yesterday"}
        )
        assert refused.status_code == 400
        refused.status_code = 200  # the form is shown again, with what was typed
        _check(refused, ["paper"], "paper form shown again")
        entered = trainer.client.post(
            path, data={**form, "csrf_token": trainer.csrf_token, "done_on": "2026-10-02"}
        )
        _check(entered, [], "submissions after paper entry")
        submission = session.exec(
            select(Submission).where(Submission.user_id == world.users["trainee_a"].id)
        ).first()
        assert submission is not None
        _check(trainer.client.get(f"/review/{submission.id}"), ["paper"], "review of paper work")


def _shown_as_text(page: Any, markers: list[str], what: str) -> None:
    assert page.status_code in (200, 400), f"{what}: {page.status_code}"
    assert executable_markup(page.text) == [], f"{what}: {executable_markup(page.text)}"
    text = visible_text(page.text)
    for marker in markers:
        assert f"XSS-{marker}" in text, f"{what}: the field {marker} is not shown"


def test_roster_and_convening_fields_are_shown_as_text(app, session, settings, engine):
    """Every free-text field of a roster file (in the preview, the roster, one person's
    page) and of a convening (list, page, attendance sheet, the trainee's journey)."""
    from tests.cohorts.roster_files import csv_bytes, person

    world = build_world(session, settings, engine)
    cohort_id = world.cohort_a.id
    svg = "<svg onload=alert(1)>"
    row = person(
        1,
        name=short("name"),
        department=short("department"),
        service_group=short("group"),
        district=short("district"),
        province=short("province"),
        learning_circle=short("circle"),
        gender=f"XSS-gen {svg}",
        disability=f"XSS-dis {svg}",
    )
    bad = person(2, email=short("email"), preferred_language=f"XSS-lang {svg}")
    trainer = client_for(app, world, "trainer")
    with trainer.client as client:
        upload = client.post(
            f"/cohorts/{cohort_id}/roster/upload",
            data={"csrf_token": trainer.csrf_token},
            files={"file": (f"XSS-file {svg}.csv", csv_bytes([row, bad]), "text/csv")},
            follow_redirects=False,
        )
        assert upload.status_code == 303
        preview = client.get(upload.headers["location"])
        _shown_as_text(
            preview, ["file", "name", "circle", "email", "lang", "district"], "roster preview"
        )
        fixed = client.post(
            f"/cohorts/{cohort_id}/roster/upload",
            data={"csrf_token": trainer.csrf_token},
            files={"file": ("r.csv", csv_bytes([row]), "text/csv")},
            follow_redirects=False,
        )
        confirmed = client.post(fixed.headers["location"], data={"csrf_token": trainer.csrf_token})
        _shown_as_text(confirmed, ["name", "circle", "department", "district"], "roster page")
        membership = session.exec(
            select(Membership).where(Membership.department == short("department"))
        ).one()
        person_page = client.get(f"/cohorts/{cohort_id}/roster/people/{membership.id}")
        _shown_as_text(person_page, ["name"], "one person's page")
        for marker in ("department", "group", "district", "province", "circle", "gen", "dis"):
            # in the form's inputs, as their escaped values
            assert f'value="XSS-{marker} ' in person_page.text, marker
        created = client.post(
            f"/cohorts/{cohort_id}/convenings",
            data={
                "csrf_token": trainer.csrf_token,
                "title": short("title"),
                "venue": short("venue"),
                "agenda": stored("agenda"),
                "starts_on": "2026-10-05",
                "ends_on": "2026-10-06",
            },
        )
        _shown_as_text(created, ["title", "venue", "agenda"], "convening page")
        assert created.status_code == 200 and created.url.path != f"/cohorts/{cohort_id}/convenings"
        session.rollback()  # a fresh snapshot of what the app wrote
        convening_id = session.exec(select(Convening.id)).one()
        _shown_as_text(
            client.get(f"/cohorts/{cohort_id}/convenings"), ["title", "venue"], "convenings"
        )
        sheet = client.get(f"/cohorts/{cohort_id}/convenings/{convening_id}/attendance")
        _shown_as_text(sheet, ["title", "name", "circle"], "attendance sheet")
        client.post(
            f"/cohorts/{cohort_id}/convenings/{convening_id}/attendance",
            data={
                "csrf_token": trainer.csrf_token,
                "user_id": world.users["trainee_a"].id,
                "day": "2026-10-05",
                "present": "1",
            },
        )
        refused = client.post(
            f"/cohorts/{cohort_id}/convenings",
            data={"csrf_token": trainer.csrf_token, "title": short("again"), "agenda": "x"},
        )
        assert refused.status_code == 400
        _shown_as_text(refused, [], "convening form shown again")
        assert 'value="XSS-again ' in refused.text  # the title input keeps what was typed
    session.rollback()
    trainee = client_for(app, world, "trainee_a")
    with trainee.client as client:
        _shown_as_text(client.get("/journey"), ["title"], "the trainee's journey")


def test_certificate_texts_are_shown_and_printed_as_text(app, session, settings, engine):
    from iil_lms.certificates import codes, design, service
    from iil_lms.certificates import pdf as printing

    world = build_world(session, settings, engine)
    cohort = world.cohort_a
    trainee = world.users["trainee_a"]
    trainee.display_name = "XSS-name-a " + SHORT
    session.add(trainee)
    session.commit()
    organiser = client_for(app, world, "organiser")
    base = f"/cohorts/{cohort.id}/certificates"
    with organiser.client:
        made_kind = organiser.client.post(
            f"{base}/kinds",
            data={
                "csrf_token": organiser.csrf_token,
                "title": short("title"),
                "title_local": short("title-local"),
                "achievement": stored("achievement")[:500],
            },
            follow_redirects=False,
        )
        assert made_kind.status_code == 303, made_kind.text[:300]
        kind_key = next(
            c.key for c in service.kind_choices(session, cohort.id) if c.rule == "custom"
        )
        issued = organiser.client.post(
            f"{base}/issue",
            data={"csrf_token": organiser.csrf_token, "kind": kind_key, "user_id": trainee.id},
            follow_redirects=False,
        )
        assert issued.status_code == 303
        session.commit()  # end the test session's read snapshot: see the app's writes
        cert = service.of_holder(session, trainee.id)[0]
        saved = organiser.client.post(
            f"{base}/design",
            data={
                "csrf_token": organiser.csrf_token,
                "name_1": short("signatory"),
                "title_1": short("signatory-title"),
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303
        _check(organiser.client.get(base), ["name-a", "title"], "the organiser's list")
        _check(organiser.client.get(f"{base}/design"), [], "design (names are input values)")
        revoked = organiser.client.post(
            f"{base}/{cert.id}/revoke",
            data={"csrf_token": organiser.csrf_token, "reason": stored("reason")[:1000]},
            follow_redirects=False,
        )
        assert revoked.status_code == 303
    session.commit()  # a fresh snapshot before this session writes the next login
    holder = client_for(app, world, "trainee_a")
    with holder.client:
        _check(holder.client.get("/certificates"), ["title"], "my certificates")
    visitor = client_for(app, world, "anonymous")
    with visitor.client:
        _check(
            visitor.client.get(f"/verify/{codes.grouped(cert.code)}"),
            ["name-a", "title", "achievement"],
            "the verification page",
        )
    session.commit()
    found = design.design_for(session, settings, cohort)
    sheet = printing.sheet(settings, cert, "UTC")
    data = printing.render_sheets([sheet], found)
    text = pdf_text(data)
    for marker in ("name-a", "title", "title-local", "signatory", "signatory-title"):
        assert f"XSS-{marker}" in text, marker
    assert "<svg onload=alert(1)>" in text
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "/JS" not in action and "javascript" not in str(action.get("/URI", ""))


def test_account_profile_fields_are_shown_as_text(app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, "trainee_a")
    with who.client:
        fields = ("gender", "disability", "service_group")
        data = {name: f"XSS-{name[:4]} {SHORT}"[:32] for name in fields}
        data["display_name"] = short("name-self")
        saved = who.client.post(
            "/account/profile", data=data | {"csrf_token": who.csrf_token}, follow_redirects=False
        )
        assert saved.status_code == 303, saved.text[:300]
        page = who.client.get("/account")
        assert page.status_code == 200
        assert executable_markup(page.text) == [], executable_markup(page.text)
        assert "XSS-name-self" in visible_text(page.text)
        for value in data.values():
            assert f'value="{value}"' not in page.text  # escaped, never raw in the attribute
        # a refused form shows what was typed, escaped too
        refused = who.client.post(
            "/account/profile",
            data={"display_name": "", "gender": SHORT, "csrf_token": who.csrf_token},
        )
        assert refused.status_code == 400
        assert executable_markup(refused.text) == []
