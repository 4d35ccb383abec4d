"""Meta Cloud API webhook bodies → normalised events (providers.md §1.4-1.7, §1.12).

One POST can carry several entries, changes, messages and statuses; every one is read
(never index 0). Fields other than ``messages`` and ``smb_message_echoes`` are ignored.
"""

from __future__ import annotations

from typing import Any

import structlog

from nexus.channels.cloud_api_errors import WINDOW_CLOSED, describe
from nexus.channels.errors import MalformedWebhook
from nexus.channels.events import (
    CONNECTION_ORDERING_KEY,
    Event,
    InboundMessage,
    InteractiveReply,
    Location,
    MediaDescriptor,
    MessageEdited,
    MessageRevoked,
    Party,
    ProviderNotice,
    Reaction,
    SharedContact,
    SharedPhone,
    StatusUpdate,
)
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
from nexus.channels.phones import to_e164, typed_to_e164
from nexus.models.contact_identity import IdentityKind
from nexus.models.message import MessageStatus, MessageType

log = structlog.get_logger(__name__)

_MEDIA_TYPES = {
    "image": MessageType.image,
    "video": MessageType.video,
    "audio": MessageType.audio,
    "document": MessageType.document,
    "sticker": MessageType.sticker,
}
# "played" (first play of a voice note) is a read for our purposes.
_STATUSES = {
    "sent": MessageStatus.sent,
    "delivered": MessageStatus.delivered,
    "read": MessageStatus.read,
    "played": MessageStatus.read,
    "failed": MessageStatus.failed,
}


def parse_cloud_webhook(raw_body: bytes) -> list[Event]:
    body = load_json(raw_body)
    if not isinstance(body, dict):
        raise MalformedWebhook("Cloud API webhook body is not a JSON object")
    events: list[Event] = []
    for entry in objs(body.get("entry")):
        for change in objs(entry.get("changes")):
            events += _change(non_empty(change.get("field")), obj(change.get("value")))
    return events


def _change(field: str | None, value: dict[str, Any]) -> list[Event]:
    account = non_empty(obj(value.get("metadata")).get("phone_number_id"))
    profiles = {
        wa_id: contact
        for contact in objs(value.get("contacts"))
        if (wa_id := non_empty(contact.get("wa_id")))
    }
    found: list[Event | None] = []
    if field == "messages":
        found += [_message(m, profiles, account, echo=False) for m in objs(value.get("messages"))]
        found += [_status(status, account) for status in objs(value.get("statuses"))]
        found += [_notice(error, account) for error in objs(value.get("errors"))]
    elif field == "smb_message_echoes":
        # Coexistence numbers: what the business typed in the WhatsApp Business app.
        found += [
            _message(m, profiles, account, echo=True) for m in objs(value.get("message_echoes"))
        ]
    return [event for event in found if event is not None]


def _party(wa_id: str, profile: dict[str, Any], message: dict[str, Any]) -> Party:
    details = obj(profile.get("profile"))
    return Party(
        kind=IdentityKind.whatsapp_phone,
        external_id=wa_id,
        phone=to_e164(wa_id),
        name=non_empty(details.get("name")),
        username=non_empty(details.get("username")),
        business_user_id=non_empty(profile.get("user_id"))
        or non_empty(message.get("from_user_id"))
        or non_empty(message.get("to_user_id")),
    )


def _message(
    message: dict[str, Any],
    profiles: dict[str, dict[str, Any]],
    account: str | None,
    *,
    echo: bool,
) -> Event | None:
    wamid = non_empty(message.get("id"))
    # The customer is the sender of an inbound message and the recipient of an echo.
    wa_id = non_empty(message.get("to") if echo else message.get("from"))
    if wamid is None or wa_id is None:
        # A sender known only by a business-scoped user id has no IdentityKind yet.
        log.warning("cloud_api.message_without_customer", wamid=wamid, type=message.get("type"))
        return None
    party = _party(wa_id, profiles.get(wa_id, {}), message)
    timestamp = epoch(message.get("timestamp")) or now()
    common: dict[str, Any] = {
        "ordering_key": wa_id,
        "account_id": account,
        "timestamp": timestamp,
    }
    kind = non_empty(message.get("type")) or "unsupported"
    if kind == "revoke":
        target = non_empty(obj(message.get("revoke")).get("original_message_id"))
        if target:
            return MessageRevoked(
                event_id=f"revoked:{wamid}",
                chat_id=wa_id,
                target_message_id=target,
                sender=party,
                from_me=echo,
                **common,
            )
    if kind == "edit":
        edit = obj(message.get("edit"))
        target = non_empty(edit.get("original_message_id"))
        if target:
            edited = obj(edit.get("message"))
            inner = obj(edited.get(non_empty(edited.get("type")) or "text"))
            return MessageEdited(
                event_id=f"edited:{wamid}",
                chat_id=wa_id,
                target_message_id=target,
                text=opt_str(inner.get("body")) or opt_str(inner.get("caption")),
                sender=party,
                from_me=echo,
                **common,
            )
    context = obj(message.get("context"))
    fields = _content(kind, message)
    extra: dict[str, Any] = fields.pop("extra", {})
    for key in ("referral", "errors", "identity"):
        if key in message:
            extra[key] = message[key]
    return InboundMessage(
        event_id=f"message:{wamid}",
        provider_message_id=wamid,
        chat_id=wa_id,
        sender=party,
        reply_to=non_empty(context.get("id")),
        forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
        from_me=echo,
        echo_source="app" if echo else None,
        extra=extra,
        **fields,
        **common,
    )


