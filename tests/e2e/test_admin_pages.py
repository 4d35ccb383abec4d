"""The admin screens in a real browser against a real server: the catalogs (quick replies,
closing reasons, tags), the bot texts saved across a reload, connections (a WAHA one with
nothing behind it, the demo's sandbox with its phone link), and the audit log that records
all of it. A supervisor sees the audit log and nothing else of the admin area.
Screenshots go to test-artifacts/screenshots/ (admin-*.png)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import NexusServer
from tests.e2e.pages import DESKTOP, PHONE, sign_in, watch_errors

pytestmark = pytest.mark.browser


def test_admin_manages_catalogs_bot_texts_connections_and_reads_the_audit_log(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = watch_errors(page)
    suffix = str(int(time.time()))[-6:]
    try:
        sign_in(page, nexus_server, "admin@demo.nexus")
        nav = page.get_by_role("navigation", name="Navegação principal")

        # Quick replies: a shortcut that breaks the rule is refused in the form, then fixed.
        nav.get_by_role("link", name="Cadastros").click()
        page.wait_for_url(re.compile(r"/admin/quick-replies$"))
        page.get_by_role("button", name="Nova resposta").click()
        dialog = page.get_by_role("dialog", name="Nova resposta rápida")
        dialog.get_by_label("Atalho").fill("Bom Dia!")
        dialog.get_by_label("Texto").fill("Bom dia! Como posso ajudar?")
        dialog.get_by_role("button", name="Criar").click()
        expect(dialog.get_by_text("Use até 40 letras minúsculas")).to_be_visible()
        dialog.get_by_label("Atalho").fill(f"/bom-dia-{suffix}")
        dialog.get_by_role("button", name="Criar").click()
        expect(dialog).to_be_hidden()
        expect(
            page.get_by_text(f'Resposta "/bom-dia-{suffix}" criada.', exact=True)
        ).to_be_visible()
        row = (
            page.get_by_role("table", name="Respostas rápidas")
            .get_by_role("row")
            .filter(has_text=f"/bom-dia-{suffix}")
        )
        expect(row).to_contain_text("Bom dia! Como posso ajudar?")
        expect(row).to_contain_text("Todos os departamentos")
        page.screenshot(path=str(screenshots / "admin-01-quick-replies.png"))

        # Closing reasons: the catalogs are tabs of one section.
        page.get_by_role("navigation", name="Cadastros").get_by_role(
            "link", name="Motivos de encerramento"
        ).click()
        page.wait_for_url(re.compile(r"/admin/closing-reasons$"))
        page.get_by_role("button", name="Novo motivo").click()
        dialog = page.get_by_role("dialog", name="Novo motivo de encerramento")
        dialog.get_by_label("Nome").fill(f"Venda concluída {suffix}")
        dialog.get_by_label("Descrição").fill("O cliente comprou.")
        dialog.get_by_role("button", name="Criar").click()
        expect(dialog).to_be_hidden()
        row = (
            page.get_by_role("table", name="Motivos de encerramento")
            .get_by_role("row")
            .filter(has_text=f"Venda concluída {suffix}")
        )
        expect(row).to_contain_text("Ativo")
        page.screenshot(path=str(screenshots / "admin-02-closing-reasons.png"))

        # Tags: created, then deleted only after confirming.
        catalogs = page.get_by_role("navigation", name="Cadastros")
        catalogs.get_by_role("link", name="Etiquetas").click()
        page.get_by_role("button", name="Nova etiqueta").click()
        dialog = page.get_by_role("dialog", name="Nova etiqueta")
        dialog.get_by_label("Nome", exact=True).fill(f"VIP {suffix}")
        dialog.get_by_label("Cor", exact=True).fill("#d97706")
        dialog.get_by_role("button", name="Criar").click()
        expect(dialog).to_be_hidden()
        tags = page.get_by_role("table", name="Etiquetas")
        expect(tags.get_by_role("row").filter(has_text=f"VIP {suffix}")).to_contain_text("#d97706")
        page.get_by_role("button", name="Nova etiqueta").click()
        dialog = page.get_by_role("dialog", name="Nova etiqueta")
        dialog.get_by_label("Nome", exact=True).fill(f"Temporária {suffix}")
        dialog.get_by_role("button", name="Criar").click()
        expect(dialog).to_be_hidden()
        page.get_by_role("button", name=f"Excluir Temporária {suffix}").click()
        confirm = page.get_by_role("alertdialog", name="Excluir este item?")
        expect(confirm).to_contain_text(f"Temporária {suffix}")
        confirm.get_by_role("button", name="Excluir").click()
        expect(tags.get_by_text(f"Temporária {suffix}")).to_have_count(0)
        expect(tags.get_by_text(f"VIP {suffix}")).to_be_visible()
        page.screenshot(path=str(screenshots / "admin-03-tags.png"))

        # Bot texts: an unknown placeholder is caught before saving; a good text survives a
        # reload (it came back from the server, not from the form's memory).
        nav.get_by_role("link", name="Bot e configurações").click()
        page.wait_for_url(re.compile(r"/admin/settings$"))
        greeting = page.get_by_label("Saudação")
        expect(greeting).to_have_value(re.compile("Bem-vindo"))
        greeting.fill("Olá! Aqui é a {empresa}.")
        page.get_by_role("button", name="Salvar").click()
        expect(page.get_by_text("Variável desconhecida: {empresa}.", exact=True)).to_be_visible()
        page.screenshot(path=str(screenshots / "admin-04-settings-error.png"))
        new_greeting = f"Olá! Aqui é a {{company}} ({suffix}). Como podemos ajudar?"
        greeting.fill(new_greeting)
        page.get_by_label("Exigir motivo de encerramento").click()
        with page.expect_response(
            lambda r: r.url.endswith("/api/settings") and r.request.method == "PATCH"
        ) as answer:
            page.get_by_role("button", name="Salvar").click()
        assert answer.value.status == 200
        expect(page.get_by_text("Configurações salvas.", exact=True)).to_be_visible()
        page.reload()
        expect(page.get_by_label("Saudação")).to_have_value(new_greeting)
        expect(page.get_by_label("Exigir motivo de encerramento")).to_have_attribute(
            "aria-checked", "false"
        )
        page.screenshot(path=str(screenshots / "admin-05-settings.png"))

        # Connections: the demo's sandbox, with its simulated phone one click away.
        nav.get_by_role("link", name="Conexões").click()
        page.wait_for_url(re.compile(r"/admin/connections$"))
        connections = page.get_by_role("list", name="Conexões")
        sandbox = connections.get_by_role("listitem").filter(has_text="Sandbox")
        phone_link = sandbox.get_by_role("link", name="Abrir telefone simulado")
        expect(phone_link).to_have_attribute(
            "href", re.compile(r"^/sandbox/[A-Za-z0-9_-]+\?token=.+")
        )
        # It opens the simulated phone in a new tab, signed in by its token.
        with context.expect_page() as opened:
            phone_link.click()
        phone = opened.value
        phone.wait_for_load_state()
        expect(phone.get_by_role("heading", name="Celular de teste")).to_be_visible()
        phone.close()

        # A WAHA connection: the form asks for WAHA's fields and names the missing ones.
        page.get_by_role("button", name="Nova conexão").click()
        dialog = page.get_by_role("dialog", name="Nova conexão")
        dialog.get_by_label("Nome", exact=True).fill(f"WhatsApp Loja {suffix}")
        expect(dialog.get_by_label("Sessão")).to_be_visible()
        dialog.get_by_role("button", name="Criar conexão").click()
        expect(dialog.get_by_role("alert")).to_have_count(3)  # URL, session, API key
        dialog.get_by_label("URL do servidor").fill("http://127.0.0.1:9/waha")
        dialog.get_by_label("Sessão").fill("loja")
        dialog.get_by_label("Chave da API").fill("segredo-da-api")
        page.screenshot(path=str(screenshots / "admin-06-connection-dialog.png"))
        dialog.get_by_role("button", name="Criar conexão").click()
        expect(dialog).to_be_hidden()
        card = connections.get_by_role("listitem").filter(has_text=f"WhatsApp Loja {suffix}")
        expect(card).to_contain_text("WhatsApp via WAHA")
        webhook = card.get_by_label("URL do webhook", exact=True)
        expect(webhook).to_have_value(re.compile(r"/webhooks/waha/[A-Za-z0-9_-]+$"))
        expect(card.get_by_label("Token de verificação", exact=True)).not_to_have_value("")
        # A status, whatever the unreachable gateway made of it.
        expect(card.get_by_role("status")).to_have_text(
            re.compile("Iniciando|Aguardando QR code|Conectado|Desconectado|Falhou|Parado")
        )
        card.get_by_role("button", name="Copiar URL do webhook").click()
        expect(page.get_by_text("URL do webhook copiado.", exact=True)).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == webhook.input_value()
        page.screenshot(path=str(screenshots / "admin-07-connections.png"))

        # The audit log: every one of those actions, newest first, and the chain intact.
        nav.get_by_role("link", name="Auditoria").click()
        page.wait_for_url(re.compile(r"/admin/audit$"))
        log = page.get_by_role("table", name="Auditoria")
        for action in (
            "quick_reply.create",
            "closing_reason.create",
            "tag.create",
            "tag.delete",
            "company.settings_update",
            "connection.create",
        ):
            expect(log.get_by_role("row").filter(has_text=action).first).to_be_visible()
        expect(log.get_by_role("row").filter(has_text="tag.create").first).to_contain_text(
            "admin@demo.nexus"
        )
        expect(page.get_by_test_id("audit-chain")).to_contain_text("Cadeia íntegra")
        page.screenshot(path=str(screenshots / "admin-08-audit.png"))

        # Filtering by area leaves only that area's actions.
        page.get_by_role("combobox", name="Área").click()
        page.get_by_role("option", name="Etiquetas").click()
        expect(log.get_by_role("row").filter(has_text="quick_reply.create")).to_have_count(0)
        expect(log.get_by_role("row").filter(has_text="tag.create").first).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_supervisor_sees_only_the_audit_log(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="pt-BR", has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        sign_in(page, nexus_server, "supervisor@demo.nexus")
        nav = page.get_by_role("navigation", name="Navegação principal")
        expect(nav.get_by_role("link", name="Auditoria")).to_be_visible()
        expect(nav.get_by_role("link", name="Conexões")).to_have_count(0)
        nav.get_by_role("link", name="Auditoria").click()
        expect(page.get_by_role("heading", name="Auditoria")).to_be_visible()
        expect(page.get_by_role("table", name="Auditoria")).to_be_visible()
        # The chain check is an admin's: no badge, and no failed call behind it.
        expect(page.get_by_test_id("audit-chain")).to_have_count(0)
        page.screenshot(path=str(screenshots / "admin-09-audit-supervisor-phone.png"))
        page.goto(f"{nexus_server.url}/admin/connections")
        page.wait_for_url(re.compile(r"/inbox$"))
        assert errors == []
    finally:
        context.close()
