"""Notifications: what each event tells whom, each person's choices and the email outbox.
Other domains call `notify` (they know what happened and whom it concerns; this module
knows people only); nothing here knows about HTTP."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from babel.dates import format_date
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from iil_lms import i18n
from iil_lms.accounts.models import User
from iil_lms.db import transaction, utcnow
from iil_lms.mail import send_mail
from iil_lms.notifications.models import Notification, NotificationSetting, OutboxMessage
from iil_lms.settings import Settings

log = logging.getLogger("iil_lms.notifications")


def _(message: str) -> str:
    """Mark for extraction; translated when shown, in the reader's language."""
    return message


@dataclass(frozen=True)
class Kind:
    label: str
    description: str
    in_app: bool = True
    email: bool = True


# The kinds a person can switch on or off, in the order the settings page lists them.
KINDS: dict[str, Kind] = {
    "feedback": Kind(
        _("Feedback on my work"), _("A mentor or trainer commented on, or accepted, a submission.")
    ),
    "returned": Kind(
        _("Work returned for revision"),
        _("A submission was sent back with a request to revise it."),
    ),
    "review": Kind(_("Work to review"), _("A mentee submitted work that waits for my review.")),
    "reply": Kind(_("Replies"), _("Someone replied to my comment or post."), email=False),
    "mention": Kind(_("Mentions"), _("Someone mentioned me in a learning circle."), email=False),
    "reminder": Kind(
        _("Due-soon reminders"), _("A module in my plan is due in the next few days.")
    ),
    "mentoring": Kind(
        _("Mentoring"), _("A new mentor or mentee, and notes of mentoring conversations.")
    ),
    "outreach": Kind(
        _("Outreach"), _("A trainer approved, or asked for changes to, my outreach item.")
    ),
    "staff": Kind(_("Roles in cohorts"), _("Someone gave me a role in a cohort.")),
    "summit": Kind(
        _("Summit pitches"),
        _(
            "An invitation to a team's pitch, a comment or the organisers' decision on my "
            "pitch, a mentee's pitch sent to the organisers, or a summit's published scores."
        ),
    ),
    "you_said": Kind(
        _("You said, we did"), _("Trainers answered what the cohort said in a feedback survey.")
    ),
    "at_risk": Kind(
        _("Trainees at risk"),
        _("Once a week: trainees I train or mentor who are behind or have gone quiet."),
    ),
}

# What a notification says; `params["message"]` picks one, else the kind's own.
MESSAGES: dict[str, str] = {
    "feedback": _("%(author)s left feedback on “%(exercise)s”."),
    "accepted": _("%(author)s accepted “%(exercise)s”."),
    "returned": _("%(author)s returned “%(exercise)s” for revision."),
    "review": _("%(trainee)s submitted “%(exercise)s” for review."),
    "reply": _("%(author)s replied to you in “%(where)s”."),
    "submission_reply": _("%(author)s replied to the feedback on “%(exercise)s”."),
    "mention": _("%(author)s mentioned you in %(where)s."),
    "reminder": _("“%(module)s” is due on %(due_on)s."),
    "mentor_assigned": _("%(mentor)s is now your mentor."),
    "mentee_assigned": _("%(trainee)s is now your mentee."),
    "mentees_assigned": _("%(count)s trainees are now your mentees."),
    "log_entry": _("%(mentor)s added notes of your mentoring conversation on %(held_on)s."),
    "outreach_approved": _("Your outreach item “%(title)s” was approved and is on the showcase."),
    "outreach_changes": _("A trainer asked for changes to your outreach item “%(title)s”."),
    "outreach_rejected": _("Your outreach item “%(title)s” was not accepted for the showcase."),
    "role_trainer": _("%(author)s made you a trainer of %(cohort)s."),
    "role_organiser": _("%(author)s made you an organiser of %(cohort)s."),
    "role_mentor": _("%(author)s made you a mentor in %(cohort)s."),
    "pitch_invited": _("%(author)s asked you to join the pitch “%(title)s”. Join or decline it."),
    "pitch_shortlisted": _("Your pitch “%(title)s” is shortlisted for %(summit)s."),
    "pitch_shortlisted_note": _(
        "Your pitch “%(title)s” is shortlisted for %(summit)s. The organisers wrote: %(note)s"
    ),
    "pitch_declined": _("Your pitch “%(title)s” was not shortlisted for %(summit)s."),
    "pitch_declined_note": _(
        "Your pitch “%(title)s” was not shortlisted for %(summit)s. The organisers wrote: %(note)s"
    ),
    "pitch_changes": _("The organisers asked for changes to your pitch “%(title)s”: %(note)s"),
    "pitch_comment": _("%(author)s commented on your pitch “%(title)s”."),
    "pitch_sent": _("%(trainee)s sent the pitch “%(title)s” to the organisers of %(summit)s."),
    "summit_published": _(
        "The score record of %(summit)s is published: every judge's scores, the averages "
        "and the awards."
    ),
    "you_said": _("Your trainers answered what the cohort said in “%(survey)s”."),
    "at_risk_cohort": _("%(count)s trainees of %(cohort)s are at risk: %(names)s."),
    "at_risk_mentees": _("%(count)s of your mentees in %(cohort)s are at risk: %(names)s."),
}

