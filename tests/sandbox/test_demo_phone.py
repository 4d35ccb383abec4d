"""``nexus demo`` hands the newcomer the sandbox phone's page next to the logins (C6)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="exercises the embedded SQLite set-up; runs in the SQLite pass"
)


def test_demo_prints_the_sandbox_phone_page_of_its_sandbox_connection(tmp_path: Path) -> None:
    env = {**os.environ, "NEXUS_DATA_DIR": str(tmp_path), "NEXUS_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "nexus.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = re.search(r"http://127\.0\.0\.1:8000/sandbox/([\w-]+)\?token=([\w-]+)", result.stdout)
    assert found, result.stdout
    with sqlite3.connect(tmp_path / "nexus.db") as db:
        row = db.execute(
            "select webhook_key, verify_token from connections where channel = 'sandbox'"
        ).fetchone()
    assert row == (found.group(1), found.group(2))
