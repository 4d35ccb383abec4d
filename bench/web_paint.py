"""Web app first paint: how soon the built app shows something, on the local server.

Starts one embedded ``nexus serve`` with the demo company on a fresh data folder (as the
browser suite does, tests/e2e/conftest.py), then opens /login and the inbox (signed in) in
headless Chromium, each time in a new browser context — an empty HTTP cache, so every asset
is downloaded again. For each page it reads the paint timing (first contentful paint), the
navigation timing (response end, DOMContentLoaded, load) and, for the inbox, the moment its
list tabs are on screen; it prints the median and the maximum over the runs.

    uv run python -m bench.web_paint --runs 5

Needs /usr/bin/chromium and the built app (``cd web && npm run build``).
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
STATIC_INDEX = ROOT / "src" / "nexus" / "static" / "index.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_EMAIL = "agente1@demo.nexus"
DEMO_PASSWORD = "nexus-demo-123"

# Read once the page has loaded; FCP may come after the load event, so wait for it.
TIMINGS_JS = """async () => {
  const fcp = () => performance.getEntriesByName('first-contentful-paint', 'paint')[0];
  for (let i = 0; i < 100 && !fcp(); i++) await new Promise((r) => setTimeout(r, 20));
  const nav = performance.getEntriesByType('navigation')[0];
  const scripts = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
  const sum = (key) => scripts.reduce((total, r) => total + r[key], 0);
  return {
    fcp: fcp() ? fcp().startTime : null,
    response_end: nav.responseEnd,
    dom_content_loaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    // Body bytes on the wire and once decoded: equal when the server does not compress.
    js_kb: sum('encodedBodySize') / 1024,
    js_decoded_kb: sum('decodedBodySize') / 1024,
  };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[str]:
    """``nexus serve`` on the demo company, with its own data folder and a free port."""
    with tempfile.TemporaryDirectory(prefix="nexus-web-paint-") as data_dir:
        env = {**os.environ}
        for name in ("DATABASE_URL", "NEXUS_DATABASE_URL", "REDIS_URL", "NEXUS_REDIS_URL"):
            env.pop(name, None)
        env.update({"NEXUS_DATA_DIR": data_dir, "NEXUS_LOG_LEVEL": "WARNING"})
        subprocess.run(
            [sys.executable, "-m", "nexus.cli", "demo"],
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(data_dir) / "server.log"
        command = [sys.executable, "-m", "nexus.cli", "serve", "--host", "127.0.0.1"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*command, "--port", str(port)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nexus serve did not start:\n{log.read_text()[-3000:]}")
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=15)


def signed_in_state(browser: Browser, url: str) -> Any:
    """Cookies of a newly signed-in agent, to start an inbox load signed in. One per load: the
    server rotates the refresh cookie on use and revokes a session whose old cookie comes back."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(DEMO_EMAIL)
    page.get_by_label("Senha", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{url}/inbox")
    state = context.storage_state()
    context.close()
    return state


def measure(browser: Browser, url: str, path: str, state: Any, ready: str) -> dict[str, float]:
    """One cold load: a new context (empty cache), then the page's timings."""
    context = browser.new_context(locale="pt-BR", storage_state=state)
    page = context.new_page()
    try:
        page.goto(f"{url}{path}", wait_until="load")
        page.get_by_role("tab" if path == "/inbox" else "heading", name=ready).first.wait_for()
        ready_ms = float(page.evaluate("performance.now()"))
        timings: dict[str, float] = page.evaluate(TIMINGS_JS)
        return {**timings, "ready": ready_ms}
    finally:
        context.close()


def report(name: str, runs: list[dict[str, float]]) -> None:
    print(f"{name} ({len(runs)} cold loads): median / max")
    for key, label in (
        ("fcp", "first contentful paint"),
        ("response_end", "HTML response end"),
        ("dom_content_loaded", "DOMContentLoaded"),
        ("load", "load event"),
        ("ready", "page usable (heading/tabs shown)"),
    ):
        values = [run[key] for run in runs]
        print(f"  {label:34} {statistics.median(values):7.0f} ms / {max(values):7.0f} ms")
    wire = statistics.median(run["js_kb"] for run in runs)
    decoded = statistics.median(run["js_decoded_kb"] for run in runs)
    print(f"  {'JavaScript on the wire / decoded':34} {wire:7.1f} kB / {decoded:7.1f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads per page")
    args = parser.parse_args()
    if not STATIC_INDEX.exists():
        sys.exit("the web app is not built: run `cd web && npm run build`")

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    with demo_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A first load outside the figures: the server's own first-request costs.
            measure(browser, url, "/login", None, "Entrar")
            login = [measure(browser, url, "/login", None, "Entrar") for _ in range(args.runs)]
            inbox = [
                measure(browser, url, "/inbox", signed_in_state(browser, url), "Minhas")
                for _ in range(args.runs)
            ]
        finally:
            browser.close()
    report("/login", login)
    report("/inbox, signed in", inbox)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
