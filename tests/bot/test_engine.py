from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nexus.bot.engine import BotContext, BotState, MenuOption, answer, menu_timed_out, start
from nexus.bot.hours import is_open
from nexus.companies.schemas import BotTexts

SALES = MenuOption(uuid.uuid4(), "Vendas")
SUPPORT = MenuOption(uuid.uuid4(), "Suporte")
FINANCE = MenuOption(uuid.uuid4(), "Financeiro")


def context(last: MenuOption | None = None, texts: BotTexts | None = None) -> BotContext:
    return BotContext("Loja Azul", texts or BotTexts(), [SALES, SUPPORT, FINANCE], last)


def test_new_customer_gets_greeting_and_numbered_menu() -> None:
    decision = start(context())
    assert decision.replies[0] == "Bem-vindo à Loja Azul! 👋"
    assert "1 - Vendas\n2 - Suporte\n3 - Financeiro" in decision.replies[1]
    assert decision.state is BotState.menu
    assert decision.menu == [SALES, SUPPORT, FINANCE]


def test_menu_choice_routes_by_number_name_or_interactive_id() -> None:
    assert answer(context(), BotState.menu, " 2 ").route_to == SUPPORT.department_id
    assert answer(context(), BotState.menu, "financeiro").route_to == FINANCE.department_id
    assert (
        answer(context(), BotState.menu, str(SALES.department_id)).route_to == SALES.department_id
    )


def test_invalid_answer_repeats_the_menu() -> None:
    decision = answer(context(), BotState.menu, "quero falar com alguém")
    assert decision.route_to is None
    assert decision.replies[0].startswith("Opção inválida")
    assert "1 - Vendas" in decision.replies[1]
    assert decision.state is BotState.menu


def test_returning_customer_is_asked_about_the_last_department() -> None:
    decision = start(context(last=FINANCE))
    assert decision.replies == ["Olá de novo! Deseja falar com Financeiro novamente? (SIM/NÃO)"]
    assert decision.state is BotState.confirm_return and decision.arm_menu_timeout
    assert (
        answer(context(last=FINANCE), BotState.confirm_return, "Sim").route_to
        == FINANCE.department_id
    )
    no = answer(context(last=FINANCE), BotState.confirm_return, "não")
    assert no.route_to is None and no.state is BotState.menu
    unclear = answer(context(last=FINANCE), BotState.confirm_return, "talvez")
    assert unclear.state is BotState.confirm_return and unclear.route_to is None
    timed_out = menu_timed_out(context(last=FINANCE))
    assert timed_out.state is BotState.menu and "1 - Vendas" in timed_out.replies[1]


def test_texts_are_the_companys_own() -> None:
    texts = BotTexts(greeting="Hi from {company}!", menu_prompt="Pick one:\n{menu}")
    decision = start(context(texts=texts))
    assert decision.replies == [
        "Hi from Loja Azul!",
        "Pick one:\n1 - Vendas\n2 - Suporte\n3 - Financeiro",
    ]


def test_no_departments_means_the_root_department() -> None:
    decision = start(BotContext("Loja", BotTexts(), []))
    assert decision.route_to_root and decision.state is None


def test_business_hours() -> None:
    hours = {
        "timezone": "America/Sao_Paulo",
        "days": {"mon": [["08:00", "12:00"], ["13:00", "18:00"]]},
    }
    monday_10_sp = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo
    monday_12_30_sp = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    sunday = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    assert is_open(hours, monday_10_sp, "UTC")
    assert not is_open(hours, monday_12_30_sp, "UTC")
    assert not is_open(hours, sunday, "UTC")
    assert is_open({}, sunday, "UTC")
