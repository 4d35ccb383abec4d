"""What every browser test does: the screen sizes it looks at, signing in, and collecting
the page's uncaught errors."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import DEMO_PASSWORD, NexusServer

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def sign_in(page: Any, server: NexusServer, email: str = "admin@demo.nexus") -> None:
    page.goto(f"{server.url}/inbox")
    # No session yet: the app sends us to the login page, remembering where we were going.
    page.wait_for_url(re.compile(r"/login\?next=%2Finbox$"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/inbox$"))


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
