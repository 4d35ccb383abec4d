"""ASGI plumbing shared by every route: request ids, access logs, metrics, security headers,
body-size limits, per-IP rate limits and the request's database session."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nexus.kit.db import commit, rollback
from nexus.kit.errors import NexusError, PayloadTooLarge, error_response
from nexus.kit.metrics import HTTP_LATENCY, HTTP_REQUESTS

if TYPE_CHECKING:
    from nexus.kit.ratelimit import RateLimiter

log = structlog.get_logger("nexus.http")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(self), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    b"style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' ws: wss:; "
    b"frame-ancestors 'none'"
)
# Routes that are not the user-facing API: providers' webhooks are authenticated by their
# signatures and must never be throttled (a 429 makes providers back off and drop events).
RATE_LIMIT_EXEMPT_PREFIXES = ("/webhooks/", "/health", "/ready", "/metrics")


@dataclass(frozen=True)
class DirectRoute:
    """A route answered right here, before the framework's routing, dependency solving and
    response validation: for an operation that must stay cheap under load (providers'
    webhooks). It still gets everything else below: request id, headers, limits, errors in
    the one shape, metrics and the access log. ``template`` names it like a routed path
    (``/webhooks/{channel}/{key}``); its parameters are the segments after the prefix."""

    method: str
    template: str
    app: ASGIApp
    # Read off the template once: every request is matched against them.
    prefix: str = field(init=False)
    slashes: int = field(init=False)

    def __post_init__(self) -> None:
        prefix = self.template.split("{", 1)[0]
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "slashes", self.template.count("/", len(prefix)))

    def matches(self, method: str, path: str) -> bool:
        return (
            method == self.method
            and path.startswith(self.prefix)
            and path.count("/", len(self.prefix)) == self.slashes
        )


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RequestContextMiddleware:
    """Outermost HTTP middleware; one pass per request, no per-request task spawning."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rate_limiter: RateLimiter,
        ip_limit: str,
        max_body_bytes: int,
        max_upload_bytes: int,
        hsts: bool,
        direct_routes: Sequence[DirectRoute] = (),
    ) -> None:
        self.app = app
        self.direct_routes = direct_routes
        self.rate_limiter = rate_limiter
        self.ip_limit = ip_limit
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        method: str = scope["method"]
        started = time.perf_counter()
        status_holder = [500]
        direct = next((route for route in self.direct_routes if route.matches(method, path)), None)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                response_headers = list(message.get("headers", []))
                response_headers.append((b"x-request-id", request_id.encode()))
                response_headers.extend(SECURITY_HEADERS)
                if not path.startswith("/docs"):
                    response_headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY))
                if self.hsts:
                    response_headers.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                message["headers"] = response_headers
            await send(message)

        try:
            if path.startswith("/api/") and not path.startswith(RATE_LIMIT_EXEMPT_PREFIXES):
                await self.rate_limiter.check_or_raise(self.ip_limit, "ip", client_ip(scope))
            limit = self._body_limit(path, headers)
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise PayloadTooLarge(details={"max_bytes": limit})
            app = self.app if direct is None else direct.app
            await app(scope, _limited_receive(receive, limit), send_wrapper)
        except NexusError as exc:
            response = error_response(
                exc.status_code, exc.code, exc.message, exc.details, exc.headers
            )
            await response(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            template = (
                direct.template
                if direct is not None
                else getattr(scope.get("route"), "path", None)
                or ("static" if method == "GET" else "unmatched")
            )
            HTTP_REQUESTS.labels(method, template, str(status_holder[0])).inc()
            HTTP_LATENCY.labels(method, template).observe(elapsed)
            if not path.startswith(("/health", "/metrics", "/assets/")):
                log.info(
                    "request",
                    method=method,
                    path=path,
                    status=status_holder[0],
                    duration_ms=round(elapsed * 1000, 2),
                    ip=client_ip(scope),
                )

    def _body_limit(self, path: str, headers: dict[bytes, bytes]) -> int:
        content_type = headers.get(b"content-type", b"")
        if content_type.startswith(b"multipart/form-data") or path.startswith("/webhooks/"):
            return self.max_upload_bytes
        return self.max_body_bytes


def _limited_receive(receive: Receive, limit: int) -> Receive:
    """Counts streamed (chunked) bodies too, which carry no Content-Length."""
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLarge(details={"max_bytes": limit})
        return message

    return wrapped


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session. Reads use a deferred transaction, writes an immediate one; the
    commit happens before the response is sent (dependency scope="function")."""
    database = request.app.state.database
    factory = (
        database.read_sessions if request.method in ("GET", "HEAD") else database.write_sessions
    )
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await rollback(session)
            raise
        await commit(session)


def state(request: Request) -> Any:
    return request.app.state
