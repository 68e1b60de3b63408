"""Pages as a test reads them through the ASGI client: CSRF tokens, posted forms, sign-in."""

import re
from html import unescape
from typing import Any

import httpx

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ALERT = re.compile(r'role="alert"[^>]*>(.*?)</(?:div|p)>', re.S)


def csrf_token(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, f"no csrf_token on {page.request.url}"
    return found.group(1)


def alerts(page: httpx.Response) -> list[str]:
    """The text of every ``role="alert"`` element (tags stripped, whitespace folded)."""
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", found)).split())
        for found in _ALERT.findall(page.text)
    ]


async def submit(
    client: httpx.AsyncClient, form_page: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    """Open ``form_page`` (for this browser's CSRF token), then post ``data`` to ``action``."""
    page = await client.get(form_page)
    return await client.post(action, data={"csrf_token": csrf_token(page), **data})


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    """Sign ``client`` in through the login form (it keeps the session cookie)."""
    answer = await submit(client, "/login", "/login", {"email": email, "password": password})
    assert answer.status_code == 303, answer.text


def session_cookie(answer: httpx.Response) -> str:
    [cookie] = [
        value for value in answer.headers.get_list("set-cookie") if value.startswith("session=")
    ]
    return cookie
