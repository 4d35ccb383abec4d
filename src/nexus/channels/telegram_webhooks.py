"""Telegram Bot API updates → normalised events (providers.md §4.2).

One update carries one event; ``update_id`` is its id. Telegram message ids are unique
only within a chat, so our provider message ids are ``"<chat id>:<message id>"``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nexus.channels.errors import MalformedWebhook
from nexus.channels.events import (
    Event,
    InboundMessage,
    InteractiveReply,
    Location,
    MediaDescriptor,
    MessageEdited,
    Party,
    SharedContact,
    SharedPhone,
)
from nexus.channels.payload import (
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
from nexus.channels.phones import to_e164, typed_to_e164
from nexus.models.contact_identity import IdentityKind
from nexus.models.message import MessageType

_GROUP_TYPES = frozenset({"group", "supergroup"})
# (update field, kind, default MIME type); photos carry no MIME type, always JPEG.
_MEDIA = (
    ("document", MessageType.document, None),
    ("voice", MessageType.voice, "audio/ogg"),
    ("audio", MessageType.audio, None),
    ("video", MessageType.video, None),
    ("video_note", MessageType.video, "video/mp4"),
    ("animation", MessageType.video, "video/mp4"),
)


def message_ref(chat_id: Any, message_id: Any) -> str | None:
    chat, message = opt_str(chat_id), opt_int(message_id)
    return f"{chat}:{message}" if chat is not None and message is not None else None


def parse_telegram_update(raw_body: bytes) -> list[Event]:
    update = load_json(raw_body)
    if not isinstance(update, dict):
        raise MalformedWebhook("Telegram update is not a JSON object")
    update_id = opt_int(update.get("update_id"))
    if update_id is None:
        raise MalformedWebhook("Telegram update without update_id")
    event_id = f"update:{update_id}"
    event: Event | None = None
    if message := obj(update.get("message")):
        event = _message(event_id, message)
    elif edited := obj(update.get("edited_message")):
        event = _edited(event_id, edited)
    elif callback := obj(update.get("callback_query")):
        event = _callback(event_id, callback)
    return [event] if event is not None else []


def _user(user: dict[str, Any]) -> Party | None:
    user_id = opt_str(user.get("id"))
    if user_id is None:
        return None
    names = [non_empty(user.get("first_name")), non_empty(user.get("last_name"))]
    return Party(
        kind=IdentityKind.telegram,
        external_id=user_id,
        name=" ".join(n for n in names if n) or None,
        username=non_empty(user.get("username")),
    )


def _group(chat: dict[str, Any]) -> Party | None:
    if chat.get("type") not in _GROUP_TYPES or opt_str(chat.get("id")) is None:
        return None
    # Group chat ids are negative, so they never collide with user ids.
    return Party(
        kind=IdentityKind.telegram,
        external_id=str(opt_str(chat.get("id"))),
        name=non_empty(chat.get("title")),
    )


def _time(message: dict[str, Any]) -> datetime:
    return epoch(message.get("date")) or now()


def _message(event_id: str, message: dict[str, Any]) -> InboundMessage | None:
    chat = obj(message.get("chat"))
    chat_id = opt_str(chat.get("id"))
    sender = _user(obj(message.get("from")))
    reference = message_ref(chat_id, message.get("message_id"))
    if chat_id is None or sender is None or reference is None:
        return None  # channel posts and service messages without an author
    reply = obj(message.get("reply_to_message"))
    extra: dict[str, Any] = {}
    if album := non_empty(message.get("media_group_id")):
        extra["media_group_id"] = album  # album items arrive as separate updates
    return InboundMessage(
        event_id=event_id,
        ordering_key=chat_id,
        timestamp=_time(message),
        provider_message_id=reference,
        chat_id=chat_id,
        sender=sender,
        group=_group(chat),
        reply_to=message_ref(chat_id, reply.get("message_id")) if reply else None,
        forwarded=bool(message.get("forward_origin") or message.get("forward_date")),
        extra=extra,
        **_content(message),
    )


def _content(message: dict[str, Any]) -> dict[str, Any]:
    caption = opt_str(message.get("caption"))
    if text := opt_str(message.get("text")):
        return {"type": MessageType.text, "text": text}
    if sizes := objs(message.get("photo")):
        # Several sizes of one photo; the last is the largest.
        return {
            "type": MessageType.image,
            "text": caption,
            "media": _media(sizes[-1], "image/jpeg"),
        }
    for field, kind, mime in _MEDIA:
        if item := obj(message.get(field)):
            return {"type": kind, "text": caption, "media": _media(item, mime)}
    if sticker := obj(message.get("sticker")):
        mime = (
            "application/x-tgsticker"
            if sticker.get("is_animated")
            else "video/webm"
            if sticker.get("is_video")
            else "image/webp"
        )
        return {
            "type": MessageType.sticker,
            "text": opt_str(sticker.get("emoji")),
            "media": _media(sticker, mime),
        }
    venue = obj(message.get("venue"))
    location = obj(venue.get("location")) or obj(message.get("location"))
    latitude, longitude = opt_float(location.get("latitude")), opt_float(location.get("longitude"))
    if latitude is not None and longitude is not None:
        return {
            "type": MessageType.location,
            "location": Location(
                latitude=latitude,
                longitude=longitude,
                name=non_empty(venue.get("title")),
                address=non_empty(venue.get("address")),
            ),
        }
    if contact := obj(message.get("contact")):
        return {"type": MessageType.contacts, "contacts": [_contact(contact)]}
    return {"type": MessageType.unsupported, "text": caption}


def _media(item: dict[str, Any], default_mime: str | None) -> MediaDescriptor:
    return MediaDescriptor(
        provider_media_id=non_empty(item.get("file_id")),
        mime_type=non_empty(item.get("mime_type")) or default_mime,
        filename=non_empty(item.get("file_name")),
        size=opt_int(item.get("file_size")),
    )


def _contact(contact: dict[str, Any]) -> SharedContact:
    phone = opt_str(contact.get("phone_number")) or ""
    names = [non_empty(contact.get("first_name")), non_empty(contact.get("last_name"))]
    # A contact that is a Telegram user was verified by Telegram: international digits.
    e164 = to_e164(phone) if contact.get("user_id") else typed_to_e164(phone)
    return SharedContact(
        name=" ".join(n for n in names if n) or None,
        phones=[SharedPhone(phone=phone, e164=e164)] if phone else [],
        vcard=non_empty(contact.get("vcard")),
    )


def _edited(event_id: str, message: dict[str, Any]) -> MessageEdited | None:
    chat_id = opt_str(obj(message.get("chat")).get("id"))
    target = message_ref(chat_id, message.get("message_id"))
    if chat_id is None or target is None:
        return None
    return MessageEdited(
        event_id=event_id,
        ordering_key=chat_id,
        timestamp=epoch(message.get("edit_date")) or _time(message),
        chat_id=chat_id,
        target_message_id=target,
        text=opt_str(message.get("text")) or opt_str(message.get("caption")),
        sender=_user(obj(message.get("from"))),
    )


def _callback(event_id: str, callback: dict[str, Any]) -> InboundMessage | None:
    """A press on one of our inline keyboard buttons: the customer's choice."""
    sender = _user(obj(callback.get("from")))
    callback_id = non_empty(callback.get("id"))
    data = non_empty(callback.get("data"))
    message = obj(callback.get("message"))
    chat = obj(message.get("chat"))
    chat_id = opt_str(chat.get("id")) or (sender.external_id if sender else None)
    if sender is None or callback_id is None or data is None or chat_id is None:
        return None
    return InboundMessage(
        event_id=event_id,
        ordering_key=chat_id,
        timestamp=now(),  # a callback query carries no date
        provider_message_id=f"callback:{callback_id}",
        chat_id=chat_id,
        sender=sender,
        group=_group(chat),
        type=MessageType.interactive,
        text=_button_text(message, data),
        reply_to=message_ref(chat_id, message.get("message_id")),
        interactive_reply=InteractiveReply(
            id=data, title=_button_text(message, data), interaction_id=callback_id
        ),
    )


def _button_text(message: dict[str, Any], data: str) -> str | None:
    keyboard = obj(message.get("reply_markup")).get("inline_keyboard")
    for row in keyboard if isinstance(keyboard, list) else []:
        for button in objs(row):
            if button.get("callback_data") == data:
                return opt_str(button.get("text"))
    return None
