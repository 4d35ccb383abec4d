"""Applies the bot's decisions: sends its texts, routes the conversation, arms the timer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.bot import engine
from nexus.bot.engine import BotContext, BotDecision, BotState, MenuOption, render
from nexus.bot.hours import is_open
from nexus.companies.service import company_service
from nexus.conversations.repository import ConversationRepository
from nexus.conversations.service import conversation_service
from nexus.kit.models import utc_now
from nexus.messages.outbound import queue_outbound
from nexus.models import Company, Conversation, Department, MessageType, TimerKind, User


class BotService:
    async def context(self, session: AsyncSession, conversation: Conversation) -> BotContext:
        company = await session.get(Company, conversation.company_id)
        assert company is not None
        departments = (
            (
                await session.execute(
                    select(Department)
                    .where(
                        Department.company_id == company.id,
                        Department.is_active.is_(True),
                        Department.is_root.is_(False),
                    )
                    .order_by(Department.position, Department.name)
                )
            )
            .scalars()
            .all()
        )
        options = [MenuOption(d.id, d.name) for d in departments]
        previous = await ConversationRepository(session, company.id).last_closed_for_contact(
            conversation.contact_id
        )
        last = next(
            (o for o in options if previous and o.department_id == previous.department_id), None
        )
        return BotContext(company.name, company_service.settings_of(company).bot, options, last)

    async def on_customer_message(
        self, session: AsyncSession, conversation: Conversation, text: str
    ) -> None:
        context = await self.context(session, conversation)
        state = BotState(conversation.bot_state) if conversation.bot_state else None
        await self.apply(session, conversation, context, engine.answer(context, state, text))

    async def on_menu_timeout(self, session: AsyncSession, conversation: Conversation) -> None:
        context = await self.context(session, conversation)
        await self.apply(session, conversation, context, engine.menu_timed_out(context))

    async def apply(
        self,
        session: AsyncSession,
        conversation: Conversation,
        context: BotContext,
        decision: BotDecision,
    ) -> None:
        for index, reply in enumerate(decision.replies):
            # The menu itself goes out as an interactive list where the channel has one.
            is_menu = decision.menu is not None and index == len(decision.replies) - 1
            payload = (
                {"menu": [{"id": str(o.department_id), "title": o.name} for o in decision.menu]}
                if is_menu and decision.menu is not None
                else None
            )
            await self.say(session, conversation, reply, payload=payload)
        conversation.bot_state = decision.state.value if decision.state else None
        if decision.arm_menu_timeout:
            company = await session.get(Company, conversation.company_id)
            assert company is not None
            seconds = company_service.settings_of(company).conversations.menu_timeout_seconds
            conversation.timer_kind = TimerKind.menu_timeout
            conversation.timer_due_at = utc_now() + timedelta(seconds=seconds)
        elif conversation.timer_kind is TimerKind.menu_timeout:
            conversation.timer_kind = None
            conversation.timer_due_at = None
        department = None
        if decision.route_to is not None:
            department = await session.get(Department, decision.route_to)
        elif decision.route_to_root:
            department = await conversation_service.root_department(
                session, conversation.company_id
            )
        if department is not None and department.company_id == conversation.company_id:
            await self.route(session, conversation, context, department)

    async def route(
        self,
        session: AsyncSession,
        conversation: Conversation,
        context: BotContext,
        department: Department,
    ) -> None:
        conversation.bot_state = None
        assignee_id = await conversation_service.route(
            session, conversation, department, reason="chosen in the bot menu"
        )
        texts = context.texts
        company = await session.get(Company, conversation.company_id)
        assert company is not None
        # A department's own hours win; otherwise the company's weekly schedule.
        hours: dict[str, Any] = department.business_hours or {
            "days": company_service.settings_of(company).business_hours
        }
        if not is_open(hours, utc_now(), company.timezone):
            await self.say(
                session,
                conversation,
                render(
                    texts.out_of_hours, company=context.company_name, department=department.name
                ),
            )
        elif assignee_id is not None:
            agent = await session.get(User, assignee_id)
            await self.say(
                session,
                conversation,
                render(
                    texts.assigned,
                    agent=agent.name if agent else "",
                    department=department.name,
                    company=context.company_name,
                ),
            )
        else:
            await self.say(
                session,
                conversation,
                render(texts.queued, department=department.name, company=context.company_name),
            )

    async def say(
        self,
        session: AsyncSession,
        conversation: Conversation,
        text: str,
        *,
        payload: dict[str, Any] | None = None,
    ) -> None:
        if text.strip():
            await queue_outbound(
                session,
                conversation,
                type=MessageType.text,
                content=text,
                payload=payload,
                is_bot=True,
            )


bot_service = BotService()
