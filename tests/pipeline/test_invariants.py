"""The pipeline's invariants (M3, M4), with real HTTP between the app and the fake providers:
no loss and no duplicate under replayed, reordered and concurrent webhooks; a crashed worker
loses nothing; sends are retried with back-off, given up on permanent errors, and never
re-sent when their outcome is unknown; unsigned deliveries store nothing."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update

from nexus.conversations.service import conversation_service
from nexus.inbound import inbox
from nexus.inbound import tasks as inbound_tasks
from nexus.inbound.processor import inbound_processor
from nexus.inbound.spool import spool
from nexus.kit.models import utc_now
from nexus.messages import tasks as message_tasks
from nexus.messages.outbound import queue_outbound
from nexus.models import (
    Contact,
    Conversation,
    ConversationStatus,
    InboundEvent,
    InboundEventStatus,
    Message,
    MessageDirection,
    MessageStatus,
    MessageType,
)
from tests.fakes.cloud_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    CloudWebhooks,
    FakeCloudApi,
)
from tests.fakes.deliveries import WebhookDelivery
from tests.fakes.fixtures import running
from tests.fakes.waha import API_KEY, HMAC_KEY, SESSION, WahaWebhooks
from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import phone_for
from tests.fixtures.spool import through_the_spool
from tests.fixtures.world import World, make_world

CHATS = 10
PER_CHAT = 100  # 1,000 messages in all
T0 = 1_760_000_000


@pytest.fixture(params=["inbox", "spool"])
async def webhooks_committed_in(
    request: pytest.FixtureRequest, app: FastAPI, fresh_spool: str
) -> AsyncIterator[str]:
    """The app's webhooks committed in the inbox, or in the spool an inbox worker process
    moves them from (embedded mode: ``inbound/spool.py``)."""
    if request.param == "inbox":
        yield "inbox"
        return
    async with through_the_spool(fresh_spool):
        yield "spool"


@pytest.fixture
async def cloud() -> AsyncIterator[FakeCloudApi]:
    async for server in running(FakeCloudApi()):
        yield server


async def cloud_connection(world: World, fake: FakeCloudApi, **config: Any) -> dict[str, Any]:
    response = await world.client.post(
        "/api/connections",
        headers=world.admin.headers,
        json={
            "name": "Cloud",
            "channel": "cloud_api",
            "config": {"phone_number_id": PHONE_NUMBER_ID, "base_url": fake.base_url, **config},
            "secrets": {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET},
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def path_of(connection: dict[str, Any]) -> str:
    return str(connection["webhook_url"]).removeprefix("http://127.0.0.1:8000")


async def post(client: AsyncClient, url: str, delivery: WebhookDelivery) -> Response:
    return await client.post(url, content=delivery.body, headers=delivery.headers)


async def pending_events(world: World) -> int:
    async with world.app.state.database.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.status != InboundEventStatus.processed)
        )
    return int(count or 0)


async def inbound_ids(world: World, conversation_id: str) -> list[str]:
    """The customer's messages as the agent's chat shows them, oldest first."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await world.client.get(
            f"/api/conversations/{conversation_id}/messages",
            headers=world.admin.headers,
            params=params,
        )
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [m["provider_message_id"] for m in body["items"] if m["direction"] == "inbound"]
        cursor = body["next_cursor"]
        if cursor is None:
            return list(reversed(ids))


