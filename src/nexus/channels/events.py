"""Normalised inbound events: what every provider's webhook is turned into.

Events are Pydantic models so that the inbox can store one as JSON (``event_payload``) and
the job that processes it later gets the same typed object back (``event_from_payload``).

``event_id`` is stable across redeliveries of the same provider event (the inbox is unique
on connection + event id, which absorbs duplicates); ``ordering_key`` is the customer's
chat id, so events of one conversation are processed in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from nexus.models.connection import ConnectionStatus
from nexus.models.contact_identity import IdentityKind
from nexus.models.message import MessageStatus, MessageType

# Connection-level events (session state, QR) share one ordering key so that "open" and
# "close" are applied in the order they happened. No chat id can look like this.
CONNECTION_ORDERING_KEY = "~connection"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Frozen):
    """Someone (or some group) as the provider names them.

    ``external_id`` is the id under ``kind`` (for WhatsApp numbers: the digits without
    ``+``; for LIDs: the digits without ``@lid``). ``phone`` and ``lid`` carry the other
    identities the same event revealed, so the caller can link them to one contact.
    """

    kind: IdentityKind
    external_id: str
    phone: str | None = None  # E.164
    lid: str | None = None
    name: str | None = None
    username: str | None = None
    # Cloud API business-scoped user id (2026 usernames); no IdentityKind exists for it yet.
    business_user_id: str | None = None

    def identities(self) -> list[tuple[IdentityKind, str]]:
        """Every (kind, external id) this event ties to the party, primary first."""
        found = [(self.kind, self.external_id)]
        if self.kind is IdentityKind.whatsapp_lid and self.phone:
            found.append((IdentityKind.whatsapp_phone, self.phone.removeprefix("+")))
        if self.kind is IdentityKind.whatsapp_phone and self.lid:
            found.append((IdentityKind.whatsapp_lid, self.lid))
        return found


class MediaDescriptor(_Frozen):
    """Where to fetch an inbound file with ``download_media``; the bytes are never inline."""

    provider_media_id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    size: int | None = None
    sha256: str | None = None  # as the provider gives it (Cloud API: base64)


class Location(_Frozen):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class SharedPhone(_Frozen):
    phone: str  # as the sender typed it
    e164: str | None = None
    wa_id: str | None = None
    type: str | None = None


class SharedContact(_Frozen):
    name: str | None = None
    phones: list[SharedPhone] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    vcard: str | None = None


class Reaction(_Frozen):
    target_message_id: str
    emoji: str  # "" means the reaction was removed


class InteractiveReply(_Frozen):
    """A button or list choice. ``interaction_id`` must be acknowledged on Telegram."""

    id: str
    title: str | None = None
    description: str | None = None
    interaction_id: str | None = None


class _Event(_Frozen):
    event_id: str
    ordering_key: str
    # The provider account the event belongs to (Cloud phone_number_id, WAHA session,
    # Evolution instance): one Meta app webhook URL receives every number of the app.
    account_id: str | None = None
    timestamp: datetime


class InboundMessage(_Event):
    kind: Literal["message"] = "message"
    provider_message_id: str
    # The provider's address of the conversation: pass it back as ``to`` when replying.
    chat_id: str
    # Who wrote. In a group this is the participant; the group itself is ``group``.
    sender: Party
    group: Party | None = None
    type: MessageType
    text: str | None = None  # body, or the caption of a media message
    media: MediaDescriptor | None = None
    location: Location | None = None
    contacts: list[SharedContact] = Field(default_factory=list)
    reply_to: str | None = None
    reaction: Reaction | None = None
    interactive_reply: InteractiveReply | None = None
    forwarded: bool = False
    # Our own message seen again (sent from the phone, or an echo of an API send): the
    # caller matches it to its outbound record and must never feed it to a bot.
    from_me: bool = False
    echo_source: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.group is not None

    @property
    def participant(self) -> Party | None:
        return self.sender if self.group is not None else None

    @property
    def contact(self) -> Party:
        """The party the conversation belongs to: the group, or the sender."""
        return self.group if self.group is not None else self.sender


class StatusUpdate(_Event):
    """A receipt for one of our messages. Receipts arrive duplicated and out of order."""

    kind: Literal["status"] = "status"
    provider_message_id: str
    status: MessageStatus  # sent, delivered, read or failed
    recipient: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    window_closed: bool = False


class MessageEdited(_Event):
    kind: Literal["edited"] = "edited"
    chat_id: str
    target_message_id: str
    text: str | None = None
    sender: Party | None = None
    from_me: bool = False


class MessageRevoked(_Event):
    kind: Literal["revoked"] = "revoked"
    chat_id: str
    target_message_id: str
    sender: Party | None = None
    from_me: bool = False


class ConnectionStateChanged(_Event):
    kind: Literal["connection"] = "connection"
    status: ConnectionStatus
    reason: str | None = None
    provider_state: str
    phone: str | None = None  # E.164 of the connected number, when the provider says


class QrCodeUpdated(_Event):
    kind: Literal["qr"] = "qr"
    qr: str | None = None  # the raw string to render
    image_data_url: str | None = None  # data:image/png;base64,…
    pairing_code: str | None = None


class ProviderNotice(_Event):
    """A provider error not tied to one message (Cloud API ``value.errors``, e.g. 130429)."""

    kind: Literal["notice"] = "notice"
    code: str | None = None
    message: str
    details: str | None = None


class CustomerTyping(_Frozen):
    """The customer started or stopped typing (or recording a voice note) in a chat.

    Ephemeral, and deliberately not an ``Event``: it is relayed to the agents from the webhook
    request itself and never stored in the inbox nor processed by a job — a typing indicator
    that arrives late means nothing, and storing every keystroke burst would cost the inbox a
    write. So it carries no event id, and adapters return it from ``parse_typing``.
    """

    # The party the conversation belongs to: the group, or the person.
    contact: Party
    is_typing: bool


Event = Annotated[
    InboundMessage
    | StatusUpdate
    | MessageEdited
    | MessageRevoked
    | ConnectionStateChanged
    | QrCodeUpdated
    | ProviderNotice,
    Field(discriminator="kind"),
]

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_payload(event: Event) -> dict[str, Any]:
    """JSON-ready form of an event, for the inbox table."""
    return event.model_dump(mode="json")


def event_from_payload(payload: dict[str, Any]) -> Event:
    return _EVENT_ADAPTER.validate_python(payload)
