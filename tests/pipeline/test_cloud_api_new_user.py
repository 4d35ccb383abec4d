"""Issue #3's acceptance check, tried as a new user would, on the WhatsApp Cloud API.

Everything goes over real HTTP: a Nexus server listens on 127.0.0.1 with its public URL set
to its own address, so the webhook URL the API hands the admin is the one "Meta" calls; the
fake Graph API (``tests/fakes/cloud_api.py``) answers Nexus's calls; the test plays the
people — the admin, the agent, the customer's phone and Meta's webhook sender — and looks
only through the public API.

The story: an admin signs up, creates two departments and an agent, adds the Cloud API
number and presses Start; pastes the webhook URL and verify token into Meta's dashboard,
which verifies them (``hub.challenge``). A new customer writes, gets the bot's menu as an
interactive list, taps "Suporte" and is given to the agent; then sends a photo and a voice
note, which Nexus copies into its own storage. The agent answers with a text and a PDF (the
fake sees the text, the upload, then the document referencing the uploaded id). Meta reports
sent → delivered → read for both — for the PDF, read before delivered — and the statuses
shown never go back."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from httpx import AsyncClient

from tests.conftest import TEST_REDIS_URL
from tests.fakes.cloud_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    DISPLAY_NUMBER,
    PHONE_NUMBER_ID,
    CloudWebhooks,
    FakeCloudApi,
)
from tests.fakes.deliveries import deliver
from tests.fakes.fixtures import running
from tests.fakes.server import Recorded, UploadedFile
from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.database import MigratedDatabase
from tests.fixtures.eventually import eventually
from tests.fixtures.live_server import WAIT_SECONDS, free_socket
from tests.fixtures.redis import flush_test_redis

T = TypeVar("T")

CUSTOMER = "5511988887777"  # the customer's wa_id, as Meta writes it (no "+")
GRAPH = f"/v23.0/{PHONE_NUMBER_ID}"  # the adapter's default Graph version
# Small but recognisable files: what the customer's phone and the agent's computer hold.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
VOICE = b"OggS\x00\x02" + bytes(range(255, -1, -1)) * 6
BOLETO = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# A status seen later may only be as far along or further (failed would show as a drop).
RANK = {
    "failed": -1,
    "pending": 0,
    "sending": 1,
    "unknown": 1,
    "sent": 2,
    "delivered": 3,
    "read": 4,
}


# --- the server, at the address its webhook URLs name -----------------------------------


@pytest.fixture
async def cloud() -> AsyncIterator[FakeCloudApi]:
    async for server in running(FakeCloudApi()):
        yield server


@pytest.fixture
async def nexus(
    test_database: MigratedDatabase,
    settings_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AsyncClient]:
    """``nexus serve`` on a free port of 127.0.0.1 whose NEXUS_PUBLIC_URL is that address
    (what a deployment behind its own domain does); a client of it."""
    from nexus.app import create_asgi_app
    from nexus.config import Settings

    await test_database.truncate()
    if TEST_REDIS_URL:
        await flush_test_redis(TEST_REDIS_URL)
    sock = free_socket()
    host, port = sock.getsockname()
    url = f"http://{host}:{port}"
    for key, value in {**settings_env, "NEXUS_PUBLIC_URL": url}.items():
        monkeypatch.setenv(key, value)
    server = uvicorn.Server(
        uvicorn.Config(
            create_asgi_app(Settings(), run_background=True),
            log_config=None,
            lifespan="on",
            ws="websockets-sansio",
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not server.started:
                if serving.done():
                    serving.result()  # raises the start-up error
                await asyncio.sleep(0.01)
        async with AsyncClient(base_url=url, timeout=WAIT_SECONDS) as http:
            yield http
    finally:
        server.should_exit = True
        await serving
        sock.close()


# --- Meta's side: the dashboard's "Verify and save", and the signed deliveries ----------


@dataclass
class Meta:
    """What Meta does with the callback URL and verify token an admin saves in the App
    Dashboard, and with the app secret it signs every delivery with."""

    callback_url: str
    verify_token: str
    http: httpx.AsyncClient = field(
        default_factory=lambda: httpx.AsyncClient(timeout=WAIT_SECONDS, verify=False)
    )
    signer: CloudWebhooks = field(default_factory=lambda: CloudWebhooks(APP_SECRET))

    async def verify(self, challenge: str, *, verify_token: str | None = None) -> httpx.Response:
        """GET <callback>?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…"""
        return await self.http.get(
            self.callback_url,
            params=CloudWebhooks.handshake(verify_token or self.verify_token, challenge),
        )

    async def notify(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one notification, signed with X-Hub-Signature-256 over its exact bytes."""
        [response] = await deliver(self.http, self.callback_url, [self.signer.delivery(payload)])
        assert response.status_code == 200, response.text
        ack: dict[str, Any] = response.json()
        return ack

    async def customer_sends(self, message: dict[str, Any]) -> None:
        ack = await self.notify(
            self.signer.notification(
                messages=[message],
                contacts=[{"profile": {"name": "Ana Conceição"}, "wa_id": CUSTOMER}],
            )
        )
        assert ack == {"received": 1, "stored": 1}

    async def status(self, wamid: str, status: str, *, stored: int = 1) -> datetime:
        """A receipt for one of our messages; returns the moment it reports."""
        timestamp = int(time.time())
        item = self.signer.status(wamid, status, CUSTOMER, timestamp=timestamp)
        ack = await self.notify(self.signer.notification(statuses=[item]))
        assert ack == {"received": 1, "stored": stored}
        return datetime.fromtimestamp(timestamp, UTC)

    async def close(self) -> None:
        await self.http.aclose()


