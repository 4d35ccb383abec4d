from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import uuid

import structlog

from nexus.channels.base import ChannelAdapter
from nexus.channels.errors import ChannelError, TransientError
from nexus.channels.events import Event, MediaDescriptor, event_from_payload
from nexus.channels.mediatypes import base_mime
from nexus.channels.outbound import DownloadedMedia
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound.processor import inbound_processor
from nexus.inbound.spool import spool
from nexus.kit.db import Database, savepoint
from nexus.kit.jobs import jobs
from nexus.kit.storage import LocalStorage
from nexus.models import Connection, Message
from nexus.realtime.conversation_events import publish_message_updated

log = structlog.get_logger(__name__)

# Events one job applies before it hands over to a new job, kicked at the back of the queue:
# a message of the distributed broker is never held for minutes.
MAX_PER_RUN = 500
# One write transaction applies due events, across chats, until this much time has passed:
# one BEGIN/COMMIT, one read of the inbox and one lookup of each connection for the lot,
# yet the write lock is never held long enough to keep a webhook's 200 waiting.
BATCH_SECONDS = 0.05
# A batch yields to a webhook waiting for the write turn, but not before this much time:
# under a steady stream of webhooks one always waits, and batches of one event each would
# spend their time on what every batch costs (reading the inbox, the commit).
YIELD_AFTER_SECONDS = 0.03
# Events read at a time: about what a batch gets through before its time is up. Each read
# prefetches its senders' contacts and conversations (a few statements, whatever the count):
# 50 rather than 20 took the inbox worker from ~690 to ~850 messages/s (decision 0009).
BATCH_READ = 50


class Drain:
    """Whether this process is working through the inbox.

    Every stored delivery kicks the job. A kick that finds the job running here only asks it
    to look again before it ends, instead of starting a second one that would queue for the
    write lock (SQLite has one for everybody) or reach for the same chats (PostgreSQL).
    Workers of other processes take other chats (``inbox.take_due``).
    """

    def __init__(self) -> None:
        self.running = False
        self._kicked = False

    def claim(self) -> bool:
        """Start working, or (False) note that the running job must look again."""
        if self.running:
            self._kicked = True
            return False
        self.running = True
        self._kicked = False
        return True

    def kicked_since(self) -> bool:
        """Whether a kick came since the last call."""
        kicked, self._kicked = self._kicked, False
        return kicked

    def end(self) -> None:
        self.running = False


drain = Drain()


@jobs.task("inbound.process")
async def process() -> None:
    """Apply the due inbox events, oldest first across chats (so each chat's in its order),
    until none is left. Each batch of them is one write transaction that applies them and
    marks them processed (``_apply_batch``)."""
    if not drain.claim():
        return
    try:
        finished = await _work_through(jobs.db())
    finally:
        drain.end()
    if not finished:
        await jobs.kick("inbound.process")


class _BatchFailed(Exception):
    """An event of a batch applied without savepoints failed: the batch is rolled back."""


async def _work_through(database: Database) -> bool:
    """Apply batches until nothing is due; False when it stopped at ``MAX_PER_RUN``."""
    handled = 0
    careful = False
    while handled < MAX_PER_RUN:
        drain.kicked_since()  # from here on, a kick is news this run must look for
        try:
            batch = await _apply_batch(database, careful=careful)
        except _BatchFailed:
            careful = True  # the same events again, each in its own savepoint
            continue
        careful = False
        if batch is None:
            return True  # the transaction failed: the sweep wakes processing again
        if batch == 0 and not drain.kicked_since():
            return True
        handled += batch
    return False


