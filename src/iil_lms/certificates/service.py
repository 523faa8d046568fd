"""Issuing, revoking and re-issuing certificates, and the lookups the pages need.

A certificate never changes once issued (what it says is copied in); issuing is
idempotent per person and kind (a person holds at most one current certificate of a
kind), and a re-issue is a new certificate that supersedes the old one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.audit.service import record
from iil_lms.certificates import codes, credentials, rules
from iil_lms.certificates.models import Certificate, CertificateKind, KindRule
from iil_lms.cohorts.models import Academy, Cohort, Membership
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import N_, translations
from iil_lms.i18n import gettext as _
from iil_lms.settings import Settings

VALID = "valid"
REVOKED = "revoked"
SUPERSEDED = "superseded"

BUILT_IN_TEXTS = {
    KindRule.COMPLETION: (
        N_("Certificate of completion"),
        N_("Completed all six milestones of the Integrity Innovation Lab."),
    ),
    KindRule.SUMMIT: (
        N_("Integrity Summit participation"),
        N_("Pitched an integrity innovation at the Integrity Summit."),
    ),
    KindRule.MENTOR: (
        N_("Mentor recognition"),
        N_("Mentored civil servants through the Integrity Innovation Lab."),
    ),
}


class CertificateError(ValueError):
    """A request the rules refuse, in words for the organiser; `field` names the form
    field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def second_language(academy: Academy, cohort: Cohort) -> str:
    """The language printed beside English: the academy's, else the cohort's."""
    for language in (academy.local_language, cohort.language):
        if language and language != "en":
            return language
    return "en"


# --- kinds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KindChoice:
    """A kind as the organiser's page lists it: a built-in one (made on first use) or a
    custom one. `key` is the rule's name for a built-in kind, the id for a custom one."""

    key: str
    rule: str
    title: str
    kind: CertificateKind | None


def kind_choices(session: Session, cohort_id: int) -> list[KindChoice]:
    rows = session.exec(
        select(CertificateKind)
        .where(col(CertificateKind.cohort_id) == cohort_id)
        .order_by(col(CertificateKind.id))
    ).all()
    made = {k.rule: k for k in rows if k.rule in KindRule.BUILT_IN}
    choices = [
        KindChoice(rule, rule, made[rule].title if rule in made else _(text[0]), made.get(rule))
        for rule, text in BUILT_IN_TEXTS.items()
    ]
    choices += [
        KindChoice(str(k.id), k.rule, k.title, k) for k in rows if k.rule == KindRule.CUSTOM
    ]
    return choices


def find_choice(session: Session, cohort_id: int, key: str) -> KindChoice:
    for choice in kind_choices(session, cohort_id):
        if choice.key == key:
            return choice
    raise CertificateError(_("Choose a kind of certificate."), "kind")


def ensure_kind(session: Session, cohort: Cohort, choice: KindChoice) -> CertificateKind:
    """The kind's row, made with its English and second-language texts if missing."""
    if choice.kind is not None:
        return choice.kind
    academy = session.get(Academy, cohort.academy_id)
    assert academy is not None
    local = translations(second_language(academy, cohort))
    title, achievement = BUILT_IN_TEXTS[choice.rule]
    kind = CertificateKind(
        cohort_id=cohort.id or 0,
        rule=choice.rule,
        title=title,
        title_local=local.ugettext(title),
        achievement=achievement,
        achievement_local=local.ugettext(achievement),
    )
    session.add(kind)
    session.flush()
    return kind


def create_custom_kind(
    session: Session,
    cohort_id: int,
    *,
    title: str,
    title_local: str,
    achievement: str,
    achievement_local: str,
) -> CertificateKind:
    """A kind an organiser defines (issued by hand). The English title is required and
    unique in the cohort."""
    title = " ".join(title.split())
    if not title:
        raise CertificateError(_("Give the certificate a title."), "title")
    if len(title) > 200 or len(title_local) > 200:
        raise CertificateError(_("A title is at most 200 characters."), "title")
    if len(achievement) > 500 or len(achievement_local) > 500:
        raise CertificateError(_("The achievement is at most 500 characters."), "achievement")
    taken = session.exec(
        select(CertificateKind.id).where(
            col(CertificateKind.cohort_id) == cohort_id, col(CertificateKind.title) == title
        )
    ).first()
    if taken is not None or title in {t for t, _a in BUILT_IN_TEXTS.values()}:
        raise CertificateError(_("The cohort already has a certificate with this title."), "title")
    kind = CertificateKind(
        cohort_id=cohort_id,
        rule=KindRule.CUSTOM,
        title=title,
        title_local=" ".join(title_local.split()),
        achievement=achievement.strip(),
        achievement_local=achievement_local.strip(),
    )
    session.add(kind)
    session.flush()
    return kind


