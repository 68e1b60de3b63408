"""What a visitor does again and again: register, sign in, move by keyboard (reused by every
browser test)."""

import secrets

import httpx
from playwright.sync_api import Page

from tests.browser.support import Site, Visit

PASSWORD = "ein sicheres Passwort"


def new_email() -> str:
    return f"browser-{secrets.token_hex(6)}@example.org"


def register(visit: Visit, email: str, *, lang: str = "de") -> None:
    """Register through the form, as a parent and employee who commutes by car."""
    page = visit.page
    visit.goto(f"/register?lang={lang}")
    german = lang == "de"
    page.get_by_label("E-Mail" if german else "Email", exact=True).fill(email)
    page.get_by_label("Passwort" if german else "Password", exact=True).fill(PASSWORD)
    page.get_by_label("Name" if german else "Full name", exact=True).fill("Petra Beispiel")
    page.get_by_label("Wohnort" if german else "Home municipality", exact=True).fill("Velten")
    page.get_by_label("Elternteil" if german else "Parent", exact=True).check()
    page.get_by_label("Angestellt" if german else "Employee", exact=True).check()
    page.get_by_label(
        "Arbeitsweg (km, einfach)" if german else "Commute (km, one way)", exact=True
    ).fill("23")
    page.get_by_label("Meist unterwegs mit" if german else "Usually commute by").select_option(
        "car"
    )
    page.get_by_role("button", name="Registrieren" if german else "Register").click()


def sign_in(visit: Visit, email: str, password: str = PASSWORD, *, next_path: str = "") -> None:
    visit.goto("/login?lang=en" + (f"&next={next_path}" if next_path else ""))
    visit.page.get_by_label("Email", exact=True).fill(email)
    visit.page.get_by_label("Password", exact=True).fill(password)
    visit.page.get_by_role("button", name="Sign in").click()


def registered_member(site: Site) -> str:
    """A member registered over the API (the form has its own tests); their email."""
    email = new_email()
    answer = httpx.post(
        site.url("/api/v1/auth/register"),
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Gerda Beispiel",
            "groups": ["senior"],
            "home_municipality": "Hennigsdorf",
        },
        timeout=15,
    )
    assert answer.status_code == 201, answer.text
    return email


def signed_in_member(visit: Visit) -> str:
    email = registered_member(visit.site)
    sign_in(visit, email)
    return email


def tab_to(page: Page, element_id: str, *, limit: int = 60) -> None:
    """Press Tab until the element with ``element_id`` has the focus, as a keyboard user
    would; fails when it cannot be reached within ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached by keyboard")
