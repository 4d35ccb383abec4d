"""Routing's timers tell the department's supervisors (R4, R5), and a client that was cut
off gets the conversation events it missed from the resync."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from nexus.kit.models import utc_now
from nexus.kit.realtime import realtime
from nexus.models import Conversation, User
from nexus.routing import sweeps
from tests.fixtures.live_server import LiveServer
from tests.realtime.team import make_team, notify
from tests.realtime.test_conversation_events import barrier, logged, names


async def test_a_queue_timeout_notifies_the_supervisors_of_the_department(
    live_server: LiveServer,
) -> None:
    app = live_server.app
    team = await make_team(live_server)
    conversation_id = await team.world.customer_arrives("suporte")
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    suporte = await live_server.socket(team.suporte_agent.token)
    vendas = await live_server.socket(team.vendas_agent.token)
    async with app.state.database.write() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(timer_due_at=utc_now() - timedelta(seconds=1))
        )

    async with app.state.database.write() as session:
        assert await sweeps.expire_response_timers(session) == [conversation_id]

    notice = await supervisor.wait_for("notification")
    assert notice["kind"] == "queue_timeout" and notice["level"] == "warning"
    assert notice["conversation_id"] == str(conversation_id)
    assert notice["title"] == "Conversa sem resposta"  # the supervisor's locale, pt-BR
    assert "Suporte" in notice["body"] and "5 min" in notice["body"]
    # Redirected to the root department: Suporte's queue hears it leave.
    moved = await suporte.wait_for("conversation-transferred")
    assert moved["from_department_id"] == str(team.department("suporte"))
    assert moved["conversation"]["department_id"] != str(team.department("suporte"))
    await barrier(live_server, team, (vendas, team.vendas_agent), (suporte, team.suporte_agent))
    assert vendas.received("notification") == [] and logged(vendas) == []
    assert suporte.received("notification") == []


async def test_an_agent_silent_past_the_heartbeat_timeout_is_reported_to_supervisors(
    live_server: LiveServer,
) -> None:
    app = live_server.app
    team = await make_team(live_server)
    await team.world.set_presence(team.suporte_agent, "online")
    conversation_id = await team.world.customer_arrives("suporte")
    assert (await team.world.conversation(conversation_id)).assignee_id == uuid.UUID(
        team.suporte_agent.user_id
    )
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    async with app.state.database.write() as session:
        await session.execute(
            update(User)
            .where(User.id == uuid.UUID(team.suporte_agent.user_id))
            .values(last_heartbeat_at=utc_now() - timedelta(hours=1))
        )

    async with app.state.database.write() as session:
        assert await sweeps.expire_heartbeats(session) == [uuid.UUID(team.suporte_agent.user_id)]

    notice = await supervisor.wait_for("notification")
    assert notice["kind"] == "agent_offline"
    assert "1 conversa(s)" in notice["body"]
    status = await supervisor.wait_for("agent-status")
    assert status["user_id"] == team.suporte_agent.user_id and status["status"] == "offline"
    queued = await supervisor.wait_for("conversation-queued")
    assert queued["conversation"]["id"] == str(conversation_id)
    assert queued["conversation"]["assignee_id"] is None


async def test_after_a_forced_disconnect_the_resync_returns_the_missed_conversation_events(
    live_server: LiveServer,
) -> None:
    app, http = live_server.app, live_server.http
    team = await make_team(live_server)
    me = uuid.UUID(team.vendas_agent.user_id)
    tab = await live_server.socket(team.vendas_agent.token)
    await notify(app, team.company_id, "seen live", users=[me])
    cursor = (await tab.wait_for("notification"))["seq"]

    await realtime.disconnect_user(me)  # the server drops the socket
    await tab.wait_disconnected()
    mine = await team.world.customer_arrives("vendas")
    await team.world.customer_arrives("suporte")  # not my department's queue

    page = (
        await http.get("/api/events", headers=team.vendas_agent.headers, params={"after": cursor})
    ).json()
    # Its creation was for admins only, but the resync judges by who may see it now.
    assert [(e["name"], e["data"]["conversation"]["id"]) for e in page["events"]] == [
        ("conversation-created", str(mine)),
        ("conversation-queued", str(mine)),
    ]
    assert page["reload"] is False and page["has_more"] is False

    # Back online from the resync's cursor: the next event arrives live.
    tab = await live_server.socket(team.vendas_agent.token)
    response = await http.patch(
        f"/api/conversations/{mine}/priority",
        headers=team.admin.headers,
        json={"priority": "urgent"},
    )
    assert response.status_code == 200, response.text
    update_event = await tab.wait_for("conversation-updated")
    assert update_event["seq"] > page["last_seq"] and update_event["changed"] == ["priority"]
    assert names(tab) == ["conversation-updated"]
