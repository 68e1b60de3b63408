"""CSV answers: one header row, one row per period, group or cell, plain decimal numbers."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import Response

MEDIA_TYPE = "text/csv; charset=utf-8"


def cell(value: Any) -> str:
    """A value as CSV text: numbers in plain decimal (never ``1e-05``), null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    return Response(
        render(header, rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def dict_rows(header: Sequence[str], items: Iterable[dict[str, Any]]) -> list[list[Any]]:
    return [[item[name] for name in header] for item in items]
