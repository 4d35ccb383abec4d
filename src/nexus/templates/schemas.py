from __future__ import annotations

from pydantic import BaseModel, Field


class TemplateRead(BaseModel):
    """An approved template of a Cloud API number, as the agent fills it in (K4, M7)."""

    name: str
    language: str = Field(examples=["pt_BR"])
    category: str | None
    header: str | None
    body: str = Field(examples=["Olá {{1}}, o pedido {{2}} saiu para entrega."])
    footer: str | None
    # The body's variables in the order they are sent: "1", "2"… or names.
    parameters: list[str]
    # Named variables are sent with "parameter_name", positional ones by their order.
    named_parameters: bool
    # False when the header (media, a variable) or a button needs a value too: only body
    # variables can be filled in here.
    supported: bool
