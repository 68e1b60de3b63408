"""CSV answers, one writer for all of them (statistics, survey, interest).

JSON by default; CSV with ``?format=csv``, or when ``Accept`` prefers ``text/csv`` to JSON.
One header row, one row per record; numbers in plain decimal (never ``1e-05``), null as an
empty field, booleans as ``true``/``false``. Text that a spreadsheet would run as a formula
(DESIGN §7) is prefixed with ``'``; numbers are never touched, so ``-1.5`` stays a number.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Response

from app.core.negotiation import weighted

MEDIA_TYPE = "text/csv; charset=utf-8"
OutputFormat = Literal["json", "csv"]
#: What spreadsheets read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: OpenAPI ``responses=`` entry of a route that may answer CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or CSV with `Accept: text/csv` or `?format=csv`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def cell(value: Any) -> str:
    """A value as CSV text; text starting like a formula quoted with a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV text: the header row, then the rows, lines ending in CRLF (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV attachment named ``filename`` (``.csv`` added)."""
    return Response(
        render(header, rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def dict_rows(header: Sequence[str], items: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """The values of ``items`` in the order of ``header``."""
    return [[item[name] for name in header] for item in items]


def _quality(accept: str, media_type: str) -> tuple[float, int]:
    """The q-value the ``Accept`` header gives ``media_type`` (0 when not accepted) and how
    specifically it names it (2 exactly, 1 by ``type/*``, 0 by ``*/*``)."""
    best, specificity = 0.0, -1
    main = media_type.split("/")[0]
    for name, quality in weighted(accept):
        rank = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(name.lower())
        if rank is not None and rank > specificity:
            best, specificity = quality, rank
    return best, specificity


async def output_format(
    format_: Annotated[
        OutputFormat | None,
        Query(alias="format", description="`csv` or `json`; overrides the Accept header."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OutputFormat:
    """``?format=`` wins; else CSV when ``Accept`` prefers ``text/csv`` to JSON."""
    if format_ is not None:
        return format_
    wanted = _quality(accept or "", "text/csv")
    if wanted[0] > 0 and wanted > _quality(accept or "", "application/json"):
        return "csv"
    return "json"


Format = Annotated[OutputFormat, Depends(output_format)]
