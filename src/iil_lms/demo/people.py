"""The demo's academies, cohorts, circles, convenings and people, as cohorts.yaml
describes them: one builder for every cohort. Running it again changes nothing (except
passwords, when asked to)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort, Convening, LearningCircle, Membership, Role
from iil_lms.cohorts.service import get_or_create_academy

DATA = Path(__file__).with_name("cohorts.yaml")
_RELATIVE = re.compile(r"^(start|end)([+-]\d+)$")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    cohort: str


@cache
def demo_data() -> dict[str, Any]:
    """cohorts.yaml, read once."""
    loaded: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return loaded


def cohort_spec(slug: str) -> dict[str, Any]:
    return next(c for c in demo_data()["cohorts"] if c["slug"] == slug)


def cohort_dates(spec: dict[str, Any], today: date) -> tuple[date, date]:
    """A cohort's first and last day: fixed, or (`weeks_in`) that many weeks into its
    year on `today`, starting on a Monday."""
    dates = spec["dates"]
    if "weeks_in" not in dates:
        return dates["starts_on"], dates["ends_on"]
    start = today - timedelta(weeks=dates["weeks_in"])
    start -= timedelta(days=start.weekday())
    return start, start + timedelta(days=dates["length_days"])


def pakistan_dates(today: date) -> tuple[date, date]:
    """The Pakistan demo cohort's first and last day for a demo built on `today`: 7 Sep
    2026 to 30 Jul 2027 for one built on 27 Nov 2026."""
    return cohort_dates(cohort_spec("ctp-2026"), today)


@dataclass
class People:
    """Demo accounts by email; one password hash for all of them."""

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


def names(given: list[str], family: list[str], count: int) -> list[str]:
    """Stable full names, distinct while count // len(given) < len(family): each given
    name is paired with consecutive family names from its own offset."""
    found = []
    for i in range(count):
        family_index = (i // len(given) + 3 * (i % len(given))) % len(family)
        found.append(f"{given[i % len(given)]} {family[family_index]}")
    return found


def self_declared(i: int) -> dict[str, str]:
    """What trainee `i` (0-based, in `names` order) declared on the roster for the GESI
    figures: the given names alternate women's and men's; some left the questions blank."""
    if i % 17 == 16:
        return {"gender": "", "disability": ""}
    return {
        "gender": "Female" if i % 2 == 0 else "Male",
        "disability": "Yes" if i % 23 == 5 else "No",
    }


def _pick(rule: dict[str, Any], i: int, items: list[Any]) -> Any:
    return items[(i * rule.get("step", 1) + rule.get("offset", 0)) % len(items)]


def _field(rule: Any, i: int) -> Any:
    """A person's value from a rule of cohorts.yaml: a plain value, `{from: LIST, ...}`,
    or `{every: N, value: V}` (V for every N-th person, else nothing)."""
    if isinstance(rule, dict) and "from" in rule:
        return _pick(rule, i, demo_data()["lists"][rule["from"]])
    if isinstance(rule, dict) and "every" in rule:
        return rule["value"] if i % rule["every"] == 0 else None
    return rule


def _place(rule: dict[str, Any], i: int) -> tuple[str, str]:
    if "from" in rule:
        district, province = _field(rule, i)
        return district, province
    return rule["district"], rule["province"]


def _names_of(group: dict[str, Any]) -> list[str]:
    rule = group["names"]
    if "list" in rule:
        return list(rule["list"])
    lists = demo_data()["lists"]
    given, family = lists[rule["given"]], lists[rule["family"]]
    if rule.get("reversed"):
        given, family = given[::-1], family[::-1]
    return names(given, family, group["count"])


def _date(value: Any, starts_on: date, ends_on: date) -> date:
    if isinstance(value, date):
        return value
    found = _RELATIVE.match(str(value))
    if found is None:
        raise ValueError(f"cohorts.yaml: {value!r} is not a date")
    anchor = starts_on if found.group(1) == "start" else ends_on
    return anchor + timedelta(days=int(found.group(2)))


def build_cohort(
    session: Session, people: People, spec: dict[str, Any], today: date
) -> list[DemoLogin]:
    """Create (or find) one cohort of cohorts.yaml with its academy, circles, staff,
    mentors, trainees and convenings; return its logins to print."""
    academy = get_or_create_academy(session, **spec["academy"])
    starts_on, ends_on = cohort_dates(spec, today)
    cohort = _cohort(
        session,
        academy,
        slug=spec["slug"],
        name=spec["name"],
        language=spec["language"],
        starts_on=starts_on,
        ends_on=ends_on,
        timeframe=spec["timeframe"],
    )
    cohort_id = cohort.id
    assert cohort_id is not None
    domain = spec["domain"]
    circle_rule = spec["circles"]
    circle_names = circle_rule.get("names") or [
        circle_rule["pattern"].format(n=n) for n in range(1, circle_rule["count"] + 1)
    ]
    circles = _circles(session, cohort, circle_names)
    wanted: list[Membership] = []

    def member(user: User, role: Role, **fields: Any) -> None:
        assert user.id is not None
        wanted.append(Membership(cohort_id=cohort_id, user_id=user.id, role=role.value, **fields))

    for role, key in ((Role.TRAINER, "trainers"), (Role.ORGANISER, "organisers")):
        for person in spec[key]:
            user = people.user(f"{person['login']}@{domain}", person["name"], "en")
            member(user, role, **spec["staff_place"])
    mentors = spec["mentors"]
    for i, name in enumerate(_names_of(mentors), start=1):
        user = people.user(f"{mentors['login'].format(i=i)}@{domain}", name, mentors["language"])
        district, province = _place(mentors["place"], i)
        member(
            user,
            Role.MENTOR,
            department=_field(mentors["department"], i),
            district=district,
            province=province,
        )
    trainees = spec["trainees"]
    for i, name in enumerate(_names_of(trainees), start=1):
        language = _field(trainees["language"], i)
        user = people.user(f"{trainees['login'].format(i=i)}@{domain}", name, language)
        district, province = _place(trainees["place"], i)
        member(
            user,
            Role.TRAINEE,
            department=_field(trainees["department"], i),
            district=district,
            province=province,
            circle_id=_pick(trainees["circle"], i, circles).id,
            **self_declared(i - 1),
        )
    _memberships(session, cohort, wanted)
    _convenings(
        session,
        cohort,
        [
            (title, _date(starts, starts_on, ends_on), _date(ends, starts_on, ends_on), venue)
            for title, starts, ends, venue in spec["convenings"]
        ],
    )
    return [
        DemoLogin(role, f"{login}@{domain}", cohort.name) for role, login in spec["logins"].items()
    ]


def _cohort(session: Session, academy: Academy, **fields: Any) -> Cohort:
    cohort = session.exec(
        select(Cohort).where(Cohort.academy_id == academy.id, Cohort.slug == fields["slug"])
    ).first()
    if cohort is None:
        cohort = Cohort(academy_id=academy.id or 0, **fields)
        session.add(cohort)
        session.flush()
    return cohort


def _circles(session: Session, cohort: Cohort, wanted: list[str]) -> list[LearningCircle]:
    existing = {
        c.name: c
        for c in session.exec(select(LearningCircle).where(LearningCircle.cohort_id == cohort.id))
    }
    circles = []
    for name in wanted:
        circle = existing.get(name)
        if circle is None:
            circle = LearningCircle(cohort_id=cohort.id or 0, name=name)
            session.add(circle)
        circles.append(circle)
    session.flush()
    return circles


def _memberships(session: Session, cohort: Cohort, wanted: list[Membership]) -> None:
    have = {
        (m.user_id, m.role)
        for m in session.exec(select(Membership).where(Membership.cohort_id == cohort.id))
    }
    session.add_all([m for m in wanted if (m.user_id, m.role) not in have])
    session.flush()


def _convenings(
    session: Session, cohort: Cohort, planned: list[tuple[str, date, date, str]]
) -> None:
    cohort_id = cohort.id or 0
    have = {
        c.title for c in session.exec(select(Convening).where(Convening.cohort_id == cohort_id))
    }
    session.add_all(
        [
            Convening(cohort_id=cohort_id, title=title, starts_on=s, ends_on=e, venue=venue)
            for title, s, e, venue in planned
            if title not in have
        ]
    )
    session.flush()
