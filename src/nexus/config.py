"""Configuration, read once from environment variables.

Every setting has a default that is safe for the embedded mode (one process, a SQLite file
under ``NEXUS_DATA_DIR``). Production mode (``NEXUS_ENV=production``) refuses to start with
the development secret.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "nexus-development-secret-change-me-0123456789abcdef"


class Environment(StrEnum):
    development = "development"
    testing = "testing"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXUS_", extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = Path("./data")
    # DATABASE_URL and REDIS_URL are the conventional names; NEXUS_-prefixed ones work too.
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "NEXUS_DATABASE_URL")
    )
    redis_url: str = Field(
        default="", validation_alias=AliasChoices("REDIS_URL", "NEXUS_REDIS_URL")
    )

    secret_key: str = DEVELOPMENT_SECRET
    # Versioned AES-256 keys for provider secrets at rest: "v1:<base64 32 bytes>,v2:<...>".
    # The last one encrypts; all decrypt. Empty: derived from the secret key (embedded mode).
    encryption_keys: str = ""

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    signup_enabled: bool = True
    cors_origins: list[str] = Field(default_factory=list)
    public_url: str = "http://127.0.0.1:8000"
    # Proxies whose X-Forwarded-For is trusted (the client IP feeds rate limits and audit).
    forwarded_allow_ips: str = "127.0.0.1"
    cookie_secure: bool = False

    rate_limit_ip: str = "300/minute"
    rate_limit_user: str = "600/minute"
    rate_limit_login_ip: str = "20/minute"
    rate_limit_login_account: str = "10/15minute"
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 100 * 1_048_576

    # Connection supervisor (C5): how often a healthy connection is polled, the back-off
    # between automatic restarts (doubling from the base up to the cap), and after how many
    # consecutive failed checks a connection is parked as failed until an admin starts it.
    connection_check_seconds: int = Field(default=60, ge=5)
    connection_backoff_seconds: int = Field(default=15, ge=1)
    connection_backoff_max_seconds: int = Field(default=600, ge=1)
    connection_max_failures: int = Field(default=5, ge=1)

    # Embedded mode (`nexus serve` on SQLite): apply the inbox in a second process started by
    # the server, so that answering webhooks and applying them use both cores (decision 0009).
    inbox_worker: bool = True

    log_json: bool = True
    log_level: str = "INFO"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'nexus.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def distributed(self) -> bool:
        """Distributed mode: Redis carries jobs, rate limits and real-time fan-out."""
        return bool(self.redis_url)

    def check_production_safety(self) -> None:
        if self.env is Environment.production:
            if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
                raise RuntimeError(
                    "NEXUS_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (NEXUS_ENV=production)."
                )
            if not self.encryption_keys:
                raise RuntimeError("NEXUS_ENCRYPTION_KEYS must be set in production.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
