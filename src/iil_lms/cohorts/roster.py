"""Roster import and export: read a CSV or XLSX file, check every row, keep the rows for
the trainer to confirm, then enrol them all in one transaction (or none); write the
roster back out in the same format. Plain functions over a Session; no HTTP here."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms import i18n
from iil_lms.accounts.models import AuthToken, User
from iil_lms.audit.service import record
from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role, RosterUpload
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import N_
from iil_lms.notifications.models import OutboxMessage
from iil_lms.settings import LANGUAGES, Settings

MAX_FILE_BYTES = 5 * 1024 * 1024
# An XLSX is a zip: refuse one whose parts would inflate beyond this, or far beyond its size.
MAX_XLSX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_ROWS = 5000
UPLOAD_LIFETIME = timedelta(hours=24)
BATCH = 500  # rows per IN (...) lookup

# (key, header as the template writes it, longest value stored)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "name", 120),
    ("email", "email", 254),
    ("department", "department", 200),
    ("service_group", "service group", 80),
    ("district", "district", 120),
    ("province", "province", 120),
    ("circle", "learning circle", 120),
    ("language", "preferred language", 8),
    ("gender", "gender", 32),
    ("disability", "disability", 32),
)
KEYS = tuple(key for key, _header, _limit in COLUMNS)
HEADERS = tuple(header for _key, header, _limit in COLUMNS)
LIMITS = {key: limit for key, _header, limit in COLUMNS}

# Other spellings of the headers (compared after lower-casing and folding - _ / to spaces).
_ALIASES = {
    "full name": "name",
    "e mail": "email",
    "email address": "email",
    "ministry": "department",
    "department or ministry": "department",
    "service group cadre": "service_group",
    "cadre": "service_group",
    "circle": "circle",
    "language": "language",
    "self declared gender": "gender",
    "self declared disability": "disability",
}
for _key, _header, _limit in COLUMNS:
    _ALIASES[_header] = _key

# What a language cell may say, folded to lower case.
_LANGUAGE_NAMES = {
    **{code: code for code in LANGUAGES},
    "english": "en",
    "urdu": "ur",
    "nepali": "ne",
    **{name.casefold(): code for code, name in i18n.LANGUAGE_NAMES.items()},
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RosterFileRefused(ValueError):
    """The file cannot be read as a roster at all (wrong kind, too big, no header)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.msgid = message
        self.params = params


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell: `reason` is a message id, filled with `params` and
    translated where it is shown."""

    row: int
    field: str
    reason: str
    params: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.reason % self.params if self.params else self.reason


NEW, ENROL, UNCHANGED = "new", "enrol", "unchanged"


@dataclass
class CheckedRow:
    row: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]
    action: str = NEW  # new account, enrol an existing account, or already as in the file
    problems: list[Problem] = dc_field(default_factory=list)
    notes: list[Problem] = dc_field(default_factory=list)


@dataclass
class Preview:
    filename: str
    rows: list[CheckedRow]
    ignored_columns: list[str] = dc_field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def bad_rows(self) -> list[CheckedRow]:
        return [r for r in self.rows if r.problems]

    @property
    def new_circles(self) -> list[str]:
        seen: dict[str, str] = {}
        for r in self.rows:
            if any(n.field == "circle" for n in r.notes):
                seen.setdefault(r.values["circle"].casefold(), r.values["circle"])
        return sorted(seen.values(), key=str.casefold)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.problems)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.problems


@dataclass(frozen=True)
class ImportResult:
    invited: int
    enrolled: int
    unchanged: int
    circles_created: int


# --- reading files ----------------------------------------------------------------------


def _fold_header(header: str) -> str:
    text = re.sub(r"[\s_\-/]+", " ", header.replace("\ufeff", "").casefold()).strip()
    return text


def _unguard(value: str) -> str:
    """Undo the export's formula guard (a leading ' before = + - @), so an exported name
    comes back byte for byte."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def guard(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (spreadsheet row number, cells) of a CSV or XLSX file. Refuses
    files that are not what their name says, too large, or unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileRefused(
            N_("The file is larger than %(limit)s MB. Split it, or remove other sheets."),
            limit=MAX_FILE_BYTES // (1024 * 1024),
        )
    if not data.strip():
        raise RosterFileRefused(N_("The file is empty."))
    name = filename.casefold()
    is_zip = data.startswith(b"PK\x03\x04")
    if name.endswith(".xlsx"):
        if not is_zip:
            raise RosterFileRefused(
                N_(
                    "This file is called .xlsx but is not an Excel workbook. Save it again from "
                    "Excel as .xlsx or .csv."
                )
            )
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        if is_zip:
            raise RosterFileRefused(
                N_(
                    "This file is called .csv but is an Excel workbook or another zip file. "
                    "Rename it to .xlsx, or save it as CSV."
                )
            )
        return _read_csv(data)
    raise RosterFileRefused(N_("Upload a .csv or .xlsx file."))


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if b"\x00" in data:
        raise RosterFileRefused(
            N_(
                "This file is not text: it cannot be a CSV file. Save the sheet from Excel as "
                "“CSV UTF-8”."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileRefused(
            N_(
                "This file is not in UTF-8, so names in Urdu or Nepali would be lost. In Excel, "
                "save it as “CSV UTF-8 (comma delimited)”."
            )
        ) from error
    # The Sniffer picks the separator (Excel writes ; where the decimal mark is a
    # comma); quoting stays Excel's, since a guessed ' quote would eat "O'Brien".
    delimiter = ","
    with contextlib.suppress(csv.Error):
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    records = [(number, cells) for number, cells in enumerate(reader, start=1)]
    if not records:
        raise RosterFileRefused(N_("The file is empty."))
    return records[0][1], records[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise RosterFileRefused(N_("This Excel file is damaged and cannot be read.")) from error
    if inflated > MAX_XLSX_INFLATED_BYTES or inflated > MAX_XLSX_RATIO * max(len(data), 1):
        raise RosterFileRefused(
            N_(
                "This Excel file unpacks to far more than a roster needs (%(size)s MB). Copy the "
                "roster into a new workbook and save that."
            ),
            size=inflated // (1024 * 1024),
        )
    from openpyxl import load_workbook  # imported here: only an import needs it

    try:
        # Not read-only: openpyxl's full load is faster for a sheet this size, and the
        # inflated-size check above bounds the memory it takes.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure to open means an unreadable file
        raise RosterFileRefused(N_("This Excel file is damaged and cannot be read.")) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise RosterFileRefused(N_("The file is empty."))
        records: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                break
            records.append((number, [_cell_text(v) for v in values]))
    finally:
        workbook.close()
    if not records:
        raise RosterFileRefused(N_("The file is empty."))
    return records[0][1], records[1:]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_rows(data: bytes, filename: str) -> tuple[list[dict[str, str | int]], list[str]]:
    """The file's rows as {"row": spreadsheet row, key: text}, blank rows dropped, with the
    headers that were not understood (ignored)."""
    header, records = read_table(data, filename)
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        key = _ALIASES.get(_fold_header(raw))
        if key is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        positions.setdefault(key, index)
    missing = [h for k, h, _limit in COLUMNS if k in ("name", "email") and k not in positions]
    if missing:
        raise RosterFileRefused(
            N_(
                "The first row must name the columns; “%(columns)s” is missing. Download the "
                "template to see the headers."
            ),
            columns=", ".join(missing),
        )
    if len(records) > MAX_ROWS:
        raise RosterFileRefused(
            N_("The file has more than %(limit)s rows. Split it into smaller files."),
            limit=MAX_ROWS,
        )
    rows: list[dict[str, str | int]] = []
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        row: dict[str, str | int] = {"row": number}
        for key in KEYS:
            position = positions.get(key, len(cells))
            value = cells[position] if position < len(cells) else ""
            row[key] = _unguard(value.strip())
        rows.append(row)
    return rows, ignored


# --- checking ---------------------------------------------------------------------------


def language_code(value: str) -> str | None:
    return _LANGUAGE_NAMES.get(value.strip().casefold())


def _chunks(items: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _users_by_email(session: Session, emails: Sequence[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in _chunks(sorted(set(emails))):
        for user in session.exec(select(User).where(col(User.email).in_(chunk))):
            found[user.email] = user
    return found


def _members_of(session: Session, cohort_id: int, user_ids: Iterable[int]) -> dict[int, Membership]:
    ids = sorted(set(user_ids))
    found: dict[int, Membership] = {}
    for start in range(0, len(ids), BATCH):
        for membership in session.exec(
            select(Membership).where(
                Membership.cohort_id == cohort_id,
                col(Membership.user_id).in_(ids[start : start + BATCH]),
            )
        ):
            # Their trainee membership is the one a roster row describes.
            if membership.user_id not in found or membership.role == Role.TRAINEE.value:
                found[membership.user_id] = membership
    return found


def _circles_of(session: Session, cohort_id: int) -> dict[str, LearningCircle]:
    return {
        c.name.casefold(): c
        for c in session.exec(select(LearningCircle).where(LearningCircle.cohort_id == cohort_id))
    }


def check_rows(
    session: Session, cohort: Cohort, rows: Sequence[dict[str, str | int]], filename: str = ""
) -> Preview:
    """Every row against the rules: a name (not too long), a valid email once in the
    file (ignoring case), not already in the cohort unless exactly as the file says,
    a known language, no value too long. A circle not yet in the cohort is a note (it
    will be created), not a problem. A fixed number of queries per 500 rows."""
    assert cohort.id is not None
    checked = [CheckedRow(int(r["row"]), {k: str(r.get(k, "")) for k in KEYS}) for r in rows]
    emails = [c.values["email"].casefold() for c in checked if c.values["email"]]
    users = _users_by_email(session, emails)
    members = _members_of(session, cohort.id, [u.id for u in users.values() if u.id is not None])
    circles = _circles_of(session, cohort.id)
    circle_names = {c.id: c.name for c in circles.values()}
    first_row: dict[str, int] = {}
    for item in checked:
        values, number = item.values, item.row
        name = values["name"]
        if not name:
            item.problems.append(Problem(number, "name", N_("The name is missing.")))
        for key, limit in LIMITS.items():
            if key not in ("email", "language") and len(values[key]) > limit:
                item.problems.append(
                    Problem(
                        number,
                        key,
                        N_("Too long: %(length)s characters, at most %(limit)s."),
                        {"length": len(values[key]), "limit": limit},
                    )
                )
        email = values["email"].casefold()
        if not email:
            item.problems.append(Problem(number, "email", N_("The email is missing.")))
        elif len(email) > 254 or not _EMAIL.match(email):
            item.problems.append(
                Problem(
                    number,
                    "email",
                    N_("“%(email)s” is not a valid email address."),
                    {"email": values["email"]},
                )
            )
        elif email in first_row:
            item.problems.append(
                Problem(
                    number,
                    "email",
                    N_("The same email as row %(row)s (capital letters do not count)."),
                    {"row": first_row[email]},
                )
            )
        else:
            first_row[email] = number
        language = values["language"]
        if language and language_code(language) is None:
            item.problems.append(
                Problem(
                    number,
                    "language",
                    N_(
                        "Unknown language “%(language)s”: use en, ur or ne (English, Urdu, Nepali)."
                    ),
                    {"language": language},
                )
            )
        circle = values["circle"]
        if circle and circle.casefold() not in circles and len(circle) <= LIMITS["circle"]:
            item.notes.append(
                Problem(
                    number,
                    "circle",
                    N_("Circle “%(circle)s” does not exist yet: it will be created."),
                    {"circle": circle},
                )
            )
        user = users.get(email)
        if user is None:
            item.action = NEW
            continue
        membership = members.get(user.id or 0)
        if membership is None:
            item.action = ENROL
            item.notes.append(
                Problem(
                    number, "email", N_("An account with this email exists: it will be enrolled.")
                )
            )
        elif _same(values, user, membership, circle_names):
            item.action = UNCHANGED
        else:
            item.problems.append(
                Problem(
                    number,
                    "email",
                    N_(
                        "Already in this cohort, with other details. Change them on the roster "
                        "page instead."
                    ),
                )
            )
    return Preview(filename=filename, rows=checked)


def _same(
    values: dict[str, str], user: User, membership: Membership, circle_names: dict[int | None, str]
) -> bool:
    """Whether a row says exactly what the roster already holds for this person."""
    language = language_code(values["language"]) if values["language"] else user.language
    return (
        membership.role == Role.TRAINEE.value
        and values["name"] == user.display_name
        and language == user.language
        and values["department"] == membership.department
        and values["service_group"] == membership.service_group
        and values["district"] == membership.district
        and values["province"] == membership.province
        and values["circle"].casefold() == circle_names.get(membership.circle_id, "").casefold()
        and values["gender"] == membership.gender
        and values["disability"] == membership.disability
    )


# --- preview and confirm ----------------------------------------------------------------


def store_upload(
    session: Session,
    cohort: Cohort,
    uploaded_by_id: int,
    data: bytes,
    filename: str,
) -> tuple[RosterUpload, Preview]:
    """Read the file and keep its rows under an unguessable token for the confirm step
    (refused files are not kept). Nothing of the roster changes here."""
    rows, ignored = parse_rows(data, filename)
    preview = check_rows(session, cohort, rows, filename)
    preview.ignored_columns = ignored
    upload = RosterUpload(
        token=secrets.token_urlsafe(24),
        cohort_id=cohort.id,  # type: ignore[arg-type]
        uploaded_by_id=uploaded_by_id,
        filename=filename[-200:],
        rows=rows,
    )
    session.add(upload)
    session.flush()
    return upload, preview


def find_upload(session: Session, cohort: Cohort, token: str) -> RosterUpload | None:
    """The cohort's pending upload of this token; None when unknown, used or expired."""
    upload = session.exec(
        select(RosterUpload).where(
            RosterUpload.token == token[:64], RosterUpload.cohort_id == cohort.id
        )
    ).first()
    if upload is None or upload.imported_at is not None:
        return None
    if as_utc(upload.created_at) + UPLOAD_LIFETIME <= utcnow():
        return None
    return upload


def preview_upload(session: Session, cohort: Cohort, upload: RosterUpload) -> Preview:
    """The stored rows checked again against the roster as it is now."""
    return check_rows(session, cohort, upload.rows, upload.filename)


def _table(model: Any) -> Any:
    """A model's Core table: bulk inserts through it skip the ORM's per-row work."""
    return model.__table__


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirm_upload(
    session: Session,
    settings: Settings,
    cohort: Cohort,
    upload: RosterUpload,
    actor_id: int,
) -> tuple[Preview, ImportResult | None]:
    """Check the previewed rows again; if every row is valid, create the new circles,
    the new accounts (no password: each gets an invitation link by email), and the
    trainee memberships, all in the caller's one transaction. If any row is bad,
    nothing is written. Statements grow with batches of rows, not with rows."""
    preview = preview_upload(session, cohort, upload)
    if not preview.valid:
        return preview, None
    result = _write(session, settings, cohort, preview, actor_id)
    session.execute(
        update(RosterUpload).where(col(RosterUpload.id) == upload.id).values(imported_at=utcnow())
    )
    return preview, result


def import_rows(
    session: Session,
    settings: Settings,
    cohort: Cohort,
    rows: Sequence[dict[str, str | int]],
    actor_id: int | None,
) -> tuple[Preview, ImportResult | None]:
    """check_rows then the same writes as confirm_upload (for the demo and scripts)."""
    preview = check_rows(session, cohort, rows)
    if not preview.valid:
        return preview, None
    return preview, _write(session, settings, cohort, preview, actor_id)


def _write(
    session: Session, settings: Settings, cohort: Cohort, preview: Preview, actor_id: int | None
) -> ImportResult:
    assert cohort.id is not None
    now = utcnow()
    rows = [r for r in preview.rows if r.action != UNCHANGED]
    # Circles first, so memberships can name them.
    circles = _circles_of(session, cohort.id)
    new_circles = preview.new_circles
    if new_circles:
        session.execute(
            insert(_table(LearningCircle)),
            [{"cohort_id": cohort.id, "name": n} for n in new_circles],
        )
        circles = _circles_of(session, cohort.id)
    fallback_language = cohort.language if cohort.language in LANGUAGES else "en"
    new_rows = [r for r in rows if r.action == NEW]
    if new_rows:
        session.execute(
            insert(_table(User)),
            [
                {
                    "email": r.values["email"].casefold(),
                    "display_name": r.values["name"],
                    "language": language_code(r.values["language"]) or fallback_language
                    if r.values["language"]
                    else fallback_language,
                    "password_hash": None,
                    "is_admin": False,
                    "is_active": True,
                    "created_at": now,
                }
                for r in new_rows
            ],
        )
    users = _users_by_email(session, [r.values["email"].casefold() for r in rows])
    if rows:
        session.execute(
            insert(_table(Membership)),
            [
                {
                    "cohort_id": cohort.id,
                    "user_id": users[r.values["email"].casefold()].id,
                    "role": Role.TRAINEE.value,
                    "circle_id": circles[r.values["circle"].casefold()].id
                    if r.values["circle"]
                    else None,
                    "department": r.values["department"],
                    "service_group": r.values["service_group"],
                    "district": r.values["district"],
                    "province": r.values["province"],
                    "gender": r.values["gender"],
                    "disability": r.values["disability"],
                    "created_at": now,
                }
                for r in rows
            ],
        )
    _queue_emails(session, settings, cohort, rows, users, now)
    result = ImportResult(
        invited=len(new_rows),
        enrolled=len(rows) - len(new_rows),
        unchanged=len(preview.rows) - len(rows),
        circles_created=len(new_circles),
    )
    record(
        session,
        actor_id,
        "roster.import",
        f"cohort:{cohort.id}",
        after={**result.__dict__, "emails": sorted(r.values["email"].casefold() for r in rows)},
    )
    session.flush()
    return result


def _queue_emails(
    session: Session,
    settings: Settings,
    cohort: Cohort,
    rows: Sequence[CheckedRow],
    users: dict[str, User],
    now: Any,
) -> None:
    """An invitation link for each new account, a note for each existing one: outbox
    rows, sent later by `iil-lms send-outbox`."""
    tokens: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    expires = now + timedelta(days=settings.invitation_days)
    for r in rows:
        user = users[r.values["email"].casefold()]
        language = user.language
        translate = i18n.translations(language).ugettext
        if r.action == NEW:
            token = secrets.token_urlsafe(32)
            tokens.append(
                {
                    "token_hash": _token_hash(token),
                    "purpose": "invite",
                    "user_id": user.id,
                    "created_at": now,
                    "expires_at": expires,
                }
            )
            subject = translate(N_("You are invited to %(cohort)s")) % {"cohort": cohort.name}
            body = translate(
                N_(
                    "Hello %(name)s,\n\nYou are enrolled as a trainee in %(cohort)s. Open the "
                    "link below to set your password; it works for %(days)s days."
                )
            ) % {"name": user.display_name, "cohort": cohort.name, "days": settings.invitation_days}
            link = f"/invite/{token}"
        else:
            subject = translate(N_("You are enrolled in %(cohort)s")) % {"cohort": cohort.name}
            body = translate(
                N_(
                    "Hello %(name)s,\n\nYou are now a trainee in %(cohort)s. Sign in with your "
                    "account to see your journey."
                )
            ) % {"name": user.display_name, "cohort": cohort.name}
            link = "/"
        messages.append(
            {
                "user_id": user.id,
                "to_address": user.email,
                "subject": subject[:200],
                "body": body,
                "link": link,
                "language": language,
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
                "last_error": "",
                "dedupe_key": f"roster:{cohort.id}",
            }
        )
    if tokens:
        session.execute(insert(_table(AuthToken)), tokens)
    if messages:
        session.execute(insert(_table(OutboxMessage)), messages)


# --- one person after the import ------------------------------------------------------


@dataclass(frozen=True)
class Person:
    membership_id: int
    user_id: int
    name: str
    email: str
    circle: str
    department: str
    service_group: str
    district: str
    province: str
    gender: str
    disability: str
    invited: bool  # no password yet: has not followed the invitation
    withdrawn: bool


def people(session: Session, cohort_id: int, *, show_withdrawn: bool = True) -> list[Person]:
    """The cohort's trainees for the roster page, by name, in one query."""
    query = (
        sa_select(
            col(Membership.id),
            col(User.id),
            col(User.display_name),
            col(User.email),
            col(LearningCircle.name),
            col(Membership.department),
            col(Membership.service_group),
            col(Membership.district),
            col(Membership.province),
            col(Membership.gender),
            col(Membership.disability),
            col(User.password_hash).is_(None),
            col(Membership.withdrawn_at).is_not(None),
        )
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(col(Membership.cohort_id) == cohort_id, col(Membership.role) == Role.TRAINEE.value)
        .order_by(col(User.display_name), col(User.id))
    )
    if not show_withdrawn:
        query = query.where(col(Membership.withdrawn_at).is_(None))
    return [
        Person(
            membership_id=r[0],
            user_id=r[1],
            name=r[2],
            email=r[3],
            circle=r[4] or "",
            department=r[5],
            service_group=r[6],
            district=r[7],
            province=r[8],
            gender=r[9],
            disability=r[10],
            invited=bool(r[11]),
            withdrawn=bool(r[12]),
        )
        for r in session.execute(query).all()
    ]


class RosterError(ValueError):
    """A user-facing reason a change to one person was refused: per field, a message id
    and its values."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, object]]]) -> None:
        super().__init__("; ".join(f"{k}: {m % p}" for k, (m, p) in errors.items()))
        self.errors = errors


def trainee_membership(session: Session, cohort: Cohort, membership_id: int) -> Membership | None:
    membership = session.get(Membership, membership_id)
    if (
        membership is None
        or membership.cohort_id != cohort.id
        or membership.role != Role.TRAINEE.value
    ):
        return None
    return membership


EDITABLE = ("circle", "department", "service_group", "district", "province", "gender", "disability")


def update_person(
    session: Session, cohort: Cohort, membership: Membership, values: dict[str, str], actor_id: int
) -> None:
    """Change a trainee's circle (created when new), department, service group,
    district, province and self-declared GESI answers; each within its length."""
    cleaned = {key: values.get(key, "").strip() for key in EDITABLE}
    errors: dict[str, tuple[str, dict[str, object]]] = {
        key: (
            N_("Too long: %(length)s characters, at most %(limit)s."),
            {"length": len(value), "limit": LIMITS[key]},
        )
        for key, value in cleaned.items()
        if len(value) > LIMITS[key]
    }
    if errors:
        raise RosterError(errors)
    assert cohort.id is not None
    circle_id: int | None = None
    if cleaned["circle"]:
        circles = _circles_of(session, cohort.id)
        found = circles.get(cleaned["circle"].casefold())
        if found is None:
            found = LearningCircle(cohort_id=cohort.id, name=cleaned["circle"])
            session.add(found)
            session.flush()
        circle_id = found.id
    before = {
        "circle_id": membership.circle_id,
        **{k: getattr(membership, k) for k in EDITABLE[1:]},
    }
    membership.circle_id = circle_id
    for key in EDITABLE[1:]:
        setattr(membership, key, cleaned[key])
    session.add(membership)
    after = {"circle_id": circle_id, **{k: getattr(membership, k) for k in EDITABLE[1:]}}
    record(
        session,
        actor_id,
        "roster.edit",
        f"membership:{membership.id}",
        before,
        after,
        cohort_id=cohort.id,
    )
    session.flush()


def set_withdrawn(session: Session, membership: Membership, withdrawn: bool, actor_id: int) -> None:
    """Withdraw a trainee (their work stays; they leave day-to-day lists) or enrol them
    again."""
    before = {"user_id": membership.user_id, "withdrawn": membership.withdrawn_at is not None}
    membership.withdrawn_at = utcnow() if withdrawn else None
    session.add(membership)
    action = "roster.withdraw" if withdrawn else "roster.reenrol"
    after = {**before, "withdrawn": withdrawn}
    record(
        session,
        actor_id,
        action,
        f"membership:{membership.id}",
        before,
        after,
        cohort_id=membership.cohort_id,
    )
    session.flush()


# --- export -----------------------------------------------------------------------------


def roster_rows(session: Session, cohort_id: int) -> list[dict[str, str]]:
    """Every trainee of the cohort as a roster row (the import's columns), by name, in
    one query."""
    result = session.execute(
        sa_select(
            col(User.display_name),
            col(User.email),
            col(Membership.department),
            col(Membership.service_group),
            col(Membership.district),
            col(Membership.province),
            col(LearningCircle.name),
            col(User.language),
            col(Membership.gender),
            col(Membership.disability),
        )
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(col(Membership.cohort_id) == cohort_id, col(Membership.role) == Role.TRAINEE.value)
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [dict(zip(KEYS, (v or "" for v in r), strict=True)) for r in result]


def to_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Urdu and Nepali names), the
    template's headers, formula-guarded cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([guard(row.get(k, "")) for k in KEYS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([guard(row.get(k, "")) for k in KEYS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(cohort_slug: str, extension: str) -> str:
    slug = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in cohort_slug
    )
    return f"{slug.strip('-') or 'cohort'}-roster.{extension}"
