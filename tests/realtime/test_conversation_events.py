"""Conversation and message events (docs/realtime.md): each is emitted when its change
happens, once, to those who see the conversation (before and after a change of who sees
it), and never to another department's agents or another company."""

from __future__ import annotations

import uuid
from typing import Any

from nexus.models import MessageStatus
from tests.fixtures.api import Account, signup
from tests.fixtures.eventually import eventually
from tests.fixtures.live_server import LiveServer, SocketClient
from tests.fixtures.sandbox import phone_for
from tests.realtime.team import Team, make_team, notify

CONVERSATION_EVENTS = (
    "conversation-created",
    "conversation-assigned",
    "conversation-queued",
    "conversation-transferred",
    "conversation-resolved",
    "conversation-updated",
    "note-added",
    "message-received",
    "message-sent",
    "message-status",
)


def logged(client: SocketClient) -> list[tuple[str, Any]]:
    """The conversation and message events a socket got, in seq order."""
    events = [(name, data) for name, data in client.events if name in CONVERSATION_EVENTS]
    return sorted(events, key=lambda event: event[1]["seq"])


def bot_reply_id(client: SocketClient) -> str:
    """The latest bot message the client heard of."""
    return str(client.received("message-sent")[-1]["message"]["id"])


def names(client: SocketClient, *, statuses: bool = True) -> list[str]:
    """Event names in seq order; without ``statuses``, the send outcomes (whose timing
    depends on the send jobs) are left out."""
    return [name for name, _ in logged(client) if statuses or name != "message-status"]


async def barrier(live: LiveServer, team: Team, *clients: tuple[SocketClient, Account]) -> None:
    """Whatever was emitted before this is in these clients' hands once it returns (one
    server, one event loop: emits reach a socket in order)."""
    for client, account in clients:
        await notify(live.app, account.company_id, "barrier", users=[uuid.UUID(account.user_id)])
        await client.wait_for("notification", lambda e: e["title"] == "barrier")
        client.events[:] = [(n, d) for n, d in client.events if n != "notification"]


