"""An agent's typing and reading reach the customer's channel (M6) through its adapter, here
WAHA's wire-format fake over real HTTP; a provider that refuses never fails the agent."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from nexus.kit.models import utc_now
from nexus.models import (
    Connection,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageStatus,
)
from tests.fakes.server import Fault, Recorded
from tests.fakes.waha import API_KEY, SESSION, FakeWaha
from tests.fixtures.eventually import eventually
from tests.fixtures.live_server import LiveServer
from tests.realtime.team import Team, make_team

CHAT = "5511988887777@c.us"


async def _waha_conversation(live: LiveServer, team: Team, waha: FakeWaha) -> uuid.UUID:
    """A WAHA customer's conversation, assigned to the Suporte agent, with three of the
    customer's messages of which the last two are unread."""
    waha.add_session(SESSION)
    response = await live.http.post(
        "/api/connections",
        headers=team.admin.headers,
        json={
            "name": "WAHA",
            "channel": "waha",
            "config": {"base_url": waha.base_url, "session": SESSION},
            "secrets": {"api_key": API_KEY},
        },
    )
    assert response.status_code == 201, response.text
    connection_id = uuid.UUID(response.json()["id"])
    now = utc_now()
    async with live.app.state.database.write() as session:
        await session.execute(
            update(Connection).where(Connection.id == connection_id).values(status="connected")
        )
        contact = Contact(company_id=team.company_id, name="Ana", phone="+5511988887777")
        session.add(contact)
        await session.flush()
        conversation = Conversation(
            company_id=team.company_id,
            contact_id=contact.id,
            connection_id=connection_id,
            chat_id=CHAT,
            status=ConversationStatus.assigned,
            department_id=team.department("suporte"),
            assignee_id=uuid.UUID(team.suporte_agent.user_id),
            unread_count=2,
            last_message_at=now,
        )
        session.add(conversation)
        await session.flush()
        for n in range(3):
            session.add(
                Message(
                    company_id=team.company_id,
                    conversation_id=conversation.id,
                    contact_id=contact.id,
                    connection_id=connection_id,
                    direction=MessageDirection.inbound,
                    content=f"mensagem {n}",
                    status=MessageStatus.received,
                    provider_message_id=f"false_{CHAT}_AAA{n}",
                    created_at=now + timedelta(milliseconds=n),
                )
            )
    return conversation.id


async def test_mark_read_sends_the_read_receipts_of_the_unread_messages(
    live_server: LiveServer, fake_waha: FakeWaha
) -> None:
    team = await make_team(live_server)
    conversation_id = await _waha_conversation(live_server, team, fake_waha)
    agent = await live_server.socket(team.suporte_agent.token)

    ack = await agent.call("mark-read", {"conversation_id": str(conversation_id)})
    assert ack == {"ok": True, "conversation_id": str(conversation_id), "unread_count": 0}

    seen = await eventually(lambda: _calls(fake_waha, "/api/sendSeen"))
    assert seen[0].json == {
        "session": SESSION,
        "chatId": CHAT,
        "messageIds": [f"false_{CHAT}_AAA1", f"false_{CHAT}_AAA2"],
    }
    # Read again with nothing new: no second receipt.
    await agent.call("mark-read", {"conversation_id": str(conversation_id)})
    await agent.call("heartbeat")
    assert len(fake_waha.received("/api/sendSeen")) == 1


async def test_typing_shows_on_the_customers_phone_and_a_refusal_is_not_the_agents_error(
    live_server: LiveServer, fake_waha: FakeWaha
) -> None:
    team = await make_team(live_server)
    conversation_id = await _waha_conversation(live_server, team, fake_waha)
    agent = await live_server.socket(team.suporte_agent.token)
    ref = {"conversation_id": str(conversation_id)}
    await agent.call("join-conversation", ref)

    fake_waha.fail_next(Fault("error", status=500, path="/api/startTyping"))
    assert await agent.call("typing", {**ref, "is_typing": True}) == {"ok": True}
    await eventually(lambda: _calls(fake_waha, "/api/startTyping"))
    # Within the interval, more keystrokes make no more provider calls.
    for _ in range(5):
        assert await agent.call("typing", {**ref, "is_typing": True}) == {"ok": True}
    assert await agent.call("typing", {**ref, "is_typing": False}) == {"ok": True}
    await agent.call("heartbeat")  # a round trip: any job kicked above has had its turn
    calls = fake_waha.received("/api/startTyping")
    assert [call.json for call in calls] == [{"session": SESSION, "chatId": CHAT}]


async def _calls(waha: FakeWaha, path: str) -> list[Recorded]:
    return waha.received(path)