def now() -> str:
    return str(int(time.time()))


def media_message(
    meta: Meta, cloud: FakeCloudApi, kind: str, data: bytes, mime: str, **fields: Any
) -> dict[str, Any]:
    """A media message from the customer: the file waits on Meta's side under its id."""
    media_id = cloud.add_media(data, mime)
    content = {
        "id": media_id,
        "mime_type": mime,
        "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        **fields,
    }
    return meta.signer.message(CUSTOMER, kind, content, timestamp=now())


# --- looking through the API -------------------------------------------------------------


async def until(probe: Callable[[], Awaitable[T]], check: Callable[[T], bool]) -> T:
    async def attempt() -> T | None:
        value = await probe()
        return value if check(value) else None

    result = await eventually(attempt, within=20)
    assert result is not None
    return result


async def conversations(http: AsyncClient, user: Account) -> list[dict[str, Any]]:
    response = await http.get("/api/conversations", headers=user.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def conversation(http: AsyncClient, user: Account, id: str) -> dict[str, Any]:
    response = await http.get(f"/api/conversations/{id}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def history(http: AsyncClient, user: Account, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation's messages as the chat shows them, oldest first."""
    response = await http.get(
        f"/api/conversations/{conversation_id}/messages",
        headers=user.headers,
        params={"limit": 100},
    )
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["items"]))


def shape(messages: list[dict[str, Any]]) -> list[tuple[str, str, bool, str | None]]:
    return [(m["direction"], m["type"], m["is_bot"], m["content"]) for m in messages]


@dataclass
class StatusWatch:
    """Every status the agent's chat showed for some messages, in the order seen."""

    http: AsyncClient
    agent: Account
    conversation_id: str
    seen: dict[str, list[str]] = field(default_factory=dict)

    async def look(self) -> dict[str, dict[str, Any]]:
        messages = {m["id"]: m for m in await history(self.http, self.agent, self.conversation_id)}
        for id, statuses in self.seen.items():
            statuses.append(messages[id]["status"])
        return messages

    async def until(self, id: str, status: str) -> dict[str, Any]:
        messages = await until(self.look, lambda ms: ms[id]["status"] == status)
        return messages[id]

    def assert_never_went_back(self) -> None:
        for id, statuses in self.seen.items():
            ranks = [RANK[s] for s in statuses]
            assert ranks == sorted(ranks), f"{id} went back: {statuses}"


def sent_bodies(cloud: FakeCloudApi) -> list[dict[str, Any]]:
    """The messages Nexus sent through the Graph API, in order (read receipts left out)."""
    return [r.json for r in message_calls(cloud) if "type" in r.json]


def message_calls(cloud: FakeCloudApi) -> list[Recorded]:
    return [r for r in cloud.requests if r.method == "POST" and r.path == f"{GRAPH}/messages"]


