/**
 * The server → client events of docs/realtime.md, typed. The socket and the resync endpoint
 * (GET /api/events) deliver the same `data`, so one type serves both.
 */
import type { ConnectionAdminRead, ConversationRead, MessageRead, NoteRead, PresenceStatus } from '@/client';

/** `ConversationSummary`: the list fields of a conversation, without the contact. */
export type ConversationSummary = Pick<
  ConversationRead,
  | 'id'
  | 'status'
  | 'department_id'
  | 'assignee_id'
  | 'connection_id'
  | 'priority'
  | 'unread_count'
  | 'last_message_preview'
  | 'last_message_at'
> & { contact_id: string };

/** `MessageSummary`: a message without its provider fields. */
export type MessageSummary = Pick<
  MessageRead,
  | 'id'
  | 'conversation_id'
  | 'direction'
  | 'type'
  | 'content'
  | 'media'
  | 'status'
  | 'sender_id'
  | 'is_bot'
  | 'reply_to_id'
  | 'created_at'
>;

export type EventPayloads = {
  'message-received': { conversation: ConversationSummary; message: MessageSummary };
  'message-sent': { conversation: ConversationSummary; message: MessageSummary };
  'message-status': {
    conversation_id: string;
    message_id: string;
    status: MessageRead['status'];
    error_code: string | null;
    error_message: string | null;
  };
  /** A message already shown changed: its file (`media`), the customer's edit (`content`) or
   *  deletion (`revoked`), a reaction to it (`reactions`). `payload` holds the keys of
   *  `MessageRead.payload` that change after a message is shown, to merge into it. */
  'message-updated': {
    message: MessageSummary;
    changed: ('media' | 'content' | 'revoked' | 'reactions')[];
    payload: MessageRead['payload'];
  };
  'conversation-created': { conversation: ConversationSummary };
  'conversation-assigned': {
    conversation: ConversationSummary;
    previous_assignee_id: string | null;
    actor_id: string | null;
  };
  'conversation-queued': { conversation: ConversationSummary; reason: string | null };
  'conversation-transferred': {
    conversation: ConversationSummary;
    from_department_id: string | null;
    from_assignee_id: string | null;
    actor_id: string | null;
    reason: string | null;
  };
  'conversation-resolved': {
    conversation: ConversationSummary;
    closing_reason_id: string | null;
    actor_id: string | null;
  };
  'conversation-updated': { conversation: ConversationSummary; changed: string[] };
  /** An internal note: staff only. */
  'note-added': { note: NoteRead };
  'agent-status': { user_id: string; name: string; status: PresenceStatus; changed_at: string };
  /** To admins only: a number's state, with the QR code that pairs a phone while it is `qr`. */
  'connection-status': {
    connection_id: string;
    name: string;
    channel: ConnectionAdminRead['channel'];
    status: ConnectionAdminRead['status'];
    reason: string | null;
    phone_number: string | null;
    qr_code: string | null;
  };
  notification: {
    kind: string;
    title: string;
    body: string | null;
    level: 'info' | 'warning' | 'error';
    conversation_id: string | null;
  };
};

export type EventName = keyof EventPayloads;

/** One event as the reducer sees it, from the socket or from GET /api/events. */
export type RealtimeEvent = {
  [K in EventName]: { name: K; seq: number; data: EventPayloads[K] };
}[EventName];

/** `typing` is relayed, not logged: no `seq`, never resynced. */
export type TypingEvent = {
  conversation_id: string;
  sender: 'agent' | 'customer';
  user_id: string | null;
  name: string | null;
  is_typing: boolean;
};

export const EVENT_NAMES: EventName[] = [
  'message-received',
  'message-sent',
  'message-status',
  'message-updated',
  'conversation-created',
  'conversation-assigned',
  'conversation-queued',
  'conversation-transferred',
  'conversation-resolved',
  'conversation-updated',
  'note-added',
  'agent-status',
  'notification',
  'connection-status',
];

export function isEventName(name: string): name is EventName {
  return (EVENT_NAMES as string[]).includes(name);
}
