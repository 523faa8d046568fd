"""Learning circle pages: the discussion (members and the cohort's trainers), and the
trainer's page to create circles and move people between them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import ngettext
from iil_lms.mentoring import circles
from iil_lms.mentoring.service import MentoringError
from iil_lms.web.auth import CohortAccess, DbSession, SignedIn, cohort_role
from iil_lms.web.params import FormIds, OptionalFormId, PathId, QueryId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]


def _user_id(viewer: SignedIn) -> int:
    assert viewer.user is not None and viewer.user.id is not None
    return viewer.user.id


def circle_reader(circle_id: PathId, viewer: SignedIn, session: DbSession) -> circles.CircleAccess:
    """A member of the circle or a trainer of its cohort (site admins too); 404 for
    everyone else, members of other circles included."""
    assert viewer.user is not None
    access = circles.circle_access(
        session, circle_id, user_id=_user_id(viewer), is_admin=viewer.user.is_admin
    )
    if access is None:
        raise HTTPException(status_code=404)
    return access


Circle = Annotated[circles.CircleAccess, Depends(circle_reader)]


@router.get("/circle")
def my_circle(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    """Where the menu's "Circle" leads: the viewer's own circle in the active cohort; for
    a mentor, the circles of their mentees (and their own, if they sit in one)."""
    cohort_id = viewer.active_cohort_id
    circle_id = circles.own_circle_id(session, cohort_id, _user_id(viewer)) if cohort_id else None
    if cohort_id is not None and Role.MENTOR.value in viewer.active_roles:
        mentee_circles = circles.mentee_circles(session, cohort_id, _user_id(viewer))
        if circle_id is None or any(c.circle.id != circle_id for c in mentee_circles):
            return render(
                request,
                "mentoring/mentor_circles.html",
                {"mentee_circles": mentee_circles, "own_circle_id": circle_id},
            )
    if circle_id is not None:
        return redirect(request, f"/circles/{circle_id}")
    return render(request, "mentoring/no_circle.html", {})


@router.get("/circles/{circle_id}")
def circle_page(
    request: Request, access: Circle, session: DbSession, before: QueryId = None
) -> Response:
    page = circles.posts_page(session, access.circle.id or 0, before=before)
    context = {"access": access, "page": page}
    if before is not None and is_htmx(request):
        return render(request, "mentoring/_posts.html", context)
    context["members"] = circles.circle_members(session, access.circle.id or 0)
    return render(request, "mentoring/circle.html", context)


@router.post("/circles/{circle_id}/posts")
def add_post(
    request: Request,
    access: Circle,
    viewer: SignedIn,
    session: DbSession,
    body: Annotated[str, Form(max_length=20000)] = "",
    parent_id: OptionalFormId = None,
) -> Response:
    back = f"/circles/{access.circle.id}"
    try:
        post = circles.add_post(
            session,
            access=access,
            author_id=_user_id(viewer),
            body=body,
            parent_id=parent_id,
        )
    except MentoringError as error:
        return redirect(request, back, str(error), "error")
    anchor = post.parent_id or post.id
    return redirect(request, f"{back}#post-{anchor}", _("Posted."))


def _set_hidden(
    request: Request,
    access: circles.CircleAccess,
    viewer: SignedIn,
    session: DbSession,
    post_id: int,
    hidden: bool,
    reason: str,
) -> Response:
    if not access.can_moderate:
        raise HTTPException(status_code=403)
    back = f"/circles/{access.circle.id}"
    try:
        circles.set_hidden(
            session,
            access=access,
            post_id=post_id,
            actor_id=_user_id(viewer),
            hidden=hidden,
            reason=reason,
        )
    except MentoringError as error:
        return redirect(request, back, str(error), "error")
    message = _("The post is hidden.") if hidden else _("The post is shown again.")
    return redirect(request, f"{back}#post-{post_id}", message)


@router.post("/circles/{circle_id}/posts/{post_id}/hide")
def hide_post(
    request: Request,
    access: Circle,
    viewer: SignedIn,
    session: DbSession,
    post_id: PathId,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _set_hidden(request, access, viewer, session, post_id, True, reason)


@router.post("/circles/{circle_id}/posts/{post_id}/show")
def show_post(
    request: Request, access: Circle, viewer: SignedIn, session: DbSession, post_id: PathId
) -> Response:
    return _set_hidden(request, access, viewer, session, post_id, False, "")


# --- the trainer's side ----------------------------------------------------------------


@router.get("/cohorts/{cohort_id}/circles")
def manage_circles(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    cohort_id = access.cohort.id or 0
    summaries = circles.circles_of(session, cohort_id)
    return render(
        request,
        "mentoring/circles.html",
        {
            "cohort": access.cohort,
            "circles": summaries,
            "circle_names": {c.circle.id: c.circle.name for c in summaries},
            "people": circles.circle_roster(session, cohort_id),
        },
    )


@router.post("/cohorts/{cohort_id}/circles")
def create_circle(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    back = f"/cohorts/{access.cohort.id}/circles"
    try:
        circle = circles.create_circle(
            session, cohort_id=access.cohort.id or 0, name=name, actor_id=access.user.id or 0
        )
    except MentoringError as error:
        return redirect(request, back, str(error), "error")
    return redirect(request, back, _("Learning circle created: %(name)s.", name=circle.name))


@router.post("/cohorts/{cohort_id}/circles/move")
def move_people(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    membership_ids: FormIds = [],  # noqa: B006 - FastAPI form default
    circle_id: OptionalFormId = None,
) -> Response:
    back = f"/cohorts/{access.cohort.id}/circles"
    try:
        moved = circles.move_people(
            session,
            cohort_id=access.cohort.id or 0,
            membership_ids=membership_ids,
            circle_id=circle_id,
            actor_id=access.user.id or 0,
        )
    except MentoringError as error:
        return redirect(request, back, str(error), "error")
    return redirect(
        request, back, ngettext("%(num)d person moved.", "%(num)d people moved.", moved)
    )
