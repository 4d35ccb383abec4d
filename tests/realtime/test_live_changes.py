"""Changes that agents see without a reload (docs/realtime.md): a message already shown that
changes (its file downloaded or failed, the customer's edit, deletion or reaction), an
internal note, and the customer's typing — each to those who may see the conversation, never
to another company, and (notes) never to the customer."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import func, select

from nexus.models import InboundEvent
from tests.fakes.waha import HMAC_KEY, SESSION, FakeWaha, WahaWebhooks
from tests.fixtures.api import Account, signup
from tests.fixtures.live_server import LiveServer, SocketClient
from tests.fixtures.sandbox import SandboxPhone, phone_for
from tests.realtime.team import Team, make_team, notify

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n fake image bytes").decode()
WAHA_CHAT = "5511988887777@c.us"


async def barrier(live: LiveServer, *clients: tuple[SocketClient, Account]) -> None:
    """Whatever was emitted before this has reached these clients once it returns (one
    server, one event loop: emits reach a socket in order)."""
    for client, account in clients:
        await notify(live.app, account.company_id, "barrier", users=[uuid.UUID(account.user_id)])
        await client.wait_for("notification", lambda e: e["title"] == "barrier")


async def events_after(live: LiveServer, account: Account, after: int) -> list[dict[str, Any]]:
    response = await live.http.get("/api/events", headers=account.headers, params={"after": after})
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


async def assigned_on_the_sandbox(
    live: LiveServer, team: Team, admin: SocketClient, phone: SandboxPhone
) -> str:
    """The phone's customer picks Suporte in the bot menu; the Suporte agent takes it."""
    await phone.say("Olá")
    received = await admin.wait_for("message-received", lambda e: e["message"]["content"] == "Olá")
    conversation_id: str = received["conversation"]["id"]
    await admin.wait_for("message-sent", lambda e: "1 - Suporte" in (e["message"]["content"]))
    await phone.say("1")
    await admin.wait_for(
        "conversation-queued", lambda e: e["conversation"]["id"] == conversation_id
    )
    response = await live.http.post(
        f"/api/conversations/{conversation_id}/assign", headers=team.suporte_agent.headers, json={}
    )
    assert response.status_code == 200, response.text
    return conversation_id


# --- message-updated -----------------------------------------------------------------------


