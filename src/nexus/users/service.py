"""Users of a company: agents, supervisors and admins, and their department memberships."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.auth.service import auth_service
from nexus.kit.errors import Conflict, ValidationFailed
from nexus.kit.realtime import disconnect_user_after_commit
from nexus.kit.security import hash_password
from nexus.models import PresenceStatus, User, UserRole
from nexus.presence.service import presence_service
from nexus.users.repository import UserRepository
from nexus.users.schemas import Membership, UserCreate, UserRead, UserUpdate


class UserService:
    async def to_read(self, session: AsyncSession, user: User) -> UserRead:
        return (await self.to_read_many(session, [user]))[0]

    async def to_read_many(self, session: AsyncSession, users: Sequence[User]) -> list[UserRead]:
        if not users:
            return []
        repository = UserRepository(session, users[0].company_id)
        memberships = await repository.memberships([user.id for user in users])
        return [
            UserRead.model_validate(user).model_copy(
                update={
                    "departments": [
                        Membership(department_id=m.department_id, role=m.role)
                        for m in memberships.get(user.id, [])
                    ]
                }
            )
            for user in users
        ]

    async def create(self, session: AsyncSession, principal: Principal, body: UserCreate) -> User:
        repository = UserRepository(session, principal.company_id)
        if await repository.get_by_email(str(body.email)):
            raise Conflict(
                "An account with this e-mail already exists.",
                code="email_taken",
                details=[{"field": "email", "message": "already registered"}],
            )
        await self._check_departments(repository, body.departments)
        user = await repository.create(
            email=str(body.email).lower(),
            name=body.name,
            role=body.role,
            locale=body.locale,
            password_hash=hash_password(body.password),
            max_conversations=body.max_conversations,
        )
        await repository.set_memberships(
            user.id, [(m.department_id, m.role) for m in body.departments]
        )
        await audit.record(
            session,
            company_id=principal.company_id,
            action="user.create",
            actor_id=principal.id,
            actor_email=principal.user.email,
            target_type="user",
            target_id=user.id,
            ip_address=principal.ip_address,
            data={"email": user.email, "role": user.role.value},
        )
        return user

    async def update(
        self, session: AsyncSession, principal: Principal, user_id: uuid.UUID, body: UserUpdate
    ) -> User:
        repository = UserRepository(session, principal.company_id)
        user = await repository.get_or_404(user_id, for_update=True)
        changes = body.model_dump(exclude_unset=True, exclude={"password", "departments"})
        if "email" in changes and changes["email"] is not None:
            changes["email"] = str(changes["email"]).lower()
            other = await repository.get_by_email(changes["email"])
            if other is not None and other.id != user.id:
                raise Conflict(
                    "An account with this e-mail already exists.",
                    code="email_taken",
                    details=[{"field": "email", "message": "already registered"}],
                )
        demoted = changes.get("role", user.role) != UserRole.admin
        deactivated = changes.get("is_active", user.is_active) is False
        if user.role is UserRole.admin and (demoted or deactivated):
            await self._keep_one_admin(repository, principal, user)
        for field, value in changes.items():
            if value is not None:
                setattr(user, field, value)
        if body.password is not None:
            user.password_hash = hash_password(body.password)
        if body.departments is not None:
            await self._check_departments(repository, body.departments)
            await repository.set_memberships(
                user.id, [(m.department_id, m.role) for m in body.departments]
            )
        if deactivated:
            await self._on_deactivated(session, user)
        elif "role" in changes or body.departments is not None:
            # A socket's rooms were chosen for the role and departments it connected with;
            # reconnecting (the client does it on its own) picks the new ones.
            disconnect_user_after_commit(session, user.id)
        await session.flush()
        await audit.record(
            session,
            company_id=principal.company_id,
            action="user.update",
            actor_id=principal.id,
            actor_email=principal.user.email,
            target_type="user",
            target_id=user.id,
            ip_address=principal.ip_address,
            data={"fields": sorted(body.model_dump(exclude_unset=True))},
        )
        return user

    async def deactivate(
        self, session: AsyncSession, principal: Principal, user_id: uuid.UUID
    ) -> User:
        return await self.update(session, principal, user_id, UserUpdate(is_active=False))

    async def set_presence(
        self, session: AsyncSession, principal: Principal, status: PresenceStatus
    ) -> User:
        user = principal.user
        await presence_service.set(session, user, status, reason=f"agent set {status.value}")
        return user

    async def _on_deactivated(self, session: AsyncSession, user: User) -> None:
        await presence_service.set(
            session, user, PresenceStatus.offline, reason="agent deactivated"
        )
        await auth_service.revoke_user_tokens(session, user.id)
        disconnect_user_after_commit(session, user.id)

    async def _keep_one_admin(
        self, repository: UserRepository, principal: Principal, user: User
    ) -> None:
        if user.id == principal.id:
            raise Conflict("You cannot demote or deactivate yourself.", code="self_demotion")
        if await repository.count_active_admins() <= 1:
            raise Conflict("A company needs at least one active admin.", code="last_admin")

    async def _check_departments(
        self, repository: UserRepository, memberships: Sequence[Membership]
    ) -> None:
        ids = [m.department_id for m in memberships]
        missing = set(ids) - await repository.existing_department_ids(ids)
        if missing:
            raise ValidationFailed.field(
                "departments", "Unknown department.", code="unknown_department"
            )


user_service = UserService()
