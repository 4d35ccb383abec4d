from __future__ import annotations

from sqlalchemy import select

from nexus.bot.service import bot_service
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import Conversation, ConversationStatus, TimerKind

BATCH = 200


@jobs.task("bot.menu_timeouts", every_seconds=10)
async def menu_timeouts() -> None:
    """The returning customer did not answer "SIM/NÃO" in time: show the menu (R2)."""
    async with jobs.db().write() as session:
        due = (
            (
                await session.execute(
                    select(Conversation)
                    .where(
                        Conversation.timer_kind == TimerKind.menu_timeout,
                        Conversation.timer_due_at <= utc_now(),
                        Conversation.status == ConversationStatus.bot,
                    )
                    .limit(BATCH)
                )
            )
            .scalars()
            .all()
        )
        for conversation in due:
            await bot_service.on_menu_timeout(session, conversation)
