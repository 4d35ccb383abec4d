"""What changes in an open chat without a reload (U2), in three browsers: the sandbox phone's
customer types ("digitando…" in the agent's header, gone when the message arrives) and sends a
photo (shown once Nexus has stored it: `message-updated`); a note the admin writes on the same
conversation appears in the agent's chat (`note-added`)."""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import DEMO_PASSWORD, NexusServer
from tests.e2e.pages import DESKTOP, PHONE, sign_in, watch_errors
from tests.e2e.test_inbox_realtime import LIVE_MS, _prepare_company

pytestmark = pytest.mark.browser


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain picture, big enough to see in the screenshots."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_typing_a_photo_and_a_note_arrive_in_the_open_chat(
    browser: Any, nexus_server: NexusServer, screenshots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    phone_path = _prepare_company(nexus_server)
    customer = f"Davi {uuid.uuid4().hex[:6]}"
    number = "+55119" + str(uuid.uuid4().int)[:8]
    photo = tmp_path / "comprovante.png"
    photo.write_bytes(_png(160, 100, (37, 99, 235)))

    agent_context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    phone_context = browser.new_context(viewport=PHONE, locale="pt-BR")
    agent = agent_context.new_page()
    phone = phone_context.new_page()
    agent_errors = watch_errors(agent)
    phone_errors = watch_errors(phone)
    try:
        sign_in(agent, nexus_server, "agente1@demo.nexus")
        agent.get_by_role("tab", name=re.compile("Fila")).click()

        # The customer reaches Vendas; the agent takes the conversation and keeps it open.
        phone.goto(f"{nexus_server.url}{phone_path}")
        phone.get_by_test_id("sandbox-phone").fill(number)
        phone.get_by_test_id("sandbox-name").fill(customer)
        phone.get_by_test_id("sandbox-start").click()
        phone.get_by_test_id("phone-composer").fill("Oi, paguei o boleto")
        phone.get_by_test_id("phone-send").click()
        expect(phone.get_by_role("button", name="Vendas", exact=True)).to_be_visible(
            timeout=LIVE_MS
        )
        phone.get_by_role("button", name="Vendas", exact=True).click()
        row = agent.get_by_role("link", name=re.compile(customer))
        expect(row).to_be_visible(timeout=LIVE_MS)
        row.click()
        chat = agent.get_by_test_id("message-list")
        expect(chat.get_by_text("Oi, paguei o boleto")).to_be_visible()
        accept = agent.get_by_test_id("accept-conversation")
        if accept.is_visible():
            accept.click()
            expect(accept).to_be_hidden(timeout=LIVE_MS)
        agent.evaluate("window.__sameDocument = true")
        conversation_id = agent.url.rstrip("/").rsplit("/", 1)[-1]

        # The customer types: the agent sees it in the chat's header, until the message comes.
        typing = agent.get_by_test_id("typing-indicator")
        phone.get_by_test_id("phone-composer").press_sequentially("Segue o comprovante", delay=150)
        expect(typing).to_have_text("digitando…", timeout=LIVE_MS)
        agent.screenshot(path=str(screenshots / "30-inbox-customer-typing-desktop.png"))
        phone.locator("input[type=file]").set_input_files(str(photo))
        phone.get_by_test_id("phone-send").click()
        expect(typing).to_be_hidden(timeout=LIVE_MS)

        # The photo: first its card, then the picture once Nexus has stored it — no reload.
        media = chat.get_by_test_id("message-media").filter(has=agent.locator("img"))
        expect(media).to_be_visible(timeout=LIVE_MS)
        expect(chat.get_by_text("Segue o comprovante")).to_be_visible()

        # The admin writes a note on the same conversation: it lands in the agent's chat.
        with httpx.Client(base_url=nexus_server.url, timeout=10) as api:
            login = api.post(
                "/api/auth/login", json={"email": "admin@demo.nexus", "password": DEMO_PASSWORD}
            )
            login.raise_for_status()
            api.post(
                f"/api/conversations/{conversation_id}/notes",
                json={"body": "Conferir o boleto no financeiro"},
                headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            ).raise_for_status()
        note = chat.get_by_test_id("note").filter(has_text="Conferir o boleto no financeiro")
        expect(note).to_be_visible(timeout=LIVE_MS)
        assert agent.evaluate("window.__sameDocument") is True, "the inbox reloaded"
        agent.screenshot(path=str(screenshots / "31-inbox-photo-and-note-live-desktop.png"))

        assert not agent_errors, agent_errors
        assert not phone_errors, phone_errors
    finally:
        agent_context.close()
        phone_context.close()