DATE_PARAMS = ("due_on", "held_on")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=12)


class NotificationError(ValueError):
    """A user-facing reason a notification action was refused."""


def render_text(kind: str, params: dict[str, Any], language: str | None = None) -> str:
    """The notification's sentence in `language` (default: the current request's)."""
    language = language or i18n.get_language()
    msgid = MESSAGES.get(str(params.get("message", kind)), MESSAGES.get(kind, "%(text)s"))
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key in DATE_PARAMS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = format_date(
                    date.fromisoformat(value),
                    format="medium",
                    locale=i18n.BABEL_LOCALES.get(language, "en_GB"),
                )
        values[key] = value
    translated = i18n.translations(language).ugettext(msgid)
    try:
        return translated % values
    except (KeyError, TypeError, ValueError):
        return str(params.get("text", ""))


@dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    description: str
    in_app: bool
    email: bool


def choices_for(session: Session, user_id: int) -> list[Choice]:
    """Each kind with the person's choice, or the kind's default."""
    rows = {
        s.kind: s
        for s in session.exec(
            select(NotificationSetting).where(NotificationSetting.user_id == user_id)
        )
    }
    result = []
    for kind, spec in KINDS.items():
        row = rows.get(kind)
        result.append(
            Choice(
                kind=kind,
                label=i18n.gettext(spec.label),
                description=i18n.gettext(spec.description),
                in_app=row.in_app if row else spec.in_app,
                email=row.email if row else spec.email,
            )
        )
    return result


def save_choices(session: Session, user_id: int, chosen: dict[str, tuple[bool, bool]]) -> None:
    """Store what the person wants, per kind, as (in the app, by email); kinds left out
    keep their current choice."""
    unknown = set(chosen) - set(KINDS)
    if unknown:
        raise NotificationError(i18n.gettext("Unknown kind of notification."))
    rows = {
        s.kind: s
        for s in session.exec(
            select(NotificationSetting).where(NotificationSetting.user_id == user_id)
        )
    }
    for kind, (in_app, email) in chosen.items():
        row = rows.get(kind) or NotificationSetting(user_id=user_id, kind=kind)
        row.in_app, row.email = in_app, email
        session.add(row)
    session.flush()


@contextlib.contextmanager
def muted(session: Session) -> Iterator[None]:
    """Nobody is told of what happens in this session meanwhile: for seeding the demo
    through the services, whose events are not news to anyone."""
    already = session.info.get("notifications_muted", False)
    session.info["notifications_muted"] = True
    try:
        yield
    finally:
        if not already:  # nested: the outer block stays muted
            session.info.pop("notifications_muted", None)


