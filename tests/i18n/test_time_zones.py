"""Times are stored in UTC and shown in the reader's time zone: the academy of their
active cohort (Lahore reads Asia/Karachi, Kathmandu reads Asia/Kathmandu)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from iil_lms import i18n
from iil_lms.db import utcnow
from iil_lms.notifications.models import Notification
from iil_lms.web.templating import format_day, format_moment
from tests.learning.factories import course

SENT = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
LATE_EVENING = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)


@pytest.fixture
def scope() -> Iterator[None]:
    token = i18n.new_language_scope()
    yield
    i18n.end_language_scope(token)


@pytest.mark.usefixtures("scope")
def test_moments_are_shown_in_the_readers_zone_and_language() -> None:
    i18n.set_timezone("Asia/Karachi")
    assert format_moment(SENT, "short") == "23 Nov 2026, 14:05"
    i18n.set_language("ne")
    i18n.set_timezone("Asia/Kathmandu")
    nepali = format_moment(SENT, "short")
    assert "14:50" in nepali and "नोभेम्बर" in nepali
    assert not nepali.startswith("26/")  # CLDR's short Nepali form puts the year first
    # SQLite hands stored times back without a zone: they are UTC.
    assert format_moment(SENT.replace(tzinfo=None), "HH:mm") == "14:50"


@pytest.mark.usefixtures("scope")
def test_a_day_is_the_readers_day() -> None:
    i18n.set_timezone("Asia/Karachi")  # 01:30 the next morning in Lahore
    assert format_day(LATE_EVENING) == "24 Nov 2026"
    i18n.set_timezone("UTC")
    assert format_day(LATE_EVENING) == "23 Nov 2026"


@pytest.mark.usefixtures("scope")
def test_an_unknown_zone_shows_utc() -> None:
    i18n.set_timezone("Mars/Olympus_Mons")
    assert format_moment(SENT, "HH:mm") == "09:05"


@pytest.mark.parametrize(
    ("timezone", "shown"), [("Asia/Karachi", "14:05"), ("Asia/Kathmandu", "14:50")]
)
def test_a_trainee_reads_times_in_their_academys_zone(
    client, factory, session, timezone: str, shown: str
) -> None:
    made = factory.cohort(trainees=1)
    made.academy.timezone = timezone
    trainee = made.trainees[0]
    session.add(
        Notification(
            user_id=trainee.id,
            kind="feedback",
            params={"author": "Mentor M", "exercise": "Problem tree"},
            text="Mentor M left feedback",
            link="/journey",
            created_at=SENT,
        )
    )
    session.commit()
    client.login(trainee.email)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert f'<time datetime="2026-11-23T09:05:00+00:00">23 Nov 2026, {shown}</time>' in page.text


def _zone_on_another_day() -> tuple[str, int]:
    """A zone whose date differs from UTC's right now, and by how many days: UTC+14
    is a day ahead from 10:00 UTC, UTC-12 a day behind until 12:00 UTC."""
    for name in ("Etc/GMT-14", "Etc/GMT+12"):
        shift = (datetime.now(ZoneInfo(name)).date() - utcnow().date()).days
        if shift:
            return name, shift
    raise AssertionError("one of the two zones is always on another day")


def test_modules_open_by_the_academys_calendar(client, factory, session) -> None:
    zone, shift = _zone_on_another_day()
    made = factory.cohort(trainees=1, timezone=zone)
    local_today = utcnow().date() + timedelta(days=shift)
    # Opens on the academy's today: open there, whatever the date is in UTC.
    c = course(session, made.cohort, opens_on=local_today, due_on=local_today + timedelta(7))
    client.login(made.trainees[0].email)
    page = client.get("/journey").text
    module = c.modules[0]
    assert f'<a href="/journey/modules/{module.id}">' in page
    assert client.get(f"/journey/modules/{module.id}").status_code == 200
    # A day later by the academy's calendar it has not opened yet.
    c.plan[module.id].opens_on = local_today + timedelta(days=1)
    session.add(c.plan[module.id])
    session.commit()
    page = client.get("/journey").text
    assert f'<a href="/journey/modules/{module.id}">' not in page and "opens" in page
