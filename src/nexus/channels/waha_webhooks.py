"""WAHA webhook bodies → normalised events (providers.md §2.5-2.7).

Envelope: ``{id, timestamp (ms), event, session, metadata, me, engine, payload}``. We read
``message`` / ``message.any`` (ours too), ``message.reaction``, ``message.ack``,
``message.revoked``, ``message.edited`` and ``session.status``; other events are skipped.
``presence.update`` is the customer's typing, which is relayed and never stored
(``parse_waha_typing``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nexus.channels import jids
from nexus.channels.errors import MalformedWebhook
from nexus.channels.events import (
    CONNECTION_ORDERING_KEY,
    ConnectionStateChanged,
    CustomerTyping,
    Event,
    InboundMessage,
    Location,
    MediaDescriptor,
    MessageEdited,
    MessageRevoked,
    Party,
    Reaction,
    StatusUpdate,
)
from nexus.channels.mediatypes import kind_for_mime
from nexus.channels.payload import (
    digest,
    epoch,
    load_json,
    non_empty,
    now,
    obj,
    objs,
    opt_float,
    opt_int,
    opt_str,
)
from nexus.channels.phones import to_e164
from nexus.channels.vcards import parse_vcard
from nexus.models.connection import ConnectionStatus
from nexus.models.message import MessageStatus, MessageType

SESSION_STATUSES = {
    "STOPPED": ConnectionStatus.stopped,
    "STARTING": ConnectionStatus.starting,
    "SCAN_QR_CODE": ConnectionStatus.qr,
    # Passkey pairing also waits for the person at the phone, like a QR scan.
    "PASSKEY_REQUIRED": ConnectionStatus.qr,
    "PASSKEY_CONFIRMATION_REQUIRED": ConnectionStatus.qr,
    "WORKING": ConnectionStatus.connected,
    "FAILED": ConnectionStatus.failed,
}
# ack: -1 ERROR, 0 PENDING (nothing new), 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED.
_ACKS = {
    -1: MessageStatus.failed,
    1: MessageStatus.sent,
    2: MessageStatus.delivered,
    3: MessageStatus.read,
    4: MessageStatus.read,
}
_ACK_NAMES = {"ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4}
# lastKnownPresence (WAHAPresenceStatus): online, offline, typing, recording, paused.
_TYPING_PRESENCES = frozenset({"typing", "recording"})


def parse_waha_webhook(raw_body: bytes) -> list[Event]:
    body = load_json(raw_body)
    if not isinstance(body, dict):
        raise MalformedWebhook("WAHA webhook body is not a JSON object")
    envelope = _Envelope(body)
    payload = obj(body.get("payload"))
    event: Event | None = None
    match non_empty(body.get("event")):
        case "message" | "message.any" | "message.reaction":
            event = _message(envelope, payload)
        case "message.ack":
            event = _ack(envelope, payload)
        case "message.revoked":
            event = _revoked(envelope, payload)
        case "message.edited":
            event = _edited(envelope, payload)
        case "session.status":
            event = _session_status(envelope, body, payload)
    return [event] if event is not None else []


def parse_waha_typing(raw_body: bytes) -> list[CustomerTyping]:
    """``presence.update``, whose payload (``WAHAChatPresences``) is ``{id: <chat id>,
    presences: [{participant, lastKnownPresence, lastSeen}]}``: typing while anyone but us in
    the chat types or records; any other presence (paused, online, offline) stops it."""
    body = load_json(raw_body)
    if not isinstance(body, dict) or body.get("event") != "presence.update":
        return []
    payload = obj(body.get("payload"))
    chat = non_empty(payload.get("id"))
    contact = jids.group(chat) or jids.person(chat)
    if contact is None:
        return []  # status@broadcast, newsletters
    mine = _Envelope(body).me_ids
    states = [
        non_empty(presence.get("lastKnownPresence"))
        for presence in objs(payload.get("presences"))
        if (who := jids.parse_jid(opt_str(presence.get("participant")))) is None
        or who.user not in mine
    ]
    if not states:
        return []
    typing = any(state in _TYPING_PRESENCES for state in states)
    return [CustomerTyping(contact=contact, is_typing=typing)]


class _Envelope:
    def __init__(self, body: dict[str, Any]) -> None:
        self.session = non_empty(body.get("session"))
        self.timestamp = epoch(body.get("timestamp"), millis=True) or now()
        self.id = non_empty(body.get("id"))
        me = obj(body.get("me"))
        self.me_phone = to_e164(non_empty(me.get("id")))
        self.me_ids = {
            jid.user
            for value in (me.get("id"), me.get("lid"))
            if (jid := jids.parse_jid(opt_str(value)))
        }


class _Ids:
    """What a serialized message id says: ``{fromMe}_{chatId}_{waId}[_{participant}]``."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.id = non_empty(payload.get("id"))
        self.from_me = payload.get("fromMe") is True
        parts = (self.id or "").split("_")
        serialized = len(parts) >= 3 and parts[0] in ("true", "false")
        fallback = payload.get("to") if self.from_me else payload.get("from")
        self.chat = (parts[1] if serialized else None) or non_empty(fallback)
        self.participant = non_empty(payload.get("participant")) or non_empty(payload.get("author"))
        if self.participant is None and serialized and len(parts) >= 4:
            self.participant = parts[3]

    def full(self, message_id: str | None) -> str | None:
        """A bare WhatsApp id (some events give only that) in the serialized form that
        our stored provider ids have. Already serialized ids pass through."""
        if message_id is None or "@" in message_id or self.chat is None:
            return message_id
        serialized = f"{str(self.from_me).lower()}_{self.chat}_{message_id}"
        return f"{serialized}_{self.participant}" if self.participant else serialized


