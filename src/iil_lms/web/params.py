"""Typed request parameters, declared once: ids within the id columns' range (32-bit
on PostgreSQL), page numbers within reason, and the circle filter's few forms. A value outside
them is refused at the edge with a 400 page (422 JSON under /api) that names the field,
never passed on to a query that would fail with a 500."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Form, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from iil_lms.i18n import gettext as _

# The largest id: the id columns are INTEGER, 32 bits on PostgreSQL (SQLite's hold 64),
# and PostgreSQL refuses a larger value in a comparison with a 500 (found by the API's
# schemathesis run on PostgreSQL).
MAX_ID = 2**31 - 1
# Far beyond any list the pages show, and small enough that an offset stays in 64 bits.
MAX_PAGE = 1_000_000

BoundedId = Annotated[int, Field(ge=1, le=MAX_ID)]

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# An empty form field counts as not sent (FastAPI gives the default for "").
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
OptionalFormId = Annotated[int | None, Form(ge=1, le=MAX_ID)]
FormIds = Annotated[list[BoundedId], Form()]
# A learning circle filter: empty for everyone, "none" for trainees in no circle, or an id.
CircleFilter = Annotated[str | None, Query(max_length=19, pattern=r"^(none|[0-9]*)$")]

_DIGITS = re.compile(r"[0-9]{1,19}")


def circle_filter_id(value: str | None) -> int | None:
    """The circle id a (validated) circle filter names, if it names one."""
    if value and _DIGITS.fullmatch(value) and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def form_int(value: Any, field: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """An optional whole number from a form read by hand (for forms whose field names are
    only known at run time): empty or absent is None; anything but a whole number from
    `low` to `high` refuses the request as FastAPI does for declared fields, naming it."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value) and low <= int(value) <= high:
        return int(value)
    raise RequestValidationError(
        [
            {
                "type": "int_parsing",
                "loc": ("body", field),
                "msg": f"Input should be a whole number from {low} to {high}",
                "input": value if isinstance(value, str) else type(value).__name__,
            }
        ]
    )


def invalid_fields(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """(field, why) for each refused parameter, in the reader's language, for the 400 page."""
    found: list[tuple[str, str]] = []
    for error in errors:
        loc = error.get("loc") or ()
        name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        kind = str(error.get("type", ""))
        if kind in ("int_parsing", "int_type", "int_from_float"):
            why = _("a whole number was expected")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            why = _("the number is out of range")
        elif kind == "string_too_long":
            why = _("the text is too long")
        elif kind == "missing":
            why = _("it is missing")
        else:
            why = _("it is not in the expected form")
        found.append((name, why))
    return found
