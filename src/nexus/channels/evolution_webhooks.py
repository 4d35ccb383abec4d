"""Evolution API v2 webhook bodies → normalised events (providers.md §3.4).

Body: ``{event, instance, data, destination, date_time, sender, server_url, apikey}``.
Message payloads are Baileys protos as JSON, whose shape shifts between versions, so text
is read from both ``conversation`` and ``extendedTextMessage``, documents also from
``documentWithCaptionMessage``, edits from ``protocolMessage`` and ``editedMessage``.
``presence.update`` is the customer's typing, which is relayed and never stored
(``parse_evolution_typing``).
"""

from __future__ import annotations

from typing import Any

from nexus.channels import jids
from nexus.channels.errors import MalformedWebhook
from nexus.channels.events import (
    CONNECTION_ORDERING_KEY,
    ConnectionStateChanged,
    CustomerTyping,
    Event,
    InboundMessage,
    InteractiveReply,
    Location,
    MediaDescriptor,
    MessageEdited,
    MessageRevoked,
    Party,
    QrCodeUpdated,
    Reaction,
    StatusUpdate,
)
from nexus.channels.payload import (
    digest,
    epoch,
    iso,
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

_MEDIA = {
    "imageMessage": MessageType.image,
    "videoMessage": MessageType.video,
    "ptvMessage": MessageType.video,  # round video note
    "audioMessage": MessageType.audio,
    "documentMessage": MessageType.document,
    "stickerMessage": MessageType.sticker,
}
_RECEIPTS = {
    "ERROR": MessageStatus.failed,
    "SERVER_ACK": MessageStatus.sent,
    "DELIVERY_ACK": MessageStatus.delivered,
    "READ": MessageStatus.read,
    "PLAYED": MessageStatus.read,
}
_RECEIPT_NUMBERS = {
    0: "ERROR",
    1: "PENDING",
    2: "SERVER_ACK",
    3: "DELIVERY_ACK",
    4: "READ",
    5: "PLAYED",
}
_REVOKE = {"REVOKE", "0"}
_EDIT = {"MESSAGE_EDIT", "14"}
# Keys of a Baileys message that are not its content.
_NOT_CONTENT = {"messageContextInfo", "base64", "mediaUrl", "senderKeyDistributionMessage"}
# Baileys' presences: available, unavailable, composing, recording, paused.
_TYPING_PRESENCES = frozenset({"composing", "recording"})


def parse_evolution_webhook(raw_body: bytes) -> list[Event]:
    body = load_json(raw_body)
    if not isinstance(body, dict):
        raise MalformedWebhook("Evolution webhook body is not a JSON object")
    name = _event_name(body)
    context = _Context(body)
    items = body.get("data")
    data = objs(items) if isinstance(items, list) else [obj(items)]
    found: list[Event | None] = []
    for item in data:
        match name:
            case "messages.upsert":
                found.append(_upsert(context, item, echo_source=None))
            case "send.message":  # our API sends, echoed
                found.append(_upsert(context, item, echo_source="api"))
            case "messages.edited":
                found.append(_edited_event(context, item))
            case "messages.update":
                found.append(_receipt(context, item))
            case "messages.delete":
                found.append(_deleted(context, item))
            case "connection.update":
                found.append(_connection(context, item))
            case "qrcode.updated":
                found.append(_qrcode(context, item))
    return [event for event in found if event is not None]


def parse_evolution_typing(raw_body: bytes) -> list[CustomerTyping]:
    """``presence.update``, whose data is Baileys' event as it is: ``{id: <chat jid>,
    presences: {<participant jid>: {lastKnownPresence, lastSeen}}}``. Typing while anyone but
    us in the chat composes or records; any other presence (paused, available, unavailable)
    stops it."""
    body = load_json(raw_body)
    if not isinstance(body, dict) or _event_name(body) != "presence.update":
        return []
    data = obj(body.get("data"))
    chat = non_empty(data.get("id"))
    contact = jids.group(chat) or jids.person(chat)
    if contact is None:
        return []  # status@broadcast, newsletters
    own = jids.parse_jid(non_empty(body.get("sender")))
    states = [
        non_empty(obj(presence).get("lastKnownPresence"))
        for participant, presence in obj(data.get("presences")).items()
        if own is None or (who := jids.parse_jid(participant)) is None or who.user != own.user
    ]
    if not states:
        return []
    typing = any(state in _TYPING_PRESENCES for state in states)
    return [CustomerTyping(contact=contact, is_typing=typing)]


def _event_name(body: dict[str, Any]) -> str:
    # Lower-case dotted names; some setups send the UPPER_SNAKE config names.
    return (non_empty(body.get("event")) or "").lower().replace("_", ".")


class _Context:
    def __init__(self, body: dict[str, Any]) -> None:
        self.instance = non_empty(body.get("instance"))
        self.date_time = non_empty(body.get("date_time"))
        # date_time is server-local time labelled "Z" (bug-prone): only a fallback.
        self.timestamp = iso(self.date_time) or now()


def _upsert(context: _Context, data: dict[str, Any], *, echo_source: str | None) -> Event | None:
    key = obj(data.get("key"))
    message_id = non_empty(key.get("id"))
    chat = non_empty(key.get("remoteJid"))
    from_me = key.get("fromMe") is True
    if message_id is None or chat is None:
        return None
    group = jids.group(chat)
    push_name = None if from_me else non_empty(data.get("pushName"))
    sender: Party | None
    if from_me:
        sender = group or jids.person(chat, alt=non_empty(key.get("remoteJidAlt")))
    elif group is not None:
        sender = jids.person(
            non_empty(key.get("participant")),
            alt=non_empty(key.get("participantAlt")),
            name=push_name,
        )
    else:
        sender = jids.person(chat, alt=non_empty(key.get("remoteJidAlt")), name=push_name)
    if sender is None:
        return None  # status@broadcast, newsletters
    timestamp = epoch(data.get("messageTimestamp")) or context.timestamp
    common: dict[str, Any] = {
        "ordering_key": chat,
        "account_id": context.instance,
        "timestamp": timestamp,
        "chat_id": chat,
    }
    message = _unwrap(obj(data.get("message")))
    content_key = _content_key(data, message)
    content = obj(message.get(content_key)) if content_key else {}
    if content_key == "protocolMessage" or content_key == "editedMessage":
        return _protocol(content_key, content, sender, from_me, message_id, common)
    fields = _content(content_key, content, message, message_id)
    info = obj(data.get("contextInfo")) or obj(content.get("contextInfo"))
    extra: dict[str, Any] = fields.pop("extra", {})
    if source := non_empty(data.get("source")):
        extra["device"] = source
    return InboundMessage(
        event_id=f"message:{message_id}",
        provider_message_id=message_id,
        sender=sender,
        group=group,
        reply_to=non_empty(info.get("stanzaId")),
        forwarded=info.get("isForwarded") is True,
        from_me=from_me,
        echo_source=echo_source or ("app" if from_me else None),
        extra=extra,
        **fields,
        **common,
    )


def _unwrap(message: dict[str, Any]) -> dict[str, Any]:
    # Baileys wraps some content one level deeper.
    for wrapper in ("ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2"):
        inner = obj(obj(message.get(wrapper)).get("message"))
        if inner:
            return inner
    document = obj(obj(message.get("documentWithCaptionMessage")).get("message"))
    return document or message


def _content_key(data: dict[str, Any], message: dict[str, Any]) -> str | None:
    declared = non_empty(data.get("messageType"))
    if declared and declared in message:
        return declared
    return next((key for key in message if key not in _NOT_CONTENT), None)


def _content(
    key: str | None, content: dict[str, Any], message: dict[str, Any], message_id: str
) -> dict[str, Any]:
    if key == "conversation":
        return {"type": MessageType.text, "text": opt_str(message.get("conversation"))}
    if key == "extendedTextMessage":
        return {"type": MessageType.text, "text": opt_str(content.get("text"))}
    if key in _MEDIA:
        kind = _MEDIA[key]
        if key == "audioMessage" and content.get("ptt") is True:
            kind = MessageType.voice
        return {
            "type": kind,
            "text": opt_str(content.get("caption")),
            # Evolution fetches and decrypts the file by message id; the url is encrypted.
            "media": MediaDescriptor(
                provider_media_id=message_id,
                url=non_empty(message.get("mediaUrl")),
                mime_type=non_empty(content.get("mimetype")),
                filename=non_empty(content.get("fileName")),
                size=opt_int(content.get("fileLength")),
                sha256=opt_str(content.get("fileSha256")),
            ),
        }
    if key in ("locationMessage", "liveLocationMessage"):
        lat = opt_float(content.get("degreesLatitude"))
        lon = opt_float(content.get("degreesLongitude"))
        if lat is not None and lon is not None:
            return {
                "type": MessageType.location,
                "location": Location(
                    latitude=lat,
                    longitude=lon,
                    name=non_empty(content.get("name")),
                    address=non_empty(content.get("address")),
                    url=non_empty(content.get("url")),
                ),
            }
    if key in ("contactMessage", "contactsArrayMessage"):
        cards = [content] if key == "contactMessage" else objs(content.get("contacts"))
        return {
            "type": MessageType.contacts,
            "contacts": [
                parse_vcard(
                    opt_str(c.get("vcard")) or "", display_name=non_empty(c.get("displayName"))
                )
                for c in cards
            ],
        }
    if key == "reactionMessage":
        target = non_empty(obj(content.get("key")).get("id"))
        if target:
            emoji = opt_str(content.get("text")) or ""
            return {
                "type": MessageType.reaction,
                "text": emoji or None,
                "reaction": Reaction(target_message_id=target, emoji=emoji),
            }
    if reply := _interactive_reply(key, content):
        return {"type": MessageType.interactive, "text": reply.title, "interactive_reply": reply}
    return {"type": MessageType.unsupported, "extra": {"provider_type": key}}


def _interactive_reply(key: str | None, content: dict[str, Any]) -> InteractiveReply | None:
    if key == "listResponseMessage":
        row = non_empty(obj(content.get("singleSelectReply")).get("selectedRowId"))
        return InteractiveReply(id=row, title=opt_str(content.get("title"))) if row else None
    if key == "buttonsResponseMessage":
        button = non_empty(content.get("selectedButtonId"))
        title = opt_str(content.get("selectedDisplayText"))
        return InteractiveReply(id=button, title=title) if button else None
    if key == "templateButtonReplyMessage":
        button = non_empty(content.get("selectedId"))
        title = opt_str(content.get("selectedDisplayText"))
        return InteractiveReply(id=button, title=title) if button else None
    return None


def _protocol(
    key: str,
    content: dict[str, Any],
    sender: Party,
    from_me: bool,
    message_id: str,
    common: dict[str, Any],
) -> Event | None:
    protocol = (
        obj(obj(content.get("message")).get("protocolMessage"))
        if key == "editedMessage"
        else content
    )
    kind = opt_str(protocol.get("type")) or ""
    target = non_empty(obj(protocol.get("key")).get("id"))
    if target is None:
        return None
    if kind in _REVOKE:
        return MessageRevoked(
            event_id=f"revoked:{target}",
            target_message_id=target,
            sender=sender,
            from_me=from_me,
            **common,
        )
    if kind in _EDIT or key == "editedMessage":
        edited = obj(protocol.get("editedMessage"))
        text = opt_str(edited.get("conversation")) or opt_str(
            obj(edited.get("extendedTextMessage")).get("text")
        )
        return MessageEdited(
            event_id=f"edited:{message_id}",
            target_message_id=target,
            text=text,
            sender=sender,
            from_me=from_me,
            **common,
        )
    return None  # other protocol messages (history sync, ephemeral settings…)


def _edited_event(context: _Context, data: dict[str, Any]) -> Event | None:
    event = _upsert(context, data, echo_source=None)
    if isinstance(event, MessageEdited):
        return event
    if isinstance(event, InboundMessage):
        # A plain message under messages.edited: the new content of that message id.
        return MessageEdited(
            event_id=f"edited:{event.provider_message_id}:{digest(data)}",
            ordering_key=event.ordering_key,
            account_id=event.account_id,
            timestamp=event.timestamp,
            chat_id=event.chat_id,
            target_message_id=event.provider_message_id,
            text=event.text,
            sender=event.sender,
            from_me=event.from_me,
        )
    return None


def _receipt(context: _Context, data: dict[str, Any]) -> StatusUpdate | None:
    key = obj(data.get("key"))
    message_id = non_empty(data.get("keyId")) or non_empty(key.get("id"))
    chat = non_empty(data.get("remoteJid")) or non_empty(key.get("remoteJid"))
    from_me = data.get("fromMe") is True or key.get("fromMe") is True
    raw = data.get("status")
    name = _RECEIPT_NUMBERS.get(raw, "") if isinstance(raw, int) else (opt_str(raw) or "")
    status = _RECEIPTS.get(name)
    if message_id is None or chat is None or status is None or not from_me:
        return None
    return StatusUpdate(
        event_id=f"status:{message_id}:{name}",
        ordering_key=chat,
        account_id=context.instance,
        timestamp=context.timestamp,
        provider_message_id=message_id,
        status=status,
        recipient=chat,
        error_code="ERROR" if status is MessageStatus.failed else None,
        error_message="WhatsApp reported an error for this message"
        if status is MessageStatus.failed
        else None,
    )


def _deleted(context: _Context, data: dict[str, Any]) -> MessageRevoked | None:
    key = obj(data.get("key")) or data
    target = non_empty(key.get("id"))
    chat = non_empty(key.get("remoteJid"))
    if target is None or chat is None:
        return None
    from_me = key.get("fromMe") is True
    return MessageRevoked(
        event_id=f"revoked:{target}",
        ordering_key=chat,
        account_id=context.instance,
        timestamp=context.timestamp,
        chat_id=chat,
        target_message_id=target,
        sender=jids.group(chat) or jids.person(chat),
        from_me=from_me,
    )


def _connection(context: _Context, data: dict[str, Any]) -> ConnectionStateChanged | None:
    state = non_empty(data.get("state"))
    if state is None:
        return None
    reason_code = opt_int(data.get("statusReason"))
    status, reason = connection_status(state, reason_code)
    return ConnectionStateChanged(
        # Same content and time → a redelivery; a reconnect loop's events all differ in time.
        event_id=f"connection:{state}:{digest([data, context.date_time])}",
        ordering_key=CONNECTION_ORDERING_KEY,
        account_id=context.instance,
        timestamp=context.timestamp,
        status=status,
        provider_state=state,
        reason=reason,
        phone=to_e164(non_empty(data.get("wuid")))
        if status is ConnectionStatus.connected
        else None,
    )


def connection_status(state: str, reason_code: int | None) -> tuple[ConnectionStatus, str | None]:
    if state == "open":
        return ConnectionStatus.connected, None
    if state == "connecting":
        return ConnectionStatus.starting, None
    if state == "refused":
        return ConnectionStatus.failed, "WhatsApp refused the connection (QR limit or ban)"
    if reason_code in (401, 403):
        # Logged out from the phone, or forbidden: only a new QR scan brings it back.
        return ConnectionStatus.failed, f"disconnected by WhatsApp ({reason_code})"
    return (
        ConnectionStatus.disconnected,
        f"connection closed ({reason_code})" if reason_code else None,
    )


def _qrcode(context: _Context, data: dict[str, Any]) -> Event | None:
    qrcode = obj(data.get("qrcode"))
    event_id = f"qr:{digest([data, context.date_time])}"
    if not qrcode and non_empty(data.get("message")):
        # "QR code limit reached, please login again"
        return ConnectionStateChanged(
            event_id=event_id,
            ordering_key=CONNECTION_ORDERING_KEY,
            account_id=context.instance,
            timestamp=context.timestamp,
            status=ConnectionStatus.failed,
            provider_state="qrcode_limit",
            reason=non_empty(data.get("message")),
        )
    code, image = non_empty(qrcode.get("code")), non_empty(qrcode.get("base64"))
    if code is None and image is None:
        return None
    return QrCodeUpdated(
        event_id=event_id,
        ordering_key=CONNECTION_ORDERING_KEY,
        account_id=context.instance,
        timestamp=context.timestamp,
        qr=code,
        image_data_url=image,
        pairing_code=non_empty(qrcode.get("pairingCode")),
    )
