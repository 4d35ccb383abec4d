import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { ConversationRead, MessageRead, NoteRead } from '@/client';
import { conversationKeys, type ConversationListData } from '@/api/conversations';
import type { MessagesData } from '@/api/messages';
import { applyEvent } from './apply';
import type { ConversationSummary, MessageSummary, RealtimeEvent } from './events';

function conversation(id: string, lastAt: string, extra: Partial<ConversationRead> = {}): ConversationRead {
  return {
    id,
    company_id: 'co',
    contact: { id: `contact-${id}`, name: `Cliente ${id}`, phone: null, avatar_url: null, is_group: false },
    connection_id: null,
    department_id: null,
    assignee_id: null,
    status: 'waiting',
    bot_state: null,
    priority: 'normal',
    is_group: false,
    closing_reason_id: null,
    unread_count: 0,
    last_message_preview: 'antes',
    last_message_at: lastAt,
    last_inbound_at: null,
    queued_at: null,
    assigned_at: null,
    first_response_at: null,
    resolved_at: null,
    created_at: lastAt,
    tag_ids: [],
    ...extra,
  } as ConversationRead;
}

function summary(item: ConversationRead, extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: item.id,
    status: item.status,
    department_id: item.department_id,
    assignee_id: item.assignee_id,
    connection_id: item.connection_id,
    priority: item.priority,
    unread_count: item.unread_count,
    last_message_preview: item.last_message_preview,
    last_message_at: item.last_message_at,
    contact_id: item.contact.id,
    ...extra,
  };
}

function message(id: string, conversationId: string, extra: Partial<MessageSummary> = {}): MessageSummary {
  return {
    id,
    conversation_id: conversationId,
    direction: 'inbound',
    type: 'text',
    content: 'Oi',
    media: null,
    status: 'received',
    sender_id: null,
    is_bot: false,
    reply_to_id: null,
    created_at: '2026-01-01T12:05:00Z',
    ...extra,
  };
}

const LIST = conversationKeys.list('all', '');
const a = conversation('a', '2026-01-01T12:00:00Z');
const b = conversation('b', '2026-01-01T11:00:00Z');

function setup() {
  const client = new QueryClient();
  client.setQueryData<ConversationListData>(LIST, {
    pages: [{ items: [a, b], next_cursor: null }],
    pageParams: [undefined],
  });
  client.setQueryData<MessagesData>(conversationKeys.messages('b'), {
    pages: [{ items: [{ ...message('m0', 'b'), payload: {} } as MessageRead], next_cursor: null }],
    pageParams: [undefined],
  });
  return client;
}

const listIds = (client: QueryClient) =>
  client.getQueryData<ConversationListData>(LIST)!.pages.flatMap((page) => page.items.map((item) => item.id));
const messages = (client: QueryClient, id: string) =>
  client.getQueryData<MessagesData>(conversationKeys.messages(id))!.pages.flatMap((page) => page.items);

