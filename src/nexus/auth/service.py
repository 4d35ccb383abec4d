"""Sign-up, login, refresh-token rotation and logout (A3, A4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.companies.service import company_service
from nexus.config import Settings
from nexus.kit.errors import Conflict
from nexus.kit.models import utc_now
from nexus.kit.security import (
    create_access_token,
    hash_opaque_token,
    hash_password,
    new_opaque_token,
    verify_password,
)
from nexus.models import Company, RefreshToken, User, UserRole


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None
    user_agent: str | None


class AuthService:
    async def signup(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        company_name: str,
        name: str,
        email: str,
        password: str,
        client: ClientInfo,
    ) -> Session:
        email = email.lower()
        if (await session.execute(select(User.id).where(User.email == email))).first():
            raise Conflict(
                "An account with this e-mail already exists.",
                code="email_taken",
                details=[{"field": "email", "message": "already registered"}],
            )
        company = await company_service.create(session, name=company_name)
        user = User(
            company_id=company.id,
            email=email,
            name=name,
            password_hash=hash_password(password),
            role=UserRole.admin,
        )
        session.add(user)
        await session.flush()
        await audit.record(
            session,
            company_id=company.id,
            action="company.signup",
            actor_id=user.id,
            actor_email=email,
            target_type="company",
            target_id=company.id,
            ip_address=client.ip_address,
            data={"company_name": company_name},
        )
        return await self._start_session(session, settings, user, client, family_id=None)

    async def login(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        email: str,
        password: str,
        client: ClientInfo,
    ) -> Session | None:
        """Return a new session, or None after recording the failed attempt."""
        email = email.lower()
        row = (
            await session.execute(
                select(User, Company.is_active)
                .join(Company, Company.id == User.company_id)
                .where(User.email == email)
            )
        ).first()
        user, company_active = (row[0], bool(row[1])) if row else (None, False)
        valid = verify_password(password, user.password_hash if user else None)
        if user is None:
            return None
        if not valid or not user.is_active or not company_active:
            await audit.record(
                session,
                company_id=user.company_id,
                action="auth.login_failed",
                actor_id=user.id,
                actor_email=email,
                target_type="user",
                target_id=user.id,
                ip_address=client.ip_address,
                data={"reason": "bad_password" if not valid else "inactive"},
            )
            return None
        user.last_login_at = utc_now()
        await audit.record(
            session,
            company_id=user.company_id,
            action="auth.login",
            actor_id=user.id,
            actor_email=email,
            target_type="user",
            target_id=user.id,
            ip_address=client.ip_address,
        )
        return await self._start_session(session, settings, user, client, family_id=None)

    async def refresh(
        self, session: AsyncSession, settings: Settings, *, token: str, client: ClientInfo
    ) -> Session | None:
        """Rotate a refresh token. A token that was already rotated is a sign of theft: the
        whole family is revoked and None returned, so the thief and the victim both have to
        sign in again."""
        now = utc_now()
        stored = (
            await session.execute(
                select(RefreshToken).where(RefreshToken.token_hash == hash_opaque_token(token))
            )
        ).scalar_one_or_none()
        if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
            return None
        if stored.rotated_at is not None:
            await self.revoke_family(session, stored.family_id)
            await audit.record(
                session,
                company_id=stored.company_id,
                action="auth.refresh_reuse_detected",
                actor_id=stored.user_id,
                target_type="user",
                target_id=stored.user_id,
                ip_address=client.ip_address,
                data={"family_id": str(stored.family_id)},
            )
            return None
        user = await session.get(User, stored.user_id)
        if user is None or not user.is_active:
            return None
        # Conditional update: of two concurrent refreshes with one token, only one rotates.
        rotated = await session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == stored.id, RefreshToken.rotated_at.is_(None))
            .values(rotated_at=now)
        )
        if rotated.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await self._start_session(
            session, settings, user, client, family_id=stored.family_id
        )

    async def logout(self, session: AsyncSession, *, token: str) -> None:
        stored = (
            await session.execute(
                select(RefreshToken).where(RefreshToken.token_hash == hash_opaque_token(token))
            )
        ).scalar_one_or_none()
        if stored is not None:
            await self.revoke_family(session, stored.family_id)

    async def revoke_family(self, session: AsyncSession, family_id: uuid.UUID) -> None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )

    async def revoke_user_tokens(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )

    def access_token_for(self, settings: Settings, user: User) -> tuple[str, datetime]:
        return create_access_token(
            secret=settings.secret_key,
            user_id=user.id,
            company_id=user.company_id,
            role=user.role.value,
            minutes=settings.access_token_minutes,
        )

    async def _start_session(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        client: ClientInfo,
        *,
        family_id: uuid.UUID | None,
    ) -> Session:
        refresh_token = new_opaque_token()
        refresh_expires_at = utc_now() + timedelta(days=settings.refresh_token_days)
        session.add(
            RefreshToken(
                company_id=user.company_id,
                user_id=user.id,
                family_id=family_id or uuid.uuid4(),
                token_hash=hash_opaque_token(refresh_token),
                expires_at=refresh_expires_at,
                user_agent=(client.user_agent or "")[:255] or None,
                ip_address=client.ip_address,
            )
        )
        await session.flush()
        access_token, access_expires_at = self.access_token_for(settings, user)
        return Session(user, access_token, access_expires_at, refresh_token, refresh_expires_at)


auth_service = AuthService()