def _quoted_id(ids: _Ids, reply: dict[str, Any], envelope: _Envelope) -> str | None:
    """``replyTo`` gives the bare WhatsApp id and its author; rebuild the serialized id
    (whose ``fromMe`` is whether we wrote the quoted message) so it matches stored ids."""
    bare = non_empty(reply.get("id"))
    author = jids.parse_jid(non_empty(reply.get("participant")))
    if bare is None or "@" in bare or author is None or ids.chat is None:
        return bare
    mine = author.user in envelope.me_ids
    serialized = f"{str(mine).lower()}_{ids.chat}_{bare}"
    in_group = jids.group(ids.chat) is not None
    return f"{serialized}_{author.user}@{author.server}" if in_group and not mine else serialized


def _name(payload: dict[str, Any]) -> str | None:
    # Not in WAHA's documented schema: each engine's raw data names the sender differently.
    data = obj(payload.get("_data"))
    return (
        non_empty(data.get("notifyName"))
        or non_empty(data.get("pushName"))
        or non_empty(obj(data.get("Info")).get("PushName"))
    )


def _parties(ids: _Ids, payload: dict[str, Any]) -> tuple[Party | None, Party | None]:
    """(customer-side sender, group). For our own messages the sender is the chat."""
    group = jids.group(ids.chat)
    if ids.from_me:
        return (group or jids.person(ids.chat)), group
    if group is not None:
        return jids.person(ids.participant, name=_name(payload)), group
    return jids.person(ids.chat, name=_name(payload)), None


def _message(envelope: _Envelope, payload: dict[str, Any]) -> InboundMessage | None:
    ids = _Ids(payload)
    sender, group = _parties(ids, payload)
    if ids.id is None or ids.chat is None or sender is None:
        return None  # newsletters, status@broadcast and malformed items
    fields: dict[str, Any] = {"type": MessageType.text, "text": opt_str(payload.get("body"))}
    extra: dict[str, Any] = {}
    reaction = obj(payload.get("reaction"))
    location = obj(payload.get("location"))
    cards = [card for card in payload.get("vCards") or [] if isinstance(card, str) and card]
    if reaction:
        # Reactions name their target serialized already (usually one of our messages).
        target = non_empty(reaction.get("messageId"))
        emoji = opt_str(reaction.get("text")) or ""
        if target is None:
            return None
        fields = {
            "type": MessageType.reaction,
            "text": emoji or None,
            "reaction": Reaction(target_message_id=target, emoji=emoji),
        }
    elif payload.get("hasMedia") is True:
        media = obj(payload.get("media"))
        mime = non_empty(media.get("mimetype"))
        fields["type"] = kind_for_mime(mime, voice_if_ogg=True)
        fields["media"] = MediaDescriptor(
            url=non_empty(media.get("url")),
            mime_type=mime,
            filename=non_empty(media.get("filename")),
        )
        if media.get("error") or not media.get("url"):
            # WAHA skipped or failed the download; the message is kept, without file.
            extra["media_error"] = media.get("error") or "not downloaded by WAHA"
    elif (lat := opt_float(location.get("latitude"))) is not None and (
        lon := opt_float(location.get("longitude"))
    ) is not None:
        fields = {
            "type": MessageType.location,
            "text": opt_str(location.get("description")),
            "location": Location(
                latitude=lat,
                longitude=lon,
                name=non_empty(location.get("name")),
                address=non_empty(location.get("address")),
                url=non_empty(location.get("url")),
            ),
        }
    elif cards:
        fields = {"type": MessageType.contacts, "contacts": [parse_vcard(c) for c in cards]}
    reply = obj(payload.get("replyTo"))
    return InboundMessage(
        event_id=f"message:{ids.id}",
        ordering_key=ids.chat,
        account_id=envelope.session,
        timestamp=epoch(payload.get("timestamp")) or envelope.timestamp,
        provider_message_id=ids.id,
        chat_id=ids.chat,
        sender=sender,
        group=group,
        reply_to=_quoted_id(ids, reply, envelope),
        from_me=ids.from_me,
        echo_source=non_empty(payload.get("source")) if ids.from_me else None,
        extra=extra,
        **fields,
    )


