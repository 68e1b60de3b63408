"""The web app's languages: gettext catalogues (Babel), the locale choice, weekday names.

The catalogues are the ``.po`` files of ``app/web/translations``, compiled in memory once
per process, so no generated ``.mo`` file is kept in the tree.
"""

import functools
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.core.negotiation import weighted


def N_(message: str) -> str:
    """Marks a text for the catalogues (``make messages``) where it is defined; it is
    translated where a page shows it."""
    return message


LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
#: The cookie that remembers ``?lang=``, and for how long (seconds).
LOCALE_COOKIE = "lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
TRANSLATIONS = Path(__file__).resolve().parent.parent / "web" / "translations"


@functools.cache
def translations(locale: str) -> Translations:
    """The catalogue of a supported locale, read from its ``.po`` file on first use."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def supported(value: str | None) -> str | None:
    """``value`` if it names a supported locale, else None."""
    return value if value in LOCALES else None


def _preferred(accept_language: str) -> list[str]:
    """The language ranges of an ``Accept-Language`` header, most wanted first (q=0 dropped)."""
    ranked = [
        (-weight, position, tag)
        for position, (tag, weight) in enumerate(weighted(accept_language)[:32])
        if tag and tag != "*" and weight > 0
    ]
    return [tag for _, _, tag in sorted(ranked)]


def choose_locale(
    *,
    query: str | None,
    cookie: str | None,
    accept_language: str | None,
    member_language: str | None = None,
) -> str:
    """The page's locale: ``?lang=``, then the ``lang`` cookie, then the signed-in member's
    stored language, then ``Accept-Language``; German when none of them names one we have."""
    for choice in (query, cookie, member_language):
        if (locale := supported(choice)) is not None:
            return locale
    negotiated = negotiate_locale(_preferred(accept_language or ""), LOCALES, sep="-")
    return negotiated or DEFAULT_LOCALE


def weekday_names(locale: str) -> list[str]:
    """Monday … Sunday in the locale's language (index = ``date.weekday()``)."""
    names = dates.get_day_names("wide", locale=Locale.parse(locale))
    return [str(names[weekday]) for weekday in range(7)]


def format_day(day: date, locale: str) -> str:
    """A date as the locale writes it in full: ``Freitag, 4. Dezember 2026``."""
    return str(dates.format_date(day, format="full", locale=locale))


def format_short_day(day: date, locale: str) -> str:
    """A date in the locale's medium form: ``04.12.2026`` / ``Dec 4, 2026``."""
    return str(dates.format_date(day, format="medium", locale=locale))


def format_time(instant: datetime, timezone: str) -> str:
    """``HH:MM`` on the 24-hour clock in ``timezone`` (DESIGN §10: both languages)."""
    return instant.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def format_number(value: float, locale: str) -> str:
    """A figure as the locale writes it, at most two decimals: ``1,5`` / ``1.5``."""
    return str(numbers.format_decimal(round(value, 2), format="#,##0.##", locale=locale))
