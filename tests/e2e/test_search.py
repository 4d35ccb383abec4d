"""Search in the inbox's left column (M5, U1): a customer's words, written on the sandbox
phone, are found in the agent's inbox, highlighted, and open their conversation at the message
found, however far back; the customer's name finds the conversation itself. Screenshots:
test-artifacts/screenshots/3x-*.png."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import DEMO_PASSWORD, NexusServer
from tests.e2e.pages import DESKTOP, PHONE, sign_in, watch_errors

pytestmark = pytest.mark.browser


def _customer_writes(server: NexusServer, name: str, phone: str, *texts: str) -> None:
    """The customer writes on the demo's sandbox connection (its webhook, as the phone page
    does), choosing "1" (Vendas) in the bot's menu first, then waits until all is stored."""
    with httpx.Client(base_url=server.url, timeout=10) as api:
        login = api.post(
            "/api/auth/login", json={"email": "admin@demo.nexus", "password": DEMO_PASSWORD}
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        connections = api.get("/api/connections", headers=auth).json()
        sandbox = next(c for c in connections if c["channel"] == "sandbox")
        detail = api.get(f"/api/connections/{sandbox['id']}", headers=auth).json()
        webhook = "/" + detail["webhook_url"].split("/", 3)[3]
        for text in ("Olá", "1", *texts):
            api.post(
                webhook,
                json={
                    "event": "message",
                    "id": uuid.uuid4().hex,
                    "from": phone,
                    "name": name,
                    "text": text,
                },
                headers={"X-Sandbox-Token": detail["verify_token"]},
            ).raise_for_status()
        # Stored once the last one is found (the inbox worker may still be starting).
        deadline = time.monotonic() + 15
        while not api.get("/api/messages/search", headers=auth, params={"q": texts[-1]}).json()[
            "items"
        ]:
            assert time.monotonic() < deadline, "the customer's messages were not stored"
            time.sleep(0.1)


def test_agent_finds_a_customer_and_a_message_and_opens_it(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    marker = f"protocolo{uuid.uuid4().hex[:8]}"
    customer = f"Bianca {uuid.uuid4().hex[:6]}"
    _customer_writes(
        nexus_server,
        customer,
        "+55119" + str(uuid.uuid4().int)[:8],
        f"Meu boleto do {marker} venceu, como pago agora?",
        # Enough later messages that the hit is not on the chat's first page (50).
        *(f"Mais um detalhe, parte {n}" for n in range(60)),
    )

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = browser.new_context(viewport=viewport, locale="pt-BR")
        page = context.new_page()
        errors = watch_errors(page)
        try:
            sign_in(page, nexus_server, "agente1@demo.nexus")
            search = page.get_by_role("searchbox", name="Pesquisar conversas")

            # A word of the message: found in every visible conversation, whatever the tab.
            search.fill(marker.upper()[:-2])
            hits = page.get_by_role("list", name="Mensagens")
            hit = hits.get_by_role("link").filter(has_text=customer)
            expect(hit).to_be_visible(timeout=15_000)
            expect(hit.locator("mark")).to_have_text(marker)
            page.screenshot(path=str(screenshots / f"30-search-messages-{name}.png"))
            hit.click()
            page.wait_for_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
            chat = page.get_by_role("region", name="Conversa")
            # The chat opens at the hit, loading older pages to reach it, and marks it.
            found = chat.get_by_test_id("message").filter(has_text=f"Meu boleto do {marker}")
            # The mark lasts 2.5 s: checked first, then where the message is.
            expect(found).to_have_attribute("data-highlighted", "true")
            expect(found).to_be_in_viewport()
            page.screenshot(path=str(screenshots / f"31-search-opened-{name}.png"))

            # The customer's name finds the conversation (in the queue tab, where it waits).
            if name == "phone":
                page.get_by_role("link", name="Voltar para a lista").click()
            page.get_by_role("tab", name=re.compile("^Fila")).click()
            search.fill(customer.split()[1])
            conversations = page.get_by_role("list", name="Conversas")
            expect(conversations.get_by_role("link").filter(has_text=customer)).to_be_visible()
            expect(page.get_by_role("list", name="Mensagens")).to_be_hidden()
            assert errors == []
        finally:
            context.close()
