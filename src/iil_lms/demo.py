"""Demo academies and cohorts: a Pakistan academy cohort of 275 trainees and a Nepal
cohort of 12. Running it again changes nothing (except passwords, when asked to)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import cycle
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import hash_password, verify_password
from iil_lms.certificates.demo import seed_demo as seed_certificates_demo
from iil_lms.cohorts.models import Academy, Cohort, Convening, LearningCircle, Membership, Role
from iil_lms.cohorts.service import get_or_create_academy
from iil_lms.curriculum import plans, timeframes
from iil_lms.curriculum.loader import CurriculumInvalid
from iil_lms.curriculum.service import load_curriculum
from iil_lms.learning.demo import seed_demo as seed_learning_demo
from iil_lms.mentoring.demo import seed_demo as seed_mentoring_demo
from iil_lms.reports.demo import seed_demo as seed_survey_demo
from iil_lms.settings import Settings, get_settings
from iil_lms.summit.demo import seed_demo as seed_summit_demo

log = logging.getLogger(__name__)

DEFAULT_PASSWORD = "integrity-2026"  # noqa: S105 -- the published demo password

PK_GIVEN = [
    "Ayesha",
    "Bilal",
    "Fatima",
    "Hamza",
    "Zainab",
    "Usman",
    "Maryam",
    "Ahmed",
    "Sana",
    "Ali",
    "Hira",
    "Omar",
    "Mahnoor",
    "Hassan",
    "Iqra",
    "Saad",
    "Amna",
    "Farhan",
    "Rabia",
    "Imran",
    "Kiran",
    "Waqas",
    "Nadia",
    "Shahzaib",
    "Mehwish",
    "Junaid",
    "Sadia",
    "Asad",
    "Noor",
    "Talha",
    "Saima",
    "Danish",
    "Aleena",
    "Raza",
    "Sidra",
    "Kamran",
    "Arooj",
    "Faisal",
    "Tehmina",
    "Zubair",
]
PK_FAMILY = [
    "Khan",
    "Malik",
    "Qureshi",
    "Chaudhry",
    "Siddiqui",
    "Baloch",
    "Butt",
    "Sheikh",
    "Awan",
    "Jamali",
    "Shah",
    "Memon",
    "Abbasi",
    "Mirza",
    "Khattak",
    "Bhatti",
    "Rana",
    "Hashmi",
    "Soomro",
    "Afridi",
    "Yousafzai",
    "Gillani",
    "Niazi",
]
PK_SERVICE_GROUPS = [
    "Pakistan Administrative Service",
    "Police Service of Pakistan",
    "Inland Revenue Service",
    "Pakistan Customs Service",
    "Office Management Group",
    "Information Group",
    "Pakistan Audit and Accounts Service",
    "Commerce and Trade Group",
    "Foreign Service of Pakistan",
    "Postal Group",
    "Railways (Commercial and Transportation) Group",
    "Military Lands and Cantonments",
]
PK_PLACES = [
    ("Lahore", "Punjab"),
    ("Multan", "Punjab"),
    ("Faisalabad", "Punjab"),
    ("Rawalpindi", "Punjab"),
    ("Bahawalpur", "Punjab"),
    ("Karachi", "Sindh"),
    ("Hyderabad", "Sindh"),
    ("Sukkur", "Sindh"),
    ("Peshawar", "Khyber Pakhtunkhwa"),
    ("Swat", "Khyber Pakhtunkhwa"),
    ("Abbottabad", "Khyber Pakhtunkhwa"),
    ("Quetta", "Balochistan"),
    ("Gwadar", "Balochistan"),
    ("Gilgit", "Gilgit-Baltistan"),
    ("Muzaffarabad", "Azad Jammu and Kashmir"),
    ("Islamabad", "Islamabad Capital Territory"),
]
NP_GIVEN = [
    "Sita",
    "Bikash",
    "Anjali",
    "Ramesh",
    "Sabina",
    "Prakash",
    "Nirmala",
    "Suman",
    "Pooja",
    "Dipendra",
    "Kabita",
    "Rajendra",
    "Sunita",
    "Aashish",
    "Mina",
    "Kiran",
]
NP_FAMILY = [
    "Sharma",
    "Thapa",
    "Gurung",
    "Shrestha",
    "Tamang",
    "Rai",
    "Karki",
    "Adhikari",
    "Magar",
    "Yadav",
    "Limbu",
    "Bhattarai",
    "Poudel",
    "Maharjan",
]
NP_DEPARTMENTS = [
    "Ministry of Federal Affairs and General Administration",
    "Department of Land Management",
    "Inland Revenue Department",
    "Department of Health Services",
    "Ministry of Education",
    "Nepal Police",
    "District Administration Office",
    "Department of Roads",
]
NP_PLACES = [
    ("Kathmandu", "Bagmati"),
    ("Lalitpur", "Bagmati"),
    ("Pokhara", "Gandaki"),
    ("Biratnagar", "Koshi"),
    ("Janakpur", "Madhesh"),
    ("Butwal", "Lumbini"),
    ("Nepalgunj", "Lumbini"),
    ("Dhangadhi", "Sudurpashchim"),
    ("Birendranagar", "Karnali"),
]
MENTOR_TITLES_PK = [
    "Deputy Commissioner",
    "Additional Secretary",
    "Senior Superintendent",
    "Director General",
    "Commissioner",
    "Joint Secretary",
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    cohort: str


@dataclass
class _People:
    session: Session
    password_hash: str
    users_by_email: dict[str, User]
    reset_password: bool

    def user(self, email: str, name: str, language: str | None) -> User:
        user = self.users_by_email.get(email)
        if user is None:
            user = User(
                email=email, display_name=name, language=language, password_hash=self.password_hash
            )
            self.session.add(user)
            self.session.flush()
            self.users_by_email[email] = user
        elif self.reset_password and user.password_hash != self.password_hash:
            user.password_hash = self.password_hash
            self.session.add(user)
        return user


def _names(given: list[str], family: list[str], count: int) -> list[str]:
    """Stable full names, distinct while count // len(given) < len(family): each given
    name is paired with consecutive family names from its own offset."""
    names = []
    for i in range(count):
        family_index = (i // len(given) + 3 * (i % len(given))) % len(family)
        names.append(f"{given[i % len(given)]} {family[family_index]}")
    return names


def _self_declared(i: int) -> dict[str, str]:
    """What trainee `i` (0-based, in _names order) declared on the roster for the GESI
    figures: the given names alternate women's and men's; some left the questions blank."""
    if i % 17 == 16:
        return {"gender": "", "disability": ""}
    return {
        "gender": "Female" if i % 2 == 0 else "Male",
        "disability": "Yes" if i % 23 == 5 else "No",
    }


def _member(cohort: Cohort, user: User, role: Role, **fields: Any) -> Membership:
    """A roster row for a cohort and user that are already flushed (both have ids)."""
    assert cohort.id is not None and user.id is not None
    return Membership(cohort_id=cohort.id, user_id=user.id, role=role.value, **fields)


def _cohort(session: Session, academy: Academy, **fields: object) -> Cohort:
    slug = str(fields["slug"])
    cohort = session.exec(
        select(Cohort).where(Cohort.academy_id == academy.id, Cohort.slug == slug)
    ).first()
    if cohort is None:
        cohort = Cohort(academy_id=academy.id, **fields)  # type: ignore[arg-type]
        session.add(cohort)
        session.flush()
    return cohort


def _circles(session: Session, cohort: Cohort, names: list[str]) -> list[LearningCircle]:
    existing = {
        c.name: c
        for c in session.exec(select(LearningCircle).where(LearningCircle.cohort_id == cohort.id))
    }
    circles = []
    for name in names:
        circle = existing.get(name)
        if circle is None:
            circle = LearningCircle(cohort_id=cohort.id, name=name)  # type: ignore[arg-type]
            session.add(circle)
        circles.append(circle)
    session.flush()
    return circles


def _memberships(session: Session, cohort: Cohort, wanted: list[Membership]) -> None:
    have = {
        (m.user_id, m.role)
        for m in session.exec(select(Membership).where(Membership.cohort_id == cohort.id))
    }
    for membership in wanted:
        if (membership.user_id, membership.role) not in have:
            session.add(membership)
    session.flush()


def _convenings(
    session: Session, cohort: Cohort, planned: list[tuple[str, date, date, str]]
) -> None:
    cohort_id = cohort.id
    assert cohort_id is not None
    have = {
        c.title for c in session.exec(select(Convening).where(Convening.cohort_id == cohort_id))
    }
    for title, starts, ends, venue in planned:
        if title not in have:
            session.add(
                Convening(
                    cohort_id=cohort_id,
                    title=title,
                    starts_on=starts,
                    ends_on=ends,
                    venue=venue,
                )
            )
    session.flush()


def build_demo(
    session: Session,
    password: str | None = None,
    curricula_dir: Path | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> list[DemoLogin]:
    """Create (or find) the demo academies, cohorts and people; return the logins to print.
    The Pakistan cohort's dates and work are those of a cohort in its year on `today`.
    With `settings` (as `iil-lms demo` passes them) also some issued certificates: they
    are signed with each academy's key, kept in that data folder."""
    today = today or date.today()
    chosen = password or DEFAULT_PASSWORD
    existing = {u.email: u for u in session.exec(select(User))}
    sample = next((u for u in existing.values() if u.email.endswith(".example.org")), None)
    if sample is not None and verify_password(sample.password_hash, chosen):
        password_hash = sample.password_hash or hash_password(chosen)
    else:
        password_hash = hash_password(chosen)  # one hash for every demo account: fast, demo only
    people = _People(session, password_hash, existing, reset_password=password is not None)
    logins: list[DemoLogin] = []

    admin = people.user("admin@example.org", "Site Administrator", "en")
    if not admin.is_admin:
        admin.is_admin = True
        session.add(admin)
    logins.append(DemoLogin("admin", admin.email, "all"))

    logins += _pakistan(session, people, today)
    logins += _nepal(session, people)
    _curriculum_and_plans(session, curricula_dir)
    seed_mentoring_demo(session, admin.id)
    seed_learning_demo(session, today)
    seed_survey_demo(session, today)
    seed_summit_demo(session)
    if settings is not None:
        seed_certificates_demo(session, settings)
    return logins


