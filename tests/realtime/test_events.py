"""Each event that can happen today is emitted when it happens: agent status (socket and
REST), conversation-updated by mark-read, typing relayed to the conversation's room, any
published notification; and the client events answer with the documented acks."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from nexus.models import Conversation, User
from tests.fixtures.api import signup
from tests.fixtures.live_server import LiveServer
from tests.realtime.team import Team, make_team, notify, titles


async def _assigned_conversation(team: Team, unread: int = 0) -> uuid.UUID:
    """A customer of Suporte, taken by the Suporte agent, with ``unread`` messages."""
    conversation_id = await team.world.customer_arrives("suporte")
    response = await team.world.client.post(
        f"/api/conversations/{conversation_id}/assign",
        headers=team.suporte_agent.headers,
        json={},
    )
    assert response.status_code == 200, response.text
    async with team.world.app.state.database.write() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(unread_count=unread)
        )
    return conversation_id


async def test_agent_status_from_the_socket_reaches_the_team(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    admin = await live_server.socket(team.admin.token)
    agent = await live_server.socket(team.suporte_agent.token)

    assert await agent.call("agent-status", {"status": "busy"}) == {"ok": True, "status": "busy"}

    event = await admin.wait_for("agent-status")
    assert event["user_id"] == team.suporte_agent.user_id
    assert event["status"] == "busy"
    assert event["seq"] > 0
    assert event["changed_at"] is not None
    async with live_server.app.state.database.read() as session:
        user = await session.get(User, uuid.UUID(team.suporte_agent.user_id))
        assert user is not None and user.presence.value == "busy"


async def test_agent_status_from_rest_is_published_once_per_change(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    admin = await live_server.socket(team.admin.token)

    for status in ("online", "online", "offline"):
        await team.world.set_presence(team.vendas_agent, status)
    await admin.wait_for("agent-status", lambda e: e["status"] == "offline")
    assert [e["status"] for e in admin.received("agent-status")] == ["online", "offline"]


async def test_heartbeat_records_the_agent_is_alive(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    await team.world.set_presence(team.vendas_agent, "online")
    agent = await live_server.socket(team.vendas_agent.token)
    user_id = uuid.UUID(team.vendas_agent.user_id)
    async with live_server.app.state.database.write() as session:
        await session.execute(update(User).where(User.id == user_id).values(last_heartbeat_at=None))

    assert await agent.call("heartbeat") == {"ok": True, "status": "online"}

    async with live_server.app.state.database.read() as session:
        user = await session.get(User, user_id)
        assert user is not None and user.last_heartbeat_at is not None


async def test_mark_read_resets_unread_and_tells_everyone_who_sees_it(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    conversation_id = await _assigned_conversation(team, unread=3)
    agent = await live_server.socket(team.suporte_agent.token)
    admin = await live_server.socket(team.admin.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    vendas = await live_server.socket(team.vendas_agent.token)

    ack = await agent.call("mark-read", {"conversation_id": str(conversation_id)})
    assert ack == {"ok": True, "conversation_id": str(conversation_id), "unread_count": 0}

    for client in (agent, admin, supervisor):
        event = await client.wait_for("conversation-updated")
        assert event["conversation"]["id"] == str(conversation_id)
        assert event["conversation"]["unread_count"] == 0
        assert event["changed"] == ["unread_count"]
    conversation = await team.world.conversation(conversation_id)
    assert conversation.unread_count == 0
    # An assigned conversation is not the Vendas agent's business (nor the Suporte queue's).
    await notify(
        live_server.app, team.company_id, "barrier", users=[uuid.UUID(team.vendas_agent.user_id)]
    )
    await vendas.wait_for("notification")
    assert vendas.received("conversation-updated") == []


async def test_mark_read_of_a_conversation_one_may_not_see_is_not_found(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    conversation_id = await _assigned_conversation(team, unread=2)
    vendas = await live_server.socket(team.vendas_agent.token)

    ack = await vendas.call("mark-read", {"conversation_id": str(conversation_id)})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    assert (await team.world.conversation(conversation_id)).unread_count == 2


async def test_typing_is_relayed_to_the_others_who_have_the_conversation_open(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    conversation_id = await _assigned_conversation(team)
    agent = await live_server.socket(team.suporte_agent.token)
    admin = await live_server.socket(team.admin.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    ref = {"conversation_id": str(conversation_id)}
    for client in (agent, admin, supervisor):
        assert await client.call("join-conversation", ref) == {"ok": True, **ref}

    assert await agent.call("typing", {**ref, "is_typing": True}) == {"ok": True}

    for client in (admin, supervisor):
        assert await client.wait_for("typing") == {
            **ref,
            "sender": "agent",
            "user_id": team.suporte_agent.user_id,
            "name": (await _name(live_server, team.suporte_agent.user_id)),
            "is_typing": True,
        }
    assert "seq" not in admin.received("typing")[0]  # ephemeral: never logged
    await admin.call("typing", {**ref, "is_typing": False})
    await agent.wait_for("typing")
    assert [e["user_id"] for e in agent.received("typing")] == [team.admin.user_id]

    # After leaving, the room's typing no longer reaches the supervisor.
    assert await supervisor.call("leave-conversation", ref) == {"ok": True, **ref}
    await agent.call("typing", {**ref, "is_typing": True})
    await admin.wait_for("typing", lambda e: e["is_typing"])
    await notify(
        live_server.app,
        team.company_id,
        "barrier",
        users=[uuid.UUID(team.suporte_supervisor.user_id)],
    )
    await supervisor.wait_for("notification")
    assert [(e["user_id"], e["is_typing"]) for e in supervisor.received("typing")] == [
        (team.suporte_agent.user_id, True),
        (team.admin.user_id, False),
    ]


async def _name(live: LiveServer, user_id: str) -> str:
    async with live.app.state.database.read() as session:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        return user.name


async def test_typing_needs_a_joined_conversation(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    conversation_id = await _assigned_conversation(team)
    agent = await live_server.socket(team.suporte_agent.token)

    ack = await agent.call("typing", {"conversation_id": str(conversation_id)})
    assert ack["ok"] is False and ack["error"]["code"] == "not_joined"


async def test_join_is_refused_for_conversations_one_may_not_see(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    queued_in_suporte = await team.world.customer_arrives("suporte")
    other = await signup(live_server.http)
    vendas = await live_server.socket(team.vendas_agent.token)
    stranger = await live_server.socket(other.token)  # an admin, of another company
    suporte = await live_server.socket(team.suporte_agent.token)
    ref = {"conversation_id": str(queued_in_suporte)}

    for client in (vendas, stranger):
        ack = await client.call("join-conversation", ref)
        assert ack == {
            "ok": False,
            "error": {"code": "not_found", "message": "Conversation not found.", "details": None},
        }
    # The Suporte agent may: the conversation waits in their department's queue.
    assert await suporte.call("join-conversation", ref) == {"ok": True, **ref}

    # Refused means not in the room: the room's typing does not reach them.
    await suporte.call("typing", {**ref, "is_typing": True})
    await notify(
        live_server.app, team.company_id, "barrier", users=[uuid.UUID(team.vendas_agent.user_id)]
    )
    await notify(live_server.app, other.company_id, "barrier", users=[uuid.UUID(other.user_id)])
    for client in (vendas, stranger):
        await client.wait_for("notification")
        assert client.received("typing") == []


async def test_client_events_are_validated(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    agent = await live_server.socket(team.vendas_agent.token)

    bad: list[tuple[str, Any]] = [
        ("join-conversation", {"conversation_id": "not-a-uuid"}),
        ("join-conversation", None),
        ("agent-status", {"status": "sleeping"}),
        ("typing", {"conversation_id": str(uuid.uuid4()), "extra": 1}),
    ]
    for event, data in bad:
        ack = await agent.call(event, data)
        assert ack["ok"] is False, (event, ack)
        assert ack["error"]["code"] == "validation_error"
        assert ack["error"]["details"]


async def test_a_published_notification_reaches_its_user_with_its_seq(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    agent = await live_server.socket(team.vendas_agent.token)

    await notify(
        live_server.app,
        team.company_id,
        "Nova conversa",
        users=[uuid.UUID(team.vendas_agent.user_id)],
    )

    event = await agent.wait_for("notification")
    assert event == {
        "seq": event["seq"],
        "kind": "test",
        "title": "Nova conversa",
        "body": None,
        "level": "info",
        "conversation_id": None,
    }
    assert titles(agent.received("notification")) == ["Nova conversa"]
