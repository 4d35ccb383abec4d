"""A connection's provider secrets, encrypted at rest and bound to the connection they belong
to (the associated data), so a ciphertext copied onto another row does not decrypt."""

from __future__ import annotations

import json

from nexus.kit.crypto import SecretBox
from nexus.models import Connection


def _associated_data(connection: Connection) -> str:
    return f"{connection.company_id}:connections.secrets:{connection.id}"


def secrets_of(box: SecretBox, connection: Connection) -> dict[str, str]:
    if not connection.secrets_encrypted:
        return {}
    plain = box.decrypt(connection.secrets_encrypted, associated_data=_associated_data(connection))
    value: dict[str, str] = json.loads(plain)
    return value


def store_secrets(box: SecretBox, connection: Connection, values: dict[str, str]) -> None:
    connection.secrets_encrypted = (
        box.encrypt(json.dumps(values), associated_data=_associated_data(connection))
        if values
        else None
    )
