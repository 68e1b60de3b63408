"""What the browser tests share: the app as a real server per database (demo data, an SMTP
server of the test's own), Debian's Chromium, the visitor's actions, axe-core's verdict.

Playwright drives ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it):
Playwright's own browser download cannot work without the internet. Set
``COWORKING_CHROMIUM`` to use another build.
"""

import os
import re
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, Request

from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD

CHROMIUM = os.environ.get("COWORKING_CHROMIUM") or shutil.which("chromium") or ""
#: Impacts that fail a page (axe-core's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = {"serious", "critical"}
_axe = Axe()


@dataclass
class Mailbox:
    """Every message the app sent to the test's SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content or b""
        raw = content.encode() if isinstance(content, str) else content
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, to: str, *, timeout: float = 15.0) -> EmailMessage:
        """The latest message to ``to``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [message for message in self.messages if to in str(message["To"])]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} within {timeout:g} s")


def mail_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def link_in(text: str, path: str) -> str:
    """The first absolute URL in ``text`` whose path starts with ``path``."""
    for url in re.findall(r"https?://[^\s<>\"]+", text):
        if urlsplit(url).path.startswith(path):
            return str(url)
    raise AssertionError(f"no link to {path} in:\n{text}")


def smtp_server() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # aiosmtpd needs the port before it listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


@dataclass
class Site:
    """The app under test, as the browser reaches it."""

    base_url: str
    backend: str
    database_url: str
    mailbox: Mailbox
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def operator(self) -> "Operator":
        return Operator(self.base_url)


class Operator:
    """The bootstrap operator over the API, for what a test needs that no page makes yet."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=15)
        tokens = self.client.post(
            "/api/v1/auth/token", data={"username": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        )
        assert tokens.status_code == 200, tokens.text
        self.client.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def daytime_location(self, desks: int = 2) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A location open around the clock whose local time is near noon now, with ``desks``
        desks: booking and checking in "now" works whenever the suite runs (the server's clock
        is the real one)."""
        # Etc/GMT-N is UTC+N: choose N so that local time is 11:00–13:00.
        offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
        zone = "Etc/GMT" + (f"{-offset:+d}" if offset else "")
        location = self.post(
            "/api/v1/locations",
            {
                "name": f"Testort {secrets.token_hex(3)}",
                "municipality": "Velten",
                "address": "Viktoriastraße 1, 16727 Velten",
                "timezone": zone,
                "opening_hours": [
                    {"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)
                ],
            },
        )
        made = [
            self.post(
                "/api/v1/desks",
                {"location_id": location["id"], "name": f"Platz {n}", "kind": "desk"},
            )
            for n in range(1, desks + 1)
        ]
        return location, made


class Visit:
    """One browser tab on the site. It records every request the pages make, so a test can
    prove nothing was loaded from another origin."""

    def __init__(self, page: Page, site: Site) -> None:
        self.page = page
        self.site = site
        self.requests: list[str] = []
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.site.url(path))
        assert response is not None

    def foreign_requests(self) -> list[str]:
        origin = urlsplit(self.site.base_url)
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "about", "blob"}
            and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
        ]

    def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations of the page as it is now."""
        results = _axe.run(self.page)
        violations: list[dict[str, Any]] = results.response["violations"]
        return [item for item in violations if item.get("impact") in FAILING_IMPACTS]

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
        overflow: int = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        return overflow


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['id']} ({item['impact']}): {item['help']} — "
        + "; ".join(str(node.get("target")) for node in item.get("nodes", [])[:5])
        for item in violations
    )
