"""The cohort's feedback surveys read together: the list, each survey's results with
its filters, the CSV and XLSX exports, and the trainers' "you said, we did" responses."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Convening, LearningCircle, Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning.survey_replies import replies_to
from iil_lms.reports import survey_export, surveys
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role, inline_reads, run_db
from iil_lms.web.page_cache import PageCache, clear_on_flush
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

# Trainers and organisers of the cohort (site admins too) read the results; mentors and
# trainees never (403 in their cohort, 404 elsewhere).
ResultsAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]
# Trainers answer them.
ReplyAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
GroupFilter = Annotated[str | None, Query(max_length=60, pattern=surveys.GROUP_PATTERN)]
NO_STORE = {"Cache-Control": "private, no-store"}

# Computed results per (cohort, survey, filter, language, what they are computed from):
# a repeat view costs the fingerprint's one query and the replies' one, then rendering.
# GESI fields and names are not in the fingerprint: a flushed person, membership,
# circle or convening clears the cache.
_RESULTS: PageCache[surveys.SurveyResults] = PageCache(32)
clear_on_flush(User, Membership, LearningCircle, Convening)


async def _results(
    request: Request,
    access: ResultsAccess,
    session: DbSession,
    exercise_id: PathId,
    group: GroupFilter = None,
) -> surveys.SurveyResults:
    return await run_db(request, _read_results, access, session, exercise_id, group)


def _read_results(
    access: CohortAccess, session: DbSession, exercise_id: int, group: str | None
) -> surveys.SurveyResults:
    assert access.cohort.id is not None
    key = (
        access.cohort.id,
        exercise_id,
        group or "",
        access.viewer.language,
        surveys.results_fingerprint(session, access.cohort.id),
    )
    cached = _RESULTS.get(key)
    if cached is not None:
        # The "you said, we did" replies are read every time: a new one shows at once.
        return replace(
            cached,
            cohort=access.cohort,
            replies=replies_to(session, access.cohort.id, exercise_id),
        )
    try:
        results = surveys.survey_results(session, access.cohort, exercise_id, group)
    except surveys.SurveyNotFound as missing:
        raise HTTPException(status_code=404) from missing
    _RESULTS.put(key, replace(results, replies=[]))
    return results


Results = Annotated[surveys.SurveyResults, Depends(_results)]


@router.get("/cohorts/{cohort_id}/feedback")
def feedback_page(request: Request, access: ResultsAccess, session: DbSession) -> Response:
    return render(
        request,
        "reports/feedback.html",
        {
            "cohort": access.cohort,
            "surveys": surveys.cohort_surveys(session, access.cohort),
            "min_group": surveys.MIN_GROUP,
        },
        headers=NO_STORE,
    )


def _survey_page(
    request: Request,
    access: CohortAccess,
    results: surveys.SurveyResults,
    *,
    body: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "reports/survey.html",
        {
            "cohort": access.cohort,
            "results": results,
            "min_group": surveys.MIN_GROUP,
            "dimension_labels": surveys.DIMENSION_LABELS,
            "likert": survey_export.likert_headings(),
            "can_reply": access.has(Role.TRAINER.value),
            "body": body,
            "errors": errors or {},
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/cohorts/{cohort_id}/feedback/{exercise_id}")
@inline_reads
async def survey_page(request: Request, access: ResultsAccess, results: Results) -> Response:
    return _survey_page(request, access, results)


@router.get("/cohorts/{cohort_id}/feedback/{exercise_id}/results.csv")
def survey_csv(access: ResultsAccess, results: Results) -> Response:
    name = survey_export.filename(access.cohort.slug, results, local_today(), "csv")
    return Response(
        survey_export.results_csv(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


@router.get("/cohorts/{cohort_id}/feedback/{exercise_id}/results.xlsx")
def survey_xlsx(access: ResultsAccess, results: Results) -> Response:
    name = survey_export.filename(access.cohort.slug, results, local_today(), "xlsx")
    return Response(
        survey_export.results_xlsx(results),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


@router.post("/cohorts/{cohort_id}/feedback/{exercise_id}/replies")
def add_reply(
    request: Request,
    exercise_id: PathId,
    access: ReplyAccess,
    session: DbSession,
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        surveys.add_reply(
            session, access.cohort, exercise_id, author_id=access.user.id or 0, body=body
        )
    except surveys.SurveyNotFound as missing:
        raise HTTPException(status_code=404) from missing
    except surveys.ReplyInvalid as invalid:
        session.rollback()
        results = surveys.survey_results(session, access.cohort, exercise_id)
        return _survey_page(
            request, access, results, body=body, errors=invalid.errors, status_code=400
        )
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/feedback/{exercise_id}#you-said",
        _("Your response is published beside the survey, and the cohort has been told."),
    )
