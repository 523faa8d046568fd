"""Small-group suppression, shared by every report that counts people: no figure is shown
for fewer than `THRESHOLD` people, and a hidden figure cannot be worked out again by
subtracting the shown ones from a total."""

from __future__ import annotations

from collections.abc import Sequence

# No figure for fewer than this many people.
THRESHOLD = 5


def too_small(count: int) -> bool:
    """Whether a count of people is too small to show (zero included: "none of the three
    women" says as much about them as "two of them")."""
    return count < THRESHOLD


def suppress_columns(
    cells: Sequence[Sequence[int]],
    totals: Sequence[int],
    *,
    also_hidden: Sequence[Sequence[bool]] | None = None,
    hidden_totals: Sequence[bool] | None = None,
) -> list[list[bool]]:
    """Which cells of a table to hide. Rows are groups that together make the `totals`
    row (every person in exactly one group), columns are separate figures.

    A cell under the threshold is hidden (primary suppression), and so is one marked in
    `also_hidden`. When a column's total is shown (not under the threshold, not marked in
    `hidden_totals`) and exactly one cell of that column is hidden, the total minus the
    others would give it back, so the smallest other cell is hidden too (complementary
    suppression)."""
    hidden = [
        [too_small(value) or bool(also_hidden and also_hidden[r][c]) for c, value in enumerate(row)]
        for r, row in enumerate(cells)
    ]
    for column, total in enumerate(totals):
        if too_small(total) or (hidden_totals is not None and hidden_totals[column]):
            continue  # the total itself is hidden: nothing to subtract from
        hidden_rows = [r for r, row in enumerate(hidden) if row[column]]
        if len(hidden_rows) != 1:
            continue
        shown = [r for r, row in enumerate(hidden) if not row[column]]
        if shown:
            smallest = min(shown, key=lambda r: (cells[r][column], r))
            hidden[smallest][column] = True
    return hidden
