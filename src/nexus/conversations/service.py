"""Conversation rules (T1-T8): who may do what to a ticket, and what each action changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.bot.engine import render
from nexus.companies.schemas import BotTexts
from nexus.companies.service import company_service
from nexus.conversations.lifecycle import Change, transition
from nexus.conversations.repository import (
    ConversationEventRepository,
    ConversationFilters,
    ConversationRepository,
    NoteRepository,
)
from nexus.conversations.schemas import ContactSummary, ConversationRead
from nexus.conversations.visibility import Viewer, viewer_for
from nexus.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nexus.kit.models import utc_now
from nexus.messages.outbound import queue_outbound
from nexus.models import (
    ClosingReason,
    Company,
    Conversation,
    ConversationEvent,
    ConversationEventKind,
    ConversationStatus,
    Department,
    DepartmentMember,
    MembershipRole,
    MessageType,
    Note,
    Priority,
    User,
    UserRole,
)
from nexus.realtime.conversation_events import publish_note_added
from nexus.routing.service import routing_service

Kind = ConversationEventKind
Status = ConversationStatus


class ConversationService:
    async def viewer(self, session: AsyncSession, principal: Principal) -> Viewer:
        return await viewer_for(session, principal.user)

    async def get_visible(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> tuple[Conversation, Viewer]:
        viewer = await self.viewer(session, principal)
        repository = ConversationRepository(session, principal.company_id)
        conversation = await repository.get_visible(viewer, conversation_id)
        if conversation is None:
            raise NotFound("Conversation not found.")
        return conversation, viewer

    async def to_read_many(
        self, session: AsyncSession, company_id: uuid.UUID, conversations: Sequence[Conversation]
    ) -> list[ConversationRead]:
        repository = ConversationRepository(session, company_id)
        ids = [c.id for c in conversations]
        contacts = await repository.contacts_by_id(list({c.contact_id for c in conversations}))
        tags = await repository.tag_ids_by_conversation(ids)
        return [
            ConversationRead.model_validate(
                {
                    **{
                        k: getattr(c, k)
                        for k in ConversationRead.model_fields
                        if k not in ("contact", "tag_ids")
                    },
                    "contact": ContactSummary.model_validate(contacts[c.contact_id]),
                    "tag_ids": tags[c.id],
                }
            )
            for c in conversations
        ]

    async def list(
        self,
        session: AsyncSession,
        principal: Principal,
        filters: ConversationFilters,
        *,
        limit: int,
        before: tuple[object, uuid.UUID] | None,
    ) -> Sequence[Conversation]:
        viewer = await self.viewer(session, principal)
        repository = ConversationRepository(session, principal.company_id)
        return await repository.list_visible(viewer, filters, limit=limit, before=before)  # type: ignore[arg-type]

    async def queue(
        self, session: AsyncSession, principal: Principal, department_id: uuid.UUID
    ) -> Sequence[Conversation]:
        viewer = await self.viewer(session, principal)
        return await ConversationRepository(session, principal.company_id).queue(
            viewer, department_id
        )

    # -- opening and routing (used by the message pipeline and the bot) ------------------

    async def open(
        self,
        session: AsyncSession,
        *,
        company_id: uuid.UUID,
        contact_id: uuid.UUID,
        connection_id: uuid.UUID | None,
        is_group: bool = False,
    ) -> Conversation:
        """A new ticket for a customer; it starts with the bot."""
        conversation = Conversation(
            company_id=company_id,
            contact_id=contact_id,
            connection_id=connection_id,
            status=Status.bot,
            is_group=is_group,
            last_message_at=utc_now(),
        )
        session.add(conversation)
        await session.flush()
        await transition(session, conversation, Change(Kind.created), actor_id=None)
        return conversation

    async def route(
        self,
        session: AsyncSession,
        conversation: Conversation,
        department: Department,
        *,
        reason: str,
    ) -> uuid.UUID | None:
        """Send a conversation (from the bot) into a department: queue, then assign."""
        return await routing_service.enqueue(
            session,
            conversation,
            department,
            kind=Kind.department_selected,
            actor_id=None,
            reason=reason,
        )

    # -- actions ------------------------------------------------------------------------

    async def assign(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        user_id: uuid.UUID | None,
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        target_id = user_id or principal.id
        if conversation.status not in (Status.waiting, Status.assigned, Status.bot):
            raise Conflict("Only open conversations can be assigned.", code="not_open")
        if conversation.assignee_id == target_id:
            return conversation
        if principal.role is UserRole.agent:
            if target_id != principal.id:
                raise Forbidden(
                    "Agents can only take conversations for themselves.", code="role_forbidden"
                )
            if conversation.status is Status.assigned:
                raise Conflict(
                    "This conversation is already being answered.", code="already_assigned"
                )
        target = await self._agent_of_company(session, principal.company_id, target_id)
        department_id = conversation.department_id
        if department_id is not None and not await self._is_member(
            session, target.id, department_id
        ):
            raise ValidationFailed.field(
                "user_id",
                "This agent is not in the conversation's department; transfer it instead.",
                code="not_member",
            )
        await transition(
            session,
            conversation,
            Change(Kind.assigned, status=Status.assigned, assignee_id=target.id),
            actor_id=principal.id,
            reason="taken from the queue" if target.id == principal.id else "assigned manually",
        )
        conversation.timer_kind = None
        conversation.timer_due_at = None
        await self._audit(
            session, principal, "conversation.assign", conversation, {"user_id": str(target.id)}
        )
        return conversation

    async def unassign(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.status is not Status.assigned:
            raise Conflict("This conversation is not assigned.", code="not_assigned")
        self._require_owner_or_supervisor(principal, conversation)
        previous = conversation.assignee_id
        department = await self._department(session, conversation)
        await routing_service.enqueue(
            session,
            conversation,
            department,
            kind=Kind.unassigned,
            actor_id=principal.id,
            reason="returned to the queue",
        )
        await self._drain_for(session, principal.company_id, previous)
        return conversation

    async def transfer(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        *,
        department_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
        reason: str | None,
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.status not in (Status.bot, Status.waiting, Status.assigned):
            raise Conflict("Only open conversations can be transferred.", code="not_open")
        self._require_owner_or_supervisor(principal, conversation)
        previous = conversation.assignee_id
        department = (
            await self._department_of_company(session, principal.company_id, department_id)
            if department_id
            else await self._department(session, conversation)
        )
        if user_id is not None:
            target = await self._agent_of_company(session, principal.company_id, user_id)
            if not await self._is_member(session, target.id, department.id):
                raise ValidationFailed.field(
                    "user_id", "This agent is not in that department.", code="not_member"
                )
            await transition(
                session,
                conversation,
                Change(
                    Kind.transferred,
                    status=Status.assigned,
                    department_id=department.id,
                    assignee_id=target.id,
                ),
                actor_id=principal.id,
                reason=reason,
            )
        else:
            await routing_service.enqueue(
                session,
                conversation,
                department,
                kind=Kind.transferred,
                actor_id=principal.id,
                reason=reason,
            )
        await self._audit(
            session,
            principal,
            "conversation.transfer",
            conversation,
            {"department_id": str(department.id), "user_id": str(user_id) if user_id else None},
        )
        await self.tell_customer(
            session, conversation, lambda texts: texts.transferred, department=department.name
        )
        await self._drain_for(session, principal.company_id, previous)
        return conversation

    async def resolve(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        *,
        closing_reason_id: uuid.UUID | None,
        note: str | None,
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.status not in (Status.bot, Status.waiting, Status.assigned):
            raise Conflict("This conversation is not open.", code="not_open")
        self._require_owner_or_supervisor(principal, conversation)
        company = await session.get(Company, principal.company_id)
        assert company is not None
        rules = company_service.settings_of(company).conversations
        if closing_reason_id is None and rules.require_closing_reason:
            raise ValidationFailed.field(
                "closing_reason_id", "A closing reason is required.", code="required"
            )
        if closing_reason_id is not None:
            reason = await session.get(ClosingReason, closing_reason_id)
            if reason is None or reason.company_id != principal.company_id or not reason.is_active:
                raise ValidationFailed.field(
                    "closing_reason_id", "Unknown closing reason.", code="unknown_closing_reason"
                )
        previous = conversation.assignee_id
        if rules.send_resolved_text:
            await self.tell_customer(session, conversation, lambda texts: texts.resolved)
        await transition(
            session,
            conversation,
            Change(Kind.resolved, status=Status.resolved),
            actor_id=principal.id,
            reason=note,
            data={"closing_reason_id": str(closing_reason_id) if closing_reason_id else None},
        )
        conversation.closing_reason_id = closing_reason_id
        if note:
            session.add(
                Note(
                    company_id=principal.company_id,
                    conversation_id=conversation.id,
                    author_id=principal.id,
                    body=note,
                )
            )
        await self._drain_for(session, principal.company_id, previous)
        return conversation

    async def reopen(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.status is not Status.resolved:
            raise Conflict("Only resolved conversations can be reopened.", code="not_resolved")
        await self.reopen_to_last_agent(session, conversation, actor_id=principal.id)
        return conversation

    async def reopen_to_last_agent(
        self, session: AsyncSession, conversation: Conversation, *, actor_id: uuid.UUID | None
    ) -> None:
        """Back to its last agent only if that agent is online and has room; otherwise
        into its department's queue (peers send it to offline agents: chatwoot #9587)."""
        last = conversation.assignee_id or conversation.last_assignee_id
        conversation.closing_reason_id = None
        conversation.resolved_at = None
        department = await self._department(session, conversation)
        if last is not None and await routing_service.can_take(session, last):
            await transition(
                session,
                conversation,
                Change(Kind.reopened, status=Status.assigned, assignee_id=last),
                actor_id=actor_id,
                reason="reopened to the last agent",
            )
            return
        await routing_service.enqueue(
            session,
            conversation,
            department,
            kind=Kind.reopened,
            actor_id=actor_id,
            reason="reopened; last agent unavailable",
        )

    async def archive(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.status is not Status.resolved:
            raise Conflict("Only resolved conversations can be archived.", code="not_resolved")
        await transition(
            session,
            conversation,
            Change(Kind.archived, status=Status.archived),
            actor_id=principal.id,
        )
        return conversation

    async def set_priority(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        priority: Priority,
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        if conversation.priority is not priority:
            data = {"from": conversation.priority.value, "to": priority.value}
            conversation.priority = priority
            await transition(
                session,
                conversation,
                Change(Kind.priority_changed),
                actor_id=principal.id,
                data=data,
            )
        return conversation

    async def set_tags(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        tag_ids: Sequence[uuid.UUID],
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        repository = ConversationRepository(session, principal.company_id)
        if set(tag_ids) - await repository.existing_tag_ids(tag_ids):
            raise ValidationFailed.field("tag_ids", "Unknown tag.", code="unknown_tag")
        before = set((await repository.tag_ids_by_conversation([conversation.id]))[conversation.id])
        await repository.set_tags(conversation.id, tag_ids)
        added, removed = set(tag_ids) - before, before - set(tag_ids)
        if added or removed:
            await transition(
                session,
                conversation,
                Change(Kind.tagged),
                actor_id=principal.id,
                data={"added": sorted(map(str, added)), "removed": sorted(map(str, removed))},
            )
        return conversation

    async def rename_customer(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID, name: str
    ) -> Conversation:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        contacts = await ConversationRepository(session, principal.company_id).contacts_by_id(
            [conversation.contact_id]
        )
        contact = contacts[conversation.contact_id]
        if contact.name != name:
            data = {"from": contact.name, "to": name}
            contact.name = name
            await transition(
                session,
                conversation,
                Change(Kind.customer_renamed),
                actor_id=principal.id,
                data=data,
            )
        return conversation

    async def add_note(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID, body: str
    ) -> Note:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        note = Note(
            company_id=principal.company_id,
            conversation_id=conversation.id,
            author_id=principal.id,
            body=body,
        )
        session.add(note)
        await session.flush()
        await publish_note_added(session, conversation, note)
        return note

    async def notes(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Sequence[Note]:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        return await NoteRepository(session, principal.company_id).for_conversation(conversation.id)

    async def history(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Sequence[ConversationEvent]:
        conversation, _ = await self.get_visible(session, principal, conversation_id)
        return await ConversationEventRepository(session, principal.company_id).for_conversation(
            conversation.id
        )

    # -- helpers -------------------------------------------------------------------------

    async def tell_customer(
        self,
        session: AsyncSession,
        conversation: Conversation,
        text_of: Callable[[BotTexts], str],
        *,
        department: str = "",
    ) -> None:
        """Send one of the company's customer-facing texts (transfer, closing …)."""
        if conversation.connection_id is None:
            return  # no channel to reach the customer on
        company = await session.get(Company, conversation.company_id)
        assert company is not None
        template = text_of(company_service.settings_of(company).bot)
        text = render(template, company=company.name, department=department)
        if text.strip():
            await queue_outbound(
                session, conversation, type=MessageType.text, content=text, is_bot=True
            )

    def _require_owner_or_supervisor(
        self, principal: Principal, conversation: Conversation
    ) -> None:
        if principal.role is UserRole.agent and conversation.assignee_id != principal.id:
            raise Forbidden(
                "Only the assigned agent or a supervisor can do this.", code="not_your_conversation"
            )

    async def _drain_for(
        self, session: AsyncSession, company_id: uuid.UUID, agent_id: uuid.UUID | None
    ) -> None:
        """Capacity was freed: hand the oldest waiting conversations of the agent's
        departments to whoever can take them now."""
        if agent_id is None:
            return
        department_ids = (
            (
                await session.execute(
                    select(DepartmentMember.department_id).where(
                        DepartmentMember.user_id == agent_id,
                        DepartmentMember.role == MembershipRole.member,
                    )
                )
            )
            .scalars()
            .all()
        )
        await routing_service.drain(session, company_id, department_ids)

    async def _department(self, session: AsyncSession, conversation: Conversation) -> Department:
        if conversation.department_id is not None:
            department = await session.get(Department, conversation.department_id)
            if department is not None:
                return department
        return await self.root_department(session, conversation.company_id)

    async def root_department(self, session: AsyncSession, company_id: uuid.UUID) -> Department:
        department = (
            await session.execute(
                select(Department)
                .where(Department.company_id == company_id)
                .order_by(Department.is_root.desc(), Department.position)
                .limit(1)
            )
        ).scalar_one_or_none()
        if department is None:
            raise Conflict("The company has no department.", code="no_department")
        return department

    async def _department_of_company(
        self, session: AsyncSession, company_id: uuid.UUID, department_id: uuid.UUID | None
    ) -> Department:
        department = await session.get(Department, department_id) if department_id else None
        if department is None or department.company_id != company_id or not department.is_active:
            raise ValidationFailed.field(
                "department_id", "Unknown department.", code="unknown_department"
            )
        return department

    async def _agent_of_company(
        self, session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID
    ) -> User:
        user = await session.get(User, user_id)
        if user is None or user.company_id != company_id or not user.is_active:
            raise ValidationFailed.field("user_id", "Unknown user.", code="unknown_user")
        return user

    async def _is_member(
        self, session: AsyncSession, user_id: uuid.UUID, department_id: uuid.UUID
    ) -> bool:
        row = await session.execute(
            select(DepartmentMember.user_id).where(
                DepartmentMember.user_id == user_id, DepartmentMember.department_id == department_id
            )
        )
        return row.first() is not None

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        conversation: Conversation,
        data: dict[str, object],
    ) -> None:
        await audit.record(
            session,
            company_id=principal.company_id,
            action=action,
            actor_id=principal.id,
            actor_email=principal.user.email,
            target_type="conversation",
            target_id=conversation.id,
            ip_address=principal.ip_address,
            data=data,
        )


conversation_service = ConversationService()