def at(timestamp: str | None) -> datetime | None:
    return datetime.fromisoformat(timestamp) if timestamp else None


# --- the story ---------------------------------------------------------------------------


@pytest.mark.timeout(180)
async def test_a_new_admin_connects_a_cloud_api_number_and_the_team_talks_with_a_customer(
    nexus: AsyncClient, cloud: FakeCloudApi
) -> None:
    http = nexus

    # 1. The admin signs up, creates the departments and an agent who comes online.
    admin = await signup(http, "Loja Aurora")
    departments: dict[str, str] = {}
    for name in ("Suporte", "Vendas"):
        created = await http.post("/api/departments", headers=admin.headers, json={"name": name})
        assert created.status_code == 201, created.text
        departments[name] = created.json()["id"]
    agent = await create_user(
        http,
        admin,
        max_conversations=5,
        departments=[{"department_id": departments["Suporte"], "role": "member"}],
    )
    online = await http.patch(
        "/api/users/me/status", headers=agent.headers, json={"status": "online"}
    )
    assert online.status_code == 200, online.text

    # 2. The Cloud API number: its id and token from Meta, the app secret; Start checks them.
    created = await http.post(
        "/api/connections",
        headers=admin.headers,
        json={
            "name": "WhatsApp oficial",
            "channel": "cloud_api",
            "config": {"phone_number_id": PHONE_NUMBER_ID, "base_url": cloud.base_url},
            "secrets": {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET},
        },
    )
    assert created.status_code == 201, created.text
    connection = created.json()
    assert connection["secret_fields"] == ["access_token", "app_secret"]
    assert "access_token" not in str(connection["config"])
    started = await http.post(f"/api/connections/{connection['id']}/start", headers=admin.headers)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "connected"
    assert started.json()["phone_number"] == f"+{DISPLAY_NUMBER}"
    assert cloud.last(f"/v23.0/{PHONE_NUMBER_ID}").headers["authorization"] == (
        f"Bearer {ACCESS_TOKEN}"
    )

    # 3. The admin pastes the webhook URL and verify token into Meta's dashboard, which
    #    verifies them before saving. The URL is this server's, as the API gave it.
    shown = (await http.get(f"/api/connections/{connection['id']}", headers=admin.headers)).json()
    callback, verify_token = shown["webhook_url"], shown["verify_token"]
    assert callback.startswith(str(http.base_url).rstrip("/") + "/webhooks/cloud_api/")
    assert verify_token and verify_token == connection["verify_token"]
    meta = Meta(callback, verify_token)
    try:
        wrong = await meta.verify("1158201444", verify_token="not-the-token")
        assert wrong.status_code == 403, wrong.text
        verified = await meta.verify("1158201444")
        assert verified.status_code == 200, verified.text
        assert verified.text == "1158201444"
        assert verified.headers["content-type"].startswith("text/plain")

        await _the_conversation(http, cloud, meta, admin, agent, departments)
    finally:
        await meta.close()


