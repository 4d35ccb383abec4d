from __future__ import annotations

import asyncio
import mimetypes
import uuid

import structlog

from nexus.channels.base import ChannelAdapter
from nexus.channels.errors import ChannelError, TransientError
from nexus.channels.events import MediaDescriptor, event_from_payload
from nexus.channels.mediatypes import base_mime
from nexus.channels.outbound import DownloadedMedia
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound.processor import inbound_processor
from nexus.kit.db import Database, savepoint
from nexus.kit.jobs import jobs
from nexus.kit.storage import LocalStorage
from nexus.models import Connection, Message
from nexus.realtime.conversation_events import publish_message_updated

log = structlog.get_logger(__name__)

# Events of one chat handled by one job run before it yields to others.
MAX_PER_RUN = 100
# One write transaction applies a chat's due events until this much time has passed: one
# BEGIN/COMMIT and one lookup of the chat's lock and connection for the lot, yet the write
# lock is never held long enough to keep a webhook's 200 waiting.
BATCH_SECONDS = 0.05
# Events of the chat read at a time: a batch rarely gets through more before its time is up.
RUN_READ = 10


class ChatRuns:
    """The chats this process is working through.

    Every webhook kicks its chat's job. A kick that finds the chat's job already running
    here only asks that job to look again before it ends, instead of starting a second job
    that would read the inbox (and, on SQLite, queue for the write lock) to find the work
    done. Jobs of one chat in different processes are kept apart by the chat's lock
    (``inbox.lock_chat``).
    """

    def __init__(self) -> None:
        self._kicked_again: dict[str, bool] = {}

    def claim(self, chat: str) -> bool:
        """Start the chat's run, or (False) note that the running one must look again."""
        if chat in self._kicked_again:
            self._kicked_again[chat] = True
            return False
        self._kicked_again[chat] = False
        return True

    def release(self, chat: str) -> bool:
        """End the chat's run; or (True) keep it, when it was kicked while it ran."""
        if self._kicked_again.pop(chat, False):
            self._kicked_again[chat] = False
            return True
        return False

    def end(self, chat: str) -> None:
        """End the chat's run whatever happened meanwhile (the caller kicks it anew or fails)."""
        self._kicked_again.pop(chat, None)


chat_runs = ChatRuns()


@jobs.task("inbound.process")
async def process(event_id: str, chat: str | None = None) -> None:
    """Process the chat of ``event_id`` in order. Each event is applied in its own savepoint
    and marked processed with its effects; batches of them commit together."""
    kicked = uuid.UUID(event_id)
    if chat is None:  # a kick that does not name its chat
        await _work_through(kicked)
        return
    if not chat_runs.claim(chat):
        return
    try:
        finished = await _work_through(kicked)
        # Kicked again meanwhile: its new events are behind ``kicked`` in the same chat.
        while finished and chat_runs.release(chat):
            finished = await _work_through(kicked, skip_if_done=False)
        if finished:
            return
    except BaseException:
        chat_runs.end(chat)  # the sweep kicks the chat again
        raise
    # MAX_PER_RUN applied and more waiting: the chat goes to the back of the queue.
    chat_runs.end(chat)
    await jobs.kick("inbound.process", event_id=event_id, chat=chat)


async def _work_through(kicked: uuid.UUID, *, skip_if_done: bool = True) -> bool:
    """Apply the due events of the chat of ``kicked``; False when it stopped at
    ``MAX_PER_RUN`` with more due."""
    database = jobs.db()
    if skip_if_done:
        async with database.read() as session:
            if not await inbox.is_pending(session, kicked):
                # An earlier job of its chat applied it already: no need to queue for the
                # write lock (SQLite has one for everybody).
                return True
    applied = 0
    while applied < MAX_PER_RUN:
        batch = await _apply_batch(database, kicked, MAX_PER_RUN - applied)
        if batch is None:
            return True
        applied += batch
    return False


async def _apply_batch(database: Database, kicked: uuid.UUID, limit: int) -> int | None:
    """Apply the chat's due events, oldest first, in one transaction. Return how many, or
    None when the chat has nothing more to do now (empty, or an event failed and backs off:
    the events after it wait for it, kicked again by the sweep)."""
    loop = asyncio.get_running_loop()
    applied = 0
    current: uuid.UUID | None = None
    try:
        async with database.write() as session:
            # From the moment the turn is ours: the wait for it can be long under load.
            deadline = loop.time() + BATCH_SECONDS
            connection: Connection | None = None
            while applied < limit:
                rows = await inbox.due_of_chat(session, kicked, min(RUN_READ, limit - applied))
                if not rows:
                    return None
                for row in rows:
                    current = row.id
                    connection = connection or await session.get(Connection, row.connection_id)
                    assert connection is not None
                    try:
                        async with savepoint(session):
                            event = event_from_payload(row.payload)
                            await inbound_processor.apply(session, connection, event)
                            inbox.mark_processed(row)
                    except Exception as error:
                        log.warning(
                            "inbound_event_failed", event_id=str(current), error=repr(error)
                        )
                        await inbox.record_failure(session, current, repr(error))
                        return None
                    applied += 1
                    if loop.time() >= deadline or database.urgent_writer_waiting:
                        return applied
                    # SQLite statements run in the loop's thread (kit/sqlite_inline.py): let
                    # requests in between events, not only between batches.
                    await asyncio.sleep(0)
        return applied
    except Exception as error:
        # The transaction itself failed (the database went away, a lock timed out): nothing
        # of the batch is applied; the event being applied is counted as having failed.
        if current is None:
            raise
        log.warning("inbound_batch_failed", event_id=str(current), error=repr(error))
        async with database.write() as session:
            await inbox.record_failure(session, current, repr(error))
        return None


@jobs.task("inbound.sweep", every_seconds=5)
async def sweep() -> None:
    """Kick events whose job was lost (a crash between the 200 and the processing)."""
    async with jobs.db().read() as session:
        due = await inbox.due(session)
    for first in due:
        await jobs.kick("inbound.process", event_id=str(first.id), chat=first.chat)


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