async def _apply_batch(database: Database, *, careful: bool) -> int | None:
    """Apply due events, oldest first, in one transaction. Return how many were handled
    (applied, or failed and backing off), or None when the transaction itself failed.

    Events nearly always apply, so a batch runs without savepoints (two statements and a
    flush less per event, about 15 % of its cost). When one fails the whole batch is rolled
    back (``_BatchFailed``) and applied again ``careful``ly: each event in a savepoint, so
    that the failed one backs off alone. The chat's later events go on: one bad event never
    holds a customer's messages."""
    loop = asyncio.get_running_loop()
    handled = 0
    current: uuid.UUID | None = None
    try:
        async with database.write() as session:
            # From the moment the turn is ours: the wait for it can be long under load.
            started = loop.time()
            if spool.active:  # what webhooks committed there since (inbound/spool.py)
                await spool.move_into(session)
            connections: dict[uuid.UUID, Connection | None] = {}
            while True:
                rows = await inbox.take_due(session, BATCH_READ)
                if not rows:
                    return handled
                for connection_id in {row.connection_id for row in rows} - connections.keys():
                    connections[connection_id] = await session.get(Connection, connection_id)
                parsed = [(row, _parse(row)) for row in rows]
                await inbound_processor.prefetch(
                    session,
                    [
                        (connection, event)
                        for row, event in parsed
                        if not isinstance(event, Exception)
                        and (connection := connections[row.connection_id]) is not None
                    ],
                )
                applied: list[uuid.UUID] = []
                for row, event in parsed:
                    current = row.id
                    connection = connections[row.connection_id]
                    assert connection is not None  # events go with their connection
                    try:
                        async with savepoint(session) if careful else contextlib.nullcontext():
                            if isinstance(event, Exception):
                                raise event
                            await inbound_processor.apply(session, connection, event)
                    except Exception as error:
                        if not careful:
                            raise _BatchFailed from error
                        log.warning(
                            "inbound_event_failed", event_id=str(current), error=repr(error)
                        )
                        await inbox.record_failure(session, current, repr(error))
                    else:
                        applied.append(row.id)
                    current = None
                    handled += 1
                    elapsed = loop.time() - started
                    out_of_time = elapsed >= BATCH_SECONDS or (
                        elapsed >= YIELD_AFTER_SECONDS and database.urgent_writer_waiting
                    )
                    if out_of_time:
                        break
                    # SQLite statements run in the loop's thread (kit/sqlite_inline.py): let
                    # requests in between events, not only between batches.
                    await asyncio.sleep(0)
                try:
                    # What the events left to insert (the messages of ``processor._store``)
                    # goes in together, and a failure there is the batch's.
                    await session.flush()
                except Exception as error:
                    if not careful:
                        raise _BatchFailed from error
                    raise
                await inbox.mark_processed(session, applied)
                if out_of_time:
                    return handled
    except _BatchFailed:
        raise
    except Exception as error:
        # The transaction itself failed (the database went away, a lock timed out): nothing
        # of the batch is applied; the event being applied is counted as having failed.
        if current is None:
            raise
        log.warning("inbound_batch_failed", event_id=str(current), error=repr(error))
        async with database.write() as session:
            await inbox.record_failure(session, current, repr(error))
        return None


def _parse(row: inbox.DueEvent) -> Event | Exception:
    """The stored event, or what kept it from being read (raised when it is applied)."""
    try:
        return event_from_payload(row.payload)
    except Exception as error:
        return error


@jobs.task("inbound.sweep", every_seconds=5)
async def sweep() -> None:
    """Wake processing for events whose kick was lost (a crash between the 200 and the
    processing) or whose back-off has ended."""
    async with jobs.db().read() as session:
        overdue = await inbox.overdue(session)
    if not overdue:
        overdue = await spool.overdue()
    if overdue:
        await jobs.kick("inbound.process")


@jobs.task("media.download")
async def download_media(message_id: str) -> None:
    """Fetch an inbound file into our storage at once: provider links expire in minutes."""
    database = jobs.db()
    id = uuid.UUID(message_id)
    async with database.read() as session:
        message = await session.get(Message, id)
        if message is None or not message.media or message.connection_id is None:
            return
        connection = await session.get(Connection, message.connection_id)
        assert connection is not None
        descriptor = MediaDescriptor.model_validate(message.media["descriptor"])
        company_id = message.company_id
    media: dict[str, object] = dict(message.media)
    try:
        downloaded = await _download_with_retries(adapter_of(connection), descriptor)
        storage = LocalStorage(jobs.runtime().settings.data_dir / "media")
        # "audio/ogg; codecs=opus" (a voice note) has no extension until its parameters go.
        extension = mimetypes.guess_extension(base_mime(downloaded.mime_type)) or ""
        # Photos and voice notes come without a name: an agent still downloads a named file.
        filename = downloaded.filename or descriptor.filename or f"{id}{extension}"
        key = storage.key_for(company_id, id, filename)
        await storage.save(key, downloaded.data)
        media.update(
            storage_key=key,
            mime_type=downloaded.mime_type,
            size=len(downloaded.data),
            filename=filename,
            state="stored",
        )
    except ChannelError as error:
        log.warning("media_download_failed", message_id=message_id, error=repr(error))
        media.update(state="failed", error=str(error))
    async with database.write() as session:
        message = await session.get(Message, id)
        if message is not None:
            message.media = media
            # Agents saw the message arrive without its file: show it (or the failure) now.
            await publish_message_updated(session, message, ["media"])


async def _download_with_retries(
    adapter: ChannelAdapter, descriptor: MediaDescriptor
) -> DownloadedMedia:
    for attempt in range(3):
        try:
            return await adapter.download_media(descriptor)
        except TransientError:
            if attempt == 2:
                raise
            await asyncio.sleep(2**attempt)
    raise AssertionError("unreachable")
