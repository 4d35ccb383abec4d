"""Provider webhooks (M4): authenticate, store in the inbox, answer 200 — in that order.

The URL's key names the connection; the provider's signature (or secret header) proves the
sender. Nothing is processed here: the events are stored in the inbox (committed together
with the other deliveries of the moment, ``inbound/intake.py``) and processed by jobs, so a
provider's retry, a slow bot or a crash never loses or duplicates a message. No user rate
limit applies (kit/web.py exempts ``/webhooks/``).

Deliveries (the POST) are answered by ``answer_delivery``, which ``kit/web.py`` calls before
the framework's routing: a provider may send a thousand a second, and routing, dependency
solving and response validation cost each of them more than storing it did. The route below
declares the same operation for the OpenAPI schema and runs the same code.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from nexus.channels.errors import MalformedWebhook, WebhookRejected
from nexus.connections.webhook_lookup import WebhookTarget, webhook_lookup
from nexus.inbound.typing import relay_customer_typing
from nexus.kit.errors import BadRequest, ErrorResponse, Forbidden, NotFound, Unauthorized
from nexus.kit.web import DirectRoute
from nexus.models import ChannelKind

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404)
}


class WebhookAck(BaseModel):
    received: int
    stored: int


async def _target(request: Request, channel: ChannelKind, key: str) -> WebhookTarget:
    target = await webhook_lookup.find(request.app.state.database, key)
    if target is None or target.connection.channel is not channel:
        raise NotFound("Unknown webhook.", code="unknown_webhook")
    return target


def _rejected(error: WebhookRejected) -> Exception:
    if error.status_code == 401:
        return Unauthorized(str(error) or "Missing signature.", code="missing_signature")
    return Forbidden(str(error) or "Invalid signature.", code="invalid_signature")


@router.get(
    "/{channel}/{key}",
    response_class=PlainTextResponse,
    responses=ERRORS,
    summary="Verification handshake (Cloud API hub.challenge)",
)
async def verify_webhook(channel: ChannelKind, key: str, request: Request) -> PlainTextResponse:
    target = await _target(request, channel, key)
    query = dict(request.query_params)
    try:
        challenge = target.adapter.handshake(query)
    except WebhookRejected as error:
        raise _rejected(error) from error
    if challenge is None:
        raise NotFound("This channel has no verification handshake.", code="no_handshake")
    return PlainTextResponse(challenge)


@router.post(
    "/{channel}/{key}",
    response_model=WebhookAck,
    responses=ERRORS,
    summary="Receive a provider's webhook delivery",
)
async def receive_webhook(channel: ChannelKind, key: str, request: Request) -> WebhookAck:
    target = await _target(request, channel, key)
    connection, adapter = target.connection, target.adapter
    raw_body = await request.body()
    try:
        adapter.verify_webhook(request.headers, raw_body, dict(request.query_params))
        events = adapter.parse_webhook(raw_body)
        typing = adapter.parse_typing(raw_body)
    except WebhookRejected as error:
        log.warning("webhook_rejected", connection_id=str(connection.id), reason=str(error))
        raise _rejected(error) from error
    except MalformedWebhook as error:
        raise BadRequest(str(error), code="malformed_webhook") from error
    stored = await request.app.state.intake.store(connection, events)
    # Ephemeral: relayed now, never stored or queued (inbound/typing.py).
    await relay_customer_typing(request.app.state.database, connection, typing)
    return WebhookAck(received=len(events), stored=len(stored))


async def answer_delivery(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /webhooks/{channel}/{key}`` without the framework's routing (see the module's
    docstring); errors are raised to ``kit/web.py``, which answers them in the one shape."""
    _, _, channel_name, key = scope["path"].split("/", 3)
    try:
        channel = ChannelKind(channel_name)
    except ValueError:
        raise NotFound("Unknown webhook.", code="unknown_webhook") from None
    ack = await receive_webhook(channel, key, Request(scope, receive))
    body = ack.__pydantic_serializer__.to_json(ack)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


WEBHOOK_DELIVERY = DirectRoute("POST", "/webhooks/{channel}/{key}", answer_delivery)
