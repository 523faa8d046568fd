"""Demo data for issue 15: the Pakistan cohort's Integrity Summit, written through the
summit's services like an organiser and trainees would: three rooms, a morning and an
afternoon of pitches with lunch between, two guests, twenty team pitches shortlisted and
scheduled, two waiting for a decision and two drafts, and two guest judges per room.
Scoring is not open, so the demo organiser's next step is to print the programme.
Written only when the cohort has no summit yet."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.summit import judging, pitches, planning, service
from iil_lms.summit.models import Summit
from iil_lms.summit.scheduler import ScheduleInfeasible

COHORT = "ctp-2026"
# Six weeks before the cohort ends (17 June 2027 for a cohort ending on 30 July 2027),
# so the summit moves with the demo cohort's dates.
SUMMIT_BEFORE_END = timedelta(days=43)
DEADLINE_BEFORE_SUMMIT = timedelta(days=17)
# Trainees by email order from here on: the browser journeys use the first 61.
FIRST_TRAINEE = 120
IDEAS = (
    ("Token queue at the land record office", "Numbered tokens so nobody pays to jump the queue."),
    ("Open transfer and posting list", "Every posting published with its reason, on the day."),
    ("Clinic medicine stock board", "Daily stock on a public board outside each clinic."),
    ("School grant on the notice board", "Each school's grant and spending shown to parents."),
    ("First information report by SMS", "Citizens get the FIR number and officer by text."),
    ("Procurement bids opened on video", "Bid opening streamed and archived for bidders."),
    ("Pension file tracker", "Retirees follow their file from desk to desk."),
    ("Fair shop inspection roster", "Inspections assigned by lottery, not by favour."),
    ("Domicile certificate in one visit", "One counter, one fee, one day."),
    ("Water tanker dispatch log", "Every tanker's route and recipient published."),
)
GUESTS = (
    ("Justice (r) Saleem Akhtar", "Federal Ombudsman's office"),
    ("Dr Hina Qureshi", "Transparency International Pakistan"),
)
JUDGES = (
    ("Mr Arif Nawaz", "Revenue"),
    ("Ms Rubina Sheikh", "Health"),
    ("Mr Kamran Butt", "Police"),
    ("Ms Farah Naz", "Education"),
    ("Dr Imtiaz Ali", "Finance"),
    ("Ms Samina Riaz", "Local Government"),
)


def seed_demo(session: Session) -> None:
    """The summit, as its organiser and trainees would set it up (build_demo mutes
    notifications around it)."""
    cohort = session.exec(select(Cohort).where(Cohort.slug == COHORT)).first()
    if cohort is None or cohort.id is None:
        return
    if session.exec(select(Summit.id).where(Summit.cohort_id == cohort.id)).first():
        return
    organiser_id = session.exec(
        select(Membership.user_id).where(
            Membership.cohort_id == cohort.id, Membership.role == Role.ORGANISER.value
        )
    ).first()
    trainees = list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE.value)
            .order_by(col(User.email))
            .offset(FIRST_TRAINEE)
            .limit(48)
        )
    )
    if organiser_id is None or len(trainees) < 48:
        return
    summit_day = cohort.ends_on - SUMMIT_BEFORE_END
    summit = service.create_summit(
        session,
        cohort_id=cohort.id,
        actor_id=organiser_id,
        fields=service.SummitFields(
            title="Integrity Summit 2027",
            venue="Civil Services Academy, Walton Road, Lahore",
            starts_on=summit_day,
            ends_on=summit_day,
            pitch_minutes=10,
            changeover_minutes=5,
            deadline_on=summit_day - DEADLINE_BEFORE_SUMMIT,
            welcome=(
                "Welcome to the Integrity Summit. Today trainees of the Common Training "
                "Programme pitch the ideas they tried in their districts and departments "
                "this year.\n\nEach pitch lasts ten minutes. Judges score relevance to "
                "citizens, feasibility, integrity impact and clarity."
            ),
        ),
    )
    rooms = [
        service.add_room(session, summit, name=name, capacity=capacity)
        for name, capacity in (("Iqbal Hall", 120), ("Jinnah Room", 40), ("Fatima Room", 40))
    ]
    for label, starts, ends, is_break in (
        ("Morning pitches", "09:00", "12:30", False),
        ("Lunch and prayers", "12:30", "13:30", True),
        ("Afternoon pitches", "13:30", "16:30", False),
    ):
        service.add_session(
            session,
            summit,
            label=label,
            day=summit_day,
            starts=starts,
            ends=ends,
            is_break=is_break,
        )
    for name, affiliation in GUESTS:
        service.add_guest(session, summit, name=name, affiliation=affiliation)
    for n, (name, department) in enumerate(JUDGES):
        judging.invite_judge(
            session, summit, room_id=rooms[n % 3].id or 0, name=name, department=department
        )
    for n in range(24):
        owner, partner = trainees[2 * n], trainees[2 * n + 1]
        pitch = pitches.start_pitch(session, summit, owner_id=owner.id or 0)
        pitches.invite_member(session, summit, pitch, by_id=owner.id or 0, email=partner.email)
        pitches.confirm_membership(session, pitch, user_id=partner.id or 0)
        title, summary = IDEAS[n % len(IDEAS)]
        pitches.save_draft(
            session,
            pitch,
            user_id=owner.id or 0,
            values={
                "title": title if n < len(IDEAS) else f"{title} ({n // len(IDEAS) + 1})",
                "summary": summary,
                "problem": "Citizens wait, pay unofficial fees, and cannot see why.",
                "who_is_affected": "People applying for a routine service in the district.",
                "evidence": "Forty files sampled over two months; exit interviews.",
                "idea": summary,
                "needs_from_government": "A notification from the department's secretary.",
                "first_90_days": "Pilot in one office, publish the figures, then widen.",
            },
            mentor_attends=n % 4 == 0,
        )
        if n >= 22:
            continue  # two drafts
        pitches.submit_pitch(session, summit, pitch, user_id=owner.id or 0)
        if n < 20:
            pitches.decide(session, summit, pitch, actor_id=organiser_id, decision="shortlist")
    session.flush()
    try:
        planning.run_schedule(session, summit, actor_id=organiser_id)
    except ScheduleInfeasible:  # the demo stays usable: the organiser sees why
        return