# --- who qualifies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str


@dataclass
class Preview:
    """Who a kind's rule picks, split into those who would get a certificate now and
    those who already hold one."""

    to_issue: list[Person] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)


def _people(session: Session, user_ids: set[int]) -> list[Person]:
    if not user_ids:
        return []
    rows = session.execute(
        sa_select(col(User.id), col(User.display_name), col(User.email))
        .where(col(User.id).in_(sorted(user_ids)))
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [Person(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def holders(session: Session, kind_id: int | None) -> set[int]:
    """Who holds a current certificate of the kind (revoked ones count: they are not
    issued again by rule)."""
    if kind_id is None:
        return set()
    rows = session.execute(
        sa_select(col(Certificate.user_id)).where(
            col(Certificate.kind_id) == kind_id, col(Certificate.is_current).is_(True)
        )
    ).all()
    return {int(r[0]) for r in rows}


def preview(session: Session, cohort_id: int, choice: KindChoice) -> Preview:
    """Who the kind's rule picks, and which of them already hold the certificate."""
    picked = rules.qualifying(session, cohort_id, choice.rule)
    held = holders(session, choice.kind.id if choice.kind else None)
    result = Preview()
    for person in _people(session, picked):
        (result.already if person.user_id in held else result.to_issue).append(person)
    return result


def members(session: Session, cohort_id: int) -> list[Person]:
    """Everyone with a role in the cohort, once each, by name (for issuing by hand)."""
    ids = {
        int(r[0])
        for r in session.execute(
            sa_select(col(Membership.user_id)).where(col(Membership.cohort_id) == cohort_id)
        ).all()
    }
    return _people(session, ids)


# --- issuing ---------------------------------------------------------------------------


def _credential(
    settings: Settings, key: credentials.AcademyKey, academy: Academy, cert: Certificate
) -> str:
    facts = credentials.CredentialFacts(
        url=f"{settings.base_url}/verify/{codes.grouped(cert.code)}",
        issuer_url=f"{settings.base_url}/academies/{academy.slug}",
        issuer_name=academy.name,
        holder_name=cert.holder_name,
        kind_url=f"{settings.base_url}/certificates/kinds/{cert.kind_id}",
        title=cert.title,
        achievement=cert.achievement,
        programme=cert.programme,
        issued_at=as_utc(cert.issued_on),
    )
    signed = credentials.sign(credentials.unsigned_credential(facts), key, as_utc(cert.issued_on))
    return credentials.canonical(signed).decode()


@dataclass
class Issued:
    certificates: list[Certificate] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # already held one
    refused: list[tuple[int, str]] = field(default_factory=list)  # (user id, why)


def issue(
    session: Session,
    settings: Settings,
    *,
    cohort: Cohort,
    kind: CertificateKind,
    user_ids: list[int],
    issued_by_id: int | None,
    supersedes: Certificate | None = None,
) -> Issued:
    """Issue the kind to each person who has a role in the cohort and holds no current
    certificate of it (idempotent: asking twice issues once). Each certificate gets a
    fresh code and a credential signed by the academy's key. People outside the cohort
    are refused and listed with why; the others are issued."""
    academy = session.get(Academy, cohort.academy_id)
    assert academy is not None and cohort.id is not None and kind.id is not None
    result = Issued()
    held = holders(session, kind.id)
    in_cohort = {p.user_id: p for p in members(session, cohort.id)}
    key = credentials.academy_key(session, settings, academy.id or 0)
    language = second_language(academy, cohort)
    now = utcnow().replace(microsecond=0)
    for user_id in dict.fromkeys(user_ids):
        person = in_cohort.get(user_id)
        if person is None:
            result.refused.append((user_id, _("Not a member of this cohort.")))
            continue
        if user_id in held:
            result.skipped.append(user_id)
            continue
        cert = Certificate(
            code=codes.new_code(),
            cohort_id=cohort.id,
            kind_id=kind.id,
            user_id=user_id,
            holder_name=person.name,
            academy_name=academy.name,
            programme=cohort.name,
            title=kind.title,
            title_local=kind.title_local,
            achievement=kind.achievement,
            achievement_local=kind.achievement_local,
            language=language,
            issued_on=now,
            issued_by_id=issued_by_id,
            supersedes_id=supersedes.id if supersedes else None,
        )
        cert.credential = _credential(settings, key, academy, cert)
        session.add(cert)
        held.add(user_id)
        result.certificates.append(cert)
    session.flush()
    for c in result.certificates:
        after = {
            "code": c.code,
            "user_id": c.user_id,
            "title": c.title,
            "supersedes": c.supersedes_id,
        }
        record(
            session,
            issued_by_id,
            "certificate.issue",
            f"certificate:{c.id}",
            None,
            after,
            cohort_id=c.cohort_id,
        )
    return result


def revoke(session: Session, cert: Certificate, *, by_id: int, reason: str) -> None:
    """Mark a certificate revoked, with who, when and why (a reason is required). The
    verification page says so from then on."""
    reason = reason.strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."), "reason")
    if len(reason) > 1000:
        raise CertificateError(_("The reason is at most 1000 characters."), "reason")
    if cert.revoked_at is not None:
        raise CertificateError(_("This certificate is already revoked."), "reason")
    cert.revoked_at = utcnow()
    cert.revoked_by_id = by_id
    cert.revoke_reason = reason
    after = {"revoked": True, "reason": reason}
    record(
        session,
        by_id,
        "certificate.revoke",
        f"certificate:{cert.id}",
        {"revoked": False},
        after,
        cohort_id=cert.cohort_id,
    )
    session.add(cert)
    session.flush()


def reissue(session: Session, settings: Settings, cert: Certificate, *, by_id: int) -> Certificate:
    """A new certificate (new code, today's date, the holder's current name) that
    supersedes `cert`; the old one stays as it was, marked as replaced."""
    if not cert.is_current:
        raise CertificateError(_("This certificate has already been replaced."))
    cohort = session.get(Cohort, cert.cohort_id)
    kind = session.get(CertificateKind, cert.kind_id)
    assert cohort is not None and kind is not None
    cert.is_current = False
    session.add(cert)
    session.flush()
    made = issue(
        session,
        settings,
        cohort=cohort,
        kind=kind,
        user_ids=[cert.user_id],
        issued_by_id=by_id,
        supersedes=cert,
    )
    if not made.certificates:
        raise CertificateError(made.refused[0][1] if made.refused else _("Not issued."))
    return made.certificates[0]


# --- lookups ---------------------------------------------------------------------------


def by_code(session: Session, typed: str) -> Certificate | None:
    code = codes.normalize(typed)
    if not codes.well_formed(code):
        return None
    return session.exec(select(Certificate).where(col(Certificate.code) == code)).first()


def status_of(cert: Certificate) -> str:
    if cert.revoked_at is not None:
        return REVOKED
    if not cert.is_current:
        return SUPERSEDED
    return VALID


def successor(session: Session, cert: Certificate) -> Certificate | None:
    return session.exec(
        select(Certificate).where(col(Certificate.supersedes_id) == cert.id)
    ).first()


def of_cohort(session: Session, cohort_id: int) -> list[Certificate]:
    return list(
        session.exec(
            select(Certificate)
            .where(col(Certificate.cohort_id) == cohort_id)
            .order_by(col(Certificate.holder_name), col(Certificate.id))
        ).all()
    )


def of_holder(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.exec(
            select(Certificate)
            .where(col(Certificate.user_id) == user_id)
            .order_by(col(Certificate.issued_on).desc(), col(Certificate.id).desc())
        ).all()
    )


def issued_date(cert: Certificate) -> datetime:
    return as_utc(cert.issued_on)
