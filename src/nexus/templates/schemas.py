from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nexus.channels.outbound import HeaderFormat


class TemplateButtonRead(BaseModel):
    """A button that takes a value at each send."""

    # Its position among all the template's buttons: the send's "index".
    index: int
    # "url": the value completes the link (``url`` shows where); "copy_code": the coupon code
    # the customer copies.
    type: Literal["url", "copy_code"]
    text: str
    url: str | None = Field(default=None, examples=["https://loja.example/pedido/{{1}}"])


class TemplateRead(BaseModel):
    """An approved template of a Cloud API number, as the agent fills it in (K4, M7)."""

    name: str
    language: str = Field(examples=["pt_BR"])
    category: str | None
    # "text" (``header`` holds it), or the media each send links to: "image", "video",
    # "document". "location" (and a format Nexus does not know, shown as null) makes the
    # template unsupported.
    header_format: HeaderFormat | None = Field(examples=["document"])
    header: str | None
    # The text header's variables (WhatsApp allows one), sent like the body's.
    header_parameters: list[str]
    body: str = Field(examples=["Olá {{1}}, o pedido {{2}} saiu para entrega."])
    footer: str | None
    # The body's variables in the order they are sent: "1", "2"… or names.
    parameters: list[str]
    # Named variables are sent with "parameter_name", positional ones by their order.
    named_parameters: bool
    buttons: list[TemplateButtonRead]
    # False when a part needs what cannot be given here: a location header, a one-time
    # password, a product list or a flow.
    supported: bool
