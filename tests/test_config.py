from __future__ import annotations

import base64

import pytest

from nexus.config import DEVELOPMENT_SECRET, Environment, Settings


def test_production_refuses_the_development_secret() -> None:
    settings = Settings(env=Environment.production, secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(RuntimeError, match="NEXUS_SECRET_KEY"):
        settings.check_production_safety()


def test_production_needs_encryption_keys() -> None:
    settings = Settings(env=Environment.production, secret_key="x" * 40)
    with pytest.raises(RuntimeError, match="NEXUS_ENCRYPTION_KEYS"):
        settings.check_production_safety()
    key = base64.b64encode(b"k" * 32).decode()
    Settings(
        env=Environment.production, secret_key="x" * 40, encryption_keys=f"v1:{key}"
    ).check_production_safety()


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("nexus.db")
    assert not settings.distributed
