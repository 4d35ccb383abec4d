"""The web app in a real browser against a real server: sign-in, the inbox shell, the users
admin page (create a user, with an API field error on the way), the departments page (create
one), presence, language, and the phone layout. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import NexusServer
from tests.e2e.pages import DESKTOP, PHONE, sign_in, watch_errors

pytestmark = pytest.mark.browser


def test_admin_signs_in_sees_inbox_and_creates_a_user(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    page = context.new_page()
    errors = watch_errors(page)
    try:
        page.goto(f"{nexus_server.url}/login")
        expect(page.get_by_role("heading", name="Entrar")).to_be_visible()
        page.screenshot(path=str(screenshots / "01-login-desktop.png"))

        # A wrong password: the API's error, in Portuguese, on the page.
        page.get_by_label("E-mail").fill("admin@demo.nexus")
        page.get_by_label("Senha", exact=True).fill("wrong-password")
        page.get_by_role("button", name="Entrar").click()
        expect(page.get_by_role("alert")).to_contain_text("E-mail ou senha incorretos.")

        sign_in(page, nexus_server)

        # The inbox shell: header with name, role and presence; the three columns.
        header = page.locator("header")
        expect(header.get_by_text("Ana Admin")).to_be_visible()
        expect(header.get_by_text("Administrador")).to_be_visible()
        expect(page.get_by_role("tab", name=re.compile("Minhas"))).to_be_visible()
        expect(page.get_by_role("searchbox", name="Pesquisar conversas")).to_be_visible()
        expect(page.get_by_text("Nenhuma conversa aberta")).to_be_visible()
        expect(page.get_by_role("complementary", name="Dados do cliente")).to_be_visible()
        nav = page.get_by_role("navigation", name="Navegação principal")
        expect(nav.get_by_role("link", name="Usuários")).to_be_visible()
        page.screenshot(path=str(screenshots / "02-inbox-desktop.png"))

        # Presence: online, confirmed by the server.
        page.get_by_test_id("presence-switch").click()
        with page.expect_response(
            lambda r: r.url.endswith("/api/users/me/status") and r.request.method == "PATCH"
        ) as answer:
            page.get_by_role("menuitemradio", name="Online").click()
        assert answer.value.status == 200
        expect(page.get_by_test_id("presence-switch")).to_contain_text("Online")

        # Users: the demo team is listed.
        nav.get_by_role("link", name="Usuários").click()
        page.wait_for_url(re.compile(r"/admin/users$"))
        table = page.get_by_role("table", name="Usuários")
        expect(table.get_by_text("agente1@demo.nexus")).to_be_visible()
        page.screenshot(path=str(screenshots / "03-users-desktop.png"))

        # Create a user; first with an e-mail already taken, which the API rejects by field.
        email = f"nova.atendente.{int(time.time())}@demo.nexus"
        page.get_by_role("button", name="Novo usuário").click()
        dialog = page.get_by_role("dialog", name="Novo usuário")
        dialog.get_by_label("Nome").fill("Nova Atendente")
        dialog.get_by_label("E-mail").fill("agente1@demo.nexus")
        dialog.get_by_label("Senha").fill("senha-segura-123")
        dialog.get_by_label("Papel").click()
        page.get_by_role("option", name="Supervisor").click()
        dialog.get_by_label("Vendas").check()
        dialog.get_by_role("button", name="Criar usuário").click()
        expect(dialog.get_by_text("Já existe uma conta com este e-mail.")).to_be_visible()
        page.screenshot(path=str(screenshots / "04-user-dialog-error.png"))

        dialog.get_by_label("E-mail").fill(email)
        dialog.get_by_role("button", name="Criar usuário").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text("Nova Atendente foi criado", exact=True)).to_be_visible()
        row = table.get_by_role("row").filter(has_text=email)
        expect(row).to_contain_text("Supervisor")
        expect(row).to_contain_text("Vendas")
        page.screenshot(path=str(screenshots / "05-user-created.png"))

        # Departments: the demo company's, as cards.
        nav.get_by_role("link", name="Departamentos").click()
        expect(page.get_by_role("heading", name="Suporte")).to_be_visible()
        page.screenshot(path=str(screenshots / "06-departments-desktop.png"))

        # Create one: name, color, response timeout, capacity and routing rule; it joins the
        # cards with what was chosen.
        department = f"Pós-venda {int(time.time()) % 1_000_000}"
        page.get_by_role("button", name="Novo departamento").click()
        dialog = page.get_by_role("dialog", name="Novo departamento")
        dialog.get_by_label("Nome").fill(department)
        dialog.get_by_label("Cor", exact=True).fill("#9333ea")
        dialog.get_by_label("Tempo de resposta (minutos)").fill("15")
        dialog.get_by_label("Máximo de atendentes").fill("4")
        dialog.get_by_label("Distribuição").click()
        page.get_by_role("option", name="Rodízio").click()
        page.screenshot(path=str(screenshots / "06b-department-dialog.png"))
        dialog.get_by_role("button", name="Criar departamento").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text(f"Departamento {department} criado", exact=True)).to_be_visible()
        card = (
            page.get_by_role("list", name="Departamentos")
            .get_by_role("listitem")
            .filter(has=page.get_by_role("heading", name=department))
        )
        expect(card).to_contain_text("Rodízio")
        expect(card).to_contain_text("15 minutos")
        expect(card).to_contain_text(re.compile(r"Máximo de atendentes\s*4(?!\d)"))
        page.screenshot(path=str(screenshots / "06c-department-created.png"))

        # Language: English everywhere, at once.
        page.get_by_role("button", name=re.compile("^Idioma")).click()
        page.get_by_role("menuitemradio", name="English").click()
        nav = page.get_by_role("navigation", name="Main navigation")
        expect(nav.get_by_role("link", name="Users")).to_be_visible()
        expect(page.get_by_role("heading", name="Departments")).to_be_visible()
        page.screenshot(path=str(screenshots / "07-departments-english.png"))

        # Sign out: back to the login page, and the session is really over.
        page.get_by_test_id("user-menu").click()
        page.get_by_role("menuitem", name="Sign out").click()
        page.wait_for_url(re.compile(r"/login"))
        page.goto(f"{nexus_server.url}/admin/users")
        page.wait_for_url(re.compile(r"/login\?next="))
        assert errors == []
    finally:
        context.close()


def test_phone_shows_one_column_at_a_time(
    browser: Any, nexus_server: NexusServer, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="pt-BR", has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        sign_in(page, nexus_server, email="agente1@demo.nexus")
        # The list fills the screen; the chat and the customer panel are not shown.
        expect(page.get_by_role("tab", name=re.compile("Minhas"))).to_be_visible()
        expect(page.get_by_text("Nenhuma conversa aberta")).to_be_hidden()
        expect(page.get_by_role("complementary", name="Dados do cliente")).to_be_hidden()
        # An agent has no admin pages.
        nav = page.get_by_role("navigation", name="Navegação principal")
        expect(nav.get_by_role("link", name="Usuários")).to_have_count(0)
        page.screenshot(path=str(screenshots / "08-inbox-phone.png"))

        page.get_by_test_id("user-menu").click()
        expect(page.get_by_role("menuitemcheckbox", name="Som de novas mensagens")).to_be_visible()
        page.wait_for_timeout(300)  # let the menu finish fading in
        page.screenshot(path=str(screenshots / "09-user-menu-phone.png"))
        page.keyboard.press("Escape")

        # The admin pages are closed to agents even by URL.
        page.goto(f"{nexus_server.url}/admin/users")
        page.wait_for_url(re.compile(r"/inbox$"))
        assert errors == []
    finally:
        context.close()
