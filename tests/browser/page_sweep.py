"""The axe sweep's map of the app: which role opens each GET route, which routes are not
HTML pages (and why), the demo data that fills the path parameters, and the checks run
on every page a person opens.

A GET route the app gains must be added to VISITS or NOT_PAGES: the sweep's first test
compares both with the route table, so no page is forgotten."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Response
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from iil_lms import all_models  # noqa: F401 - every mapper configured before the services run
from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.learning import service as learning
from iil_lms.mentoring import review
from iil_lms.outreach import service as outreach
from iil_lms.settings import Settings
from iil_lms.summit import judging
from iil_lms.summit.models import ScheduleSlot, Summit
from iil_lms.web.route_table import iter_api_routes
from tests.browser.helpers import OVERFLOW, Journey, Person, check_accessibility
from tests.browser.people import PAKISTAN, mentored_trainee

# A trainee of the Pakistan demo cohort no other journey uses (they take slots 0-53).
SWEEP_SLOT = 60
# Staff the other journeys do not sign in as, so their saved language is the sweep's own.
STAFF = {
    "trainer": "trainer2@csa-pk.example.org",
    "organiser": "organiser2@csa-pk.example.org",
    "admin": "admin@example.org",
}
ROLES = ("anonymous", "trainee", "mentor", "trainer", "organiser", "admin")
INVITED = "sweep-invited@csa-pk.example.org"


@dataclass(frozen=True)
class Visit:
    """`role` opens `route` (with `query`, e.g. a filter); `params` names, for a path
    parameter, the SweepData value to use instead of the one of the same name (e.g. a
    submitted exercise's id). Both are filled from SweepData.params."""

    role: str
    route: str
    params: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    note: str = ""

    def path(self, values: Mapping[str, object]) -> str:
        url = self.route + (f"?{self.query}" if self.query else "")
        chosen = {name: values[self.params.get(name, name)] for name in _names(url)}
        return url.format(**chosen)

    def __str__(self) -> str:
        return f"{self.role} {self.route}" + (f" ({self.note})" if self.note else "")


def _names(route: str) -> list[str]:
    return [part.split("}")[0] for part in route.split("{")[1:]]


# Routes that are not HTML pages: nothing for axe to check.
NOT_PAGES: dict[str, str] = {
    "/healthz": "JSON health check for the load balancer",
    "/openapi.json": "the API schema (JSON)",
    "/notifications/bell": "htmx fragment swapped into every page's header (checked there)",
    "/cohorts/{cohort_id}/modules/{module_id}/pack.pdf": "PDF (exercise pack for the cohort)",
    "/journey/modules/{module_id}/pack.pdf": "PDF (a trainee's exercise pack)",
    "/cohorts/{cohort_id}/progress.csv": "CSV export of the progress grid",
    "/cohorts/{cohort_id}/feedback/{exercise_id}/results.csv": "CSV export of survey results",
    "/cohorts/{cohort_id}/feedback/{exercise_id}/results.xlsx": "Excel export of survey results",
    "/cohorts/{cohort_id}/gesi.pdf": "PDF (GESI figures)",
    "/cohorts/{cohort_id}/gesi.csv": "CSV export of the GESI figures",
    "/cohorts/{cohort_id}/gesi.xlsx": "Excel export of the GESI figures",
    "/academies/{academy_id}/gesi.pdf": "PDF (an academy's GESI figures)",
    "/academies/{academy_id}/gesi.csv": "CSV export of an academy's GESI figures",
    "/academies/{academy_id}/gesi.xlsx": "Excel export of an academy's GESI figures",
    "/cohorts/{cohort_id}/progress.xlsx": "Excel export of the progress grid",
    "/cohorts/{cohort_id}/attendance.csv": "CSV export of convening attendance",
    "/cohorts/{cohort_id}/attendance.xlsx": "Excel export of convening attendance",
    "/cohorts/{cohort_id}/trainees/{trainee_id}/report.pdf": "PDF (a trainee's report)",
    "/cohorts/{cohort_id}/roster/template.csv": "CSV template of a roster file",
    "/cohorts/{cohort_id}/roster/template.xlsx": "Excel template of a roster file",
    "/cohorts/{cohort_id}/roster/export.csv": "CSV export of the roster",
    "/cohorts/{cohort_id}/roster/export.xlsx": "Excel export of the roster",
    "/submissions/{submission_id}/file": "a trainee's uploaded file, sent as is",
    "/outreach/{item_id}/file": "an outreach item's poster or photo, sent as is",
    "/showcase/{academy_slug}/{public_id}/file": "a public poster or photo, sent as is",
    "/academies/{academy_id}/logo": "an academy's logo (PNG)",
    "/summits/{summit_id}/doors.pdf": "PDF (summit door sheets and overview)",
    "/summits/{summit_id}/judges.pdf": "PDF (summit judges' sheets)",
    "/summits/{summit_id}/programme.pdf": "PDF (summit programme booklet)",
    "/summits/{summit_id}/record.pdf": "PDF (published score record)",
    "/summits/{summit_id}/record.csv": "CSV (published score record)",
    "/summits/{summit_id}/schedule.csv": "CSV export of the summit schedule",
    "/summits/{summit_id}/schedule.json": "JSON (frab/pretalx schedule for conference apps)",
    "/summits/{summit_id}/summit.ics": "iCalendar feed of the summit",
    "/summits/{summit_id}/my.ics": "iCalendar feed of a person's pitches",
    "/judge/{token}/calendar.ics": "iCalendar feed of a judge's room",
    "/summits/{summit_id}/schedule/check": "htmx fragment of the schedule page (checked there)",
    "/certificates/{code}/pdf": "PDF (a certificate)",
    "/verify/{code}/credential.json": "a signed Open Badges credential (JSON-LD)",
    "/api/v1/certificates/{code}": "JSON verification of a certificate code",
    "/api/v1/cohorts": "JSON API (bearer token): the person's cohorts",
    "/api/v1/cohorts/{cohort_id}": "JSON API (bearer token): one cohort",
    "/api/v1/cohorts/{cohort_id}/roster": "JSON API (bearer token): the roster",
    "/api/v1/cohorts/{cohort_id}/progress": "JSON API (bearer token): progress per trainee",
    "/api/v1/cohorts/{cohort_id}/surveys": "JSON API (bearer token): the cohort's surveys",
    "/api/v1/cohorts/{cohort_id}/surveys/{exercise_id}/results": "JSON API (bearer token): "
    "one survey's results",
    "/cohorts/{cohort_id}/certificates/jobs/{job_id}/{name}": "a bulk issue's PDF or ZIP",
}

# Every HTML page, opened by the role(s) whose view of it matters. The site administrator
# opens only their own pages (academies and cohorts); the staff's they see as staff do.
VISITS: tuple[Visit, ...] = (
    # people without an account
    Visit("anonymous", "/login"),
    Visit("anonymous", "/password/forgot"),
    Visit("anonymous", "/password/reset/{token}", {"token": "reset_token"}),
    Visit("anonymous", "/invite/{token}", {"token": "invite_token"}),
    Visit("anonymous", "/login/unlock/{token}", {"token": "unlock_token"}),
    Visit("anonymous", "/showcase"),
    Visit("anonymous", "/showcase/{academy_slug}"),
    Visit("anonymous", "/showcase/{academy_slug}/{public_id}"),
    Visit("anonymous", "/verify"),
    Visit("anonymous", "/verify/{code}"),
    # a trainee
    Visit("trainee", "/journey"),
    Visit("trainee", "/journey/modules/{module_id}"),
    Visit("trainee", "/journey/exercises/{exercise_id}", note="an answer to write"),
    Visit(
        "trainee",
        "/journey/exercises/{exercise_id}",
        {"exercise_id": "submitted_exercise_id"},
        note="submitted",
    ),
    Visit("trainee", "/review/{submission_id}"),
    Visit("trainee", "/mentoring"),
    Visit("trainee", "/mentoring/log"),
    Visit("trainee", "/circle"),
    Visit("trainee", "/circles/{circle_id}"),
    Visit("trainee", "/outreach"),
    Visit("trainee", "/outreach/new"),
    Visit("trainee", "/outreach/{item_id}"),
    Visit("trainee", "/certificates"),
    Visit("trainee", "/notifications"),
    Visit("trainee", "/notifications/settings"),
    Visit("trainee", "/account"),
    Visit("trainee", "/curriculum"),
    Visit("trainee", "/curriculum/modules/{slug}"),
    # the trainee's mentor
    Visit("mentor", "/mentees"),
    Visit("mentor", "/mentees/{trainee_id}"),
    Visit("mentor", "/mentees/{trainee_id}/log"),
    Visit("mentor", "/mentee-pitches"),
    Visit("mentor", "/cohorts/{cohort_id}/trainees/{trainee_id}/report"),
    Visit("mentor", "/review/{submission_id}"),
    Visit("mentor", "/circle"),
    Visit("mentor", "/circles/{circle_id}"),
    # a trainer of the cohort
    Visit("trainer", "/cohorts/{cohort_id}"),
    Visit("trainer", "/cohorts/{cohort_id}/plan"),
    Visit("trainer", "/cohorts/{cohort_id}/plan/preview/{module_id}"),
    # One circle's rows here and below: axe needs some 20 s for the whole cohort's grid
    # (275 trainees), whose rows are the same markup.
    Visit("trainer", "/cohorts/{cohort_id}/progress", query="circle={circle_id}"),
    Visit("trainer", "/cohorts/{cohort_id}/submissions"),
    Visit("trainer", "/cohorts/{cohort_id}/feedback"),
    Visit("trainer", "/cohorts/{cohort_id}/feedback/{exercise_id}", {"exercise_id": "survey_id"}),
    Visit(
        "trainer",
        "/cohorts/{cohort_id}/exercises/{exercise_id}/submissions",
        {"exercise_id": "submitted_exercise_id"},
        query="circle={circle_id}",
    ),
    Visit("trainer", "/cohorts/{cohort_id}/mentors"),
    Visit("trainer", "/cohorts/{cohort_id}/mentors/auto"),
    Visit("trainer", "/cohorts/{cohort_id}/mentors/feedback"),
    Visit("trainer", "/cohorts/{cohort_id}/mentors/history"),
    Visit("trainer", "/cohorts/{cohort_id}/circles"),
    Visit("trainer", "/cohorts/{cohort_id}/outreach"),
    Visit("trainer", "/cohorts/{cohort_id}/staff"),
    Visit("trainer", "/cohorts/{cohort_id}/audit"),
    Visit("trainer", "/cohorts/{cohort_id}/gesi"),
    # the demo academy's only cohort is the trainer's
    Visit("trainer", "/academies/{academy_id}/gesi"),
    Visit("trainer", "/cohorts/{cohort_id}/roster"),
    Visit("trainer", "/cohorts/{cohort_id}/roster/imports/{token}", {"token": "roster_token"}),
    Visit("trainer", "/cohorts/{cohort_id}/roster/people/{membership_id}"),
    Visit("trainer", "/cohorts/{cohort_id}/convenings"),
    Visit("organiser", "/cohorts/{cohort_id}/convenings/{convening_id}"),
    # One trainee's row: the whole cohort's rows are the same markup.
    Visit(
        "organiser",
        "/cohorts/{cohort_id}/convenings/{convening_id}/attendance",
        query="q={roster_search}",
    ),
    # an organiser of the cohort
    Visit("organiser", "/", note="to the cohort"),
    Visit("organiser", "/cohorts/{cohort_id}/plan"),
    # the site administrator
    Visit("admin", "/admin"),
    Visit("admin", "/admin/audit"),
    Visit("admin", "/admin/academies/new"),
    Visit("admin", "/admin/academies/{academy_id}"),
    Visit("admin", "/admin/cohorts/new"),
    Visit("organiser", "/summits"),
    Visit("organiser", "/summits/{summit_id}/setup"),
    Visit("organiser", "/summits/{summit_id}/pitches"),
    Visit("organiser", "/summits/{summit_id}/schedule"),
    Visit("organiser", "/summits/{summit_id}/judges"),
    Visit("organiser", "/summits/{summit_id}/results"),
    Visit("organiser", "/summits/{summit_id}/outputs"),
    Visit("organiser", "/pitches/{pitch_id}", {"pitch_id": "summit_pitch_id"}),
    Visit("trainee", "/pitch"),
    # a guest judge by their personal link, no account
    Visit("anonymous", "/judge/{token}", {"token": "judge_token"}),
    Visit(
        "anonymous",
        "/judge/{token}/pitches/{pitch_id}",
        {"token": "judge_token", "pitch_id": "summit_pitch_id"},
    ),
    Visit("organiser", "/cohorts/{cohort_id}/certificates"),
    Visit("organiser", "/cohorts/{cohort_id}/certificates/preview", query="kind=completion"),
    Visit("organiser", "/cohorts/{cohort_id}/certificates/jobs/{job_id}"),
    Visit("organiser", "/cohorts/{cohort_id}/certificates/design"),
)


def get_routes(app: Any) -> set[str]:
    """Every GET route of the app: its API routes (however nested) and Starlette's own
    (the OpenAPI schema and docs)."""
    paths = {route.path for route in iter_api_routes(app.routes) if "GET" in (route.methods or ())}
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if methods and "GET" in methods:
            paths.add(route.path)
    return paths


def swept_routes() -> set[str]:
    return {visit.route for visit in VISITS}


# -- the demo data behind the path parameters ------------------------------------------


@dataclass(frozen=True)
class SweepData:
    emails: dict[str, str]
    params: dict[str, object]


def _one(engine: Engine, sql: str, **values: object) -> Any:
    with engine.connect() as connection:
        row = connection.execute(text(sql), values).first()
    if row is None:
        pytest.fail(f"the served demo database has nothing for: {sql} {values}")
    return row[0]


def sweep_data(engine: Engine) -> SweepData:
    """Path parameters from the served demo database: the Pakistan cohort, its sweep
    trainee (their circle, mentor, an open module with a reflection and another
    exercise), a submission of the reflection with the mentor's comment and an outreach
    item waiting for moderation (made through the app's services), the showcase's
    approved story, and invitation and reset tokens."""
    pair = mentored_trainee(engine, SWEEP_SLOT)
    cohort_id = int(_one(engine, "SELECT id FROM cohort WHERE slug = :s", s=PAKISTAN))
    academy_id = int(_one(engine, "SELECT academy_id FROM cohort WHERE id = :c", c=cohort_id))
    trainee_id = int(_one(engine, 'SELECT id FROM "user" WHERE email = :e', e=pair.trainee_email))
    mentor_id = int(_one(engine, 'SELECT id FROM "user" WHERE email = :e', e=pair.mentor_email))
    circle_id = int(
        _one(
            engine,
            "SELECT circle_id FROM membership WHERE cohort_id = :c AND user_id = :u"
            " AND role = 'trainee'",
            c=cohort_id,
            u=trainee_id,
        )
    )
    membership_id = int(
        _one(
            engine,
            "SELECT id FROM membership WHERE cohort_id = :c AND user_id = :u AND role = 'trainee'",
            c=cohort_id,
            u=trainee_id,
        )
    )
    convening_id = int(
        _one(engine, "SELECT id FROM convening WHERE cohort_id = :c ORDER BY id", c=cohort_id)
    )
    module_id, slug, reflection_id, other_id = _open_module(engine, cohort_id)
    # The survey with the most answers: its results page shows every figure.
    survey_id = int(
        _one(
            engine,
            "SELECT s.exercise_id FROM submission s JOIN exercise e ON e.id = s.exercise_id"
            " WHERE s.cohort_id = :c AND e.type = 'survey' GROUP BY s.exercise_id"
            " ORDER BY count(*) DESC, s.exercise_id",
            c=cohort_id,
        )
    )
    academy_slug, public_id = _approved_story(engine)
    # The served app's own settings: its data folder holds the academies' signing keys
    # and uploaded files that the services called below read and write.
    data_dir = Path(str(engine.url.database)).parent
    settings = Settings(data_dir=data_dir, database_url=str(engine.url))
    with Session(engine) as session:
        submission_id = _reviewed_submission(
            session, cohort_id, trainee_id, mentor_id=mentor_id, exercise_id=reflection_id
        )
        item = next(iter(outreach.items_by_author(session, trainee_id)), None) or (
            outreach.create_item(
                session,
                settings,
                cohort_id=cohort_id,
                author_id=trainee_id,
                draft=outreach.Draft(
                    kind="story",
                    title="Token queue at the tehsil office",
                    body="Citizens now see which number is served.",
                ),
            )
        )
        invited = accounts.user_by_email(session, INVITED) or accounts.create_user(
            session, email=INVITED, display_name="Invited Sweep Person"
        )
        trainee = session.get(User, trainee_id)
        assert trainee is not None
        invite_token = accounts.issue_token(session, settings, invited, "invite")
        summit_id, summit_pitch_id, judge_token = _summit_judge(session, cohort_id)
        reset_token = accounts.issue_token(session, settings, trainee, "reset")
        unlock_token = accounts.issue_token(session, settings, trainee, "unlock")
        item_id = item.id
        roster_token = _roster_upload(session, cohort_id)
        code, job_id = _certificate(session, settings, cohort_id, trainee_id)
        session.commit()
    return SweepData(
        emails={"trainee": pair.trainee_email, "mentor": pair.mentor_email, **STAFF},
        params={
            "cohort_id": cohort_id,
            "academy_id": academy_id,
            "trainee_id": trainee_id,
            "circle_id": circle_id,
            "module_id": module_id,
            "slug": slug,
            "submitted_exercise_id": reflection_id,
            "exercise_id": other_id,
            "submission_id": submission_id,
            "survey_id": survey_id,
            "item_id": item_id,
            "academy_slug": academy_slug,
            "public_id": public_id,
            "invite_token": invite_token,
            "reset_token": reset_token,
            "unlock_token": unlock_token,
            "membership_id": membership_id,
            "convening_id": convening_id,
            "roster_token": roster_token,
            "roster_search": pair.trainee_email,
            "summit_id": summit_id,
            "summit_pitch_id": summit_pitch_id,
            "judge_token": judge_token,
            "code": code,
            "job_id": job_id,
        },
    )


def _roster_upload(session: Session, cohort_id: int) -> str:
    """A roster file waiting for confirmation: one new person, one bad row, one circle
    that will be created, so the preview shows its notes and its problems."""
    from iil_lms.cohorts import roster
    from iil_lms.cohorts.models import Cohort

    cohort = session.get(Cohort, cohort_id)
    trainer = accounts.user_by_email(session, STAFF["trainer"])
    assert cohort is not None and trainer is not None and trainer.id is not None
    upload, _preview = roster.store_upload(
        session,
        cohort,
        trainer.id,
        "name,email,learning circle,preferred language\n"
        "عائشہ خان,sweep-roster@csa-pk.example.org,Sweep circle,ur\n"
        "सीता शर्मा,not-an-address,,xx\n".encode(),
        "roster.csv",
    )
    return upload.token


def _summit_judge(session: Session, cohort_id: int) -> tuple[int, int, str]:
    """The demo summit, its first scheduled pitch, and a new guest judge's link to
    that pitch's room (links keep only a hash, so the sweep invites its own judge)."""
    summit = session.exec(select(Summit).where(Summit.cohort_id == cohort_id)).first()
    slot = session.exec(
        select(ScheduleSlot).where(ScheduleSlot.summit_id == (summit.id if summit else 0))
    ).first()
    if summit is None or slot is None:
        pytest.fail("the served demo database has no scheduled summit")
    _judge, token = judging.invite_judge(session, summit, room_id=slot.room_id, name="Sweep Judge")
    return int(summit.id or 0), slot.pitch_id, token


def _certificate(
    session: Session, settings: Any, cohort_id: int, trainee_id: int
) -> tuple[str, int]:
    """A completion certificate of the sweep trainee (issued by hand, through the
    service) and a finished bulk issue job of the cohort."""
    from iil_lms.certificates import jobs, service
    from iil_lms.certificates.models import JobStatus
    from iil_lms.cohorts.models import Cohort

    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    kind = service.ensure_kind(
        session, cohort, service.find_choice(session, cohort_id, "completion")
    )
    service.issue(
        session, settings, cohort=cohort, kind=kind, user_ids=[trainee_id], issued_by_id=None
    )
    held = next(c for c in service.of_holder(session, trainee_id) if c.kind_id == kind.id)
    job = jobs.create_job(
        session, cohort=cohort, kind=kind, user_ids=[trainee_id], created_by_id=None
    )
    job.status, job.done = JobStatus.DONE, 1
    session.add(job)
    session.flush()
    return held.code, job.id or 0


def _reviewed_submission(
    session: Session, cohort_id: int, trainee_id: int, *, mentor_id: int, exercise_id: int
) -> int:
    """The trainee's reflection, submitted (the mentor is told) and commented on by the
    mentor (the trainee is told), so that the review thread, the exercise's history and
    both people's notifications have something to show."""
    earlier = learning.submissions_of(
        session, cohort_id=cohort_id, user_id=trainee_id, exercise_id=exercise_id
    )
    if earlier:
        return int(earlier[0].id or 0)
    submission = learning.submit(
        session,
        cohort_id=cohort_id,
        user_id=trainee_id,
        exercise_id=exercise_id,
        content={"answer": "What I saw at the district office, and what I would change."},
    )
    review.tell_mentor_of_submission(session, submission)
    assert submission.id is not None
    context = review.review_context(
        session, submission.id, user_id=mentor_id, trainer_cohorts=set(), is_admin=False
    )
    assert context is not None, "the sweep trainee's mentor may not review their work"
    review.add_feedback(
        session, context, author_id=mentor_id, body="Good start: name *one* change to try."
    )
    return submission.id


def _open_module(engine: Engine, cohort_id: int) -> tuple[int, str, int, int]:
    """The first module of the cohort's plan that is open today with a reflection and
    another exercise: its id, slug, the reflection's id and the other exercise's."""
    query = text(
        "SELECT m.id, m.slug, e.id, e.type FROM plan_item p JOIN module m ON m.id = p.module_id"
        " JOIN exercise e ON e.module_id = m.id"
        " WHERE p.cohort_id = :c AND p.circle_id IS NULL AND NOT p.removed"
        " AND p.opens_on <= :today AND NOT m.retired AND NOT e.retired"
        " ORDER BY p.opens_on, m.id, e.position"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"c": cohort_id, "today": date.today()}).all()
    by_module: dict[tuple[int, str], dict[str, int]] = {}
    for module_id, slug, exercise_id, kind in rows:
        by_module.setdefault((int(module_id), str(slug)), {}).setdefault(kind, int(exercise_id))
    for (module_id, slug), kinds in by_module.items():
        others = [exercise for kind, exercise in kinds.items() if kind != "reflection"]
        if "reflection" in kinds and others:
            return module_id, slug, kinds["reflection"], others[0]
    pytest.fail("no open module of the Pakistan demo plan has a reflection and another exercise")


