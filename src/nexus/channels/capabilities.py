"""What a channel can do, so callers choose before sending instead of failing after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nexus.models.message import MessageType

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaLimit:
    max_bytes: int
    # Base MIME types accepted (parameters such as "; codecs=opus" are ignored); None: any.
    mime_types: frozenset[str] | None = None

    def accepts(self, mime_type: str) -> bool:
        base = mime_type.split(";", 1)[0].strip().lower()
        return self.mime_types is None or base in self.mime_types


@dataclass(frozen=True)
class Capabilities:
    # False: the adapter sends buttons/lists as numbered text; the answer comes back as text.
    interactive_buttons: bool
    interactive_list: bool
    max_buttons: int
    typing: bool
    read_receipts: bool
    templates: bool
    reactions: bool
    # QR / session control through a gateway (WAHA, Evolution).
    sessions: bool
    max_text_length: int
    max_caption_length: int
    media: Mapping[MessageType, MediaLimit] = field(default_factory=dict)

    def media_limit(self, kind: MessageType) -> MediaLimit | None:
        return self.media.get(kind)
