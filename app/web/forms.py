"""Reading posted forms into the API's request schemas, and their errors back onto fields.

A form is validated by the same pydantic schema as the API's JSON body, so a rule lives in
one place. Form values are strings: :func:`optional_number` turns the numeric ones into
numbers first (the schemas are strict), and :func:`field_errors` maps a validation error to
one message per field, in the page's language, for the field macros and the error summary.
"""

import re
from collections.abc import Mapping

from pydantic import ValidationError
from starlette.datastructures import FormData

#: Put in place of a number the visitor typed that is not one, so the schema refuses it.
NOT_A_NUMBER = "not a number"


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional_text(form: FormData, name: str) -> str | None:
    """The field's text, or None when it was left empty."""
    return text(form, name).strip() or None


def choices(form: FormData, name: str) -> list[str]:
    """Every value of a group of checkboxes."""
    return [value for value in form.getlist(name) if isinstance(value, str)]


def optional_number(form: FormData, name: str) -> float | str | None:
    """A number field: None when empty, the number, or a marker the schema refuses."""
    value = text(form, name).strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return NOT_A_NUMBER


def optional_integer(form: FormData, name: str) -> int | str | None:
    """A whole-number field: None when empty, the number, or a marker the schema refuses
    (the schemas are strict: ``3.0`` is not an integer)."""
    value = text(form, name).strip()
    if not value:
        return None
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else NOT_A_NUMBER


def yes_no(form: FormData, name: str) -> bool | None:
    """A yes/no radio group (values ``yes`` and ``no``): None when left unanswered."""
    return {"yes": True, "no": False}.get(text(form, name))


def checked(form: FormData, name: str) -> bool:
    """A single checkbox: ticked or not."""
    return bool(text(form, name))


def field_errors(error: ValidationError, messages: Mapping[str, str]) -> dict[str, str]:
    """One message per field the schema refused, from ``messages`` (field → sentence in the
    page's language, in the form's order, which the error summary keeps); a refusal of the
    whole form goes under ``""``."""
    refused: set[str] = set()
    for problem in error.errors():
        location = problem.get("loc") or ("",)
        name = str(location[0]) if location else ""
        refused.add(name if name in messages else "")
    return {name: messages.get(name, "") for name in [*messages, ""] if name in refused}


class Messages(dict[str, str]):
    """Field → message; a field without one reads as None in a template."""

    def __missing__(self, _name: str) -> None:
        return None


class Values(dict[str, object]):
    """Field → the value the visitor sent; a field without one reads as empty."""

    def __missing__(self, _name: str) -> str:
        return ""