def _curriculum_and_plans(session: Session, curricula_dir: Path | None) -> None:
    """Load curricula/iil-core and give each demo cohort a plan: Pakistan on the academy
    year, Nepal on quarterly convenings. Unchanged content and existing plans are left
    alone; a missing or invalid curriculum leaves the cohorts without a plan (logged)."""
    folder = (curricula_dir or get_settings().curricula_dir) / "iil-core"
    if not (folder / "curriculum.yaml").is_file():
        log.warning("demo: no curriculum at %s; cohorts get no plan", folder)
        return
    try:
        report = load_curriculum(session, folder)
    except CurriculumInvalid as invalid:
        log.warning("demo: %s is invalid (%s); cohorts get no plan", folder, invalid.errors[0])
        return
    for slug, timeframe in (
        ("ctp-2026", timeframes.ACADEMY_YEAR),
        ("yics-2026", timeframes.QUARTERLY),
    ):
        cohort = session.exec(select(Cohort).where(Cohort.slug == slug)).one()
        if cohort.curriculum_version_id is None:
            cohort.curriculum_version_id = report.version_id
            session.add(cohort)
        if not plans.has_plan(session, cohort.id or 0):
            plans.generate_plan(session, cohort, timeframe)


# The Pakistan cohort is about eleven weeks into its year on the day the demo is built
# (it starts on the Monday on or before that day), and runs 47 weeks.
PK_WEEKS_IN = 11
PK_LENGTH = timedelta(days=326)


