"""The inbox spool (inbound/spool.py): webhooks committed apart from the inbox, moved into
it by the inbox job's write transaction, forgotten only once that has committed — so an
acknowledged event is always in one of the two, and reaches the inbox once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import delete, func, select, update

from nexus.channels.events import Event
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound import spool as spool_module
from nexus.inbound import tasks as inbound_tasks
from nexus.inbound.spool import SPOOLED, spool
from nexus.kit.db import Database
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import Connection, InboundEvent
from tests.fixtures.sandbox import sandbox_connection_of_a_new_company
from tests.fixtures.settled import wait_until_settled

pytestmark = pytest.mark.usefixtures("spooled")


@pytest.fixture
async def connection(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> Connection:
    # The webhooks' kicks are dropped: each test moves the events itself.
    monkeypatch.setattr(jobs, "kick_or_log", _not_kicked)
    return await sandbox_connection_of_a_new_company(app, client)


def _delivery(connection: Connection, *ids: str) -> Sequence[Event]:
    body = [{"event": "message", "id": i, "from": "+5511900004444", "text": i} for i in ids]
    return adapter_of(connection).parse_webhook(json.dumps(body).encode())


async def _in_inbox(database: Database) -> list[str]:
    async with database.read() as session:
        ids = await session.scalars(
            select(InboundEvent.provider_event_id).order_by(InboundEvent.received_at)
        )
        return [event_id.rsplit(":", 1)[-1] for event_id in ids]


async def _spooled_count() -> int:
    async with spool._open().read_inline() as session:
        return int(await session.scalar(select(func.count()).select_from(SPOOLED)) or 0)


async def test_spooled_events_reach_the_inbox_before_the_spool_forgets_them(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> None:
    database: Database = app.state.database
    stored = await spool.store(
        database, [(connection, _delivery(connection, "a", "b")), (connection, [])]
    )
    assert [len(ids) for ids in stored] == [2, 0]
    assert await _in_inbox(database) == []  # a webhook's commit is the spool's only

    insert = spool_module.insert_new_rows

    async def interrupted(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(spool_module, "insert_new_rows", interrupted)
    with pytest.raises(RuntimeError):  # a move whose transaction fails moves nothing…
        await spool.move(database)
    assert await _in_inbox(database) == []
    assert await _spooled_count() == 2  # …and forgets nothing
    monkeypatch.setattr(spool_module, "insert_new_rows", insert)

    seen_when_forgetting: list[list[str]] = []
    forget = spool._forget

    async def forget_after_looking(ids: list[uuid.UUID]) -> None:
        seen_when_forgetting.append(await _in_inbox(database))
        await forget(ids)

    monkeypatch.setattr(spool, "_forget", forget_after_looking)
    assert await spool.move(database) == 2
    assert seen_when_forgetting == [["a", "b"]]  # committed in the inbox before forgotten
    assert await _spooled_count() == 0
    async with database.read() as session:
        moved = await session.scalars(select(InboundEvent.id).order_by(InboundEvent.received_at))
        assert list(moved) == stored[0]  # the ids the webhook was answered with
    monkeypatch.undo()
    await inbound_tasks.process()  # the app stops at rest


async def test_a_redelivery_is_stored_once_whether_spooled_or_moved(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> None:
    database: Database = app.state.database
    first = await spool.store(database, [(connection, _delivery(connection, "a"))])
    assert [len(ids) for ids in first] == [1]
    # Spooled already: the spool's own key refuses it.
    assert await spool.store(database, [(connection, _delivery(connection, "a"))]) == [[]]
    assert await spool.move(database) == 1
    # In the inbox now: the webhook is told it stored nothing new.
    again = await spool.store(database, [(connection, _delivery(connection, "a", "b"))])
    assert again == [[await _spooled_id("b")]]

    # The spool fails to forget what it moved: logged, and the events stay spooled…
    monkeypatch.setattr(spool_module, "delete", failing_delete)
    assert await spool.move(database) == 1
    assert await _spooled_count() == 1
    monkeypatch.setattr(spool_module, "delete", delete)
    # …so the next move takes them again, and the inbox ignores them.
    assert await spool.move(database) == 1
    assert await _spooled_count() == 0
    assert await _in_inbox(database) == ["a", "b"]
    monkeypatch.undo()
    await inbound_tasks.process()


async def test_events_of_a_connection_deleted_meanwhile_are_dropped_not_stuck(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> None:
    """Its inbox went with it (ON DELETE CASCADE); moving them would break the foreign key
    and stop every later move."""
    database: Database = app.state.database
    await spool.store(database, [(connection, _delivery(connection, "a"))])
    async with database.write() as session:
        await session.execute(delete(Connection).where(Connection.id == connection.id))
    assert await spool.move(database) == 1
    assert await _spooled_count() == 0
    assert await _in_inbox(database) == []
    monkeypatch.undo()


async def test_the_sweep_wakes_processing_for_events_left_in_the_spool(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> None:
    kicks: list[str] = []

    async def kick(name: str, **_: object) -> None:
        if name == "inbound.process":  # not the scheduler's own kicks meanwhile
            kicks.append(name)

    monkeypatch.setattr(jobs, "kick", kick)  # and the webhook's own kick is lost
    await spool.store(app.state.database, [(connection, _delivery(connection, "a"))])
    await inbound_tasks.sweep()
    assert kicks == []  # within its grace: the webhook's own kick may still come
    async with spool._open().write() as session:
        await session.execute(update(SPOOLED).values(received_at=utc_now() - inbox.KICK_GRACE * 2))
    await inbound_tasks.sweep()
    assert kicks == ["inbound.process"]
    monkeypatch.undo()
    await inbound_tasks.process()
    await wait_until_settled(app)


def failing_delete(*args: object) -> object:
    raise RuntimeError("disk full")


async def _not_kicked(name: str, **_: object) -> None:
    pass


async def _spooled_id(provider_event_suffix: str) -> uuid.UUID:
    async with spool._open().read_inline() as session:
        ids = await session.scalars(
            select(SPOOLED.c.id).where(
                SPOOLED.c.provider_event_id.like(f"%:{provider_event_suffix}")
            )
        )
        return ids.one()


async def test_a_start_without_an_inbox_worker_moves_what_was_left_spooled(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, connection: Connection
) -> None:
    database: Database = app.state.database
    url = app.state.settings.resolved_database_url
    await spool.store(database, [(connection, _delivery(connection, "a", "b"))])
    await spool.close()  # the server stopped before its worker moved them

    monkeypatch.setattr(spool_module, "delete", failing_delete)
    # A spool that cannot be emptied (logged) does not hold the start forever…
    await asyncio.wait_for(spool.move_leftovers(url, database), timeout=30)
    monkeypatch.setattr(spool_module, "delete", delete)
    await spool.move_leftovers(url, database)  # …and the next start empties it.
    assert not spool.active  # webhooks go to the inbox itself from now on
    assert await _in_inbox(database) == ["a", "b"]
    await spool.open(url)
    assert await _spooled_count() == 0
    monkeypatch.undo()
    await inbound_tasks.process()