def _approved_story(engine: Engine) -> tuple[str, str]:
    query = text(
        "SELECT a.slug, o.public_id FROM outreach_item o JOIN cohort c ON c.id = o.cohort_id"
        " JOIN academy a ON a.id = c.academy_id"
        " WHERE c.slug = :s AND o.status = 'approved' ORDER BY o.id"
    )
    with engine.connect() as connection:
        row = connection.execute(query, {"s": PAKISTAN}).first()
    if row is None:
        pytest.fail("the demo has no approved outreach story for the showcase")
    return str(row[0]), str(row[1])


# -- what is checked on every page -----------------------------------------------------


def sign_in(journey: Journey, role: str, email: str | None, language: str) -> Person:
    """A person of `role` in their own browser context, signed in (unless anonymous) with
    `language` chosen the way people choose it: the login page's switcher for visitors,
    the account page for everyone signed in."""
    person = journey.person(role, language)
    if email is None:
        person.page.goto("/login")
        switcher = person.page.locator(f"form[action='/language'] button[value={language}]")
        switcher.click()
        person.page.wait_for_function(
            "lang => document.documentElement.lang === lang", arg=language
        )
    else:
        journey.login(person, email)
    person.csp_errors.clear()
    person.page_errors.clear()
    return person


def visit_problems(
    journey: Journey, person: Person, visit: Visit, path: str, *, axe: bool, phone: bool
) -> list[str]:
    """Open `path` and return what is wrong with it (empty when nothing): an error status
    or a sign-in wall, no <h1>, <html lang>/dir not the person's language, a CSP
    violation or a script error, and then axe-core's serious and critical violations
    (`axe`) or the phone's sideways scrolling (`phone`)."""
    page = person.page
    response: Response | None = page.goto(path)
    status = response.status if response is not None else 0
    problems: list[str] = []
    if status >= 400:
        problems.append(f"HTTP {status}")
    if visit.role != "anonymous" and page.url.split("?")[0].endswith("/login"):
        problems.append("sent to the login page")
    if not problems:
        problems += _page_problems(person, path, axe=axe, phone=phone)
    problems += [f"CSP: {message}" for message in person.csp_errors]
    problems += [f"JavaScript error: {message}" for message in person.page_errors]
    person.csp_errors.clear()
    person.page_errors.clear()
    if problems:
        journey.step(person, path.strip("/").replace("/", "-") or "home")
    return problems