@pytest.mark.timeout(300)  # ~100 s on a shared 2-CPU machine under load; far less idle
async def test_a_thousand_messages_replayed_reordered_and_concurrent_are_stored_once_in_order(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi, webhooks_committed_in: str
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    await world.agent("suporte", capacity=CHATS)
    url = path_of(await cloud_connection(world, cloud))
    meta = CloudWebhooks()
    customers = [f"5511970{n:06d}" for n in range(CHATS)]

    # Every customer is first served (menu → "1"), so the flood is not answered by the bot.
    for customer in customers:
        for step, text in enumerate(("Oi", "1")):
            hello = meta.text(customer, text, wamid=f"wamid.setup.{customer}.{step}")
            response = await post(client, url, meta.delivery(meta.notification(messages=[hello])))
            assert response.status_code == 200, response.text
            if step == 0:
                await eventually(partial(_has_bot_menu, world, customer))
    await eventually(lambda: _all_assigned(world, CHATS))

    # Each chat's deliveries hold 1-10 consecutive messages (some listed newest first, as
    # nothing in the Cloud API promises an order inside one delivery); chats interleave.
    rng = random.Random(20261123)
    expected: dict[str, list[str]] = {}
    plans: list[list[WebhookDelivery]] = []
    for customer in customers:
        messages = [
            meta.text(customer, f"msg {k}", wamid=f"wamid.{customer}.{k:03d}", timestamp=T0 + k)
            for k in range(PER_CHAT)
        ]
        expected[customer] = [m["id"] for m in messages]
        batches: list[WebhookDelivery] = []
        k = 0
        while k < PER_CHAT:
            size = rng.randint(1, 10)
            batch = messages[k : k + size]
            if rng.random() < 0.3:
                batch = list(reversed(batch))
            batches.append(meta.delivery(meta.notification(messages=batch)))
            k += size
        plans.append(batches)

    responses: list[Response] = []

    async def play(batches: list[WebhookDelivery], seed: int) -> None:
        chaos = random.Random(seed)
        for index, delivery in enumerate(batches):
            if chaos.random() < 0.15:  # the same delivery twice at the same time
                responses.extend(
                    await asyncio.gather(post(client, url, delivery), post(client, url, delivery))
                )
            else:
                responses.append(await post(client, url, delivery))
            if chaos.random() < 0.3:  # a provider retry of an older delivery, late
                responses.append(await post(client, url, batches[chaos.randrange(index + 1)]))

    await asyncio.gather(*(play(batches, seed) for seed, batches in enumerate(plans)))

    assert {r.status_code for r in responses} == {200}
    # The inbox absorbed every duplicate: each event was stored by exactly one delivery.
    # (Through the spool, a redelivery that races its original's move may be counted as
    # stored twice: inbound/spool.py ``store``. What is stored, below, is the invariant.)
    stored_count = sum(r.json()["stored"] for r in responses)
    if webhooks_committed_in == "inbox":
        assert stored_count == CHATS * PER_CHAT
    else:
        assert stored_count >= CHATS * PER_CHAT
    assert sum(r.json()["received"] for r in responses) > CHATS * PER_CHAT
    await eventually(lambda: _none_pending(world), within=60)

    async with app.state.database.read() as session:
        stored = (
            await session.execute(
                select(Message.provider_message_id, func.count())
                .where(
                    Message.company_id == world.company_id,
                    Message.direction == MessageDirection.inbound,
                    Message.provider_message_id.like("wamid.55%"),
                )
                .group_by(Message.provider_message_id)
            )
        ).all()
    assert len(stored) == CHATS * PER_CHAT
    assert {count for _, count in stored} == {1}

    conversations = (
        await client.get("/api/conversations", headers=world.admin.headers, params={"limit": 50})
    ).json()["items"]
    assert len(conversations) == CHATS  # one ticket per chat, none opened twice
    for conversation in conversations:
        customer = conversation["contact"]["phone"].removeprefix("+")
        shown = await inbound_ids(world, conversation["id"])
        setup = [f"wamid.setup.{customer}.0", f"wamid.setup.{customer}.1"]
        assert shown == setup + expected[customer], customer


async def test_an_event_left_by_a_killed_worker_is_recovered_by_the_sweep(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(app, client)
    phone = await phone_for(client, world.admin, "+5511966661111")
    apply = inbound_processor.apply
    killed = asyncio.Event()

    async def killed_mid_processing(*args: Any, **kwargs: Any) -> None:
        if not killed.is_set():
            killed.set()
            raise asyncio.CancelledError  # the worker died: its transaction never commits
        await apply(*args, **kwargs)

    monkeypatch.setattr(inbound_processor, "apply", killed_mid_processing)
    await phone.say("Alguém aí?")
    await asyncio.wait_for(killed.wait(), timeout=10)

    async with app.state.database.read() as session:
        event = (await session.execute(select(InboundEvent))).scalar_one()
        assert event.status is InboundEventStatus.pending
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
    # The sweep leaves a fresh event to its own job for a grace period; then it is due.
    async with app.state.database.write() as session:
        await session.execute(
            update(InboundEvent).values(
                next_attempt_at=utc_now() - inbox.KICK_GRACE - timedelta(seconds=1)
            )
        )
    await inbound_tasks.sweep()

    await eventually(lambda: _none_pending(world))
    async with app.state.database.read() as session:
        texts = (
            await session.execute(
                select(Message.content).where(Message.direction == MessageDirection.inbound)
            )
        ).scalars()
        assert list(texts) == ["Alguém aí?"]


async def _outbound(
    world: World, fake: FakeCloudApi, customer: str, text: str, **config: Any
) -> uuid.UUID:
    """An agent's message to ``customer`` on a Cloud API connection, queued for the send
    job (the conversation is set up directly: routing is not what is tested here)."""
    connection = await cloud_connection(world, fake, **config)
    async with world.app.state.database.write() as session:
        contact = Contact(company_id=world.company_id, name="Cliente", phone=f"+{customer}")
        session.add(contact)
        await session.flush()
        conversation = await conversation_service.open(
            session,
            company_id=world.company_id,
            contact_id=contact.id,
            connection_id=uuid.UUID(connection["id"]),
        )
        conversation.chat_id = customer  # the Cloud API's address: the wa_id
        conversation.last_inbound_at = utc_now()  # inside the 24-hour window
        message = await queue_outbound(
            session, conversation, type=MessageType.text, content=text, sender_id=None
        )
    return message.id


async def _message(world: World, message_id: uuid.UUID) -> Message:
    async with world.app.state.database.read() as session:
        message = await session.get(Message, message_id)
        assert message is not None
        return message


async def _sent_to_provider(fake: FakeCloudApi) -> int:
    return len(fake.received("/messages"))


async def _make_due(world: World, message_id: uuid.UUID) -> None:
    """Time passes: the back-off is over."""
    async with world.app.state.database.write() as session:
        await session.execute(
            update(Message).where(Message.id == message_id).values(next_attempt_at=utc_now())
        )


async def test_sends_are_retried_with_back_off_until_sent_exactly_once(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    cloud.server_error_next(502)
    cloud.rate_limit_next()  # HTTP 429, code 130429
    message_id = await _outbound(world, cloud, "5511955550001", "Seu pedido saiu")

    first = await eventually(lambda: _with(world, message_id, attempts=1, status="pending"))
    assert first.error_code is not None
    assert first.next_attempt_at is not None
    assert first.next_attempt_at - utc_now() > timedelta(seconds=1)  # backing off
    await message_tasks.send(str(message_id))  # too early: nothing is sent
    assert await _sent_to_provider(cloud) == 1

    await _make_due(world, message_id)
    await message_tasks.sweep()
    second = await eventually(lambda: _with(world, message_id, attempts=2, status="pending"))
    assert second.error_code == "130429"

    await _make_due(world, message_id)
    await message_tasks.sweep()
    sent = await eventually(lambda: _with(world, message_id, status="sent"))
    assert sent.provider_message_id and sent.provider_message_id.startswith("wamid.FAKE")
    assert sent.attempts == 3 and sent.error_code is None
    await message_tasks.sweep()
    await _make_due(world, message_id)
    await message_tasks.send(str(message_id))
    assert [body["text"]["body"] for body in cloud.sent] == ["Seu pedido saiu"]
    assert await _sent_to_provider(cloud) == 3


async def test_a_conversations_sends_reach_the_customer_in_the_order_they_were_written(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    cloud.delay_next(1.0, path="/messages")  # the first send is slow to answer
    first = await _outbound(world, cloud, "5511955550009", "Bem-vindo à Loja")
    async with world.app.state.database.write() as session:
        message = await session.get(Message, first)
        assert message is not None
        conversation = await session.get(Conversation, message.conversation_id)
        assert conversation is not None
        # Queued right after it, as the bot queues its menu after the greeting.
        second = await queue_outbound(
            session,
            conversation,
            type=MessageType.text,
            content="Escolha uma opção",
            sender_id=None,
        )
    await eventually(lambda: _with(world, second.id, status="sent"))
    assert [body["text"]["body"] for body in cloud.sent] == [
        "Bem-vindo à Loja",
        "Escolha uma opção",
    ]
    assert (await _message(world, first)).status is MessageStatus.sent


async def test_a_permanent_error_fails_the_send_with_the_reason_and_is_not_retried(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    cloud.error_next(131026)  # undeliverable
    message_id = await _outbound(world, cloud, "5511955550002", "Olá")

    failed = await eventually(lambda: _with(world, message_id, status="failed"))
    assert failed.error_code == "131026"
    assert failed.error_message and "undeliverable" in failed.error_message.lower()
    await _make_due(world, message_id)
    await message_tasks.sweep()
    await message_tasks.send(str(message_id))
    assert await _sent_to_provider(cloud) == 1
    assert (await _message(world, message_id)).status is MessageStatus.failed


async def test_a_send_whose_outcome_is_unknown_is_flagged_and_never_resent(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    cloud.delay_next(3.0, path="/messages")  # it arrives, the answer does not
    message_id = await _outbound(world, cloud, "5511955550003", "Confirmado", timeout_seconds="0.5")

    unknown = await eventually(lambda: _with(world, message_id, status="unknown"))
    assert unknown.error_code == "outcome_unknown"
    await _make_due(world, message_id)
    await message_tasks.sweep()
    await message_tasks.send(str(message_id))
    assert await _sent_to_provider(cloud) == 1
    # The agent's chat shows it, so the agent can check with the customer and resend.
    shown = await client.get(
        f"/api/conversations/{unknown.conversation_id}/messages", headers=world.admin.headers
    )
    [agent_view] = shown.json()["items"]
    assert agent_view["status"] == "unknown" and agent_view["error_code"] == "outcome_unknown"


async def test_a_worker_that_died_mid_send_leaves_an_unknown_outcome_not_a_resend(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    cloud.delay_next(5.0, path="/messages")  # keeps the first send busy
    message_id = await _outbound(world, cloud, "5511955550004", "Pago")
    await eventually(lambda: _sent_to_provider(cloud))
    # The worker holding the send vanishes: its lock expires with the row still "sending".
    async with app.state.database.write() as session:
        await session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(locked_until=utc_now() - timedelta(seconds=1))
        )
    await message_tasks.sweep()
    abandoned = await _message(world, message_id)
    assert abandoned.status is MessageStatus.unknown
    assert abandoned.error_code == "outcome_unknown"
    assert await _sent_to_provider(cloud) == 1


async def test_unsigned_or_forged_webhooks_are_refused_and_store_nothing(
    app: FastAPI, client: AsyncClient, cloud: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    meta = CloudWebhooks()
    cloud_url = path_of(await cloud_connection(world, cloud))
    genuine = meta.delivery(meta.notification(messages=[meta.text("5511944440001", "Oi")]))
    waha = WahaWebhooks()
    created = await client.post(
        "/api/connections",
        headers=world.admin.headers,
        json={
            "name": "WAHA",
            "channel": "waha",
            "config": {"base_url": "http://127.0.0.1:9", "session": SESSION},
            "secrets": {"api_key": API_KEY, "webhook_secret": HMAC_KEY},
        },
    )
    assert created.status_code == 201, created.text
    waha_url = path_of(created.json())
    waha_genuine = waha.delivery(waha.message("5511944440002@c.us", "Oi"))

    refused = [
        (cloud_url, genuine.tampered(), 403),
        (cloud_url, genuine.without_header("X-Hub-Signature-256"), 401),
        (cloud_url, meta.delivery(meta.notification(messages=[]), secret="other-secret"), 403),
        (waha_url, waha_genuine.tampered(), 403),
        (waha_url, waha_genuine.without_header("X-Webhook-Hmac"), 401),
        (waha_url, waha_genuine.with_header("X-Webhook-Hmac", "0" * 128), 403),
    ]
    for url, delivery, status in refused:
        response = await post(client, url, delivery)
        assert response.status_code == status, (url, response.text)
        assert response.json()["error"]["code"] in ("invalid_signature", "missing_signature")

    async with app.state.database.read() as session:
        assert await session.scalar(select(func.count()).select_from(InboundEvent)) == 0
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
    # The same deliveries, signed, are accepted: the refusals were about the signature.
    assert (await post(client, cloud_url, genuine)).json()["stored"] == 1
    accepted = await post(client, waha_url, waha_genuine)
    assert accepted.json()["stored"] == 1, accepted.text


async def _with(world: World, message_id: uuid.UUID, **expected: Any) -> Message | None:
    message = await _message(world, message_id)
    for name, value in expected.items():
        if getattr(message, name) != value:
            return None
    return message


async def _none_pending(world: World) -> bool:
    """Every stored event applied, none left in the spool (when webhooks go there)."""
    spooled = await spool.oldest() is not None
    return not spooled and await pending_events(world) == 0


async def _has_bot_menu(world: World, customer: str) -> bool:
    async with world.app.state.database.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.chat_id == customer, Message.is_bot.is_(True))
        )
    return bool(count and count >= 2)


async def _all_assigned(world: World, count: int) -> bool:
    async with world.app.state.database.read() as session:
        assigned = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.status == ConversationStatus.assigned)
        )
    return assigned == count
