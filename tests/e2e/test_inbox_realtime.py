"""The whole conversation in two browsers: the sandbox phone (C6) plays the customer, an agent
answers in the inbox, and everything in between arrives in real time (U2) — no reload.

The phone writes, gets the bot's menu (R1) as buttons and picks a department; the conversation
appears in the agent's queue while the agent looks at it; the agent accepts it and answers;
the answer reaches the phone, which reports it delivered and read; the agent's ticks follow.
On the way: a tag and a note. Then the agent transfers it to a colleague in another department:
the phone is told, the conversation leaves the agent's list and lands in the colleague's, who
resolves it with the closing reason the company requires. Screenshots
(test-artifacts/screenshots/2x-*.png) show what each side sees at 1366x768 and at 390 px.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import DEMO_PASSWORD, NexusServer
from tests.e2e.pages import DESKTOP, PHONE, sign_in, watch_errors

pytestmark = pytest.mark.browser

# Real-time events must reach the other browser well within this (P: event to agent < 250 ms;
# the phone polls every second).
LIVE_MS = 15_000


def _prepare_company(server: NexusServer) -> str:
    """As the demo admin: require a closing reason to resolve (other tests may have changed
    the setting), and find the sandbox phone page as an admin finds it — the connection's
    webhook URL (its last segment is the key) and its verify token."""
    with httpx.Client(base_url=server.url, timeout=10) as api:
        login = api.post(
            "/api/auth/login", json={"email": "admin@demo.nexus", "password": DEMO_PASSWORD}
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        api.patch(
            "/api/settings",
            json={"conversations": {"require_closing_reason": True}},
            headers=auth,
        ).raise_for_status()
        connections = api.get("/api/connections", headers=auth)
        connections.raise_for_status()
        sandbox = next(c for c in connections.json() if c["channel"] == "sandbox")
        detail = api.get(f"/api/connections/{sandbox['id']}", headers=auth)
        detail.raise_for_status()
        body = detail.json()
    key = body["webhook_url"].rstrip("/").rsplit("/", 1)[-1]
    return f"/sandbox/{key}?token={body['verify_token']}"


def test_phone_and_agent_talk_in_real_time(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    phone_path = _prepare_company(nexus_server)
    customer = f"Carla {uuid.uuid4().hex[:6]}"
    number = "+55119" + str(uuid.uuid4().int)[:8]

    agent_context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    colleague_context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    phone_context = browser.new_context(viewport=PHONE, locale="pt-BR")
    agent = agent_context.new_page()
    colleague = colleague_context.new_page()
    phone = phone_context.new_page()
    agent_errors = watch_errors(agent)
    colleague_errors = watch_errors(colleague)
    phone_errors = watch_errors(phone)
    try:
        # The agent (in Vendas and Suporte) watches the queue; a colleague (in Suporte and
        # Financeiro) watches their own conversations. A marker on the window proves later
        # that nothing reloaded the page.
        sign_in(agent, nexus_server, "agente1@demo.nexus")
        agent.get_by_role("tab", name=re.compile("Fila")).click()
        agent.evaluate("window.__sameDocument = true")
        sign_in(colleague, nexus_server, "agente2@demo.nexus")
        colleague.get_by_role("tab", name=re.compile("Minhas")).click()
        colleague.evaluate("window.__sameDocument = true")

        # The phone: a number and a name, then the chat.
        phone.goto(f"{nexus_server.url}{phone_path}")
        phone.get_by_test_id("sandbox-phone").fill(number)
        phone.get_by_test_id("sandbox-name").fill(customer)
        phone.get_by_test_id("sandbox-start").click()
        phone.get_by_test_id("phone-composer").fill("Olá, quero comprar um plano")
        phone.get_by_test_id("phone-send").click()
        expect(phone.get_by_test_id("phone-sent").first).to_contain_text("quero comprar")

        # The bot's greeting and menu arrive on the phone as tappable options.
        options = phone.get_by_test_id("menu-option")
        expect(options.first).to_be_visible(timeout=LIVE_MS)
        expect(phone.get_by_role("button", name="Vendas", exact=True)).to_be_visible()
        phone.screenshot(path=str(screenshots / "20-sandbox-phone-menu.png"))
        phone.get_by_role("button", name="Vendas", exact=True).click()

        # The conversation appears in the agent's queue by itself.
        row = agent.get_by_role("link", name=re.compile(customer))
        expect(row).to_be_visible(timeout=LIVE_MS)
        assert agent.evaluate("window.__sameDocument") is True, "the inbox reloaded"
        agent.screenshot(path=str(screenshots / "21-inbox-queue-live-desktop.png"))

        # The agent opens it, sees the history with the bot's messages, accepts and answers.
        row.click()
        chat = agent.get_by_test_id("message-list")
        expect(chat.get_by_text("Olá, quero comprar um plano")).to_be_visible()
        expect(chat.get_by_text("Robô").first).to_be_visible()
        accept = agent.get_by_test_id("accept-conversation")
        if accept.is_visible():
            accept.click()
            expect(accept).to_be_hidden(timeout=LIVE_MS)
        answer = f"Oi {customer}, aqui é a Alice. Qual plano te interessa?"
        agent.get_by_test_id("composer").fill(answer)
        agent.get_by_test_id("composer-send").click()
        sent = chat.get_by_test_id("message").filter(has_text=answer)
        expect(sent).to_be_visible()

        # The phone shows the answer and reports it delivered and read; the agent's ticks move.
        expect(phone.get_by_test_id("phone-received").filter(has_text=answer)).to_be_visible(
            timeout=LIVE_MS
        )
        phone.screenshot(path=str(screenshots / "22-sandbox-phone-answer.png"))
        expect(sent.get_by_test_id("message-status")).to_have_attribute(
            "data-status", "read", timeout=LIVE_MS
        )
        assert agent.evaluate("window.__sameDocument") is True, "the inbox reloaded"
        agent.screenshot(path=str(screenshots / "23-inbox-chat-read-desktop.png"))

        # The customer writes again: it lands in the open chat at once.
        phone.get_by_test_id("phone-composer").fill("O plano anual, por favor")
        phone.get_by_test_id("phone-send").click()
        expect(chat.get_by_text("O plano anual, por favor")).to_be_visible(timeout=LIVE_MS)

        # A tag from the customer panel.
        panel = agent.get_by_role("complementary", name="Dados do cliente")
        panel.get_by_role("button", name="Editar etiquetas").click()
        agent.get_by_role("menuitemcheckbox", name="VIP", exact=True).click()
        agent.keyboard.press("Escape")
        expect(panel.get_by_text("VIP", exact=True)).to_be_visible()

        # An internal note, inline in the chat.
        agent.get_by_test_id("composer-note-mode").click()
        agent.get_by_test_id("composer").fill("Cliente quer o plano anual")
        agent.get_by_test_id("composer-send").click()
        expect(
            chat.get_by_test_id("note").filter(has_text="Cliente quer o plano anual")
        ).to_be_visible()

        # The plan is paid by invoice: the agent, on their own tab, transfers the conversation
        # to Bruno in Financeiro.
        agent.get_by_role("tab", name=re.compile("Minhas")).click()
        expect(row).to_be_visible()
        panel.get_by_role("button", name="Transferir").click()
        dialog = agent.get_by_role("dialog", name="Transferir a conversa")
        dialog.get_by_role("combobox", name="Departamento").click()
        agent.get_by_role("option", name="Financeiro", exact=True).click()
        dialog.get_by_role("combobox", name="Atendente").click()
        agent.get_by_role("option", name=re.compile("^Bruno Atendente")).click()
        dialog.get_by_label("Motivo (opcional)").fill("Pagamento por boleto")
        agent.screenshot(path=str(screenshots / "28-inbox-transfer-dialog.png"))
        dialog.get_by_role("button", name="Transferir").click()
        expect(dialog).to_be_hidden()

        # The agent is back at the list, which no longer holds it; the phone is told where it
        # went; it appears in the colleague's list — all without a reload.
        expect(
            agent.get_by_text("Conversa transferida para Financeiro", exact=True)
        ).to_be_visible()
        expect(agent.get_by_text("Nenhuma conversa aberta")).to_be_visible()
        expect(row).to_be_hidden(timeout=LIVE_MS)
        expect(
            phone.get_by_test_id("phone-received").filter(has_text="transferida para Financeiro")
        ).to_be_visible(timeout=LIVE_MS)
        assert agent.evaluate("window.__sameDocument") is True, "the inbox reloaded"
        agent.screenshot(path=str(screenshots / "29-inbox-after-transfer-desktop.png"))
        transferred = colleague.get_by_role("link", name=re.compile(customer))
        expect(transferred).to_be_visible(timeout=LIVE_MS)
        assert colleague.evaluate("window.__sameDocument") is True, "the inbox reloaded"

        # The colleague opens it, with the history and the note, and resolves it with the
        # closing reason the company requires.
        transferred.click()
        chat = colleague.get_by_test_id("message-list")
        expect(chat.get_by_text("O plano anual, por favor")).to_be_visible()
        expect(
            chat.get_by_test_id("note").filter(has_text="Cliente quer o plano anual")
        ).to_be_visible()
        panel = colleague.get_by_role("complementary", name="Dados do cliente")
        panel.get_by_test_id("resolve-conversation").click()
        dialog = colleague.get_by_role("dialog")
        dialog.get_by_role("button", name="Finalizar").click()
        expect(dialog.get_by_text("Escolha um motivo de encerramento.")).to_be_visible()
        dialog.get_by_role("combobox", name="Motivo de encerramento").click()
        colleague.get_by_role("option", name="Venda realizada", exact=True).click()
        dialog.get_by_role("button", name="Finalizar").click()
        expect(dialog).to_be_hidden()
        expect(panel.get_by_role("button", name="Reabrir")).to_be_visible()
        expect(panel.get_by_text("Finalizada").first).to_be_visible()
        colleague.screenshot(path=str(screenshots / "24-inbox-resolved-desktop.png"))

        # The same chat on a phone-sized screen: one column, with the way back to the list.
        colleague.set_viewport_size(PHONE)
        expect(colleague.get_by_role("link", name="Voltar para a lista")).to_be_visible()
        colleague.screenshot(path=str(screenshots / "25-inbox-chat-phone.png"))
        colleague.get_by_role("link", name="Voltar para a lista").click()
        colleague.get_by_role("button", name=re.compile("^Filtros")).click()
        expect(colleague.get_by_role("combobox", name="Departamento")).to_be_visible()
        colleague.screenshot(path=str(screenshots / "27-inbox-filters-phone.png"))

        # The phone page on a laptop: a phone-sized frame, starting with who the customer is.
        setup = agent_context.new_page()
        setup.goto(f"{nexus_server.url}{phone_path}")
        expect(setup.get_by_test_id("sandbox-start")).to_be_visible()
        setup.screenshot(path=str(screenshots / "26-sandbox-setup-desktop.png"))

        assert not agent_errors, agent_errors
        assert not colleague_errors, colleague_errors
        assert not phone_errors, phone_errors
    finally:
        agent_context.close()
        colleague_context.close()
        phone_context.close()
