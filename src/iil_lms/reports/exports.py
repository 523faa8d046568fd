"""Spreadsheet exports of what the report pages show: CSV (UTF-8 with a byte-order mark,
so Excel reads Urdu and Nepali) and XLSX, with every text cell guarded so a spreadsheet
never runs it as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Attendance, Convening, Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.learning.progress import safe_cell
from iil_lms.reports.gesi import GesiReport

Cell = str | int
Table = tuple[list[str], list[list[Cell]]]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _guarded(row: Sequence[Cell]) -> list[Cell]:
    return [safe_cell(v) if isinstance(v, str) else v for v in row]


def to_csv(table: Table) -> bytes:
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_guarded(header))
    for row in rows:
        writer.writerow(_guarded(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, sheet_title: str) -> bytes:
    from openpyxl import Workbook  # imported here: only an export needs it

    header, rows = table
    workbook = Workbook(write_only=True)
    # A sheet title: at most 31 characters, none of []:*?/\
    title = "".join(ch for ch in sheet_title if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.create_sheet(title)
    sheet.append(_guarded(header))
    for row in rows:
        sheet.append(_guarded(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gesi_table(report: GesiReport) -> Table:
    """The GESI page's figures, suppressed as on the page ("<5")."""
    header = [_("Split by"), _("Group"), *report.columns]
    rows: list[list[Cell]] = []
    for table in report.tables:
        for row in [*table.rows, table.total]:
            rows.append(
                [
                    table.title,
                    row.label,
                    *(f.shown() if f.hidden else f.value for f in row.figures),
                ]
            )
    return header, rows


def attendance_table(session: Session, cohort_id: int) -> Table:
    """Each trainee's days present and taken at each convening of the cohort where their
    attendance was taken (one query)."""
    header = [_("Name"), _("Email"), _("Convening"), _("Days present"), _("Days taken")]
    found = session.execute(
        sa_select(
            col(User.display_name),
            col(User.email),
            col(Convening.title),
            func.sum(case((col(Attendance.present), 1), else_=0)),
            func.count(),
        )
        .select_from(Attendance)
        .join(Convening, col(Convening.id) == Attendance.convening_id)
        .join(User, col(User.id) == Attendance.user_id)
        .join(
            Membership,
            (col(Membership.user_id) == Attendance.user_id)
            & (col(Membership.cohort_id) == Convening.cohort_id)
            & (col(Membership.role) == Role.TRAINEE.value),
        )
        .where(col(Convening.cohort_id) == cohort_id)
        .group_by(
            col(User.id),
            col(User.display_name),
            col(User.email),
            col(Convening.id),
            col(Convening.title),
            col(Convening.starts_on),
        )
        .order_by(col(User.display_name), col(User.id), col(Convening.starts_on), col(Convening.id))
    ).all()
    rows: list[list[Cell]] = [
        [name, email, title, int(present or 0), int(taken)]
        for name, email, title, present, taken in found
    ]
    return header, rows


def filename(cohort_slug: str, what: str, day_iso: str, extension: str) -> str:
    slug = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in cohort_slug
    )
    return f"{slug.strip('-') or 'cohort'}-{what}-{day_iso}.{extension}"