def _page_problems(person: Person, path: str, *, axe: bool, phone: bool) -> list[str]:
    page = person.page
    problems: list[str] = []
    heading = page.locator("h1")
    if heading.count() == 0 or not heading.first.inner_text().strip():
        problems.append("no <h1> with text")
    lang, direction = page.evaluate(
        "() => [document.documentElement.lang, document.documentElement.dir]"
    )
    wanted = "rtl" if person.language == "ur" else "ltr"
    if (lang, direction) != (person.language, wanted):
        problems.append(f'<html lang="{lang}" dir="{direction}">, expected {person.language}')
    if axe:
        try:
            check_accessibility(page, f"{path} ({person.language})")
        except AssertionError as violation:
            problems.append(str(violation))
    if phone:
        wide = page.evaluate(OVERFLOW)
        if wide:
            problems.append(
                "scrolls sideways on a phone because of:\n    " + "\n    ".join(wide[:6])
            )
    return problems


def sweep(
    journey: Journey, data: SweepData, visits: Iterable[Visit], *, axe: bool, phone: bool
) -> tuple[int, list[str]]:
    """Every visit, one browser context per role (in VISITS' order of roles), pages in
    sequence; returns how many pages were opened and a report line per failing page."""
    visits = list(visits)
    failures: list[str] = []
    opened = 0
    for role in ROLES:
        mine = [visit for visit in visits if visit.role == role]
        if not mine:
            continue
        person = sign_in(journey, role, data.emails.get(role), journey.variant.language)
        for visit in mine:
            path = visit.path(data.params)
            problems = visit_problems(journey, person, visit, path, axe=axe, phone=phone)
            opened += 1
            if problems:
                failures.append(f"{visit} -> {path}:\n  " + "\n  ".join(problems))
        person.context.close()
        journey.people.remove(person)
    return opened, failures