def pakistan_dates(today: date) -> tuple[date, date]:
    """The Pakistan demo cohort's first and last day for a demo built on `today`: 7 Sep
    2026 to 30 Jul 2027 for one built on 27 Nov 2026."""
    start = today - timedelta(weeks=PK_WEEKS_IN)
    start -= timedelta(days=start.weekday())
    return start, start + PK_LENGTH


def _pakistan(session: Session, people: _People, today: date) -> list[DemoLogin]:
    starts_on, ends_on = pakistan_dates(today)
    academy = get_or_create_academy(
        session,
        slug="csa-lahore",
        name="Civil Services Academy, Lahore",
        country="Pakistan",
        timezone="Asia/Karachi",
        local_language="ur",
    )
    cohort = _cohort(
        session,
        academy,
        slug="ctp-2026",
        name="Common Training Programme 2026-27",
        language="en",
        starts_on=starts_on,
        ends_on=ends_on,
        timeframe="academy-year",
    )
    domain = "csa-pk.example.org"
    circles = _circles(session, cohort, [f"Circle {n:02d}" for n in range(1, 24)])
    wanted: list[Membership] = []
    trainers = [
        ("Saira Ahmed", "trainer1"),
        ("Khalid Mehmood", "trainer2"),
        ("Shazia Rauf", "trainer3"),
    ]
    for name, local in trainers:
        user = people.user(f"{local}@{domain}", name, "en")
        wanted.append(
            _member(
                cohort,
                user,
                Role.TRAINER,
                department="Civil Services Academy",
                district="Lahore",
                province="Punjab",
            )
        )
    for name, local in [("Tariq Jamil", "organiser1"), ("Nasreen Akhtar", "organiser2")]:
        user = people.user(f"{local}@{domain}", name, "en")
        wanted.append(
            _member(
                cohort,
                user,
                Role.ORGANISER,
                department="Civil Services Academy",
                district="Lahore",
                province="Punjab",
            )
        )
    mentor_names = _names(PK_GIVEN[::-1], PK_FAMILY[::-1], 12)
    for i, name in enumerate(mentor_names, start=1):
        user = people.user(f"mentor{i:02d}@{domain}", name, "en")
        place, province = PK_PLACES[i % len(PK_PLACES)]
        wanted.append(
            _member(
                cohort,
                user,
                Role.MENTOR,
                department=PK_SERVICE_GROUPS[i % len(PK_SERVICE_GROUPS)],
                district=place,
                province=province,
            )
        )
    places = cycle(PK_PLACES)
    for i, name in enumerate(_names(PK_GIVEN, PK_FAMILY, 275), start=1):
        user = people.user(f"trainee{i:03d}@{domain}", name, "en")
        place, province = next(places)
        wanted.append(
            _member(
                cohort,
                user,
                Role.TRAINEE,
                department=PK_SERVICE_GROUPS[(i * 5) % len(PK_SERVICE_GROUPS)],
                district=place,
                province=province,
                circle_id=circles[(i - 1) % len(circles)].id,
                **_self_declared(i - 1),
            )
        )
    _memberships(session, cohort, wanted)
    _convenings(
        session,
        cohort,
        [
            (
                "Orientation week",
                cohort.starts_on,
                cohort.starts_on + timedelta(days=4),
                "Civil Services Academy, Walton Road, Lahore",
            ),
            (
                "Integrity Summit",
                cohort.ends_on - timedelta(days=8),
                cohort.ends_on - timedelta(days=7),
                "Civil Services Academy, Lahore",
            ),
        ],
    )
    label = cohort.name
    return [
        DemoLogin("trainer", f"trainer1@{domain}", label),
        DemoLogin("organiser", f"organiser1@{domain}", label),
        DemoLogin("mentor", f"mentor01@{domain}", label),
        DemoLogin("trainee", f"trainee001@{domain}", label),
    ]


