"""Settings: the secret is mandatory in production and long enough; plain URLs get async drivers."""

import pytest
from pydantic import ValidationError

from app.core.config import Settings, async_database_url

LONG_SECRET = "s" * 32
BASE_URL = "https://coworking.example.org"


def test_production_requires_a_secret() -> None:
    with pytest.raises(ValidationError, match="COWORKING_SECRET_KEY is required"):
        Settings(env="production", secret_key="")


@pytest.mark.parametrize("env", ["production", "development", "test"])
def test_a_secret_shorter_than_32_bytes_is_refused(env: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(env=env, secret_key="s" * 31)


def test_a_32_byte_secret_is_accepted_in_production() -> None:
    settings = Settings(env="production", secret_key=LONG_SECRET, public_base_url=BASE_URL)
    assert settings.secret_key == LONG_SECRET


def test_production_requires_a_public_base_url() -> None:
    with pytest.raises(ValidationError, match="COWORKING_PUBLIC_BASE_URL is required"):
        Settings(env="production", secret_key=LONG_SECRET)


@pytest.mark.parametrize(
    "url",
    [
        "coworking.example.org",
        "/pilot",
        "ftp://coworking.example.org",
        "https://",
        "https://coworking.example.org/?next=evil",
        "https://coworking.example.org/#x",
        "https://user@coworking.example.org",
    ],
)
def test_the_public_base_url_must_be_an_absolute_http_url(url: str) -> None:
    with pytest.raises(ValidationError, match="COWORKING_PUBLIC_BASE_URL"):
        Settings(secret_key=LONG_SECRET, public_base_url=url)


def test_the_public_base_url_loses_its_trailing_slash() -> None:
    settings = Settings(env="production", secret_key=LONG_SECRET, public_base_url=BASE_URL + "/")
    assert settings.public_base_url == BASE_URL


def test_the_secret_length_counts_bytes_not_characters() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(env="production", secret_key="ß" * 15)  # 30 bytes


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(env="staging", secret_key=LONG_SECRET)


@pytest.mark.parametrize(
    ("plain", "driver"),
    [
        (
            "postgresql://user:pw@db:5432/coworking",
            "postgresql+asyncpg://user:pw@db:5432/coworking",
        ),
        ("postgres://user:pw@db/coworking", "postgresql+asyncpg://user:pw@db/coworking"),
        ("sqlite:///./coworking.db", "sqlite+aiosqlite:///./coworking.db"),
        ("sqlite:////var/lib/coworking.db", "sqlite+aiosqlite:////var/lib/coworking.db"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_database_urls_get_async_drivers(plain: str, driver: str) -> None:
    assert async_database_url(plain) == driver
    assert Settings(database_url=plain, secret_key=LONG_SECRET).async_database_url == driver


def test_comma_separated_lists_are_split() -> None:
    settings = Settings(
        secret_key=LONG_SECRET, cors_origins="https://a.example, https://b.example,"
    )

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
