"""Reading the Cloud API's message templates (``GET /{waba-id}/message_templates``).

A template is components: an optional HEADER (text, possibly with a variable, or an image,
video, document or location that each send supplies), the BODY text with ``{{1}}``-style
(positional) or ``{{name}}``-style (named) variables, an optional FOOTER and BUTTONS (a URL
ending in a variable, a copy-code or one-time password button take a value at each send).
"""

from __future__ import annotations

import re
from typing import Any

from nexus.channels.outbound import HeaderFormat, Template, TemplateButton
from nexus.channels.payload import non_empty, obj, objs

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# The header formats of Meta's list, as Nexus names them.
_HEADER_FORMATS: dict[str, HeaderFormat] = {
    "TEXT": "text",
    "IMAGE": "image",
    "VIDEO": "video",
    "DOCUMENT": "document",
    "LOCATION": "location",
}
# Buttons that need nothing at a send. A URL button needs a value only when its link ends
# in a variable; a copy-code button needs its code. Any other kind (a one-time password, a
# product list, a flow) takes what an agent cannot give here.
_STATIC_BUTTONS = frozenset({"QUICK_REPLY", "PHONE_NUMBER", "VOICE_CALL"})


def variables(text: str) -> list[str]:
    """The distinct variables of ``text``, in order of first appearance."""
    return list(dict.fromkeys(_VARIABLE.findall(text)))


def parse_template(item: Any) -> Template | None:
    """One entry of the list, or ``None`` for one that is not approved or has no body."""
    entry = obj(item)
    name = non_empty(entry.get("name"))
    language = non_empty(entry.get("language"))
    if not name or not language or entry.get("status", "APPROVED") != "APPROVED":
        return None
    components = {
        str(component.get("type", "")).upper(): component
        for component in objs(entry.get("components"))
    }
    body = non_empty(components.get("BODY", {}).get("text"))
    if body is None:
        return None
    header = components.get("HEADER", {})
    header_format = _HEADER_FORMATS.get(str(header.get("format", "TEXT")).upper())
    header_text = non_empty(header.get("text")) if header_format == "text" else None
    header_parameters = variables(header_text or "")
    parameters = variables(body)
    named = entry.get("parameter_format") == "NAMED" or any(
        not variable.isdigit() for variable in parameters + header_parameters
    )
    if not named:
        parameters.sort(key=int)
    buttons: list[TemplateButton] = []
    # A location header needs coordinates an agent does not give here, and a header of a
    # format Nexus does not know cannot be filled in.
    supported = not header or header_format not in (None, "location")
    for index, button in enumerate(objs(components.get("BUTTONS", {}).get("buttons"))):
        kind = str(button.get("type", "")).upper()
        text = str(button.get("text", ""))
        url = str(button.get("url", ""))
        if kind == "URL" and variables(url):
            buttons.append(TemplateButton(index=index, kind="url", text=text, url=url))
        elif kind == "COPY_CODE":
            buttons.append(TemplateButton(index=index, kind="copy_code", text=text))
        elif kind != "URL" and kind not in _STATIC_BUTTONS:
            supported = False
    return Template(
        name=name,
        language=language,
        body=body,
        category=non_empty(entry.get("category")),
        header=header_text,
        footer=non_empty(components.get("FOOTER", {}).get("text")),
        body_parameters=tuple(parameters),
        named_parameters=named,
        header_format=header_format,
        header_parameters=tuple(header_parameters),
        buttons=tuple(buttons),
        supported=supported,
    )
