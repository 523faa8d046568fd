"""Demo certificates, issued through the certificates service as an organiser would, so
a trainer sees the feature alive: in each demo cohort mentor recognition for mentors
who have mentored (in Pakistan the first half of them, so the organiser's preview still
shows mentors to issue to), and in Pakistan a custom kind the organiser defined, issued
by hand to three trainees, one of them revoked with a reason (the verification page
says "revoked"). Nobody in the demo has finished the year yet, so there is no completion
certificate: the rule would pick no one.

Only database rows and signatures (Ed25519, well under a millisecond each): every PDF is
rendered when someone opens it. Written only when the cohort has no certificate yet."""

from __future__ import annotations

from sqlmodel import Session, col, select

from iil_lms.certificates import service
from iil_lms.certificates.models import Certificate
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.settings import Settings

COHORTS = ("ctp-2026", "yics-2026")
CUSTOM_COHORT = "ctp-2026"
CUSTOM_TITLE = "Integrity champion of the first term"
CUSTOM_TITLE_UR = "پہلی ٹرم کا دیانت داری چیمپئن"
CUSTOM_ACHIEVEMENT = (
    "Chosen by the learning circle for leading a visible integrity improvement in their office."
)
CUSTOM_ACHIEVEMENT_UR = (
    "اپنے دفتر میں دیانت داری کی نمایاں بہتری کی قیادت پر لرننگ سرکل کی جانب سے منتخب۔"
)
# Trainees by user id: the browser journeys use the first ones, the summit from 120.
CHAMPIONS = (240, 241, 242)
REVOKE_REASON = "Issued by mistake: the circle chose this trainee for the second term."


def _organiser(session: Session, cohort: Cohort) -> int | None:
    return session.exec(
        select(Membership.user_id).where(
            col(Membership.cohort_id) == cohort.id,
            col(Membership.role) == Role.ORGANISER.value,
        )
    ).first()


def seed_demo(session: Session, settings: Settings) -> None:
    for slug in COHORTS:
        cohort = session.exec(select(Cohort).where(col(Cohort.slug) == slug)).first()
        if cohort is None or cohort.id is None:
            continue
        if session.exec(
            select(Certificate.id).where(col(Certificate.cohort_id) == cohort.id)
        ).first():
            continue
        organiser_id = _organiser(session, cohort)
        _mentor_recognition(session, settings, cohort, organiser_id, half=slug == CUSTOM_COHORT)
        if slug == CUSTOM_COHORT and organiser_id is not None:
            _champions(session, settings, cohort, organiser_id)
    session.flush()


def _mentor_recognition(
    session: Session, settings: Settings, cohort: Cohort, organiser_id: int | None, *, half: bool
) -> None:
    choice = service.find_choice(session, cohort.id or 0, "mentor")
    preview = service.preview(session, cohort.id or 0, choice)
    people = preview.to_issue[: (len(preview.to_issue) + 1) // 2] if half else preview.to_issue
    if not people:
        return
    kind = service.ensure_kind(session, cohort, choice)
    service.issue(
        session,
        settings,
        cohort=cohort,
        kind=kind,
        user_ids=[p.user_id for p in people],
        issued_by_id=organiser_id,
    )


def _champions(session: Session, settings: Settings, cohort: Cohort, organiser_id: int) -> None:
    trainees = list(
        session.exec(
            select(Membership.user_id)
            .where(
                col(Membership.cohort_id) == cohort.id,
                col(Membership.role) == Role.TRAINEE.value,
            )
            .order_by(col(Membership.user_id))
        ).all()
    )
    chosen = [trainees[i] for i in CHAMPIONS if i < len(trainees)]
    if not chosen:
        return
    kind = service.create_custom_kind(
        session,
        cohort.id or 0,
        title=CUSTOM_TITLE,
        title_local=CUSTOM_TITLE_UR,
        achievement=CUSTOM_ACHIEVEMENT,
        achievement_local=CUSTOM_ACHIEVEMENT_UR,
    )
    made = service.issue(
        session, settings, cohort=cohort, kind=kind, user_ids=chosen, issued_by_id=organiser_id
    )
    if made.certificates:
        service.revoke(session, made.certificates[-1], by_id=organiser_id, reason=REVOKE_REASON)
