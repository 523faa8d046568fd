"""Exports: the progress grid, the GESI figures and attendance as CSV and XLSX hold the
same numbers as the pages, keep Urdu and Nepali text intact, and never let a cell run
as a formula."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from tests.conftest import Factory
from tests.reports.test_gesi import hand_built

ROW = re.compile(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def xlsx_rows(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_gesi_exports_hold_the_pages_figures_hidden_as_on_the_page(
    session: Session, factory: Factory, client: Any
) -> None:
    made = hand_built(session, factory)
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}/gesi"
    page = client.get(base).text
    on_page = [
        [text_of(label), *(text_of(c) for c in CELL.findall(cells))]
        for label, cells in ROW.findall(page)
    ]
    assert ["Punjab", "6", "<5", "<5", "5", "<5", "<5", "<5", "<5"] in on_page
    sheet = xlsx_rows(client.get(base + ".xlsx").content)
    assert sheet[0][:3] == ["Split by", "Group", "Enrolled"]
    from_sheet = [[str(v) for v in row[1:]] for row in sheet[1:]]
    from_csv = [row[1:] for row in csv_rows(client.get(base + ".csv").content)[1:]]
    # Group rows then "All trainees", table by table, the same as the page.
    assert len(on_page) == 13  # 3 + 2 + 2 + 2 groups and 4 totals
    assert from_sheet == on_page
    assert from_csv == from_sheet


def test_progress_and_attendance_exports_match_the_progress_page(
    session: Session, factory: Factory, client: Any
) -> None:
    made = hand_built(session, factory)
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}"
    page = client.get(base + "/progress").text
    days_on_page = {}
    for name_cell, cells in re.findall(
        r"<tr(?: class=\"row-behind\")?>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", page, re.S
    ):
        name = text_of(re.sub(r"<small>.*?</small>|<strong.*?</strong>", "", name_cell))
        days_on_page[name] = text_of(CELL.findall(cells)[2])
    sheet = xlsx_rows(client.get(base + "/progress.xlsx").content)
    header = sheet[0]
    present, taken = header.index("Convening days present"), header.index("Convening days taken")
    from_sheet = {row[0]: f"{row[present]}/{row[taken]}" for row in sheet[1:]}
    assert from_sheet == days_on_page
    assert len(from_sheet) == 12
    attendance = xlsx_rows(client.get(base + "/attendance.xlsx").content)
    per_person = {row[0]: f"{row[3]}/{row[4]}" for row in attendance[1:]}
    assert per_person == days_on_page
    assert csv_rows(client.get(base + "/attendance.csv").content)[1:] == [
        [str(v) for v in row] for row in attendance[1:]
    ]


def test_exports_neutralise_formulas_and_keep_urdu_and_nepali(
    session: Session, factory: Factory, client: Any
) -> None:
    made = hand_built(session, factory)
    made.trainees[0].display_name = '=HYPERLINK("http://evil.example","x")'
    made.trainees[1].display_name = "عائشہ خان"
    made.trainees[2].display_name = "सीता शर्मा"
    made.trainees[3].display_name = "@SUM(A1)"
    for user in made.trainees[:4]:
        session.add(user)
    session.commit()
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}"
    workbook = load_workbook(io.BytesIO(client.get(base + "/progress.xlsx").content))
    sheet = workbook.active
    assert sheet is not None
    names = {str(row[0].value): row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert names['\'=HYPERLINK("http://evil.example","x")'] == "s"
    assert "'@SUM(A1)" in names
    assert "عائشہ خان" in names and "सीता शर्मा" in names
    assert all(kind != "f" for kind in names.values())
    rows = csv_rows(client.get(base + "/attendance.csv").content)
    csv_names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in csv_names
    assert "عائشہ خان" in csv_names and "सीता शर्मा" in csv_names