def _ack(envelope: _Envelope, payload: dict[str, Any]) -> StatusUpdate | None:
    ids = _Ids(payload)
    ack = opt_int(payload.get("ack"))
    if ack is None:
        ack = _ACK_NAMES.get(non_empty(payload.get("ackName")) or "")
    status = _ACKS.get(ack) if ack is not None else None
    # Receipts of the customer's messages (our own reads) are not a status of ours.
    if ids.id is None or ids.chat is None or status is None or not ids.from_me:
        return None
    return StatusUpdate(
        event_id=f"status:{ids.id}:{ack}",
        ordering_key=ids.chat,
        account_id=envelope.session,
        timestamp=envelope.timestamp,
        provider_message_id=ids.id,
        status=status,
        recipient=ids.chat,
        error_code="ack:-1" if status is MessageStatus.failed else None,
        error_message="WhatsApp reported an error for this message"
        if status is MessageStatus.failed
        else None,
    )


def _revoked(envelope: _Envelope, payload: dict[str, Any]) -> MessageRevoked | None:
    after = obj(payload.get("after")) or obj(payload.get("before"))
    ids = _Ids(after)
    target = ids.full(non_empty(payload.get("revokedMessageId")))
    sender, _ = _parties(ids, after)
    if target is None or ids.chat is None:
        return None
    return MessageRevoked(
        event_id=f"revoked:{target}",
        ordering_key=ids.chat,
        account_id=envelope.session,
        timestamp=_time(after, envelope),
        chat_id=ids.chat,
        target_message_id=target,
        sender=sender,
        from_me=ids.from_me,
    )


def _edited(envelope: _Envelope, payload: dict[str, Any]) -> MessageEdited | None:
    ids = _Ids(payload)
    target = ids.full(non_empty(payload.get("editedMessageId")))
    sender, _ = _parties(ids, payload)
    if target is None or ids.chat is None:
        return None
    return MessageEdited(
        event_id=f"edited:{ids.id or target + ':' + digest(payload)}",
        ordering_key=ids.chat,
        account_id=envelope.session,
        timestamp=_time(payload, envelope),
        chat_id=ids.chat,
        target_message_id=target,
        text=opt_str(payload.get("body")),
        sender=sender,
        from_me=ids.from_me,
    )


def _session_status(
    envelope: _Envelope, body: dict[str, Any], payload: dict[str, Any]
) -> ConnectionStateChanged | None:
    state = non_empty(payload.get("status"))
    if state is None or state not in SESSION_STATUSES:
        return None
    history = objs(payload.get("statuses"))
    # The last history entry's time is stable across redeliveries of this change.
    changed_at = opt_int(history[-1].get("timestamp")) if history else None
    key = str(changed_at) if changed_at else envelope.id or digest(body)
    status = SESSION_STATUSES[state]
    return ConnectionStateChanged(
        event_id=f"session:{state}:{key}",
        ordering_key=CONNECTION_ORDERING_KEY,
        account_id=envelope.session,
        timestamp=epoch(changed_at, millis=True) or envelope.timestamp,
        status=status,
        provider_state=state,
        reason=_reason(state, payload),
        phone=envelope.me_phone if status is ConnectionStatus.connected else None,
    )


def _reason(state: str, payload: dict[str, Any]) -> str | None:
    if state.startswith("PASSKEY"):
        return "WhatsApp asks to confirm the pairing with a passkey on the phone"
    if state == "FAILED":
        return opt_str(obj(payload.get("data")).get("error")) or "the WAHA session failed"
    return None


def _time(payload: dict[str, Any], envelope: _Envelope) -> datetime:
    return epoch(payload.get("timestamp")) or envelope.timestamp
