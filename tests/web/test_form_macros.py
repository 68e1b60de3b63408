"""The one form-field macro every form uses: label above, hint and error tied to the input."""

from html.parser import HTMLParser

from app.web.pages import environment


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _field(**arguments: object) -> list[tuple[str, dict[str, str | None]]]:
    macros = environment.get_template("macros.html").module
    parser = _Tags()
    parser.feed(str(macros.field(**arguments)))  # type: ignore[attr-defined]
    return parser.tags


def test_label_hint_and_error_are_tied_to_the_input() -> None:
    tags = _field(
        name="email", label="E-Mail", hint="Ihre Adresse", error="<Pflichtfeld>", required=True
    )
    [label] = [attrs for tag, attrs in tags if tag == "label"]
    [field] = [attrs for tag, attrs in tags if tag == "input"]
    paragraphs = {attrs["id"]: attrs for tag, attrs in tags if tag == "p"}
    assert label["for"] == field["id"] == "email"
    assert (field["aria-describedby"] or "").split() == ["email-hint", "email-error"]
    assert set(paragraphs) == {"email-hint", "email-error"}
    assert paragraphs["email-error"]["role"] == "alert"
    assert field["aria-invalid"] == "true"
    assert "required" in field


def test_a_plain_field_describes_nothing_and_escapes_its_value() -> None:
    macros = environment.get_template("macros.html").module
    rendered = str(macros.field(name="name", label="Name", value='"><script>'))  # type: ignore[attr-defined]
    assert "<script>" not in rendered
    tags = _field(name="name", label="Name")
    [field] = [attrs for tag, attrs in tags if tag == "input"]
    assert "aria-describedby" not in field
    assert "aria-invalid" not in field
