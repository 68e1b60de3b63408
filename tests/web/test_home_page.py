"""The home page: the pilot, its locations and opening hours, in German and English."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from babel.messages.pofile import read_po

from app.core.i18n import TRANSLATIONS
from app.web.pages import TEMPLATES
from tests.factories import Api

OPENING_HOURS = [
    {"weekday": 0, "opens": "08:00", "closes": "12:30"},
    {"weekday": 0, "opens": "13:15", "closes": "18:45"},
    {"weekday": 5, "opens": "09:05", "closes": "24:00"},
]


class _Page(HTMLParser):
    """The ``lang`` of ``<html>`` and every ``src``/``href``/``action`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        self.links += [
            value for name, value in attrs if name in {"src", "href", "action"} and value
        ]


def _parsed(response: httpx.Response) -> _Page:
    page = _Page()
    page.feed(response.text)
    return page


def _catalogue(locale: str) -> dict[str, str]:
    """msgid → the text the home page shows in ``locale`` (the msgid itself when
    untranslated), for the messages of its own template without placeholders."""
    # The catalogues are extracted without locations: the template's own msgids are read
    # from its source.
    own = set(re.findall(r'_\("([^"{%]+)"\)', (TEMPLATES / "index.html").read_text()))
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=locale)
    return {str(m.id): str(m.string or m.id) for m in catalog if m.id in own}


def _text(response: httpx.Response) -> str:
    return html.unescape(response.text)


async def test_home_page_is_german_html_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _parsed(response).lang == "de"
    assert "lang" not in response.cookies


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, de;q=0.4", "en"),
        ("en;q=0.3, de-AT;q=0.8", "de"),
        ("fr, es", "de"),
        ("en;q=0, fr", "de"),
        ("*", "de"),
        ("q=;;,,;", "de"),
    ],
)
async def test_accept_language_decides_without_a_cookie(
    client: httpx.AsyncClient, accept_language: str, locale: str
) -> None:
    response = await client.get("/", headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    assert _parsed(response).lang == locale


async def test_lang_query_switches_and_the_cookie_remembers_it(
    client: httpx.AsyncClient,
) -> None:
    english = await client.get("/?lang=en")
    assert _parsed(english).lang == "en"
    [cookie] = [
        value.lower()
        for value in english.headers.get_list("set-cookie")
        if value.startswith("lang=")
    ]
    assert cookie.startswith("lang=en;")
    assert "samesite=lax" in cookie
    assert f"max-age={365 * 24 * 60 * 60}" in cookie
    # The client keeps the cookie: the next page stays English, whatever the browser says.
    later = await client.get("/", headers={"Accept-Language": "de"})
    assert _parsed(later).lang == "en"
    back = await client.get("/?lang=de", headers={"Accept-Language": "en"})
    assert _parsed(back).lang == "de"
    assert _parsed(await client.get("/")).lang == "de"


async def test_an_unknown_lang_falls_back_to_german(client: httpx.AsyncClient) -> None:
    response = await client.get("/?lang=xx")
    assert response.status_code == 200
    assert _parsed(response).lang == "de"
    assert "lang" not in response.cookies


async def test_german_and_english_texts_are_the_catalogues(
    api: Api, client: httpx.AsyncClient
) -> None:
    german, english = _catalogue("de"), _catalogue("en")
    differing = [msgid for msgid in german if german[msgid] != english[msgid]]
    assert differing

    async def pages(locale: str) -> str:
        return _text(await client.get(f"/?lang={locale}"))

    # Without a location and with one closed on some days: together every text is shown.
    de_pages, en_pages = await pages("de"), await pages("en")
    await api.location(opening_hours=OPENING_HOURS)
    de_pages += await pages("de")
    en_pages += await pages("en")
    for msgid in differing:
        assert german[msgid] in de_pages
        assert english[msgid] in en_pages
        assert english[msgid] not in de_pages


async def test_every_location_appears_with_its_opening_hours(
    api: Api, client: httpx.AsyncClient
) -> None:
    empty = _text(await client.get("/?lang=en"))
    assert "No location is open yet." in empty
    first = await api.location(name="Bürohaus <Mitte> & Co", opening_hours=OPENING_HOURS)
    second = await api.location()
    page = await client.get("/?lang=en")
    text = _text(page)
    assert "&lt;Mitte&gt; &amp; Co" in page.text  # escaped, not markup
    assert first["name"] in text
    assert second["name"] in text
    assert "Monday" in text
    assert "Sunday" in text
    assert "08:00–12:30, 13:15–18:45" in text
    assert "09:05–24:00" in text
    assert "08:00–20:00" in text
    german = _text(await client.get("/?lang=de"))
    assert "Montag" in german
    assert "Samstag" in german
    assert "08:00–12:30, 13:15–18:45" in german
    assert _catalogue("de")["Closed"] in german


async def test_the_page_links_to_booking_survey_and_interest(client: httpx.AsyncClient) -> None:
    links = _parsed(await client.get("/")).links
    assert {"/book", "/survey", "/interest"} <= set(links)
    assert "#main" in links
    assert "/?lang=en" in links


async def test_nothing_comes_from_another_origin(api: Api, client: httpx.AsyncClient) -> None:
    await api.location()
    response = await client.get("/")
    policy = response.headers["content-security-policy"]
    directives = [part.strip() for part in policy.split(";")]
    assert directives[0] == "default-src 'self'"
    assert {"frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"} <= set(directives)
    assert "http" not in policy
    assert "*" not in policy
    for link in _parsed(response).links:
        parts = urlsplit(link)
        assert not parts.scheme, link
        assert not parts.netloc, link
    # The API's own answers keep their stricter policy.
    listed = await client.get("/api/v1/locations")
    assert listed.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_style_sheet_is_served_by_the_app(client: httpx.AsyncClient) -> None:
    links = _parsed(await client.get("/")).links
    [sheet] = [link for link in links if link.endswith(".css")]
    response = await client.get(sheet)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text
