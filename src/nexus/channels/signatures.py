"""Webhook authentication primitives: HMACs over the raw bytes and shared-secret headers.

Always over the exact bytes received (re-serialised JSON changes escaping and breaks the
HMAC) and always compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from nexus.channels.errors import InvalidSignature, MissingSignature


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works on a plain dict as well as on Starlette headers."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def hmac_hex(key: str, body: bytes, algorithm: str) -> str:
    return hmac.new(key.encode(), body, getattr(hashlib, algorithm)).hexdigest()


def require_hmac(
    headers: Mapping[str, str],
    name: str,
    *,
    key: str,
    body: bytes,
    algorithm: str,
    prefix: str = "",
) -> None:
    received = header(headers, name)
    if not received:
        raise MissingSignature(f"missing {name} header")
    if prefix:
        if not received.startswith(prefix):
            raise InvalidSignature(f"{name} does not start with {prefix!r}")
        received = received[len(prefix) :]
    expected = hmac_hex(key, body, algorithm)
    if not hmac.compare_digest(expected.encode(), received.strip().lower().encode()):
        raise InvalidSignature(f"{name} does not match the body")


def require_token(headers: Mapping[str, str], name: str, *, expected: str) -> None:
    received = header(headers, name)
    if not received:
        raise MissingSignature(f"missing {name} header")
    if not hmac.compare_digest(expected.encode(), received.encode()):
        raise InvalidSignature(f"{name} is wrong")
