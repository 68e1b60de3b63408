"""Which constraint an ``IntegrityError`` broke, read the same way on both databases."""

from sqlalchemy.exc import IntegrityError


def violated(error: IntegrityError, name: str) -> bool:
    """Whether ``error`` broke the constraint or unique index called ``name``.

    PostgreSQL names it in the driver's error (``constraint_name``) and its message; SQLite
    names indexes and CHECK constraints in its message (``UNIQUE constraint failed: index
    'name'``), so only named ones can be told apart there — name every constraint you map.
    """
    cause = error.orig.__cause__ if error.orig is not None else None
    if getattr(cause, "constraint_name", None) == name:
        return True
    return name in str(error.orig)
