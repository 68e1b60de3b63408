"""Settings from the environment (prefix ``COWORKING_``), also read from ``.env``."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_KEY_FILE = Path(".secret_key")
MIN_SECRET_BYTES = 32


def async_database_url(url: str) -> str:
    """Map a plain database URL to the async driver the app uses."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url.removeprefix(plain)
    return url


def _development_secret() -> str:
    """A key generated once and kept beside the app, so restarts and workers agree."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_KEY_FILE.write_text(key)
    SECRET_KEY_FILE.chmod(0o600)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COWORKING_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "sqlite:///./coworking.db"
    secret_key: str = ""
    env: Literal["development", "production", "test"] = "development"
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    bootstrap_operator_email: str | None = None
    bootstrap_operator_password: str | None = None
    seed_demo: bool = False
    cors_origins: Annotated[list[str], NoDecode] = []
    stats_min_group_size: int = Field(default=5, ge=1)
    # How often the statistics rollup takes in the bookings that can no longer change
    # (app.stats.rollup); 0 turns it off (the figures stay the same, only slower).
    stats_rollup_interval_seconds: int = Field(default=3600, ge=0)
    rate_limit_login: str = "5/minute"
    rate_limit_public_forms: str = "30/hour"
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Rate-limit counters in Redis instead of the database, e.g. redis://localhost:6379/0
    redis_url: str | None = None
    # The absolute base of every URL the service hands out (calendar feed, e-mail links),
    # e.g. https://coworking.example.org; required in production, where the request's Host
    # header (any client's to choose) must not decide it.
    public_base_url: str | None = None
    co2_kg_per_km_car: float = Field(default=0.166, ge=0)
    co2_kg_per_km_public_transport: float = Field(default=0.055, ge=0)
    # How often the lifespan job persists no-shows and completed bookings.
    status_job_interval_seconds: float = Field(default=60, gt=0)
    db_pool_size: int = Field(default=10, ge=1)
    # Outgoing mail (company invitations); without a host, messages are only logged.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "noreply@ohv-coworking.example"
    # "starttls" (port 587), "ssl" (implicit TLS, port 465) or "none" (a local relay)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10, gt=0)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("rate_limit_login", "rate_limit_public_forms")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        # Imported here: the rate limiter needs the database layer, which imports this module.
        from app.core.rate_limit import parse_rate

        parse_rate(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        from app.core.rate_limit import parse_networks

        parse_networks(value)
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("COWORKING_PUBLIC_BASE_URL must be an absolute http(s) URL")
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise ValueError("COWORKING_PUBLIC_BASE_URL takes no user, query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _require_secret(self) -> "Settings":
        if not self.secret_key:
            if self.env == "production":
                raise ValueError("COWORKING_SECRET_KEY is required when COWORKING_ENV=production")
            self.secret_key = _development_secret()
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"COWORKING_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
        return self

    @model_validator(mode="after")
    def _require_public_base_url(self) -> "Settings":
        if self.env == "production" and not self.public_base_url:
            raise ValueError("COWORKING_PUBLIC_BASE_URL is required when COWORKING_ENV=production")
        return self

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
