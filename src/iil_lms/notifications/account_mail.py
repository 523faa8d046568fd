"""Emails about a person's account (a password reset link, a warning that someone is
guessing their password): written to the outbox in the person's language and sent by
`iil-lms send-outbox`, never during the request. Not a kind of notification anyone can
switch off."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from iil_lms import i18n
from iil_lms.accounts.models import User
from iil_lms.notifications.models import OutboxMessage
from iil_lms.settings import Settings


def _(message: str) -> str:
    """Mark for extraction; translated in the reader's language when written."""
    return message


def _queue(
    session: Session, user: User, subject: str, body: str, params: dict[str, Any]
) -> OutboxMessage:
    language = user.language or "en"  # an account that never chose a language
    translations = i18n.translations(language)
    message = OutboxMessage(
        user_id=user.id,
        to_address=user.email,
        subject=translations.ugettext(subject)[:200],
        body=translations.ugettext(body) % params,
        language=language,
    )
    session.add(message)
    session.flush()
    return message


def send_reset_link(session: Session, settings: Settings, user: User, token: str) -> None:
    """The link to choose a new password."""
    _queue(
        session,
        user,
        _("Reset your iil-lms password"),
        _("Open this link to choose a new password: %(url)s"),
        {"url": f"{settings.base_url.rstrip('/')}/password/reset/{token}"},
    )


def send_unlock_link(session: Session, settings: Settings, user: User, token: str) -> None:
    """Tell the owner that sign-ins to their account are being slowed down after wrong
    passwords, with a link that lets a device of theirs sign in without waiting."""
    _queue(
        session,
        user,
        _("Someone is trying to sign in to your iil-lms account"),
        _(
            "Several wrong passwords were entered for your account %(email)s. To keep it "
            "safe, sign-ins from new devices must now wait a little between attempts; "
            "devices you have signed in from before are not affected.\n\n"
            "If it was you and you want to sign in on a new device now, open this link "
            "on that device (it works once, for %(hours)s hours): %(url)s\n\n"
            "If it was not you, your password was not given away. If you think someone "
            "may know it, choose a new one."
        ),
        {
            "email": user.email,
            "hours": settings.login_unlock_hours,
            "url": f"{settings.base_url.rstrip('/')}/login/unlock/{token}",
        },
    )