describe('applyEvent', () => {
  it('a new message lands in the open chat and moves its conversation to the top, without a refetch', () => {
    const client = setup();
    const event: RealtimeEvent = {
      name: 'message-received',
      seq: 1,
      data: {
        conversation: summary(b, {
          last_message_preview: 'Preciso de ajuda',
          last_message_at: '2026-01-01T12:05:00Z',
          unread_count: 1,
        }),
        message: message('m1', 'b', { content: 'Preciso de ajuda' }),
      },
    };
    expect(applyEvent(client, event)).toEqual({ refreshLists: false });
    expect(listIds(client)).toEqual(['b', 'a']);
    const top = client.getQueryData<ConversationListData>(LIST)!.pages[0]!.items[0]!;
    expect(top).toMatchObject({ last_message_preview: 'Preciso de ajuda', unread_count: 1 });
    expect(top.contact.name).toBe('Cliente b'); // the summary has no contact: kept from the list
    expect(messages(client, 'b').map((item) => item.id)).toEqual(['m1', 'm0']);

    // The same event again (socket, then resync) does not duplicate the message.
    applyEvent(client, event);
    expect(messages(client, 'b')).toHaveLength(2);
  });

  it('asks for a list refresh when the conversation is not in any loaded list', () => {
    const client = setup();
    const c = conversation('c', '2026-01-01T13:00:00Z');
    const result = applyEvent(client, {
      name: 'message-received',
      seq: 2,
      data: { conversation: summary(c), message: message('m9', 'c') },
    });
    expect(result.refreshLists).toBe(true);
    expect(listIds(client)).toEqual(['a', 'b']);
  });

  it('message statuses move forward only (M3), and a failure carries its reason', () => {
    const client = setup();
    const status = (value: MessageRead['status'], seq: number) =>
      applyEvent(client, {
        name: 'message-status',
        seq,
        data: { conversation_id: 'b', message_id: 'm0', status: value, error_code: null, error_message: null },
      });
    client.setQueryData<MessagesData>(conversationKeys.messages('b'), (data) => ({
      ...data!,
      pages: [{ items: [{ ...messages(client, 'b')[0]!, direction: 'outbound', status: 'pending' }], next_cursor: null }],
    }));
    status('read', 3);
    status('delivered', 4); // late
    expect(messages(client, 'b')[0]!.status).toBe('read');

    client.setQueryData<MessagesData>(conversationKeys.messages('b'), (data) => ({
      ...data!,
      pages: [{ items: [{ ...messages(client, 'b')[0]!, status: 'sending' }], next_cursor: null }],
    }));
    applyEvent(client, {
      name: 'message-status',
      seq: 5,
      data: { conversation_id: 'b', message_id: 'm0', status: 'failed', error_code: '131047', error_message: 'Fora da janela' },
    });
    expect(messages(client, 'b')[0]).toMatchObject({ status: 'failed', error_message: 'Fora da janela' });
  });

  it('an assignment updates the open conversation and refreshes the lists (tab membership)', () => {
    const client = setup();
    client.setQueryData(conversationKeys.one('a'), a);
    const result = applyEvent(client, {
      name: 'conversation-assigned',
      seq: 6,
      data: {
        conversation: summary(a, { status: 'assigned', assignee_id: 'agent-1' }),
        previous_assignee_id: null,
        actor_id: 'agent-1',
      },
    });
    expect(result.refreshLists).toBe(true);
    expect(client.getQueryData<ConversationRead>(conversationKeys.one('a'))).toMatchObject({
      status: 'assigned',
      assignee_id: 'agent-1',
    });
  });

  it('a downloaded file, an edit and a deletion change the shown message in place', () => {
    const client = setup();
    const update = (seq: number, data: Extract<RealtimeEvent, { name: 'message-updated' }>['data']) =>
      applyEvent(client, { name: 'message-updated', seq, data });
    client.setQueryData<MessagesData>(conversationKeys.messages('b'), (data) => ({
      ...data!,
      pages: [
        {
          items: [
            { ...messages(client, 'b')[0]!, type: 'image', media: { state: 'downloading' }, payload: { forwarded: true } },
          ],
          next_cursor: null,
        },
      ],
    }));

    const stored = { state: 'stored', storage_key: 'co/m0/f.png', mime_type: 'image/png', size: 10 };
    const result = update(8, {
      message: message('m0', 'b', { type: 'image', media: stored }),
      changed: ['media'],
      payload: {},
    });
    expect(result).toEqual({ refreshLists: false });
    expect(messages(client, 'b')[0]).toMatchObject({ media: stored, payload: { forwarded: true } });

    update(9, {
      message: message('m0', 'b', { type: 'image', media: stored, content: 'corrigido' }),
      changed: ['content'],
      payload: { edits: ['Oi'] },
    });
    update(10, {
      message: message('m0', 'b', { type: 'image', media: stored, content: 'corrigido' }),
      changed: ['revoked'],
      payload: { edits: ['Oi'], revoked: true, revoked_at: '2026-01-01T12:09:00Z' },
    });
    expect(messages(client, 'b')).toHaveLength(1);
    expect(messages(client, 'b')[0]).toMatchObject({
      content: 'corrigido',
      payload: { forwarded: true, edits: ['Oi'], revoked: true, revoked_at: '2026-01-01T12:09:00Z' },
    });
  });

  it('a changed message keeps a newer status, and one not loaded is left alone', () => {
    const client = setup();
    client.setQueryData<MessagesData>(conversationKeys.messages('b'), (data) => ({
      ...data!,
      pages: [{ items: [{ ...messages(client, 'b')[0]!, direction: 'outbound', status: 'read' }], next_cursor: null }],
    }));
    applyEvent(client, {
      name: 'message-updated',
      seq: 11,
      data: {
        message: message('m0', 'b', { direction: 'outbound', status: 'sent' }),
        changed: ['reactions'],
        payload: { reactions: { customer: '👍' } },
      },
    });
    expect(messages(client, 'b')[0]).toMatchObject({ status: 'read', payload: { reactions: { customer: '👍' } } });

    applyEvent(client, {
      name: 'message-updated',
      seq: 12,
      data: { message: message('old', 'b'), changed: ['reactions'], payload: { reactions: {} } },
    });
    expect(messages(client, 'b').map((item) => item.id)).toEqual(['m0']);
  });

  it('a note shows in the open chat once, and is fetched with the chat when not open', () => {
    const client = setup();
    const note = (id: string): NoteRead => ({
      id,
      conversation_id: 'b',
      author_id: 'agent-1',
      body: 'Cliente VIP',
      created_at: '2026-01-01T12:06:00Z',
    });
    client.setQueryData<NoteRead[]>(conversationKeys.notes('b'), [note('n0')]);
    const added = { name: 'note-added', seq: 13, data: { note: note('n1') } } as const;
    expect(applyEvent(client, added)).toEqual({ refreshLists: false });
    applyEvent(client, added); // socket, then resync
    expect(client.getQueryData<NoteRead[]>(conversationKeys.notes('b'))!.map((item) => item.id)).toEqual(['n0', 'n1']);

    applyEvent(client, { name: 'note-added', seq: 14, data: { note: { ...note('n2'), conversation_id: 'a' } } });
    expect(client.getQueryData(conversationKeys.notes('a'))).toBeUndefined();
  });

  it('a read receipt (unread count only) patches in place', () => {
    const client = setup();
    const result = applyEvent(client, {
      name: 'conversation-updated',
      seq: 7,
      data: { conversation: summary(a, { unread_count: 0 }), changed: ['unread_count'] },
    });
    expect(result.refreshLists).toBe(false);
  });
});
