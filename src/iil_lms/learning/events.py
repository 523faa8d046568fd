"""What learning tells the domains above it. Learning cannot import them (they depend on
learning), so a higher domain listens here: mentoring (`mentoring.review`, loaded with the
mentoring package) tells the trainee's mentor that work waits for review. Listeners run
inside the transaction of the change they hear of."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from iil_lms.learning.models import Submission

SubmissionListener = Callable[[Session, Submission], object]
_on_submitted: list[SubmissionListener] = []


def on_submitted(listener: SubmissionListener) -> SubmissionListener:
    """Have `listener(session, submission)` called after each new submission."""
    if listener not in _on_submitted:
        _on_submitted.append(listener)
    return listener


def submitted(session: Session, submission: Submission) -> None:
    for listener in _on_submitted:
        listener(session, submission)
