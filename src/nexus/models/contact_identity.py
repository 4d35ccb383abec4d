from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel, str_enum


class IdentityKind(StrEnum):
    whatsapp_phone = "whatsapp_phone"
    whatsapp_lid = "whatsapp_lid"
    whatsapp_group = "whatsapp_group"
    telegram = "telegram"
    sandbox = "sandbox"


class ContactIdentity(TenantModel):
    """One way a provider names a contact: a WhatsApp number, a LID, a Telegram id…"""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("company_id", "kind", "external_id"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[IdentityKind] = mapped_column(str_enum(IdentityKind))
    external_id: Mapped[str] = mapped_column(String(128))