def _content(kind: str, message: dict[str, Any]) -> dict[str, Any]:
    """The type-specific part of an InboundMessage."""
    body = obj(message.get(kind))
    if kind == "text":
        return {"type": MessageType.text, "text": opt_str(body.get("body"))}
    if kind in _MEDIA_TYPES:
        voice = kind == "audio" and body.get("voice") is True
        return {
            "type": MessageType.voice if voice else _MEDIA_TYPES[kind],
            "text": opt_str(body.get("caption")),
            "media": MediaDescriptor(
                provider_media_id=non_empty(body.get("id")),
                url=non_empty(body.get("url")),
                mime_type=non_empty(body.get("mime_type")),
                filename=non_empty(body.get("filename")),
                size=opt_int(body.get("file_size")),
                sha256=non_empty(body.get("sha256")),
            ),
        }
    if kind == "location":
        latitude, longitude = opt_float(body.get("latitude")), opt_float(body.get("longitude"))
        if latitude is not None and longitude is not None:
            return {
                "type": MessageType.location,
                "location": Location(
                    latitude=latitude,
                    longitude=longitude,
                    name=non_empty(body.get("name")),
                    address=non_empty(body.get("address")),
                    url=non_empty(body.get("url")),
                ),
            }
    if kind == "contacts":
        return {"type": MessageType.contacts, "contacts": _contacts(message.get("contacts"))}
    if kind == "reaction":
        target = non_empty(body.get("message_id"))
        if target:
            # An absent or empty emoji is the customer removing their reaction.
            emoji = opt_str(body.get("emoji")) or ""
            return {
                "type": MessageType.reaction,
                "text": emoji or None,
                "reaction": Reaction(target_message_id=target, emoji=emoji),
            }
    if kind in ("interactive", "button"):
        if reply := _interactive_reply(kind, body):
            return {
                "type": MessageType.interactive,
                "text": reply.title,
                "interactive_reply": reply,
            }
    if kind == "system":
        return {
            "type": MessageType.system,
            "text": opt_str(body.get("body")),
            "extra": {"system": body},
        }
    if kind == "order":
        return {
            "type": MessageType.unsupported,
            "text": opt_str(body.get("text")),
            "extra": {"order": body},
        }
    return {"type": MessageType.unsupported, "extra": {"provider_type": kind}}


def _interactive_reply(kind: str, body: dict[str, Any]) -> InteractiveReply | None:
    if kind == "button":  # quick-reply button of a template
        payload = non_empty(body.get("payload")) or non_empty(body.get("text"))
        return InteractiveReply(id=payload, title=opt_str(body.get("text"))) if payload else None
    sub = non_empty(body.get("type"))
    reply = obj(body.get(sub)) if sub else {}
    if sub == "nfm_reply":  # a WhatsApp Flow was completed
        return InteractiveReply(
            id=non_empty(reply.get("name")) or "flow", title=opt_str(reply.get("body"))
        )
    reply_id = non_empty(reply.get("id"))
    if reply_id is None:
        return None
    return InteractiveReply(
        id=reply_id,
        title=opt_str(reply.get("title")),
        description=opt_str(reply.get("description")),
    )


def _contacts(value: Any) -> list[SharedContact]:
    shared = []
    for card in objs(value):
        name = obj(card.get("name"))
        phones = [p for phone in objs(card.get("phones")) if (p := _shared_phone(phone))]
        emails = [e for email in objs(card.get("emails")) if (e := non_empty(email.get("email")))]
        shared.append(
            SharedContact(
                name=non_empty(name.get("formatted_name")) or non_empty(name.get("first_name")),
                phones=phones,
                emails=emails,
            )
        )
    return shared


def _shared_phone(phone: dict[str, Any]) -> SharedPhone | None:
    wa_id = non_empty(phone.get("wa_id"))
    number = non_empty(phone.get("phone")) or wa_id
    if number is None:
        return None
    # wa_id is WhatsApp's own (international) id; the typed number may be local.
    e164 = to_e164(wa_id) if wa_id else typed_to_e164(number)
    return SharedPhone(phone=number, e164=e164, wa_id=wa_id, type=non_empty(phone.get("type")))


def _status(status: dict[str, Any], account: str | None) -> StatusUpdate | None:
    wamid = non_empty(status.get("id"))
    value = _STATUSES.get(non_empty(status.get("status")) or "")
    if wamid is None or value is None:
        return None
    recipient = non_empty(status.get("recipient_id"))
    errors = objs(status.get("errors"))
    code = opt_int(errors[0].get("code")) if errors else None
    return StatusUpdate(
        event_id=f"status:{wamid}:{status.get('status')}",
        ordering_key=recipient or wamid,
        account_id=account,
        timestamp=epoch(status.get("timestamp")) or now(),
        provider_message_id=wamid,
        status=value,
        recipient=recipient,
        error_code=str(code) if code is not None else None,
        error_message=describe(errors[0]) if errors else None,
        window_closed=code == WINDOW_CLOSED,
    )


def _notice(error: dict[str, Any], account: str | None) -> ProviderNotice:
    code = opt_int(error.get("code"))
    return ProviderNotice(
        event_id=f"notice:{digest(error)}",
        ordering_key=CONNECTION_ORDERING_KEY,
        account_id=account,
        timestamp=now(),
        code=str(code) if code is not None else None,
        message=describe(error),
        details=non_empty(obj(error.get("error_data")).get("details")),
    )