def notify(
    session: Session,
    *,
    user_ids: Iterable[int],
    kind: str,
    params: dict[str, Any],
    link: str,
    actor_id: int | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Tell each person (never the actor themselves) about an event, in the app and by
    email as each of them chose. With a `dedupe_key`, a person who was already told under
    that key is not told again. Returns how many people were told. Fixed number of
    queries, however many people."""
    if kind not in KINDS:
        raise NotificationError(f"unknown notification kind {kind!r}")
    if session.info.get("notifications_muted"):
        return 0
    wanted = sorted({u for u in user_ids if u is not None and u != actor_id})
    if not wanted:
        return 0
    users = session.exec(
        select(User.id, User.email, User.language, User.is_active).where(col(User.id).in_(wanted))
    ).all()
    settings = {
        s.user_id: s
        for s in session.exec(
            select(NotificationSetting).where(
                col(NotificationSetting.user_id).in_(wanted), NotificationSetting.kind == kind
            )
        )
    }
    already: set[int] = set()
    if dedupe_key is not None:
        already.update(
            session.exec(
                select(Notification.user_id).where(
                    col(Notification.user_id).in_(wanted), Notification.dedupe_key == dedupe_key
                )
            ).all()
        )
        already.update(
            u
            for u in session.exec(
                select(OutboxMessage.user_id).where(
                    col(OutboxMessage.user_id).in_(wanted), OutboxMessage.dedupe_key == dedupe_key
                )
            ).all()
            if u is not None
        )
    spec = KINDS[kind]
    english = render_text(kind, params, "en")
    told = 0
    for user_id, email, language, is_active in users:
        if user_id is None or user_id in already or not is_active:
            continue
        setting = settings.get(user_id)
        in_app = setting.in_app if setting else spec.in_app
        by_email = setting.email if setting else spec.email
        if in_app:
            session.add(
                Notification(
                    user_id=user_id,
                    kind=kind,
                    params=params,
                    text=english[:500],
                    link=link,
                    dedupe_key=dedupe_key,
                )
            )
        if by_email:
            language = language or "en"  # an account that never chose a language
            text = render_text(kind, params, language)
            session.add(
                OutboxMessage(
                    user_id=user_id,
                    to_address=email,
                    subject=_email_subject(text, language),
                    body=text,
                    link=link,
                    language=language,
                    dedupe_key=dedupe_key,
                )
            )
        told += int(in_app or by_email)
    session.flush()
    return told


def _email_subject(text: str, language: str) -> str:
    prefix = i18n.translations(language).ugettext(_("Integrity Innovation Lab"))
    subject = f"{prefix}: {text}"
    return subject if len(subject) <= 200 else subject[:199] + "…"


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        ).one()
    )


PAGE_SIZE = 30


def recent(session: Session, user_id: int, *, page: int = 1) -> tuple[list[Notification], bool]:
    """One page of a person's notifications, newest first, and whether more follow."""
    page = max(page, 1)
    rows = list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the person's own notifications read; None when it is not theirs."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user_id:
        return None
    if found.read_at is None:
        found.read_at = utcnow()
        session.add(found)
        session.flush()
    return found


def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class OutboxReport:
    sent: int
    failed: int
    waiting: int


Sender = Callable[..., None]
# A sender that has taken an email has this long to report on it before another sender
# may take it (a sender killed mid-send: the email goes again after this).
CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class OutgoingEmail:
    id: int
    to: str
    subject: str
    body: str
    due_at: datetime


def _full_body(settings: Settings, message: OutboxMessage) -> str:
    base = settings.base_url.rstrip("/")
    body = message.body
    if message.link:
        body += f"\n\n{base}{message.link}"
    footer = i18n.translations(message.language).ugettext(_("Choose which emails you get: %(url)s"))
    return body + "\n\n" + footer % {"url": f"{base}/notifications/settings"}


def _due(now: datetime) -> Any:
    return (
        col(OutboxMessage.sent_at).is_(None),
        OutboxMessage.attempts < MAX_ATTEMPTS,
        OutboxMessage.next_attempt_at <= now,
    )


def any_due(session: Session, now: datetime | None = None) -> bool:
    """Whether an email is due (one read, no lock): the background sender's cheap look."""
    found = session.exec(select(OutboxMessage.id).where(*_due(now or utcnow())).limit(1)).first()
    return found is not None


def claim_due(
    session: Session, settings: Settings, *, now: datetime, limit: int
) -> list[OutgoingEmail]:
    """Take the due emails, oldest first, for one sender: each is not due again until
    CLAIM has passed, so two senders never send the same one. The sending itself happens
    after this transaction, never inside one."""
    due = list(
        session.exec(
            select(OutboxMessage)
            .where(*_due(now))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL: two senders never share one
        )
    )
    taken = []
    for message in due:
        taken.append(
            OutgoingEmail(
                id=message.id or 0,
                to=message.to_address,
                subject=message.subject,
                body=_full_body(settings, message),
                due_at=message.next_attempt_at,
            )
        )
        message.next_attempt_at = now + CLAIM
        session.add(message)
    session.flush()
    return taken


def record_outcome(
    session: Session, email: OutgoingEmail, *, now: datetime, error: BaseException | None
) -> None:
    """A sent email is marked sent and never sent again; a failure is counted and retried
    later, each time after twice the delay (5 minutes, 10, 20 ... at most 12 hours),
    until MAX_ATTEMPTS failures."""
    message = session.get(OutboxMessage, email.id)
    if message is None:
        return
    message.attempts += 1
    if error is None:
        message.sent_at = now
    else:
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        delay = min(FIRST_RETRY * 2 ** (message.attempts - 1), LONGEST_RETRY)
        message.next_attempt_at = now + delay
        log.warning(
            "email %s to %s failed (attempt %s): %s", email.id, email.to, message.attempts, error
        )
    session.add(message)
    session.flush()


def release_claim(session: Session, email: OutgoingEmail) -> None:
    """The sender stopped before trying (interrupted): the email is due as before."""
    message = session.get(OutboxMessage, email.id)
    if message is not None and message.sent_at is None:
        message.next_attempt_at = email.due_at
        session.add(message)
        session.flush()


def waiting_count(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        ).one()
    )


