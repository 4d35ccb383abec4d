"""The browser suite: the built web app, served by a real ``nexus serve`` process with the demo
company, driven by Debian's Chromium through Playwright.

It needs ``/usr/bin/chromium`` (``apt-get install chromium``; never ``playwright install``) and
the built app in ``src/nexus/static`` (``cd web && npm ci && npm run build``). Without them the
tests skip with a reason that says which is missing; ``scripts/test.sh`` provides both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC_INDEX = ROOT / "src" / "nexus" / "static" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_SECONDS = 60.0

DEMO_PASSWORD = "nexus-demo-123"


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if not STATIC_INDEX.exists():
        return (
            f"the web app is not built ({STATIC_INDEX.relative_to(ROOT)} is missing): "
            "run `cd web && npm ci && npm run build`"
        )
    return None


@dataclass
class NexusServer:
    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ}
    # Embedded mode on a fresh SQLite file, whatever the suite's own database is.
    for name in ("DATABASE_URL", "NEXUS_DATABASE_URL", "REDIS_URL", "NEXUS_REDIS_URL"):
        env.pop(name, None)
    env.update(
        {
            "NEXUS_DATA_DIR": str(data_dir),
            "NEXUS_LOG_LEVEL": "WARNING",
            "NEXUS_RATE_LIMIT_IP": "100000/minute",
            "NEXUS_RATE_LIMIT_USER": "100000/minute",
            "NEXUS_RATE_LIMIT_LOGIN_IP": "100000/minute",
            "NEXUS_RATE_LIMIT_LOGIN_ACCOUNT": "100000/minute",
        }
    )
    return env


# Package scope: the server and the browser end with the last browser test, and with them
# the event loop Playwright's sync API keeps running in this thread, which the async tests
# collected after this package could not otherwise start their own loops beside.
@pytest.fixture(scope="package")
def nexus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NexusServer]:
    missing = _missing_requirement()
    if missing:
        # CI provides both (scripts/test.sh): there a missing browser is a failure.
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    data_dir = tmp_path_factory.mktemp("nexus-data")
    env = _server_env(data_dir)
    demo = subprocess.run(
        [sys.executable, "-m", "nexus.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "admin@demo.nexus" in demo.stdout

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    command = [sys.executable, "-m", "nexus.cli", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nexus serve exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nexus serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield NexusServer(url=url, data_dir=data_dir, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def browser(nexus_server: NexusServer) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
