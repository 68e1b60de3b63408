"""k-anonymity of breakdowns (DESIGN §6, §7): one rule for the statistics and the survey.

A row counting 1 to k−1 distinct members (or answers) has its figures hidden; when that is
exactly one row, the next-smallest non-zero row is hidden too, so that the first cannot be
recovered from the published total by subtraction. Rows of zero are shown. In a breakdown by
free text (a municipality someone typed), the hidden rows are folded into one row without a
name, so that the names are not shown either.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def suppressed(counts: Sequence[int], k: int) -> list[bool]:
    """Which rows of a breakdown to hide (ties for the next-smallest: the first listed)."""
    hidden = [0 < count < k for count in counts]
    if sum(hidden) == 1:
        candidates = [
            (count, index) for index, count in enumerate(counts) if count > 0 and not hidden[index]
        ]
        if candidates:
            hidden[min(candidates)[1]] = True
    return hidden


@dataclass
class Breakdown:
    """A breakdown row: ``count`` (distinct members or answers) decides, ``figures`` may be
    hidden; ``key`` is None on the row that folds the hidden rows of free text."""

    key: str | None
    count: int
    figures: dict[str, Any]
    suppressed: bool = False


def k_anonymous(rows: list[Breakdown], k: int, *, free_text: bool = False) -> list[Breakdown]:
    """The rows with :attr:`Breakdown.suppressed` set; with ``free_text``, the suppressed
    rows replaced by one row of key None at the end."""
    for row, hidden in zip(rows, suppressed([row.count for row in rows], k), strict=True):
        row.suppressed = hidden
    hidden_rows = [row for row in rows if row.suppressed]
    if not free_text or not hidden_rows:
        return rows
    folded = Breakdown(
        key=None,
        count=sum(row.count for row in hidden_rows),
        figures=dict.fromkeys(hidden_rows[0].figures),
        suppressed=True,
    )
    return [*(row for row in rows if not row.suppressed), folded]


def published(row: Breakdown, *, key: str, count: str) -> dict[str, Any]:
    """The row as answered: ``{key, count, *figures, suppressed}``, count and figures null
    when suppressed."""
    if row.suppressed:
        return {key: row.key, count: None, **dict.fromkeys(row.figures), "suppressed": True}
    return {key: row.key, count: row.count, **row.figures, "suppressed": False}