async def _the_conversation(
    http: AsyncClient,
    cloud: FakeCloudApi,
    meta: Meta,
    admin: Account,
    agent: Account,
    departments: dict[str, str],
) -> None:
    # 4. A new customer writes; the bot greets and sends the menu as an interactive list.
    await meta.customer_sends(
        meta.signer.text(CUSTOMER, "Olá! Preciso de ajuda com meu pedido 🙏", timestamp=now())
    )
    [opened] = await until(lambda: conversations(http, admin), lambda items: len(items) == 1)
    assert opened["contact"]["phone"] == f"+{CUSTOMER}"
    assert opened["contact"]["name"] == "Ana Conceição"
    conversation_id = opened["id"]

    def greeted(messages: list[dict[str, Any]]) -> bool:
        bot = [m for m in messages if m["is_bot"]]
        return len(bot) == 2 and all(m["status"] == "sent" for m in bot)

    messages = await until(lambda: history(http, admin, conversation_id), greeted)
    menu = next(m for m in messages if m["payload"].get("menu"))
    # The two are sent by two jobs running at the same time: nothing in Nexus orders the
    # sends of one conversation yet, so which one Meta gets first is not asked here.
    [greeting] = [b for b in sent_bodies(cloud) if b["type"] == "text"]
    [listed] = [b for b in sent_bodies(cloud) if b["type"] == "interactive"]
    assert greeting == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"preview_url": False, "body": "Bem-vindo à Loja Aurora! 👋"},
    }
    assert listed["to"] == CUSTOMER and listed["type"] == "interactive"
    assert listed["interactive"]["type"] == "list"
    assert listed["interactive"]["body"] == {"text": menu["content"]}
    assert listed["interactive"]["action"]["sections"] == [
        {
            "rows": [
                {"id": departments["Suporte"], "title": "Suporte"},
                {"id": departments["Vendas"], "title": "Vendas"},
            ]
        }
    ]

    # 5. She taps "Suporte" in the list: the conversation goes to the Suporte agent.
    await meta.customer_sends(
        meta.signer.message(
            CUSTOMER,
            "interactive",
            {
                "type": "list_reply",
                "list_reply": {"id": departments["Suporte"], "title": "Suporte"},
            },
            context={"from": DISPLAY_NUMBER, "id": menu["provider_message_id"]},
            timestamp=now(),
        )
    )
    assigned = await until(
        lambda: conversation(http, admin, conversation_id), lambda c: c["status"] == "assigned"
    )
    assert assigned["assignee_id"] == agent.user_id
    assert assigned["department_id"] == departments["Suporte"]
    assert [c["id"] for c in await conversations(http, agent)] == [conversation_id]

    # 6. Then a photo of the invoice and a voice note, one right after the other.
    await meta.customer_sends(
        media_message(meta, cloud, "image", PHOTO, "image/jpeg", caption="nota fiscal")
    )
    await meta.customer_sends(
        media_message(meta, cloud, "audio", VOICE, "audio/ogg; codecs=opus", voice=True)
    )

    def files_stored(messages: list[dict[str, Any]]) -> bool:
        files = [m for m in messages if m["media"] is not None]
        return len(files) == 2 and all(m["media"].get("state") == "stored" for m in files)

    messages = await until(lambda: history(http, agent, conversation_id), files_stored)
    assert shape(messages) == [
        ("inbound", "text", False, "Olá! Preciso de ajuda com meu pedido 🙏"),
        ("outbound", "text", True, "Bem-vindo à Loja Aurora! 👋"),
        ("outbound", "text", True, menu["content"]),
        ("inbound", "interactive", False, "Suporte"),
        ("outbound", "text", True, messages[4]["content"]),
        ("inbound", "image", False, "nota fiscal"),
        ("inbound", "voice", False, None),
    ]
    assert messages[4]["content"].startswith("Você está sendo atendido por")
    assert messages[3]["reply_to_id"] == menu["id"]  # the list reply quotes the menu
    photo, voice = messages[5], messages[6]
    served = ((photo, PHOTO, "image/jpeg"), (voice, VOICE, "audio/ogg; codecs=opus"))
    for message, data, mime in served:
        stored = await http.get(f"/api/messages/{message['id']}/media", headers=agent.headers)
        assert stored.status_code == 200, stored.text
        assert stored.content == data  # our copy, byte for byte
        assert stored.headers["content-type"] == mime  # the type Meta gave
        assert message["media"]["mime_type"] == mime
        assert message["media"]["size"] == len(data)
    # Sent without a name, each still downloads as a file with the extension of its type.
    assert photo["media"]["filename"].endswith(".jpg")
    assert voice["media"]["filename"].endswith(".oga")
    # Fetched from Meta with the token: the file's URL by its id, then the file.
    for media_id in cloud.media:
        assert cloud.last(f"/v23.0/{media_id}").headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
        assert cloud.last(f"/lookaside/{media_id}").method == "GET"

    # 7. The agent answers with a text and the boleto as a PDF.
    before = len(cloud.requests)
    text = await http.post(
        "/api/messages/send",
        headers=agent.headers,
        json={
            "conversation_id": conversation_id,
            "content": "Oi Ana! Recebi a nota. Segue o boleto atualizado.",
            "idempotency_key": "agent-answer-text-0001",
        },
    )
    assert text.status_code == 202, text.text
    watch = StatusWatch(http, agent, conversation_id)
    text_id = text.json()["id"]
    watch.seen[text_id] = [text.json()["status"]]
    sent_text = await watch.until(text_id, "sent")

    document = await http.post(
        "/api/messages/send-media",
        headers=agent.headers,
        data={
            "conversation_id": conversation_id,
            "caption": "Boleto",
            "idempotency_key": "agent-answer-pdf-0001",
        },
        files={"file": ("boleto.pdf", BOLETO, "application/pdf")},
    )
    assert document.status_code == 202, document.text
    assert document.json()["type"] == "document"
    document_id = document.json()["id"]
    watch.seen[document_id] = [document.json()["status"]]
    sent_document = await watch.until(document_id, "sent")

    calls = [r for r in cloud.requests[before:] if r.method == "POST"]
    assert [r.path for r in calls] == [f"{GRAPH}/messages", f"{GRAPH}/media", f"{GRAPH}/messages"]
    for call in calls:
        assert call.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    text_call, upload, document_call = calls
    assert text_call.headers["content-type"] == "application/json"
    assert text_call.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {
            "preview_url": False,
            "body": "Oi Ana! Recebi a nota. Segue o boleto atualizado.",
        },
    }
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert upload.form == {"messaging_product": "whatsapp", "type": "application/pdf"}
    assert upload.files == {"file": UploadedFile("boleto.pdf", "application/pdf", BOLETO)}
    uploaded_id = document_call.json["document"]["id"]
    assert cloud.media[uploaded_id].data == BOLETO  # the id the upload answered
    assert document_call.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "document",
        "document": {"id": uploaded_id, "caption": "Boleto", "filename": "boleto.pdf"},
    }
    assert sent_text["provider_message_id"].startswith("wamid.")
    assert sent_document["provider_message_id"].startswith("wamid.")
    assert sent_text["provider_message_id"] != sent_document["provider_message_id"]

    # 8. Meta reports the receipts: the text in order, the PDF's "read" before "delivered".
    text_wamid, document_wamid = (
        sent_text["provider_message_id"],
        sent_document["provider_message_id"],
    )
    reported: dict[str, datetime] = {}
    for status in ("sent", "delivered", "read"):
        reported[status] = await meta.status(text_wamid, status)
        await watch.until(text_id, status)
    await meta.status(document_wamid, "sent")
    await watch.until(document_id, "sent")
    document_read = await meta.status(document_wamid, "read")
    await watch.until(document_id, "read")
    document_delivered = await meta.status(document_wamid, "delivered")  # late
    await meta.status(text_wamid, "read", stored=0)  # a redelivery, absorbed by the inbox
    # The customer's next message is processed after every earlier event of her chat: once
    # it shows, the late receipts have been applied.
    await meta.customer_sends(meta.signer.text(CUSTOMER, "Obrigada!", timestamp=now()))
    messages = await until(
        watch.look, lambda ms: any(m["content"] == "Obrigada!" for m in ms.values())
    )
    watch.assert_never_went_back()
    assert messages[text_id]["status"] == "read"
    assert messages[document_id]["status"] == "read"
    assert "delivered" in watch.seen[text_id]  # each step was shown on the way
    # The moments shown are Meta's (the "sent" one is ours: when Meta accepted the send).
    assert at(messages[text_id]["delivered_at"]) == reported["delivered"]
    assert at(messages[text_id]["read_at"]) == reported["read"]
    assert at(messages[document_id]["read_at"]) == document_read
    # The late receipt does not move the status back, but its time is kept.
    assert at(messages[document_id]["delivered_at"]) == document_delivered

    final = await history(http, agent, conversation_id)
    assert shape(final)[7:] == [
        ("outbound", "text", False, "Oi Ana! Recebi a nota. Segue o boleto atualizado."),
        ("outbound", "document", False, "Boleto"),
        ("inbound", "text", False, "Obrigada!"),
    ]
    assert [m["sender_id"] for m in final[7:9]] == [agent.user_id, agent.user_id]
    # Nothing was sent twice, and nothing but these five messages went to the customer.
    assert sorted(body["type"] for body in sent_bodies(cloud)[:2]) == ["interactive", "text"]
    assert [body["type"] for body in sent_bodies(cloud)[2:]] == ["text", "text", "document"]
