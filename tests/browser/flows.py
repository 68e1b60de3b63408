"""What a visitor does again and again: register, sign in (reused by every browser test)."""

import secrets

from tests.browser.support import Visit

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
