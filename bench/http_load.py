"""A lean HTTP/1.1 load generator: keep-alive connections over asyncio streams.

The bench runs on the machine it measures. aiohttp's client spent ~0.45 ms of CPU per webhook
(46 % of a core at 1,000/s), CPU the server under test then lacked. Here a request is bytes
written to an idle pooled connection and its answer is a status line, headers and a
Content-Length body: a fraction of that cost, which leaves the measured server the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


class HTTPLoadError(Exception):
    """A request that got no complete HTTP answer."""


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


class ConnectionPool:
    """At most ``size`` keep-alive connections to one origin; a request waits for an idle one."""

    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._host_header = parts.netloc.encode()
        self._idle: asyncio.Queue[_Connection | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a slot whose connection is opened on first use
        self._open: set[_Connection] = set()

    async def open_all(self) -> None:
        """Open every connection now, before a clock starts: a provider in its steady state
        has its connections open, and opening hundreds at once is a moment of its own."""
        slots = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        for connection in slots:
            if connection is None:
                reader, writer = await asyncio.open_connection(self._host, self._port)
                connection = _Connection(reader, writer)
                self._open.add(connection)
            self._idle.put_nowait(connection)

    def request_bytes(self, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        """A POST as sent on the wire: built once, ahead of the clock that paces it."""
        lines = [f"POST {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        lines += [f"{name}: {value}".encode() for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}".encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a request built by ``request_bytes``; its status and body."""
        connection = await self._idle.get()
        try:
            if connection is None:
                reader, writer = await asyncio.open_connection(self._host, self._port)
                connection = _Connection(reader, writer)
                self._open.add(connection)
            connection.writer.write(request)
            status, body, keep_alive = await _read_response(connection.reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            if connection is not None:
                self._discard(connection)
            self._idle.put_nowait(None)
            raise HTTPLoadError(repr(error)) from error
        if not keep_alive:
            self._discard(connection)
            connection = None
        self._idle.put_nowait(connection)
        return status, body

    def _discard(self, connection: _Connection) -> None:
        self._open.discard(connection)
        connection.close()

    async def close(self) -> None:
        for connection in list(self._open):
            self._discard(connection)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length = 0
    keep_alive = True
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep_alive = False
        elif name == "transfer-encoding":
            raise ValueError("chunked answers are not supported by this load generator")
    body = await reader.readexactly(length) if length else b""
    return status, body, keep_alive


@contextlib.asynccontextmanager
async def connection_pool(url: str, size: int) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(url, size)
    try:
        yield pool
    finally:
        await pool.close()
