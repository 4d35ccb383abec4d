"""Notifications for supervisors (R4, R5): something in their department needs a person.

The title and body are shown as they are (toast, desktop notification), so each supervisor
gets them in their own locale; ``kind`` names the situation for clients that want more.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.realtime.conversation_events import department_supervisors
from nexus.realtime.events import EventName, Notification
from nexus.realtime.publish import publish

DEFAULT_LOCALE = "pt-BR"
# locale -> (title, body); the body may name things with str.format fields.
Texts = Mapping[str, tuple[str, str]]


async def notify_supervisors(
    session: AsyncSession,
    company_id: uuid.UUID,
    department_ids: Iterable[uuid.UUID],
    *,
    kind: str,
    texts: Texts,
    conversation_id: uuid.UUID | None = None,
    **fields: object,
) -> None:
    """One ``notification`` per locale to the departments' supervisors, each once."""
    by_locale: dict[str, set[uuid.UUID]] = defaultdict(set)
    for department_id in department_ids:
        for user_id, locale in await department_supervisors(session, company_id, department_id):
            by_locale[locale if locale in texts else DEFAULT_LOCALE].add(user_id)
    for locale, users in sorted(by_locale.items()):
        title, body = texts[locale]
        publish(
            session,
            company_id,
            EventName.notification,
            Notification(
                kind=kind,
                title=title,
                body=body.format(**fields),
                level="warning",
                conversation_id=conversation_id,
            ),
            users=users,
        )