async def test_a_file_shows_once_downloaded_and_a_failed_download_says_so(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    stranger = await signup(live_server.http)
    admin = await live_server.socket(team.admin.token)
    other_company = await live_server.socket(stranger.token)
    phone = await phone_for(live_server.http, team.admin, "+5511977776666")

    await phone.say(
        "segue a foto",
        media={
            "url": f"data:image/png;base64,{PNG}",
            "mime_type": "image/png",
            "filename": "f.png",
        },
    )
    received = await admin.wait_for("message-received", lambda e: e["message"]["type"] == "image")
    message_id = received["message"]["id"]
    assert received["message"]["media"] == {
        "mime_type": "image/png",
        "filename": "f.png",
        "state": "downloading",
    }

    stored = await admin.wait_for("message-updated", lambda e: e["message"]["id"] == message_id)
    assert stored["seq"] > received["seq"]
    assert stored["changed"] == ["media"] and stored["payload"] == {}
    media = stored["message"]["media"]
    assert (media["state"], media["mime_type"], media["filename"]) == (
        "stored",
        "image/png",
        "f.png",
    )
    assert media["size"] == len(base64.b64decode(PNG)) and media["storage_key"]
    assert stored["message"]["content"] == "segue a foto"
    # The file is there for whoever got the event.
    response = await live_server.http.get(
        f"/api/messages/{message_id}/media", headers=team.admin.headers
    )
    assert response.status_code == 200 and response.content == base64.b64decode(PNG)

    # A file that cannot be fetched: the message says so instead of spinning forever.
    await phone.say("", media={"url": "https://elsewhere.example/x.pdf", "filename": "x.pdf"})
    failed = await admin.wait_for(
        "message-updated", lambda e: e["message"]["media"].get("state") == "failed"
    )
    assert failed["changed"] == ["media"] and failed["message"]["type"] == "document"

    # A client that was away gets the same events back, in order.
    replayed = [
        e
        for e in await events_after(live_server, team.admin, received["seq"] - 1)
        if e["name"] == "message-updated"
    ]
    assert [e["data"] for e in replayed] == [stored, failed]

    await barrier(live_server, (other_company, stranger))
    assert other_company.received("message-updated") == []


async def test_the_customers_edit_reaction_and_deletion_change_the_message_in_place(
    live_server: LiveServer, fake_waha: FakeWaha
) -> None:
    team = await make_team(live_server)
    stranger = await signup(live_server.http)
    admin = await live_server.socket(team.admin.token)
    vendas = await live_server.socket(team.vendas_agent.token)
    other_company = await live_server.socket(stranger.token)
    hooks = WahaWebhooks()
    webhook = await _waha_webhook(live_server, team, fake_waha)

    async def deliver(payload: dict[str, Any]) -> None:
        delivery = hooks.delivery(payload)
        response = await live_server.http.post(
            webhook, content=delivery.body, headers=delivery.headers
        )
        assert response.status_code == 200, response.text

    await deliver(hooks.message(WAHA_CHAT, "quero cancelr", wa_id="3EB0ORIG"))
    received = await admin.wait_for("message-received")
    message_id = received["message"]["id"]

    def update_of(change: str) -> Any:
        return admin.wait_for(
            "message-updated",
            lambda e: e["message"]["id"] == message_id and e["changed"] == [change],
        )

    await deliver(
        hooks.message(
            WAHA_CHAT, "quero cancelar", event="message.edited", editedMessageId="3EB0ORIG"
        )
    )
    edited = await update_of("content")
    assert edited["message"]["content"] == "quero cancelar"
    assert edited["payload"] == {"edits": ["quero cancelr"]}

    target = f"false_{WAHA_CHAT}_3EB0ORIG"
    await deliver(
        hooks.message(
            WAHA_CHAT, event="message.reaction", reaction={"text": "👍", "messageId": target}
        )
    )
    reacted = await update_of("reactions")
    assert reacted["payload"] == {"edits": ["quero cancelr"], "reactions": {"customer": "👍"}}

    stub = hooks.message(WAHA_CHAT)["payload"]
    await deliver(
        hooks.event(
            "message.revoked", {"revokedMessageId": "3EB0ORIG", "after": stub, "before": None}
        )
    )
    revoked = await update_of("revoked")
    assert revoked["payload"]["revoked"] is True and revoked["payload"]["revoked_at"]
    assert edited["seq"] < reacted["seq"] < revoked["seq"]

    # REST agrees with what the socket said.
    response = await live_server.http.get(
        f"/api/conversations/{received['conversation']['id']}/messages",
        headers=team.admin.headers,
    )
    [stored] = [m for m in response.json()["items"] if m["id"] == message_id]
    assert stored["content"] == "quero cancelar"
    assert {key: stored["payload"][key] for key in revoked["payload"]} == revoked["payload"]

    # The bot has it: neither another department's agent nor another company heard of it.
    await barrier(live_server, (vendas, team.vendas_agent), (other_company, stranger))
    assert vendas.received("message-updated") == []
    assert other_company.received("message-updated") == []


async def _waha_webhook(live: LiveServer, team: Team, waha: FakeWaha) -> str:
    waha.add_session(SESSION)
    response = await live.http.post(
        "/api/connections",
        headers=team.admin.headers,
        json={
            "name": "WAHA",
            "channel": "waha",
            "config": {"base_url": waha.base_url, "session": SESSION},
            "secrets": {"api_key": "test-waha-key", "webhook_secret": HMAC_KEY},
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["webhook_url"]).removeprefix("http://127.0.0.1:8000")


# --- notes ---------------------------------------------------------------------------------


async def test_a_note_reaches_the_staff_who_see_the_conversation_and_never_the_customer(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    colleague = await team.world.agent("suporte", online=False)
    stranger = await signup(live_server.http)
    admin = await live_server.socket(team.admin.token)
    phone = await phone_for(live_server.http, team.admin, "+5511966665555")
    conversation_id = await assigned_on_the_sandbox(live_server, team, admin, phone)
    agent = await live_server.socket(team.suporte_agent.token)
    agent_other_tab = await live_server.socket(team.suporte_agent.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    queue_colleague = await live_server.socket(colleague.token)
    vendas = await live_server.socket(team.vendas_agent.token)
    other_company = await live_server.socket(stranger.token)
    await agent.call("join-conversation", {"conversation_id": conversation_id})

    response = await live_server.http.post(
        f"/api/conversations/{conversation_id}/notes",
        headers=team.suporte_agent.headers,
        json={"body": "Cliente VIP: oferecer desconto"},
    )
    assert response.status_code == 201, response.text
    note = response.json()

    for client in (admin, agent, agent_other_tab, supervisor):
        added = await client.wait_for("note-added")
        assert added == {"seq": added["seq"], "note": note}
    # The note does not change the conversation: no conversation-updated for it.
    assert all(e["changed"] != ["notes"] for e in supervisor.received("conversation-updated"))

    # A client that was away gets it back; one that may not see the conversation does not.
    [replayed] = await events_after(live_server, team.suporte_supervisor, added["seq"] - 1)
    assert (replayed["name"], replayed["data"]) == ("note-added", added)
    assert await events_after(live_server, team.vendas_agent, added["seq"] - 1) == []
    # The assigned conversation is not the colleague's, nor Vendas', nor another company's.
    await barrier(
        live_server,
        (queue_colleague, colleague),
        (vendas, team.vendas_agent),
        (other_company, stranger),
    )
    for client in (queue_colleague, vendas, other_company):
        assert client.received("note-added") == []

    # The customer's phone shows no trace of it.
    key = phone.webhook_url.rsplit("/", 1)[-1]
    chat = await live_server.http.get(
        f"/api/sandbox/{key}/chat",
        params={"phone": phone.phone},
        headers={"X-Sandbox-Token": phone.token},
    )
    assert chat.status_code == 200, chat.text
    assert all("VIP" not in (item["text"] or "") for item in chat.json()["items"])


# --- the customer's typing -----------------------------------------------------------------


async def test_the_customers_typing_reaches_the_agents_with_the_chat_open_and_nobody_else(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    admin = await live_server.socket(team.admin.token)
    phone = await phone_for(live_server.http, team.admin, "+5511955554444")
    conversation_id = await assigned_on_the_sandbox(live_server, team, admin, phone)
    agent = await live_server.socket(team.suporte_agent.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    await agent.call("join-conversation", {"conversation_id": conversation_id})
    # Another company with a customer of the same number, whose chat its admin has open.
    stranger = await signup(live_server.http)
    stranger_admin = await live_server.socket(stranger.token)
    stranger_phone = await phone_for(live_server.http, stranger, phone.phone)
    await stranger_phone.say("Oi")
    theirs = (await stranger_admin.wait_for("message-received"))["conversation"]["id"]
    await stranger_admin.call("join-conversation", {"conversation_id": theirs})
    async with live_server.app.state.database.read() as session:
        inbox_before = await session.scalar(select(func.count()).select_from(InboundEvent))

    response = await phone.post({"event": "typing", "from": phone.phone, "is_typing": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 0, "stored": 0}
    typing = await agent.wait_for("typing")
    assert typing == {
        "conversation_id": conversation_id,
        "sender": "customer",
        "user_id": None,
        "name": None,
        "is_typing": True,
    }
    await phone.post({"event": "typing", "from": phone.phone, "is_typing": False})
    stopped = await agent.wait_for("typing", lambda e: e["is_typing"] is False)
    assert stopped["conversation_id"] == conversation_id

    # The other company's customer types: only their admin hears it.
    await stranger_phone.post({"event": "typing", "from": phone.phone, "is_typing": True})
    assert (await stranger_admin.wait_for("typing"))["conversation_id"] == theirs

    await barrier(
        live_server,
        (agent, team.suporte_agent),
        (supervisor, team.suporte_supervisor),
        (stranger_admin, stranger),
    )
    assert [e["is_typing"] for e in agent.received("typing")] == [True, False]
    assert [e["conversation_id"] for e in stranger_admin.received("typing")] == [theirs]
    # Whoever has not the chat open is not disturbed (the list shows no typing).
    assert supervisor.received("typing") == [] and admin.received("typing") == []
    # Typing is never stored, queued or logged.
    async with live_server.app.state.database.read() as session:
        inbox_after = await session.scalar(select(func.count()).select_from(InboundEvent))
    assert inbox_after == inbox_before
    resynced = await events_after(live_server, team.suporte_agent, 0)
    assert all(e["name"] != "typing" for e in resynced)


async def test_a_whatsapp_customers_presence_is_typing_in_the_open_chat(
    live_server: LiveServer, fake_waha: FakeWaha
) -> None:
    team = await make_team(live_server)
    admin = await live_server.socket(team.admin.token)
    hooks = WahaWebhooks()
    webhook = await _waha_webhook(live_server, team, fake_waha)

    async def deliver(payload: dict[str, Any]) -> Any:
        delivery = hooks.delivery(payload)
        response = await live_server.http.post(
            webhook, content=delivery.body, headers=delivery.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    await deliver(hooks.message(WAHA_CHAT, "oi"))
    conversation_id = (await admin.wait_for("message-received"))["conversation"]["id"]
    await admin.call("join-conversation", {"conversation_id": conversation_id})

    assert await deliver(hooks.presence(WAHA_CHAT, "typing")) == {"received": 0, "stored": 0}
    typing = await admin.wait_for("typing")
    assert (typing["conversation_id"], typing["sender"], typing["is_typing"]) == (
        conversation_id,
        "customer",
        True,
    )
    await deliver(hooks.presence(WAHA_CHAT, "paused"))
    await admin.wait_for("typing", lambda e: e["is_typing"] is False)
    # A number with no open conversation: nobody to tell, and the provider still gets its 200.
    await deliver(hooks.presence("5511900001111@c.us", "typing"))
    await barrier(live_server, (admin, team.admin))
    assert [e["is_typing"] for e in admin.received("typing")] == [True, False]


async def test_a_transfer_takes_the_chat_away_from_the_sockets_that_had_it_open(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    admin = await live_server.socket(team.admin.token)
    phone = await phone_for(live_server.http, team.admin, "+5511955556666")
    conversation_id = await assigned_on_the_sandbox(live_server, team, admin, phone)
    agent = await live_server.socket(team.suporte_agent.token)
    await agent.call("join-conversation", {"conversation_id": conversation_id})
    await admin.call("join-conversation", {"conversation_id": conversation_id})

    response = await live_server.http.post(
        f"/api/conversations/{conversation_id}/transfer",
        headers=team.suporte_agent.headers,
        json={"department_id": str(team.department("vendas"))},
    )
    assert response.status_code == 200, response.text
    await agent.wait_for("conversation-transferred")  # the agent hears it leave...
    await admin.wait_for("conversation-transferred")
    # ...and its room is emptied: the admin, who still sees it, joins again (as the web app
    # does on this event); the Suporte agent may not.
    await admin.call("join-conversation", {"conversation_id": conversation_id})
    refused = await agent.call("join-conversation", {"conversation_id": conversation_id})
    assert refused["ok"] is False

    await phone.post({"event": "typing", "from": phone.phone, "is_typing": True})
    await admin.wait_for("typing")
    ack = await agent.call("typing", {"conversation_id": conversation_id, "is_typing": True})
    assert ack["ok"] is False and ack["error"]["code"] == "not_joined"
    await barrier(live_server, (agent, team.suporte_agent))
    assert agent.received("typing") == []  # the customer's typing no longer reaches it
