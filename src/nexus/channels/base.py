"""The one interface every provider adapter implements.

An adapter is pure protocol: it authenticates and parses webhooks, and turns send and
session calls into the provider's HTTP requests. It holds no database session and makes
no business decision; failures leave it as ``nexus.channels.errors`` classes only.

Addresses (``to``): the ``chat_id`` of an inbound event, or, on WhatsApp channels, a phone
number (E.164 or digits). Message ids are the ``provider_message_id`` values of events and
send results.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from nexus.channels.capabilities import Capabilities
from nexus.channels.errors import InvalidRequest, NotSupported
from nexus.channels.events import CustomerTyping, Event, MediaDescriptor, Party
from nexus.channels.outbound import (
    Button,
    DownloadedMedia,
    ListSection,
    MediaBytes,
    MediaSource,
    QrCode,
    SendResult,
    SessionState,
    Template,
    interactive_as_text,
)
from nexus.models.connection import ChannelKind
from nexus.models.message import MessageType

MEDIA_KINDS = frozenset(
    {
        MessageType.image,
        MessageType.video,
        MessageType.audio,
        MessageType.voice,
        MessageType.document,
        MessageType.sticker,
    }
)


class ChannelAdapter(ABC):
    kind: ClassVar[ChannelKind]
    capabilities: ClassVar[Capabilities]

    @abstractmethod
    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        """Read the settings (``ChannelConfigError`` when lacking); all HTTP goes through
        ``http``, whose base URLs come from ``config`` so tests can point them at fakes."""

    # --- inbound ---------------------------------------------------------------------

    @abstractmethod
    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        """Raise ``WebhookRejected`` (its ``status_code`` is the answer) unless authentic."""

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """Answer a GET verification: the text to return with 200, or ``None`` when the
        channel has no such handshake. Raises ``HandshakeRefused`` on a wrong token."""
        return None

    @abstractmethod
    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        """Every event in an authenticated body; unknown event types are skipped.
        Raises ``MalformedWebhook`` when the body is not the provider's JSON."""

    def parse_typing(self, raw_body: bytes) -> list[CustomerTyping]:
        """The customer's typing signals in an authenticated body (WAHA and Evolution
        ``presence.update``, the sandbox phone), for the webhook to relay at once; channels
        whose provider reports no typing have none. Never part of ``parse_webhook``: typing
        is not stored."""
        return []

    # --- outbound --------------------------------------------------------------------

    @abstractmethod
    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        pass

    @abstractmethod
    async def send_media(
        self,
        to: str,
        kind: MessageType,
        media: MediaSource,
        *,
        caption: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        pass

    async def send_template(
        self,
        to: str,
        name: str,
        language: str,
        components: Sequence[Mapping[str, Any]] = (),
    ) -> SendResult:
        raise NotSupported(f"{self.kind.value} has no message templates")

    async def list_templates(self) -> list[Template]:
        """The provider account's approved message templates."""
        raise NotSupported(f"{self.kind.value} has no message templates")

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> SendResult | None:
        """React to ``message_id`` (``emoji=""`` removes the reaction). ``from_me`` says
        whether the target is one of our messages (Evolution addresses messages by it).
        Returns the reaction's own message id where the provider gives one (Cloud API,
        Evolution), else ``None``."""
        raise NotSupported(f"{self.kind.value} cannot send reactions")

    async def mark_read(self, to: str, message_ids: Sequence[str]) -> None:
        raise NotSupported(f"{self.kind.value} has no read receipts")

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        """Show "typing…" to the customer. The Cloud API needs the inbound ``message_id``
        being answered (it also marks it read)."""
        raise NotSupported(f"{self.kind.value} has no typing indicator")

    async def send_interactive_buttons(
        self,
        to: str,
        body: str,
        buttons: Sequence[Button],
        *,
        header: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        """Quick-reply buttons; without native support (``capabilities``), a numbered
        text menu whose answer arrives as plain text."""
        text = interactive_as_text(
            body, [(b.title, None) for b in buttons], header=header, footer=footer
        )
        return await self.send_text(to, text, reply_to=reply_to)

    async def send_interactive_list(
        self,
        to: str,
        body: str,
        button_label: str,
        sections: Sequence[ListSection],
        *,
        header: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        options = [(row.title, row.description) for section in sections for row in section.rows]
        text = interactive_as_text(body, options, header=header, footer=footer)
        return await self.send_text(to, text, reply_to=reply_to)

    async def answer_interaction(self, interaction_id: str, text: str | None = None) -> None:
        """Acknowledge a button press (``InteractiveReply.interaction_id``). Only Telegram
        needs it (its client spins until answered); elsewhere there is nothing to do."""
        return None

    @abstractmethod
    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        pass

    # --- sessions (WhatsApp Web gateways) and webhook registration ----------------------

    async def start_session(self, *, webhook_url: str | None = None) -> SessionState:
        raise NotSupported(f"{self.kind.value} has no sessions to start")

    async def stop_session(self) -> None:
        raise NotSupported(f"{self.kind.value} has no sessions to stop")

    async def logout_session(self) -> None:
        raise NotSupported(f"{self.kind.value} has no sessions to log out")

    async def get_qr(self) -> QrCode | None:
        """The current pairing QR, or ``None`` when the session is not waiting for a scan."""
        raise NotSupported(f"{self.kind.value} has no QR pairing")

    async def get_status(self) -> SessionState:
        raise NotSupported(f"{self.kind.value} reports no connection status")

    async def set_webhook(self, url: str) -> None:
        raise NotSupported(f"{self.kind.value} webhooks are configured outside Nexus")

    async def list_contacts(self) -> list[Party]:
        """The people in the connected phone's address book (C8), as the gateway names them."""
        raise NotSupported(f"{self.kind.value} cannot list the phone's contacts")

    async def list_groups(self) -> list[Party]:
        """The groups the connected phone takes part in (C7)."""
        raise NotSupported(f"{self.kind.value} cannot list the phone's groups")

    async def resolve_lid(self, lid: str) -> str | None:
        """The E.164 phone behind a WhatsApp LID, when the gateway knows it."""
        raise NotSupported(f"{self.kind.value} has no LID mapping")

    # --- shared pre-checks of documented limits --------------------------------------

    def _check_text(self, text: str) -> None:
        if not text:
            raise InvalidRequest("empty text")
        if len(text) > self.capabilities.max_text_length:
            raise InvalidRequest(f"text longer than {self.capabilities.max_text_length} characters")

    def _check_media(self, kind: MessageType, media: MediaSource, caption: str | None) -> None:
        limit = self.capabilities.media_limit(kind)
        if kind not in MEDIA_KINDS or limit is None:
            raise NotSupported(f"{self.kind.value} cannot send {kind.value} media")
        if caption and len(caption) > self.capabilities.max_caption_length:
            raise InvalidRequest(
                f"caption longer than {self.capabilities.max_caption_length} characters"
            )
        if media.mime_type and not limit.accepts(media.mime_type):
            raise InvalidRequest(f"{kind.value} cannot be {media.mime_type} on {self.kind.value}")
        if isinstance(media, MediaBytes) and len(media.data) > limit.max_bytes:
            raise InvalidRequest(
                f"{kind.value} of {len(media.data)} bytes exceeds {limit.max_bytes} bytes"
            )
