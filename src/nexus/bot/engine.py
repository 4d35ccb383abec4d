"""The greeting bot (R1, R2): a small state machine that, given what the customer wrote,
decides what to answer and where the conversation goes. Pure: no I/O, so every path is
tested directly; ``bot.service`` applies its decisions."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from nexus.companies.schemas import BotTexts


class BotState(StrEnum):
    menu = "menu"  # the menu was sent; waiting for a number
    confirm_return = "confirm_return"  # asked "back to <department>? (SIM/NÃO)"


@dataclass(frozen=True)
class MenuOption:
    department_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class BotContext:
    company_name: str
    texts: BotTexts
    options: list[MenuOption]
    # The department of the customer's last resolved conversation, if still offered.
    last_department: MenuOption | None = None


@dataclass
class BotDecision:
    replies: list[str] = field(default_factory=list)
    # Send the menu as an interactive list where the channel supports it.
    menu: list[MenuOption] | None = None
    state: BotState | None = None
    route_to: uuid.UUID | None = None
    # No department to choose from: the conversation goes to the root department.
    route_to_root: bool = False
    # (Re)arm the 2-minute timeout of the return question.
    arm_menu_timeout: bool = False


def render(
    template: str, *, company: str, department: str = "", agent: str = "", menu: str = ""
) -> str:
    """Fill a company's text. Every placeholder the settings accept is always supplied, so
    a text an admin edited can use any of them anywhere."""
    return template.format(company=company, department=department, agent=agent, menu=menu)


YES = {"sim", "s", "yes", "y", "1"}
NO = {"nao", "n", "no", "2"}


def _normalise(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.strip().lower().strip(".!?")


def menu_text(context: BotContext) -> str:
    lines = "\n".join(f"{i} - {option.name}" for i, option in enumerate(context.options, 1))
    return render(context.texts.menu_prompt, menu=lines, company=context.company_name)


def _greeting(context: BotContext) -> str:
    return render(context.texts.greeting, company=context.company_name)


def _send_menu(context: BotContext, decision: BotDecision, *, preface: str) -> BotDecision:
    decision.replies.append(preface)
    decision.replies.append(menu_text(context))
    decision.menu = context.options
    decision.state = BotState.menu
    return decision


def start(context: BotContext) -> BotDecision:
    """A new conversation's first message."""
    decision = BotDecision()
    if not context.options:
        return BotDecision(replies=[_greeting(context)], route_to_root=True)
    if context.last_department is not None:
        decision.replies.append(
            render(
                context.texts.return_prompt,
                department=context.last_department.name,
                company=context.company_name,
            )
        )
        decision.state = BotState.confirm_return
        decision.arm_menu_timeout = True
        return decision
    return _send_menu(context, decision, preface=_greeting(context))


def answer(context: BotContext, state: BotState | None, text: str) -> BotDecision:
    """The customer answered while the bot waited in ``state``."""
    if state is None:
        return start(context)
    choice = _normalise(text)
    if state is BotState.confirm_return and context.last_department is not None:
        if choice in YES:
            return BotDecision(route_to=context.last_department.department_id)
        if choice in NO:
            return _send_menu(context, BotDecision(), preface=_greeting(context))
        decision = BotDecision(
            replies=[
                render(
                    context.texts.return_prompt,
                    department=context.last_department.name,
                    company=context.company_name,
                )
            ],
            state=BotState.confirm_return,
        )
        return decision
    for index, option in enumerate(context.options, 1):
        if (
            choice == str(index)
            or choice == _normalise(option.name)
            or (
                choice == str(option.department_id)  # interactive list replies carry the id
            )
        ):
            return BotDecision(route_to=option.department_id)
    return _send_menu(context, BotDecision(), preface=context.texts.invalid_option)


def menu_timed_out(context: BotContext) -> BotDecision:
    """Nobody answered the return question in time: fall back to the menu (R2)."""
    return _send_menu(context, BotDecision(), preface=_greeting(context))
