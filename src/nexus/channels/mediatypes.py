"""MIME type ↔ message kind, for providers that describe media only by MIME type."""

from __future__ import annotations

import mimetypes

from nexus.channels.errors import InvalidRequest
from nexus.channels.outbound import MediaSource
from nexus.models.message import MessageType


def base_mime(mime_type: str) -> str:
    return mime_type.split(";", 1)[0].strip().lower()


def kind_for_mime(mime_type: str | None, *, voice_if_ogg: bool = False) -> MessageType:
    """The message kind a file of this type is shown as. Voice notes are ogg/opus; a
    gateway that does not flag them (WAHA) is trusted on that convention."""
    base = base_mime(mime_type or "")
    if base == "image/webp":
        return MessageType.sticker
    if base.startswith("image/"):
        return MessageType.image
    if base.startswith("video/"):
        return MessageType.video
    if base.startswith("audio/"):
        return MessageType.voice if voice_if_ogg and base == "audio/ogg" else MessageType.audio
    return MessageType.document


def mime_of(media: MediaSource) -> str:
    """The MIME type a gateway needs with a file; guessed from a link's name if absent."""
    if media.mime_type:
        return media.mime_type
    guessed, _ = mimetypes.guess_type(getattr(media, "url", None) or media.filename or "")
    if guessed is None:
        raise InvalidRequest("the media's MIME type is unknown")
    return guessed
