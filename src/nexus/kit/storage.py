"""Media files: inbound downloads and agents' uploads, under ``NEXUS_DATA_DIR/media``.

Keys are ``<company id>/<message id>/<safe file name>``, so one company's files can only be
reached through its own messages (the API checks the message first, then streams the file).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", (name or "").strip())[:120].strip("._")
    return cleaned or fallback


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def key_for(self, company_id: uuid.UUID, message_id: uuid.UUID, filename: str) -> str:
        return f"{company_id}/{message_id}/{safe_filename(filename, 'file')}"

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the media folder")
        return path

    async def save(self, key: str, data: bytes) -> None:
        path = self.path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)  # readers never see half a file

        await asyncio.to_thread(write)

    async def load(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)
