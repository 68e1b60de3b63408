"""Headers of weighted choices (``Accept``, ``Accept-Language``), read one way for both the
JSON/CSV choice (:mod:`app.core.csv`) and the page language (:mod:`app.core.i18n`)."""


def weighted(header: str) -> list[tuple[str, float]]:
    """The comma-separated choices of ``header`` in the order sent, each with its q-value:
    1 when none is given, 0 when it cannot be read. Names are trimmed, not lower-cased."""
    choices: list[tuple[str, float]] = []
    for part in header.split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        choices.append((name, quality))
    return choices
