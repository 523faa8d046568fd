"""Each kind of change the issue names leaves an audit entry, written in the same
transaction, with who, what and the state before and after."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import col, select

from iil_lms.accounts.models import AuditEntry
from iil_lms.audit.chain import verify
from iil_lms.certificates import service as certificates
from iil_lms.cohorts import roster, staff
from iil_lms.cohorts.models import Membership, Role
from iil_lms.curriculum import plans
from iil_lms.curriculum.models import PlanItem
from iil_lms.learning.models import SubmissionStatus
from iil_lms.mentoring import review
from iil_lms.mentoring import service as mentoring
from iil_lms.summit import planning
from tests.certificates.helpers import finished_cohort, issue_completion
from tests.cohorts.roster_files import csv_bytes, people
from tests.curriculum.helpers import load_mini
from tests.mentoring.helpers import assign, curriculum, submit
from tests.summit.factories import make_summit


def entries(session, action: str) -> list[AuditEntry]:
    session.commit()
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        )
    )


def one(session, action: str) -> tuple[AuditEntry, object, object]:
    found = entries(session, action)
    assert len(found) == 1, f"{action}: {len(found)} entries"
    entry = found[0]
    assert entry.seq is not None and entry.hash
    return entry, json.loads(entry.before), json.loads(entry.after)


def test_role_changes_are_recorded(session, factory):
    made = factory.cohort(trainees=0, mentors=2, trainers=1)
    trainer = made.trainers[0]
    first = made.memberships[(made.mentors[0].id, "mentor")]
    second = made.memberships[(made.mentors[1].id, "mentor")]
    staff.change_role(session, made.cohort, first.id, "organiser", actor_id=trainer.id)
    staff.remove(session, made.cohort, second.id, actor_id=trainer.id)
    entry, before, after = one(session, "staff.change")
    assert entry.actor_id == trainer.id and entry.cohort_id == made.cohort.id
    assert before == {"user_id": made.mentors[0].id, "role": "mentor"}
    assert after == {"user_id": made.mentors[0].id, "role": "organiser"}
    _, before, after = one(session, "staff.remove")
    assert before == {"user_id": made.mentors[1].id, "role": "mentor"} and after is None
    assert verify(session).broken is None


def test_roster_import_edit_and_withdrawal_are_recorded(session, settings, factory):
    made = factory.cohort(trainees=0)
    trainer = made.trainers[0]
    rows, _ignored = roster.parse_rows(csv_bytes(people(2)), "roster.csv")
    preview, result = roster.import_rows(session, settings, made.cohort, rows, trainer.id)
    assert result is not None, preview
    entry, before, after = one(session, "roster.import")
    assert before is None and after["invited"] == 2 and len(after["emails"]) == 2
    membership = session.exec(
        select(Membership).where(
            Membership.cohort_id == made.cohort.id, Membership.role == Role.TRAINEE.value
        )
    ).first()
    old_department = membership.department
    roster.update_person(
        session, made.cohort, membership, {"department": "Health"}, actor_id=trainer.id
    )
    entry, before, after = one(session, "roster.edit")
    assert entry.cohort_id == made.cohort.id
    assert before["department"] == old_department and after["department"] == "Health"
    roster.set_withdrawn(session, membership, True, trainer.id)
    _, before, after = one(session, "roster.withdraw")
    assert before["withdrawn"] is False and after["withdrawn"] is True


def test_mentor_assignment_is_recorded(session, factory):
    made = factory.cohort(trainees=1, mentors=2)
    trainee, trainer = made.trainees[0], made.trainers[0]
    for mentor in made.mentors:
        mentoring.assign_mentor(
            session,
            cohort_id=made.cohort.id,
            trainee_ids=[trainee.id],
            mentor_id=mentor.id,
            actor_id=trainer.id,
        )
    found = entries(session, "mentor.assign")
    assert [json.loads(e.after)["mentor_id"] for e in found] == [m.id for m in made.mentors]
    assert json.loads(found[1].before)["mentor_id"] == made.mentors[0].id
    assert {e.cohort_id for e in found} == {made.cohort.id}


def test_plan_changes_are_recorded(session, factory):
    made = factory.cohort(trainees=1)
    trainer = made.trainers[0]
    report = load_mini(session)
    made.cohort.curriculum_version_id = report.version_id
    plans.generate_plan(session, made.cohort, "academy-year", actor_id=trainer.id)
    _, before, after = one(session, "plan.generate")
    assert before is None and after
    item = session.exec(select(PlanItem).where(PlanItem.cohort_id == made.cohort.id)).first()
    old = (item.opens_on.isoformat(), item.due_on.isoformat())
    plans.set_dates(
        session,
        made.cohort,
        item.module_id,
        date(2026, 10, 1),
        date(2026, 10, 20),
        actor_id=trainer.id,
    )
    _, before, after = one(session, "plan.dates")
    assert (before["opens_on"], before["due_on"]) == old
    assert after == {"opens_on": "2026-10-01", "due_on": "2026-10-20"}
    plans.set_removed(session, made.cohort, item.module_id, True, actor_id=trainer.id)
    _, before, after = one(session, "plan.drop")
    assert before == {"removed": False} and after == {"removed": True}
    plans.add_module(
        session, made.cohort, item.module_id, date(2026, 11, 1), date(2026, 11, 9), actor_id=1
    )
    _, before, after = one(session, "plan.add")
    assert before[2] is True and after == ["2026-11-01", "2026-11-09", False]


def test_accepting_and_returning_work_is_recorded(session, factory):
    made = factory.cohort(trainees=2, mentors=1)
    mentor = made.mentors[0]
    exercises = curriculum(session, made.cohort)
    assign(session, made.cohort, mentor, *made.trainees)
    for trainee, decision in zip(
        made.trainees, (SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED), strict=True
    ):
        submission = submit(session, made.cohort, trainee, exercises[1])
        context = review.review_context(
            session, submission.id, user_id=mentor.id, trainer_cohorts=set(), is_admin=False
        )
        review.add_feedback(
            session, context, author_id=mentor.id, body="Revise the plan.", decision=decision
        )
    entry, before, after = one(session, "work.accepted")
    assert entry.actor_id == mentor.id and entry.cohort_id == made.cohort.id
    assert before == {"status": "submitted"} and after == {"status": "accepted"}
    _, before, after = one(session, "work.returned")
    assert after == {"status": "returned"}


def test_certificate_issue_and_revoke_are_recorded(session, settings, factory):
    done = finished_cohort(session, factory, trainees=2, done=1)
    cert = issue_completion(session, settings, done.made, done.finished)[0]
    entry, before, after = one(session, "certificate.issue")
    assert before is None and after["code"] == cert.code and after["user_id"] == cert.user_id
    assert entry.cohort_id == done.made.cohort.id
    certificates.revoke(session, cert, by_id=done.made.organisers[0].id, reason="Issued in error")
    _, before, after = one(session, "certificate.revoke")
    assert before == {"revoked": False}
    assert after == {"revoked": True, "reason": "Issued in error"}


def test_summit_schedule_changes_are_recorded(session, factory):
    made = factory.cohort(trainees=3, organisers=1)
    organiser = made.organisers[0]
    summit = make_summit(session, made.cohort, made.trainees, organiser=organiser).summit
    planning.run_schedule(session, summit, actor_id=organiser.id)
    entry, before, after = one(session, "summit.schedule.solve")
    assert entry.cohort_id == made.cohort.id and before and len(after) == 3
    board = planning.load_board(session, summit)
    (first, cell_a), (second, cell_b) = list(board.placements.items())[:2]
    planning.move_pitch(
        session, summit, pitch_id=first, room_id=cell_b[0], index=cell_b[1], actor_id=organiser.id
    )
    _, before, after = one(session, "summit.schedule.swap")
    assert before == {str(first): list(cell_a), str(second): list(cell_b)}
    assert after == {str(first): list(cell_b), str(second): list(cell_a)}
    planning.set_lock(session, summit, pitch_id=first, locked=True, actor_id=organiser.id)
    _, before, after = one(session, "summit.schedule.lock")
    assert after == {"pitch_id": first, "locked": True}
    planning.clear_schedule(session, summit, actor_id=organiser.id)
    _, before, after = one(session, "summit.schedule.clear")
    assert len(before) == 3 and set(after.values()) == {None}
    assert verify(session).broken is None
