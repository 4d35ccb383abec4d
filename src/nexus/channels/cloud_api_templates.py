"""Reading the Cloud API's message templates (``GET /{waba-id}/message_templates``).

A template is components: an optional HEADER (text, or media/location that each send must
supply), the BODY text with ``{{1}}``-style (positional) or ``{{name}}``-style (named)
variables, an optional FOOTER and BUTTONS (a URL with a variable, a copy-code or one-time
password button need values at each send too).
"""

from __future__ import annotations

import re
from typing import Any

from nexus.channels.outbound import Template
from nexus.channels.payload import non_empty, obj, objs

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# Buttons whose value is chosen at each send.
_BUTTONS_WITH_VALUES = frozenset({"COPY_CODE", "OTP"})


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
    header_format = str(header.get("format", "TEXT")).upper() if header else None
    header_text = non_empty(header.get("text")) if header_format == "TEXT" else None
    parameters = variables(body)
    named = entry.get("parameter_format") == "NAMED" or any(
        not variable.isdigit() for variable in parameters
    )
    if not named:
        parameters.sort(key=int)
    return Template(
        name=name,
        language=language,
        body=body,
        category=non_empty(entry.get("category")),
        header=header_text,
        footer=non_empty(components.get("FOOTER", {}).get("text")),
        body_parameters=tuple(parameters),
        named_parameters=named,
        other_parameters=(header_format not in (None, "TEXT"))
        or bool(header_text and variables(header_text))
        or any(
            _button_needs_value(button)
            for button in objs(components.get("BUTTONS", {}).get("buttons"))
        ),
    )


def _button_needs_value(button: dict[str, Any]) -> bool:
    kind = str(button.get("type", "")).upper()
    return kind in _BUTTONS_WITH_VALUES or (
        kind == "URL" and bool(variables(str(button.get("url", ""))))
    )
