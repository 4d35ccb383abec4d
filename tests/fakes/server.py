"""The part every fake provider shares: a real HTTP server on 127.0.0.1, a record of what
it received, and injectable faults (rate limit, provider error, 5xx, dropped connection,
slow answer)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass(frozen=True)
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


RECORDED = web.RequestKey("recorded", Recorded)


@dataclass(frozen=True)
class Fault:
    """What the fake does instead of answering normally.

    ``kind``: ``"error"`` answers ``status`` with the provider's error body for ``code``;
    ``"drop"`` reads the request, then closes the connection without answering;
    ``"delay"`` waits ``seconds`` before answering normally (client timeouts).
    ``path`` limits the fault to requests whose path contains it.
    """

    kind: str
    status: int = 500
    code: int | str | None = None
    message: str = "fault injected by the fake"
    retry_after: float | None = None
    seconds: float = 0.0
    path: str | None = None


class FakeProvider:
    """Subclasses add routes in ``routes`` and describe errors in ``error_response``."""

    name = "fake"

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.app = web.Application(middlewares=[self._middleware], client_max_size=200 * 2**20)
        self.routes(self.app.router)

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        self._closing.set()  # ends "delay" faults still waiting
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests use --------------------------------------------------------------

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    def drop_next(self, *, path: str | None = None) -> None:
        self.fail_next(Fault("drop", path=path))

    def delay_next(self, seconds: float, *, path: str | None = None) -> None:
        self.fail_next(Fault("delay", seconds=seconds, path=path))

    def server_error_next(self, status: int = 500, *, path: str | None = None) -> None:
        self.fail_next(Fault("error", status=status, path=path))

    def received(self, path_part: str) -> list[Recorded]:
        return [r for r in self.requests if path_part in r.path]

    def last(self, path_part: str) -> Recorded:
        found = self.received(path_part)
        assert found, f"{self.name} received nothing at {path_part}; got {self.paths()}"
        return found[-1]

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    # --- for subclasses --------------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    def authorized(self, request: web.Request) -> bool:
        return True

    def unauthorized(self) -> web.Response:
        return web.json_response({"message": "Unauthorized"}, status=401)

    def error_response(self, fault: Fault) -> web.Response:
        return web.json_response({"error": fault.message}, status=fault.status)

    @staticmethod
    def recorded(request: web.Request) -> Recorded:
        return request[RECORDED]

    # --- machinery -------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        record = await _record(request)
        request[RECORDED] = record
        self.requests.append(record)
        if not self.authorized(request):
            return self.unauthorized()
        fault = self._take_fault(request.path)
        if fault is not None and fault.kind == "drop":
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(0)
            return web.Response(status=500)  # never reaches the client
        if fault is not None and fault.kind == "delay":
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=fault.seconds)
            except TimeoutError:
                pass
        elif fault is not None:
            return self.error_response(fault)
        response: web.StreamResponse = await handler(request)
        return response

    def _take_fault(self, path: str) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if fault.path is None or fault.path in path:
                del self._faults[index]
                return fault
        return None


async def _record(request: web.Request) -> Recorded:
    body = await request.read()
    record = Recorded(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )
    content_type = request.content_type
    if content_type == "application/json" and body:
        record.json = json.loads(body)
    elif content_type == "application/x-www-form-urlencoded":
        record.form = dict(parse_qsl(body.decode()))
    elif content_type == "multipart/form-data":
        # The stream is consumed by read(); parse the recorded bytes with the stdlib.
        header = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(header + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            data = part.get_payload(decode=True)
            data = data if isinstance(data, bytes) else b""
            if part.get_filename() is not None:
                record.files[name] = UploadedFile(
                    part.get_filename(), part.get_content_type(), data
                )
            else:
                record.form[name] = data.decode()
    return record