def _nepal(session: Session, people: _People) -> list[DemoLogin]:
    academy = get_or_create_academy(
        session,
        slug="nasc-nepal",
        name="Nepal Administrative Staff College",
        country="Nepal",
        timezone="Asia/Kathmandu",
        local_language="ne",
    )
    cohort = _cohort(
        session,
        academy,
        slug="yics-2026",
        name="Young Integrity Champions 2026-27",
        language="en",
        starts_on=date(2026, 9, 14),
        ends_on=date(2027, 8, 27),
        timeframe="quarterly-convenings",
    )
    domain = "nasc-np.example.org"
    circles = _circles(session, cohort, ["Sagarmatha circle", "Kanchenjunga circle"])
    wanted: list[Membership] = []
    trainer = people.user(f"trainer1@{domain}", "Gita Koirala", "en")
    wanted.append(
        _member(
            cohort,
            trainer,
            Role.TRAINER,
            department="Nepal Administrative Staff College",
            district="Lalitpur",
            province="Bagmati",
        )
    )
    for i, name in enumerate(["Hari Prasad Dahal", "Laxmi Ghimire"], start=1):
        user = people.user(f"mentor{i:02d}@{domain}", name, "ne")
        wanted.append(
            _member(
                cohort,
                user,
                Role.MENTOR,
                department=NP_DEPARTMENTS[i],
                district="Kathmandu",
                province="Bagmati",
            )
        )
    for i, name in enumerate(_names(NP_GIVEN, NP_FAMILY, 12), start=1):
        user = people.user(f"trainee{i:02d}@{domain}", name, "ne" if i % 3 == 0 else None)
        place, province = NP_PLACES[i % len(NP_PLACES)]
        wanted.append(
            _member(
                cohort,
                user,
                Role.TRAINEE,
                department=NP_DEPARTMENTS[i % len(NP_DEPARTMENTS)],
                district=place,
                province=province,
                circle_id=circles[i % 2].id,
                **_self_declared(i - 1),
            )
        )
    _memberships(session, cohort, wanted)
    _convenings(
        session,
        cohort,
        [
            (
                "Convening 1: Foundations",
                date(2026, 9, 14),
                date(2026, 9, 16),
                "NASC, Jawalakhel, Lalitpur",
            ),
            (
                "Convening 2: Discovery to ideas",
                date(2026, 12, 14),
                date(2026, 12, 16),
                "NASC, Jawalakhel, Lalitpur",
            ),
            ("Convening 3: Implementation review", date(2027, 3, 15), date(2027, 3, 17), "Pokhara"),
            (
                "Convening 4: Integrity Summit",
                date(2027, 6, 14),
                date(2027, 6, 16),
                "NASC, Jawalakhel, Lalitpur",
            ),
        ],
    )
    label = cohort.name
    return [
        DemoLogin("trainer", f"trainer1@{domain}", label),
        DemoLogin("mentor", f"mentor01@{domain}", label),
        DemoLogin("trainee", f"trainee01@{domain}", label),
    ]
