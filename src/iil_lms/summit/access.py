"""Who may open a summit's pages: its cohort's organisers (and site admins) run it; a
pitch is seen by its team, the team's mentors and the organisers; a judge's personal
link opens only their room, until it expires. The dependencies here go in route
signatures (the authorization matrix reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Role
from iil_lms.summit import judging, pitches
from iil_lms.summit.models import Pitch, PitchMember, Summit, SummitJudge
from iil_lms.web.auth import DbSession, SignedIn, Viewer, run_db
from iil_lms.web.params import PathId


@dataclass(frozen=True)
class SummitAccess:
    viewer: Viewer
    summit: Summit

    @property
    def user_id(self) -> int:
        assert self.viewer.user is not None and self.viewer.user.id is not None
        return self.viewer.user.id


def _organiser_summit(session: Session, viewer: Viewer, summit_id: int) -> Summit:
    summit = session.get(Summit, summit_id)
    if summit is None:
        raise HTTPException(status_code=404)
    assert viewer.user is not None
    if viewer.user.is_admin:
        return summit
    roles = viewer.roles_in(summit.cohort_id)
    if not roles:
        raise HTTPException(status_code=404)
    if Role.ORGANISER.value not in roles:
        raise HTTPException(status_code=403)
    return summit


async def organiser_access(
    request: Request, summit_id: PathId, viewer: SignedIn, session: DbSession
) -> SummitAccess:
    """An organiser of the summit's cohort (or a site admin); 404 outside the cohort,
    403 for its other members."""
    summit = await run_db(request, _organiser_summit, session, viewer, summit_id)
    return SummitAccess(viewer, summit)


Organiser = Annotated[SummitAccess, Depends(organiser_access)]


def _member_summit(session: Session, viewer: Viewer, summit_id: int) -> Summit:
    summit = session.get(Summit, summit_id)
    assert viewer.user is not None
    if summit is None or not (viewer.user.is_admin or viewer.roles_in(summit.cohort_id)):
        raise HTTPException(status_code=404)
    return summit


async def cohort_member_access(
    request: Request, summit_id: PathId, viewer: SignedIn, session: DbSession
) -> SummitAccess:
    """Anyone with a role in the summit's cohort (the published record, own calendar)."""
    summit = await run_db(request, _member_summit, session, viewer, summit_id)
    return SummitAccess(viewer, summit)


CohortMember = Annotated[SummitAccess, Depends(cohort_member_access)]


@dataclass(frozen=True)
class PitchAccess:
    viewer: Viewer
    summit: Summit
    pitch: Pitch
    is_member: bool
    is_mentor: bool
    is_organiser: bool

    @property
    def user_id(self) -> int:
        assert self.viewer.user is not None and self.viewer.user.id is not None
        return self.viewer.user.id


def pitch_access(pitch_id: PathId, viewer: SignedIn, session: DbSession) -> PitchAccess:
    """The pitch's team (invited members too), the team's mentors, the cohort's
    organisers and site admins; 404 for everyone else."""
    assert viewer.user is not None
    pitch = session.get(Pitch, pitch_id)
    summit = session.get(Summit, pitch.summit_id) if pitch else None
    if pitch is None or summit is None:
        raise HTTPException(status_code=404)
    user_id = viewer.user.id
    is_member = (
        session.exec(
            select(PitchMember.id).where(
                PitchMember.pitch_id == pitch_id, col(PitchMember.user_id) == user_id
            )
        ).first()
        is not None
    )
    is_organiser = viewer.user.is_admin or Role.ORGANISER.value in viewer.roles_in(summit.cohort_id)
    is_mentor = Role.MENTOR.value in viewer.roles_in(
        summit.cohort_id
    ) and user_id in pitches.mentor_ids_of(session, summit, pitch_id)
    if not (is_member or is_mentor or is_organiser):
        raise HTTPException(status_code=404)
    return PitchAccess(viewer, summit, pitch, is_member, is_mentor, is_organiser)


PitchSeen = Annotated[PitchAccess, Depends(pitch_access)]


@dataclass(frozen=True)
class JudgeAccess:
    judge: SummitJudge
    summit: Summit
    token: str


def judge_access(token: str, session: DbSession) -> JudgeAccess:
    """A judge's personal link: their room only, until the link expires (404 after, as
    for a link that never existed). No account is needed."""
    judge = judging.judge_by_token(session, token)
    summit = session.get(Summit, judge.summit_id) if judge else None
    if judge is None or summit is None:
        raise HTTPException(status_code=404)
    return JudgeAccess(judge, summit, token)


JudgeLink = Annotated[JudgeAccess, Depends(judge_access)]
