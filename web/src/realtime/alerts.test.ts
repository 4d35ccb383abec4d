import { describe, expect, it } from 'vitest';
import '@/i18n';
import { alertFor } from './alerts';
import type { ConversationSummary, RealtimeEvent } from './events';

const conversation = (extra: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id: 'c1',
  status: 'assigned',
  department_id: 'd1',
  assignee_id: 'me',
  connection_id: null,
  priority: 'normal',
  unread_count: 1,
  last_message_preview: 'Oi',
  last_message_at: '2026-01-01T12:00:00Z',
  contact_id: 'k1',
  ...extra,
});

const received = (summary: ConversationSummary): RealtimeEvent => ({
  name: 'message-received',
  seq: 1,
  data: {
    conversation: summary,
    message: {
      id: 'm1',
      conversation_id: summary.id,
      direction: 'inbound',
      type: 'text',
      content: 'Preciso de ajuda',
      media: null,
      status: 'received',
      sender_id: null,
      is_bot: false,
      reply_to_id: null,
      created_at: '2026-01-01T12:00:00Z',
    },
  },
});

const watching = { userId: 'me', openConversationId: 'c1', visible: true };
const elsewhere = { userId: 'me', openConversationId: null, visible: true };

describe('alertFor', () => {
  it("rings for a customer's message in my conversation unless I am looking at it", () => {
    expect(alertFor(received(conversation()), elsewhere)).toMatchObject({ body: 'Preciso de ajuda', conversationId: 'c1' });
    expect(alertFor(received(conversation()), watching)).toBeNull();
    expect(alertFor(received(conversation()), { ...watching, visible: false })).not.toBeNull();
  });

  it("rings for the queue, not for a colleague's conversation", () => {
    expect(alertFor(received(conversation({ status: 'waiting', assignee_id: null })), elsewhere)).not.toBeNull();
    expect(alertFor(received(conversation({ assignee_id: 'colleague' })), elsewhere)).toBeNull();
  });

  it('rings when someone else assigns me a conversation, not when I take it myself', () => {
    const assigned = (actor: string): RealtimeEvent => ({
      name: 'conversation-assigned',
      seq: 2,
      data: { conversation: conversation(), previous_assignee_id: null, actor_id: actor },
    });
    expect(alertFor(assigned('supervisor'), elsewhere)).toMatchObject({ title: 'Uma conversa foi atribuída a você', toast: true });
    expect(alertFor(assigned('me'), elsewhere)).toBeNull();
  });
});
