/**
 * Applies a server event to the TanStack Query caches, so that the lists, the open chat and
 * the customer panel change in place — no refetch per event. What the event cannot settle on
 * its own (a conversation that enters a list it was not in, counts per tab) is reported back
 * as `refreshLists`, and the caller coalesces those into one invalidation.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { ConversationRead, MessageRead, NoteRead, UserRead } from '@/client';
import { applyConnectionStatus } from '@/api/connections';
import { conversationKeys, type ConversationListData } from '@/api/conversations';
import { upsertMessage, type MessagesData } from '@/api/messages';
import type { ConversationSummary, MessageSummary, RealtimeEvent } from './events';

export type ApplyResult = {
  /** The lists or the per-tab counts may be out of date: invalidate them (debounced). */
  refreshLists: boolean;
};

/** Status order for M3: a late "delivered" never overwrites "read". */
const STATUS_RANK: Record<MessageRead['status'], number> = {
  pending: 0,
  sending: 1,
  unknown: 1,
  failed: 2,
  sent: 3,
  received: 3,
  delivered: 4,
  read: 5,
};

export function statusMoves(from: MessageRead['status'], to: MessageRead['status']): boolean {
  return STATUS_RANK[to] > STATUS_RANK[from];
}

/** The summary's fields over the cached conversation; `contact_id` is not a field of it
 *  (the cached `contact` object stays, the summary has no contact details). */
function mergeSummary(conversation: ConversationRead, summary: ConversationSummary): ConversationRead {
  return {
    ...conversation,
    status: summary.status,
    department_id: summary.department_id,
    assignee_id: summary.assignee_id,
    connection_id: summary.connection_id,
    priority: summary.priority,
    unread_count: summary.unread_count,
    last_message_preview: summary.last_message_preview,
    last_message_at: summary.last_message_at,
  };
}

function isNewer(a: string | null, b: string | null): boolean {
  return Boolean(a) && (!b || Date.parse(a!) > Date.parse(b));
}

/**
 * Patch the conversation in every cached list page. Returns whether some list held it.
 * A conversation with a newer last message moves to the top, as in WhatsApp.
 */
function patchLists(client: QueryClient, summary: ConversationSummary): boolean {
  let found = false;
  client.setQueriesData<ConversationListData>({ queryKey: conversationKeys.lists }, (data) => {
    if (!data) return data;
    let current: ConversationRead | undefined;
    for (const page of data.pages) current ??= page.items.find((item) => item.id === summary.id);
    if (!current) return data;
    found = true;
    const updated = mergeSummary(current, summary);
    const toTop = isNewer(summary.last_message_at, current.last_message_at);
    const pages = data.pages.map((page, index) => {
      let items = toTop
        ? page.items.filter((item) => item.id !== summary.id)
        : page.items.map((item) => (item.id === summary.id ? updated : item));
      if (toTop && index === 0) items = [updated, ...items];
      return { ...page, items };
    });
    return { ...data, pages };
  });
  return found;
}

function patchConversation(client: QueryClient, summary: ConversationSummary): boolean {
  client.setQueryData<ConversationRead>(conversationKeys.one(summary.id), (current) =>
    current ? mergeSummary(current, summary) : current,
  );
  return patchLists(client, summary);
}

/** A message summary as a full message (the provider fields are unknown until fetched). */
function toMessage(summary: MessageSummary): MessageRead {
  return {
    payload: {},
    error_code: null,
    error_message: null,
    provider_message_id: null,
    idempotency_key: null,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    ...summary,
  };
}

function addMessage(client: QueryClient, summary: MessageSummary): void {
  client.setQueryData<MessagesData>(conversationKeys.messages(summary.conversation_id), (data) => {
    const existing = data?.pages.flatMap((page) => page.items).find((item) => item.id === summary.id);
    // The REST answer (richer, maybe with a newer status) may have arrived first.
    if (existing) {
      return statusMoves(existing.status, summary.status)
        ? upsertMessage(data, { ...existing, status: summary.status })
        : data;
    }
    return upsertMessage(data, toMessage(summary));
  });
}

function setMessageStatus(
  client: QueryClient,
  conversationId: string,
  messageId: string,
  status: MessageRead['status'],
  error: { error_code: string | null; error_message: string | null },
): void {
  client.setQueryData<MessagesData>(conversationKeys.messages(conversationId), (data) => {
    const existing = data?.pages.flatMap((page) => page.items).find((item) => item.id === messageId);
    if (!existing || !statusMoves(existing.status, status)) return data;
    return upsertMessage(data, { ...existing, status, ...error });
  });
}

/** A message that changed after it was shown: the summary's fields, a status that never
 *  goes back, and the changed payload keys over the cached ones. A message not loaded (an
 *  older page) is left to be fetched as it is. */
function updateMessage(client: QueryClient, summary: MessageSummary, payload: MessageRead['payload']): void {
  client.setQueryData<MessagesData>(conversationKeys.messages(summary.conversation_id), (data) => {
    const existing = data?.pages.flatMap((page) => page.items).find((item) => item.id === summary.id);
    if (!existing) return data;
    return upsertMessage(data, {
      ...existing,
      ...summary,
      status: statusMoves(existing.status, summary.status) ? summary.status : existing.status,
      payload: { ...existing.payload, ...payload },
    });
  });
}

function addNote(client: QueryClient, note: NoteRead): void {
  client.setQueryData<NoteRead[]>(conversationKeys.notes(note.conversation_id), (notes) =>
    !notes || notes.some((item) => item.id === note.id) ? notes : [...notes, note],
  );
}

function setPresence(client: QueryClient, userId: string, status: UserRead['presence']): void {
  client.setQueriesData<UserRead[]>({ queryKey: ['users', 'list'] }, (users) =>
    users?.map((user) => (user.id === userId ? { ...user, presence: status } : user)),
  );
}

export function applyEvent(client: QueryClient, event: RealtimeEvent): ApplyResult {
  switch (event.name) {
    case 'message-received':
    case 'message-sent': {
      addMessage(client, event.data.message);
      const listed = patchConversation(client, event.data.conversation);
      return { refreshLists: !listed };
    }
    case 'message-status':
      setMessageStatus(client, event.data.conversation_id, event.data.message_id, event.data.status, {
        error_code: event.data.error_code,
        error_message: event.data.error_message,
      });
      return { refreshLists: false };
    case 'message-updated':
      updateMessage(client, event.data.message, event.data.payload);
      return { refreshLists: false };
    case 'note-added':
      addNote(client, event.data.note);
      return { refreshLists: false };
    case 'conversation-updated': {
      const listed = patchConversation(client, event.data.conversation);
      // Only unread counts changed: the tabs' badges count conversations, not messages.
      const onlyUnread = event.data.changed.every((field) => field === 'unread_count');
      return { refreshLists: !listed || !onlyUnread };
    }
    case 'conversation-created':
    case 'conversation-assigned':
    case 'conversation-queued':
    case 'conversation-transferred':
    case 'conversation-resolved':
      // Who sees it, and in which tab, changed: the lists are fetched again (coalesced).
      patchConversation(client, event.data.conversation);
      void client.invalidateQueries({ queryKey: conversationKeys.history(event.data.conversation.id) });
      return { refreshLists: true };
    case 'agent-status':
      setPresence(client, event.data.user_id, event.data.status);
      return { refreshLists: false };
    case 'notification':
      return { refreshLists: false };
    case 'connection-status':
      applyConnectionStatus(client, event.data);
      return { refreshLists: false };
  }
}
