"""Values passed to and returned by an adapter's send, media and session methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from nexus.models.connection import ConnectionStatus


@dataclass(frozen=True)
class MediaBytes:
    """A file we upload (the provider stores it)."""

    data: bytes
    mime_type: str
    filename: str | None = None


@dataclass(frozen=True)
class MediaLink:
    """A public URL the provider downloads itself."""

    url: str
    mime_type: str | None = None
    filename: str | None = None


MediaSource = MediaBytes | MediaLink


@dataclass(frozen=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListSection:
    title: str | None
    rows: Sequence[ListRow]


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # The provider's canonical id of the recipient when it returns one (Cloud API wa_id,
    # which differs from the input for some Brazilian numbers).
    recipient_id: str | None = None


@dataclass(frozen=True)
class DownloadedMedia:
    data: bytes
    mime_type: str
    filename: str | None = None


@dataclass(frozen=True)
class SessionState:
    status: ConnectionStatus
    provider_state: str
    reason: str | None = None
    phone: str | None = None  # E.164 of the connected number


@dataclass(frozen=True)
class Template:
    """An approved message template of the provider account (Cloud API), as an agent fills
    it in: the body's variables are ``body_parameters``, in the order they are sent."""

    name: str
    language: str
    body: str
    category: str | None = None
    header: str | None = None
    footer: str | None = None
    body_parameters: tuple[str, ...] = ()
    # Named variables ({{customer}}) are sent with their names, positional ones ({{1}}) in order.
    named_parameters: bool = False
    # "text", or the media each send supplies; None without a header, or with one of a
    # format Nexus does not know (then ``supported`` is False).
    header_format: HeaderFormat | None = None
    header_parameters: tuple[str, ...] = ()  # the text header's variables
    buttons: tuple[TemplateButton, ...] = ()  # those that take a value at each send
    # False when a part needs what an agent cannot give here (a location header, a
    # one-time password, a button kind Nexus does not know).
    supported: bool = True


HeaderFormat = Literal["text", "image", "video", "document", "location"]


@dataclass(frozen=True)
class TemplateButton:
    """A template button that takes a value at each send: a URL button whose link ends in a
    variable ("url"), or a coupon code the customer copies ("copy_code")."""

    index: int  # its position among all the template's buttons, as a send names it
    kind: Literal["url", "copy_code"]
    text: str
    url: str | None = None


@dataclass(frozen=True)
class QrCode:
    qr: str | None = None
    image_data_url: str | None = None
    pairing_code: str | None = None


def interactive_as_text(
    body: str,
    options: Sequence[tuple[str, str | None]],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> str:
    """Buttons or list rows as a numbered menu, for channels without interactive messages.

    The customer answers with the number or the title, as in the greeting menu (R1).
    """
    lines: list[str] = []
    if header:
        lines += [f"*{header}*", ""]
    lines.append(body)
    lines.append("")
    for number, (title, description) in enumerate(options, start=1):
        lines.append(f"{number}. {title}" + (f" — {description}" if description else ""))
    if footer:
        lines += ["", footer]
    return "\n".join(lines)
