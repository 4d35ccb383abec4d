"""A socket joins only the rooms its user is entitled to (A1, T4): nothing of another
company, nothing of a department the user has no part in.

Negative checks use a barrier: an event published after the one that must not arrive, to
the same socket; once the barrier is there, the earlier one would have been too."""

from __future__ import annotations

import uuid

from tests.fixtures.api import signup
from tests.fixtures.live_server import LiveServer
from tests.realtime.team import make_team, notify, titles


async def test_company_events_never_reach_another_company(live_server: LiveServer) -> None:
    app = live_server.app
    team = await make_team(live_server)
    other = await signup(live_server.http)
    admin_a = await live_server.socket(team.admin.token)
    admin_b = await live_server.socket(other.token)

    await notify(app, team.company_id, "for A", company=True)
    await notify(app, other.company_id, "for B", company=True)

    assert (await admin_a.wait_for("notification"))["title"] == "for A"
    await admin_b.wait_for("notification", lambda e: e["title"] == "for B")
    assert titles(admin_b.received("notification")) == ["for B"]
    assert titles(admin_a.received("notification")) == ["for A"]


async def test_rooms_of_other_companies_ids_reach_nobody_there(live_server: LiveServer) -> None:
    """Addressed by user or department id, an event of company A cannot reach B: B's
    sockets are only in rooms of B's own ids."""
    app = live_server.app
    team = await make_team(live_server)
    other = await signup(live_server.http)
    admin_b = await live_server.socket(other.token)

    await notify(
        app,
        team.company_id,
        "A's departments and users",
        company=True,
        departments=[team.department("vendas"), team.department("suporte")],
        users=[uuid.UUID(team.admin.user_id)],
    )
    await notify(app, other.company_id, "barrier", users=[uuid.UUID(other.user_id)])
    await admin_b.wait_for("notification")
    assert titles(admin_b.received("notification")) == ["barrier"]


async def test_department_events_reach_only_that_department(live_server: LiveServer) -> None:
    app = live_server.app
    team = await make_team(live_server)
    vendas = await live_server.socket(team.vendas_agent.token)
    suporte = await live_server.socket(team.suporte_agent.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    admin = await live_server.socket(team.admin.token)

    await notify(app, team.company_id, "suporte only", departments=[team.department("suporte")])
    await notify(
        app,
        team.company_id,
        "everyone",
        company=True,
        departments=[team.department("vendas"), team.department("suporte")],
    )

    for client in (vendas, suporte, supervisor, admin):
        await client.wait_for("notification", lambda e: e["title"] == "everyone")
    assert titles(vendas.received("notification")) == ["everyone"]
    assert titles(suporte.received("notification")) == ["suporte only", "everyone"]
    assert titles(supervisor.received("notification")) == ["suporte only", "everyone"]
    # Admins follow the company room; a department-only event is its department's business.
    assert titles(admin.received("notification")) == ["everyone"]


async def test_user_events_reach_every_tab_of_that_user_only(live_server: LiveServer) -> None:
    app = live_server.app
    team = await make_team(live_server)
    tabs = [await live_server.socket(team.vendas_agent.token) for _ in range(2)]
    colleague = await live_server.socket(team.suporte_agent.token)

    await notify(app, team.company_id, "just you", users=[uuid.UUID(team.vendas_agent.user_id)])
    await notify(app, team.company_id, "barrier", users=[uuid.UUID(team.suporte_agent.user_id)])

    for tab in tabs:
        assert (await tab.wait_for("notification"))["title"] == "just you"
    await colleague.wait_for("notification")
    assert titles(colleague.received("notification")) == ["barrier"]


async def test_an_agent_of_vendas_does_not_see_suporte_team_status(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    vendas = await live_server.socket(team.vendas_agent.token)
    supervisor = await live_server.socket(team.suporte_supervisor.token)
    admin = await live_server.socket(team.admin.token)
    suporte = await live_server.socket(team.suporte_agent.token)

    assert await suporte.call("agent-status", {"status": "online"}) == {
        "ok": True,
        "status": "online",
    }
    assert await vendas.call("agent-status", {"status": "busy"}) == {"ok": True, "status": "busy"}

    suporte_id, vendas_id = team.suporte_agent.user_id, team.vendas_agent.user_id
    for client in (supervisor, admin, suporte):
        await client.wait_for("agent-status", lambda e: e["user_id"] == suporte_id)
    await admin.wait_for("agent-status", lambda e: e["user_id"] == vendas_id)
    await vendas.wait_for("agent-status", lambda e: e["user_id"] == vendas_id)
    await notify(
        live_server.app,
        team.company_id,
        "barrier",
        users=[uuid.UUID(team.suporte_supervisor.user_id)],
    )
    await supervisor.wait_for("notification")
    assert [e["user_id"] for e in vendas.received("agent-status")] == [vendas_id]
    assert all(e["user_id"] == suporte_id for e in supervisor.received("agent-status"))
