"""Provider webhooks (M4): authenticate, store in the inbox, answer 200 — in that order.

The URL's key names the connection; the provider's signature (or secret header) proves the
sender. Nothing is processed here: the events are stored in the inbox (committed together
with the other deliveries of the moment, ``inbound/intake.py``) and processed by jobs, so a
provider's retry, a slow bot or a crash never loses or duplicates a message. No user rate
limit applies (kit/web.py exempts ``/webhooks/``).
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from nexus.channels.errors import MalformedWebhook, WebhookRejected
from nexus.connections.adapters import adapter_of
from nexus.connections.webhook_lookup import webhook_lookup
from nexus.inbound.typing import relay_customer_typing
from nexus.kit.errors import BadRequest, ErrorResponse, Forbidden, NotFound, Unauthorized
from nexus.models import ChannelKind, Connection

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404)
}


class WebhookAck(BaseModel):
    received: int
    stored: int


async def _connection(request: Request, channel: ChannelKind, key: str) -> Connection:
    connection = await webhook_lookup.find(request.app.state.database, key)
    if connection is None or connection.channel is not channel:
        raise NotFound("Unknown webhook.", code="unknown_webhook")
    return connection


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
    connection = await _connection(request, channel, key)
    adapter = adapter_of(connection)
    query = dict(request.query_params)
    try:
        challenge = adapter.handshake(query)
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
    connection = await _connection(request, channel, key)
    adapter = adapter_of(connection)
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
