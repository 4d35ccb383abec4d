"""Resync (docs/realtime.md): a client that was away asks ``GET /api/events?after=<seq>``
and gets exactly the events it missed and may see, in order — or ``reload`` when they are no
longer all kept."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import pytest
from httpx import AsyncClient

from nexus.kit.models import utc_now
from nexus.realtime import service
from nexus.realtime.events import EventName, Notification
from nexus.realtime.publish import publish
from nexus.realtime.repository import prune_events
from tests.fixtures.api import Account
from tests.fixtures.live_server import LiveServer
from tests.realtime.team import make_team, notify, titles


async def _events(http: AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    response = await http.get("/api/events", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_reconnecting_client_gets_exactly_what_it_missed(live_server: LiveServer) -> None:
    app, http = live_server.app, live_server.http
    team = await make_team(live_server)
    me = uuid.UUID(team.vendas_agent.user_id)
    tab = await live_server.socket(team.vendas_agent.token)
    await notify(app, team.company_id, "seen live", users=[me])
    cursor = (await tab.wait_for("notification"))["seq"]
    await tab.close()

    await notify(app, team.company_id, "missed 1", users=[me])
    await notify(app, team.company_id, "for suporte", departments=[team.department("suporte")])
    await team.world.set_presence(team.suporte_agent, "online")  # not my department
    await notify(app, team.company_id, "missed 2", departments=[team.department("vendas")])
    await team.world.set_presence(team.vendas_agent, "busy")  # my own status
    await notify(app, team.company_id, "for admins", company=True)

    page = await _events(http, team.vendas_agent, after=cursor)

    events = page["events"]
    assert [e["name"] for e in events] == ["notification", "notification", "agent-status"]
    assert titles([e["data"] for e in events[:2]]) == ["missed 1", "missed 2"]
    assert events[2]["data"]["user_id"] == str(me) and events[2]["data"]["status"] == "busy"
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and seqs[0] > cursor
    assert all(e["data"]["seq"] == e["seq"] for e in events)  # as the socket delivered it
    assert page["last_seq"] == cursor + 6  # past the events that were not for me
    assert page["reload"] is False and page["has_more"] is False

    # The admin missed everything above but the department-only ones.
    admin_page = await _events(http, team.admin, after=cursor)
    assert [e["data"].get("title") or e["data"]["status"] for e in admin_page["events"]] == [
        "online",
        "busy",
        "for admins",
    ]

    # Resuming from last_seq: live again, nothing missed, nothing repeated.
    tab = await live_server.socket(team.vendas_agent.token)
    assert (await _events(http, team.vendas_agent, after=page["last_seq"]))["events"] == []
    await notify(app, team.company_id, "live again", users=[me])
    assert (await tab.wait_for("notification"))["seq"] == page["last_seq"] + 1


async def test_without_a_cursor_the_answer_is_where_to_start(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    await notify(live_server.app, team.company_id, "old news", company=True)

    page = await _events(live_server.http, team.admin)
    assert page == {"reload": False, "events": [], "last_seq": page["last_seq"], "has_more": False}
    assert page["last_seq"] >= 1


async def test_a_long_resync_comes_in_pages(live_server: LiveServer) -> None:
    team = await make_team(live_server)
    me = uuid.UUID(team.vendas_agent.user_id)
    start = (await _events(live_server.http, team.vendas_agent))["last_seq"]
    for n in range(5):
        await notify(live_server.app, team.company_id, f"n{n}", users=[me])
        await notify(live_server.app, team.company_id, "not mine", company=True)

    seen: list[str] = []
    cursor, calls = start, 0
    while True:
        page = await _events(live_server.http, team.vendas_agent, after=cursor, limit=2)
        seen += titles([e["data"] for e in page["events"]])
        cursor, calls = page["last_seq"], calls + 1
        if not page["has_more"]:
            break
    assert seen == ["n0", "n1", "n2", "n3", "n4"]
    assert calls == 3
    assert cursor == start + 10


async def test_conversation_room_events_go_to_those_who_may_see_the_conversation(
    live_server: LiveServer,
) -> None:
    team = await make_team(live_server)
    queued = await team.world.customer_arrives("suporte")
    start = (await _events(live_server.http, team.admin))["last_seq"]

    await notify(live_server.app, team.company_id, "in the chat", conversation=queued)

    for account, expected in (
        (team.admin, ["in the chat"]),
        (team.suporte_agent, ["in the chat"]),  # it waits in their queue
        (team.suporte_supervisor, ["in the chat"]),
        (team.vendas_agent, []),
    ):
        page = await _events(live_server.http, account, after=start)
        assert titles([e["data"] for e in page["events"]]) == expected, account.email


async def test_past_the_retained_window_the_answer_is_reload(live_server: LiveServer) -> None:
    app = live_server.app
    team = await make_team(live_server)
    me = uuid.UUID(team.vendas_agent.user_id)
    start = (await _events(live_server.http, team.vendas_agent))["last_seq"]
    for n in range(4):
        await notify(app, team.company_id, f"n{n}", users=[me])

    # Keep the newest two: a cursor before them missed events that are gone.
    async with app.state.database.write() as session:
        assert (
            await prune_events(session, older_than=utc_now().replace(year=2000), keep_per_company=2)
            == start + 2
        )
    gone = await _events(live_server.http, team.vendas_agent, after=start + 1)
    assert gone == {"reload": True, "events": [], "last_seq": start + 4, "has_more": False}
    kept = await _events(live_server.http, team.vendas_agent, after=start + 2)
    assert titles([e["data"] for e in kept["events"]]) == ["n2", "n3"]

    # A day later, nothing is kept: only a client already up to date needs no reload.
    async with app.state.database.write() as session:
        await prune_events(session, older_than=utc_now() + service.RETENTION, keep_per_company=100)
    assert (await _events(live_server.http, team.vendas_agent, after=start + 2))["reload"]
    up_to_date = await _events(live_server.http, team.vendas_agent, after=start + 4)
    assert up_to_date == {"reload": False, "events": [], "last_seq": start + 4, "has_more": False}


async def test_too_far_behind_or_ahead_the_answer_is_reload(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = await make_team(live_server)
    start = (await _events(live_server.http, team.admin))["last_seq"]
    monkeypatch.setattr(service, "RESYNC_WINDOW", 3)
    for n in range(4):
        await notify(live_server.app, team.company_id, f"n{n}", company=True)

    assert (await _events(live_server.http, team.admin, after=start))["reload"] is True
    assert (await _events(live_server.http, team.admin, after=start + 1))["reload"] is False
    # A cursor the company never reached (another installation, a restored backup).
    ahead = await _events(live_server.http, team.admin, after=start + 99)
    assert ahead == {"reload": True, "events": [], "last_seq": start + 4, "has_more": False}


async def test_concurrent_publishers_never_leave_a_reader_behind(live_server: LiveServer) -> None:
    """Numbers are given in commit order: a reader polling ``after=<last_seq>`` while many
    transactions publish at once ends with every event exactly once."""
    app = live_server.app
    team = await make_team(live_server)
    company_id = team.company_id
    admin = uuid.UUID(team.admin.user_id)
    start = (await _events(live_server.http, team.admin))["last_seq"]
    publishers, per_publisher = 8, 5

    async def publisher(n: int) -> None:
        for i in range(per_publisher):
            async with app.state.database.write() as session:
                publish(
                    session,
                    company_id,
                    EventName.notification,
                    Notification(kind="race", title=f"{n}.{i}"),
                    users=[admin],
                )
                await asyncio.sleep(random.random() / 50)  # work after publishing

    collected: list[int] = []
    done = asyncio.Event()

    async def reader() -> None:
        cursor = start
        while True:
            finished = done.is_set()
            page = await _events(live_server.http, team.admin, after=cursor)
            assert page["reload"] is False
            collected.extend(e["seq"] for e in page["events"])
            cursor = page["last_seq"]
            if finished and not page["has_more"]:
                return

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(publisher(n) for n in range(publishers)))
    done.set()
    await reading
    total = publishers * per_publisher
    assert collected == list(range(start + 1, start + total + 1))
