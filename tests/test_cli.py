"""The commands a newcomer runs: migrate and demo (idempotent), create-admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="exercises the embedded SQLite set-up; runs in the SQLite pass"
)


def _nexus(args: list[str], data_dir: Path, stdin: str | None = None) -> str:
    env = {**os.environ, "NEXUS_DATA_DIR": str(data_dir), "NEXUS_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "nexus.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_is_idempotent_and_prints_logins(tmp_path: Path) -> None:
    first = _nexus(["demo"], tmp_path)
    assert "admin@demo.nexus" in first and "agente2@demo.nexus" in first
    second = _nexus(["demo"], tmp_path)
    assert second == first

    import sqlite3

    with sqlite3.connect(tmp_path / "nexus.db") as db:
        assert db.execute("select count(*) from companies").fetchone() == (1,)
        assert db.execute("select count(*) from users").fetchone() == (4,)
        departments = {row[0] for row in db.execute("select name from departments")}
        assert {"Vendas", "Suporte", "Financeiro"} <= departments
        assert db.execute("select count(*) from quick_replies").fetchone()[0] >= 3
        assert db.execute("select count(*) from closing_reasons").fetchone()[0] >= 3


def test_create_admin(tmp_path: Path) -> None:
    _nexus(
        [
            "create-admin",
            "--email",
            "Dona@Loja.com.br",
            "--name",
            "Dona",
            "--company",
            "Loja da Dona",
            "--password",
            "uma-senha-boa",
        ],
        tmp_path,
    )
    import sqlite3

    with sqlite3.connect(tmp_path / "nexus.db") as db:
        assert db.execute("select email, role from users").fetchall() == [
            ("dona@loja.com.br", "admin")
        ]
