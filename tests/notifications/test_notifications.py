"""Notifications: choices, the bell, the list, due-soon reminders and the email outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from iil_lms import cli
from iil_lms.curriculum.models import Module
from iil_lms.db import utcnow
from iil_lms.learning import reminders
from iil_lms.notifications import service
from iil_lms.notifications.models import Notification, NotificationSetting, OutboxMessage
from iil_lms.settings import get_settings
from tests.mentoring.helpers import curriculum, plan, submit


def _notify(session, user, **overrides):
    args = dict(
        user_ids=[user.id],
        kind="feedback",
        link="/review/1",
        params={"message": "feedback", "author": "Mentor M", "exercise": "Problem tree"},
    )
    args.update(overrides)
    told = service.notify(session, **args)
    session.commit()
    return told


def test_notification_goes_to_the_app_and_the_outbox_by_default(session, factory):
    user = factory.user()
    assert _notify(session, user) == 1
    note = session.exec(select(Notification)).one()
    assert note.text == "Mentor M left feedback on “Problem tree”."
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.to_address == user.email
    assert "Problem tree" in mail.subject and mail.sent_at is None


def test_the_actor_is_never_notified_of_their_own_action(session, factory):
    user = factory.user()
    assert _notify(session, user, actor_id=user.id) == 0
    assert session.exec(select(Notification)).first() is None


def test_choices_switch_off_the_app_or_the_email(session, factory):
    user = factory.user()
    service.save_choices(session, user.id, {"feedback": (False, True), "reply": (True, False)})
    session.commit()
    _notify(session, user)
    _notify(session, user, kind="reply", params={"message": "reply", "author": "A", "where": "B"})
    assert [n.kind for n in session.exec(select(Notification))] == ["reply"]
    assert session.exec(select(OutboxMessage)).one().subject.endswith("“Problem tree”.")
    with pytest.raises(service.NotificationError):
        service.save_choices(session, user.id, {"nonsense": (True, True)})


def test_text_is_shown_in_the_readers_language(session, factory):
    note = service.render_text(
        "reminder", {"module": "Empathy interviews", "due_on": "2026-10-09"}, "en"
    )
    assert note == "“Empathy interviews” is due on 9 Oct 2026."


def test_settings_page_saves_choices(client, factory, session):
    user = factory.user()
    client.login(user.email)
    page = client.get("/notifications/settings")
    assert "Due-soon reminders" in page.text
    response = client.post_form(
        "/notifications/settings", {"feedback-app": "1", "reminder-app": "1", "reminder-email": "1"}
    )
    assert response.status_code == 303
    session.commit()
    rows = {s.kind: (s.in_app, s.email) for s in session.exec(select(NotificationSetting))}
    assert rows["feedback"] == (True, False)
    assert rows["reminder"] == (True, True)
    assert rows["reply"] == (False, False)


def test_bell_counts_unread_and_list_marks_them_read(client, make_client, factory, session):
    user, other = factory.user(), factory.user()
    _notify(session, user)
    _notify(session, user, link="/circles/3#post-9")
    _notify(session, other)
    client.login(user.email)
    page = client.get("/account")
    assert 'hx-get="/notifications/bell"' in page.text
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert '<span class="bell-count">2</span>' in bell.text
    listing = client.get("/notifications")
    assert listing.text.count("Mentor M left feedback") == 2
    mine = session.exec(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    opened = client.post_form(f"/notifications/{mine[1].id}/read")
    assert opened.status_code == 303
    assert opened.headers["location"] == "/circles/3#post-9"
    assert '<span class="bell-count">1</span>' in client.get("/notifications/bell").text
    theirs = session.exec(select(Notification).where(Notification.user_id == other.id)).one()
    assert client.post_form(f"/notifications/{theirs.id}/read").status_code == 404
    client.post_form("/notifications/read-all")
    assert "bell-count" not in client.get("/notifications/bell").text
    session.commit()
    session.refresh(theirs)
    assert theirs.read_at is None


def test_a_link_elsewhere_is_never_followed(client, factory, session):
    user = factory.user()
    _notify(session, user, link="https://evil.example/phish")
    client.login(user.email)
    note = session.exec(select(Notification)).one()
    response = client.post_form(f"/notifications/{note.id}/read")
    assert response.headers["location"] == "/notifications"


def test_empty_list_explains_what_will_appear(client, factory):
    client.login(factory.user().email)
    assert "No notifications yet" in client.get("/notifications").text


# --- due-soon reminders ----------------------------------------------------------------


def _reminder_setup(factory, session):
    c = factory.cohort(trainees=3, circles=2)  # trainees 1 and 3 in circle 1, trainee 2 in 2
    exercises = curriculum(session, c.cohort, milestones=2, exercises=2)
    module_one, module_two = exercises[0].module_id, exercises[2].module_id
    today = date(2026, 10, 5)
    plan(session, c.cohort, module_one, today + timedelta(days=2))
    plan(session, c.cohort, module_two, today + timedelta(days=20))
    # circle 2 has module one later
    plan(session, c.cohort, module_one, today + timedelta(days=30), circle_id=c.circles[1].id)
    # circle 1 has module two brought forward
    plan(session, c.cohort, module_two, today + timedelta(days=1), circle_id=c.circles[0].id)
    return c, exercises, today


def test_due_soon_reminders_follow_each_trainees_plan_and_are_sent_once(session, factory):
    c, exercises, today = _reminder_setup(factory, session)
    t1, t2, t3 = c.trainees
    for exercise in exercises[:2]:  # t3 finished module one
        submit(session, c.cohort, t3, exercise)
    sent = reminders.send_due_soon_reminders(session, today)
    session.commit()
    got = sorted((n.user_id, n.params["module"]) for n in session.exec(select(Notification)))
    assert got == [(t1.id, "Module 1"), (t1.id, "Module 2"), (t3.id, "Module 2")]
    assert sent == 3
    assert reminders.send_due_soon_reminders(session, today) == 0
    assert reminders.send_due_soon_reminders(session, today + timedelta(days=1)) == 0
    session.commit()
    assert len(session.exec(select(Notification)).all()) == 3
    assert len(session.exec(select(OutboxMessage)).all()) == 3


def test_soon_is_counted_from_the_academys_date(session, factory):
    # A zone on another day than UTC right now: UTC+14 from 10:00 UTC, else UTC-12.
    zone, shift = next(
        (name, (datetime.now(ZoneInfo(name)).date() - utcnow().date()).days)
        for name in ("Etc/GMT-14", "Etc/GMT+12")
        if datetime.now(ZoneInfo(name)).date() != utcnow().date()
    )
    c = factory.cohort(trainees=1, circles=1, timezone=zone)
    exercises = curriculum(session, c.cohort, milestones=2, exercises=1)
    academy_today = utcnow().date() + timedelta(days=shift)
    plan(session, c.cohort, exercises[0].module_id, academy_today + timedelta(days=3))
    plan(session, c.cohort, exercises[1].module_id, academy_today + timedelta(days=4))
    session.commit()
    assert reminders.send_due_soon_reminders(session, days_ahead=3) == 1
    session.commit()
    [reminder] = session.exec(select(Notification)).all()
    assert reminder.params["module"] == "Module 1"


def test_removed_modules_are_not_reminded(session, factory):
    c = factory.cohort(trainees=1, circles=1)
    exercises = curriculum(session, c.cohort, milestones=1, exercises=1)
    today = date(2026, 10, 5)
    plan(session, c.cohort, exercises[0].module_id, today, removed=True)
    assert reminders.send_due_soon_reminders(session, today) == 0


def test_send_reminders_command_is_idempotent(
    monkeypatch, tmp_path, settings, session, factory, capsys
):
    c, _exercises, today = _reminder_setup(factory, session)
    session.commit()
    monkeypatch.setenv("IIL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    get_settings.cache_clear()
    try:
        assert cli.main(["send-reminders", "--date", today.isoformat()]) == 0
        assert "Sent 4 due-soon reminders" in capsys.readouterr().out
        assert cli.main(["send-reminders", "--date", today.isoformat()]) == 0
        assert "Sent 0 due-soon reminders" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()


# --- the outbox ------------------------------------------------------------------------


class FlakySender:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[dict[str, str]] = []

    def __call__(self, settings, *, to, subject, body):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("smtp down")
        self.sent.append({"to": to, "subject": subject, "body": body})


def test_outbox_sends_marks_sent_and_retries_failures_later(session, settings, factory):
    user = factory.user()
    _notify(session, user)
    now = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    sender = FlakySender(failures=1)
    report = service.send_outbox(session, settings, now=now, sender=sender)
    assert (report.sent, report.failed, report.waiting) == (0, 1, 1)
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.attempts == 1 and "smtp down" in mail.last_error
    # not retried before its time
    assert (
        service.send_outbox(session, settings, now=now + timedelta(minutes=1), sender=sender).sent
        == 0
    )
    report = service.send_outbox(session, settings, now=now + timedelta(minutes=6), sender=sender)
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    assert len(sender.sent) == 1
    body = sender.sent[0]["body"]
    assert "http://testserver/review/1" in body
    assert "http://testserver/notifications/settings" in body
    # never sent twice
    assert (
        service.send_outbox(session, settings, now=now + timedelta(days=2), sender=sender).sent == 0
    )
    assert len(sender.sent) == 1


def test_outbox_gives_up_after_the_last_attempt(session, settings, factory):
    _notify(session, factory.user())
    sender = FlakySender(failures=100)
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    for _ in range(service.MAX_ATTEMPTS + 3):
        service.send_outbox(session, settings, now=moment, sender=sender)
        moment += timedelta(days=1)
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.attempts == service.MAX_ATTEMPTS and mail.sent_at is None


def test_send_outbox_command_uses_the_console_backend_by_default(
    monkeypatch, tmp_path, settings, session, factory, caplog, capsys
):
    _notify(session, factory.user())
    monkeypatch.setenv("IIL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    monkeypatch.delenv("IIL_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        assert cli.main(["send-outbox"]) == 0
        assert "Sent 1 emails, 0 failed" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    session.commit()
    assert session.exec(select(OutboxMessage)).one().sent_at is not None


def test_reminders_follow_the_curriculums_plan_rules(session, factory):
    """A module dropped from the cohort's plan is not reminded even where a circle had
    its own dates for it, nor is a retired module."""
    c = factory.cohort(trainees=1, circles=1)
    exercises = curriculum(session, c.cohort, milestones=2, exercises=1)
    today = date(2026, 10, 5)
    dropped, retired = exercises[0].module_id, exercises[1].module_id
    plan(session, c.cohort, dropped, today + timedelta(days=1), removed=True)
    plan(session, c.cohort, dropped, today + timedelta(days=1), circle_id=c.circles[0].id)
    plan(session, c.cohort, retired, today + timedelta(days=1))
    module = session.get(Module, retired)
    module.retired = True
    session.add(module)
    session.commit()
    assert reminders.send_due_soon_reminders(session, today) == 0


class CrashingSender:
    """Sends the first email, then the process dies (a BaseException, like Ctrl-C)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, settings, *, to, subject, body):
        if self.sent:
            raise KeyboardInterrupt
        self.sent.append(to)


def test_each_email_is_marked_sent_as_soon_as_it_has_gone(engine, session, settings, factory):
    first, second = factory.user(), factory.user()
    _notify(session, first)
    _notify(session, second)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(KeyboardInterrupt):
        service.deliver_outbox(engine, settings, now=now, sender=CrashingSender())
    session.expire_all()
    status = {m.to_address: m.sent_at for m in session.exec(select(OutboxMessage))}
    assert status[first.email] is not None and status[second.email] is None
    # the next run sends only what is left, and one failure does not stop the others
    third = factory.user()
    _notify(session, third)
    flaky = FlakySender(failures=1)
    report = service.deliver_outbox(engine, settings, now=now, sender=flaky)
    assert (report.sent, report.failed, report.waiting) == (1, 1, 1)
    assert [m["to"] for m in flaky.sent] == [third.email]
