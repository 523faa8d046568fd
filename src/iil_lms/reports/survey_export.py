"""A survey's results as CSV and XLSX: the same figures the page shows, hidden where
the page hides them, and every text cell made safe from formula injection."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from openpyxl import Workbook

from iil_lms.i18n import gettext as _
from iil_lms.reports.surveys import DIMENSION_LABELS, SurveyResults

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never runs: a leading apostrophe when it would
    start a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def likert_headings() -> list[str]:
    return [
        _("Strongly disagree"),
        _("Disagree"),
        _("Neither agree nor disagree"),
        _("Agree"),
        _("Strongly agree"),
    ]


def rows(results: SurveyResults) -> list[list[Any]]:
    """The export's rows: what the page shows, in the reader's language."""
    group = results.group.label if results.group else _("Everyone")
    if results.group:
        group = f"{_(_dimension(results.group.dimension))}: {group}"
    out: list[list[Any]] = [
        [_("Cohort"), results.cohort.name],
        [_("Survey"), results.survey.title],
        [_("Group"), group],
    ]
    if results.hidden:
        out.append([_("Respondents"), results.hidden])
        return out
    out.append([_("Respondents"), results.respondents])
    out.append([])
    out.append([_("Statement"), _("Answers"), *likert_headings(), _("Average (1 to 5)")])
    for s in results.statements:
        out.append([s.text, s.answered, *s.counts, s.average])
    for question, comments in results.comments:
        if comments is None:
            continue
        out.append([])
        out.append([_("Comments"), question, _("How many wrote this")])
        out.extend([[None, text, count] for text, count in comments])
    return out


def _dimension(dimension: str) -> str:
    return DIMENSION_LABELS.get(dimension, dimension)


def _cell(value: Any) -> Any:
    return safe_text(value) if isinstance(value, str) else value


def results_csv(results: SurveyResults) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens Urdu and Nepali intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows(results):
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def results_xlsx(results: SurveyResults) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Results")[:31]
    for r, row in enumerate(rows(results), start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                # Stored as text whatever it starts with: never a formula.
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(slug: str, results: SurveyResults, today: date, extension: str) -> str:
    group = re.sub(r"[^A-Za-z0-9-]+", "-", results.group.key if results.group else "all")
    survey = results.survey.exercise_id
    return f"{slug}-survey-{survey}-{group.strip('-')}-{today.isoformat()}.{extension}"