def _try_send(settings: Settings, sender: Sender, email: OutgoingEmail) -> Exception | None:
    try:
        sender(settings, to=email.to, subject=email.subject, body=email.body)
    except Exception as error:  # noqa: BLE001 - any failure is retried later
        return error
    return None


def send_outbox(
    session: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = 200,
    sender: Sender = send_mail,
) -> OutboxReport:
    """Send the emails that are due within one session (tests and small runs; the
    commands and the background sender use `deliver_outbox`, which sends outside any
    transaction)."""
    now = now or utcnow()
    sent = failed = 0
    for email in claim_due(session, settings, now=now, limit=limit):
        error = _try_send(settings, sender, email)
        record_outcome(session, email, now=now, error=error)
        sent, failed = sent + (error is None), failed + (error is not None)
    return OutboxReport(sent=sent, failed=failed, waiting=waiting_count(session))


Transactions = Callable[[Callable[[Session], Any]], Any]


def deliver_outbox(
    engine: Engine,
    settings: Settings,
    *,
    limit: int = 500,
    now: datetime | None = None,
    sender: Sender = send_mail,
    in_transaction: Transactions | None = None,
) -> OutboxReport:
    """What `iil-lms send-outbox` and the background sender run: one email at a time,
    taken in one short transaction, sent with no transaction open (a slow mail server
    holds no database lock), and marked in another, so an email is marked sent as soon
    as it has gone and a crash half-way never sends one twice. Stops when nothing more
    is due or after `limit` emails. `in_transaction(work)` runs `work(session)` in a
    transaction (the web app passes one that also takes its one-writer gate)."""

    def plain(work: Callable[[Session], Any]) -> Any:
        with transaction(engine) as session:
            return work(session)

    run = in_transaction or plain
    sent = failed = 0
    while sent + failed < limit:
        moment = now or utcnow()
        taken: list[OutgoingEmail] = run(partial(claim_due, settings=settings, now=moment, limit=1))
        if not taken:
            break
        email = taken[0]
        try:
            error = _try_send(settings, sender, email)
        except BaseException:
            run(partial(release_claim, email=email))
            raise
        run(partial(record_outcome, email=email, now=moment, error=error))
        sent, failed = sent + (error is None), failed + (error is not None)
    with transaction(engine, writes=False) as session:
        waiting = waiting_count(session)
    return OutboxReport(sent=sent, failed=failed, waiting=waiting)
