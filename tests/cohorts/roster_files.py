"""Small builders of roster files for the import tests and the benchmark."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = (
    "name",
    "email",
    "department",
    "service group",
    "district",
    "province",
    "learning circle",
    "preferred language",
    "gender",
    "disability",
)


def person(n: int, **overrides: str) -> dict[str, str]:
    """A valid row for trainee `n`; Urdu names for even n, Nepali for odd."""
    row = {
        "name": f"عائشہ خان {n}" if n % 2 == 0 else f"सीता शर्मा {n}",
        "email": f"trainee{n}@example.test",
        "department": "Revenue",
        "service group": "PAS",
        "district": "Lahore",
        "province": "Punjab",
        "learning circle": f"Circle {n % 3 + 1}",
        "preferred language": "ur" if n % 2 == 0 else "ne",
        "gender": "",
        "disability": "",
    }
    row.update({k.replace("_", " "): v for k, v in overrides.items()})
    return row


def people(count: int, start: int = 1) -> list[dict[str, str]]:
    return [person(n) for n in range(start, start + count)]


def csv_bytes(
    rows: Sequence[dict[str, str]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    newline: str = "\n",
    bom: bool = False,
) -> bytes:
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(_quote(row.get(h.lower(), ""), delimiter) for h in header))
    text = newline.join(lines) + newline
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def xlsx_bytes(rows: Sequence[dict[str, str]], *, header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(h.lower(), "") for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