async def post(live: LiveServer, account: Account, path: str, body: Any = None) -> Any:
    response = await live.http.post(path, headers=account.headers, json=body or {})
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def test_a_customer_on_the_sandbox_reaches_the_agents_who_may_see_it(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    stranger = await signup(live_server.http)
    admin = await live_server.socket(team.admin.token)
    suporte = await live_server.socket(team.suporte_agent.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    vendas = await live_server.socket(team.vendas_agent.token)
    other_company = await live_server.socket(stranger.token)
    phone = await phone_for(live_server.http, team.admin, "+5511977776666")

    # A new customer: the conversation is with the bot, which only admins watch.
    await phone.say("Olá, preciso de ajuda")
    received = await admin.wait_for("message-received")
    assert received["message"]["content"] == "Olá, preciso de ajuda"
    assert received["message"]["direction"] == "inbound"
    assert received["conversation"]["status"] == "bot"
    assert received["conversation"]["unread_count"] == 1
    conversation_id = received["conversation"]["id"]
    await admin.wait_for("message-sent", lambda e: "1 - Suporte" in (e["message"]["content"]))
    assert names(admin, statuses=False) == [
        "conversation-created",
        "message-received",
        "message-sent",  # the greeting
        "message-sent",  # the menu
    ]
    assert all(e["message"]["is_bot"] for e in admin.received("message-sent"))

    # The customer picks Suporte: it waits in Suporte's queue (nobody is online).
    await phone.say("1")
    queued = await suporte.wait_for("conversation-queued")
    assert queued["conversation"]["id"] == conversation_id
    assert queued["conversation"]["status"] == "waiting"
    assert queued["conversation"]["department_id"] == str(team.department("suporte"))
    await suporte.wait_for("message-sent")  # the bot tells the customer they wait
    for client in (admin, supervisor):
        await client.wait_for("conversation-queued")
        await client.wait_for("message-sent", lambda e: e["seq"] > queued["seq"])
    assert names(admin, statuses=False)[4:] == [
        "message-received",
        "conversation-queued",
        "message-sent",
    ]
    assert names(suporte, statuses=False) == ["conversation-queued", "message-sent"]
    assert names(supervisor, statuses=False) == ["conversation-queued", "message-sent"]
    # Each of the bot's sends went out: its status followed, to the same people.
    await admin.wait_for("message-status", lambda e: e["message_id"] == bot_reply_id(admin))

    # The Suporte agent takes it and answers; the send's outcome follows.
    await post(live_server, team.suporte_agent, f"/api/conversations/{conversation_id}/assign")
    await suporte.wait_for("conversation-assigned")
    sent = await post(
        live_server,
        team.suporte_agent,
        "/api/messages/send",
        {"conversation_id": conversation_id, "content": "Oi! Em que posso ajudar?"},
    )
    event = await suporte.wait_for("message-sent", lambda e: e["message"]["id"] == sent["id"])
    assert event["message"]["status"] == "pending" and event["message"]["sender_id"] == (
        team.suporte_agent.user_id
    )
    assert event["conversation"]["last_message_preview"] == "Oi! Em que posso ajudar?"
    status = await suporte.wait_for("message-status", lambda e: e["message_id"] == sent["id"])
    assert status == {
        "seq": status["seq"],
        "conversation_id": conversation_id,
        "message_id": sent["id"],
        "status": "sent",
        "error_code": None,
        "error_message": None,
    }

    # The phone's receipt arrives through the webhook.
    provider_id = await _provider_id(live_server, team.suporte_agent, conversation_id, sent["id"])
    response = await phone.post(
        {"event": "status", "message_id": provider_id, "status": "read", "to": phone.phone}
    )
    assert response.status_code == 200, response.text
    read = await supervisor.wait_for("message-status", lambda e: e["status"] == "read")
    assert read["message_id"] == sent["id"]

    # Neither the Vendas agent nor another company heard any of it.
    await barrier(live_server, team, (vendas, team.vendas_agent), (other_company, stranger))
    assert logged(vendas) == [] and logged(other_company) == []


async def _provider_id(
    live: LiveServer, account: Account, conversation_id: str, message_id: str
) -> str:
    async def probe() -> str | None:
        response = await live.http.get(
            f"/api/conversations/{conversation_id}/messages", headers=account.headers
        )
        for message in response.json()["items"]:
            if message["id"] == message_id:
                return str(message["provider_message_id"] or "") or None
        return None

    return await eventually(probe)


async def test_each_action_is_published_once_to_those_who_see_it_before_and_after(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    reason_id = await team.world.closing_reason()
    other_suporte = await team.world.agent("suporte", online=False)
    conversation_id = str(await team.world.customer_arrives("suporte"))
    admin = await live_server.socket(team.admin.token)
    suporte = await live_server.socket(team.suporte_agent.token)
    colleague = await live_server.socket(other_suporte.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    vendas = await live_server.socket(team.vendas_agent.token)
    path = f"/api/conversations/{conversation_id}"

    # Taken from the queue: the queue (the colleague) hears it leave.
    await post(live_server, team.suporte_agent, f"{path}/assign")
    for client in (admin, suporte, colleague, supervisor):
        assigned = await client.wait_for("conversation-assigned")
        assert assigned["conversation"]["assignee_id"] == team.suporte_agent.user_id
        assert assigned["previous_assignee_id"] is None
        assert assigned["actor_id"] == team.suporte_agent.user_id

    # Changes of an assigned conversation: its agent, the supervisor and admins only.
    response = await live_server.http.patch(
        f"{path}/priority", headers=team.suporte_agent.headers, json={"priority": "high"}
    )
    assert response.status_code == 200, response.text
    await post(live_server, team.suporte_agent, f"{path}/notes", {"body": "Cliente VIP"})
    for client in (admin, suporte, supervisor):
        added = await client.wait_for("note-added")
        assert added["note"]["body"] == "Cliente VIP"
        updates = [
            (e["changed"], e["conversation"]["priority"])
            for e in client.received("conversation-updated")
        ]
        assert updates == [(["priority"], "high")]

    # Transferred to the Vendas queue: Vendas hears it arrive, Suporte hears it leave.
    await post(
        live_server,
        team.suporte_agent,
        f"{path}/transfer",
        {"department_id": str(team.department("vendas")), "reason": "é sobre uma compra"},
    )
    for client in (admin, suporte, supervisor, vendas):
        moved = await client.wait_for("conversation-transferred")
        assert moved["conversation"]["department_id"] == str(team.department("vendas"))
        assert moved["conversation"]["status"] == "waiting"
        assert moved["from_department_id"] == str(team.department("suporte"))
        assert moved["from_assignee_id"] == team.suporte_agent.user_id
        assert moved["reason"] == "é sobre uma compra"

    # Vendas takes and resolves it.
    await post(live_server, team.vendas_agent, f"{path}/assign")
    await vendas.wait_for("conversation-assigned")
    await post(live_server, team.vendas_agent, f"{path}/resolve", {"closing_reason_id": reason_id})
    for client in (admin, vendas):
        resolved = await client.wait_for("conversation-resolved")
        assert resolved["conversation"]["status"] == "resolved"
        assert resolved["closing_reason_id"] == reason_id
        assert resolved["actor_id"] == team.vendas_agent.user_id

    await barrier(
        live_server,
        team,
        (admin, team.admin),
        (suporte, team.suporte_agent),
        (colleague, other_suporte),
        (supervisor, team.suporte_supervisor),
        (vendas, team.vendas_agent),
    )
    assert names(admin) == [
        "conversation-assigned",
        "conversation-updated",
        "note-added",
        "conversation-transferred",
        "conversation-assigned",
        "conversation-resolved",
    ]
    # The colleague saw it only while it waited in their queue.
    assert names(colleague) == ["conversation-assigned"]
    assert names(suporte) == [
        "conversation-assigned",
        "conversation-updated",
        "note-added",
        "conversation-transferred",
    ]
    # The supervisor of Suporte, until it left Suporte.
    assert names(supervisor) == names(suporte)
    assert names(vendas) == [
        "conversation-transferred",
        "conversation-assigned",
        "conversation-resolved",
    ]
    # Every event has its own number: nothing was published twice.
    seqs = [data["seq"] for _, data in logged(admin)]
    assert len(set(seqs)) == len(seqs)


async def test_a_send_that_fails_reports_its_error(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    # A conversation with no channel: the send job cannot deliver it.
    conversation_id = str(await team.world.customer_arrives("suporte"))
    await post(live_server, team.suporte_agent, f"/api/conversations/{conversation_id}/assign")
    agent = await live_server.socket(team.suporte_agent.token)

    sent = await post(
        live_server,
        team.suporte_agent,
        "/api/messages/send",
        {"conversation_id": conversation_id, "content": "Olá?"},
    )

    failed = await agent.wait_for("message-status", lambda e: e["message_id"] == sent["id"])
    assert failed["status"] == MessageStatus.failed.value
    assert failed["error_code"] == "channel_error"
    assert failed["error_message"]
