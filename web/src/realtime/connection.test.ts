import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventsPage } from '@/client';

type Handler = (...args: unknown[]) => void;

/** A stand-in for socket.io-client's Socket: records what the connection does with it. */
class FakeSocket {
  handlers = new Map<string, Handler>();
  connected = false;
  connect = vi.fn(() => this);
  disconnect = vi.fn();
  emit = vi.fn();
  constructor(readonly options: { auth: (cb: (data: object) => void) => void }) {}
  on(name: string, handler: Handler) {
    this.handlers.set(name, handler);
    return this;
  }
  fire(name: string, ...args: unknown[]) {
    this.handlers.get(name)?.(...args);
  }
  authPayload(): object {
    let payload: object = {};
    this.options.auth((data) => (payload = data));
    return payload;
  }
}

let socket: FakeSocket;
vi.mock('socket.io-client', () => ({
  io: (options: ConstructorParameters<typeof FakeSocket>[0]) => (socket = new FakeSocket(options)),
}));

const { RealtimeConnection } = await import('./connection');
const { useTyping } = await import('./typing');

const page = (extra: Partial<EventsPage> = {}): EventsPage => ({ reload: false, events: [], last_seq: 0, has_more: false, ...extra });

function connection(overrides: Partial<ConstructorParameters<typeof RealtimeConnection>[0]> = {}) {
  let token = 'token-1';
  const deps = {
    queryClient: new QueryClient(),
    getToken: () => token,
    refresh: vi.fn(async () => {
      token = 'token-2';
      return 'ok' as const;
    }),
    signOut: vi.fn(),
    alertContext: () => ({ userId: 'me', openConversationId: null, visible: true }),
    openConversation: vi.fn(),
    onMyPresence: vi.fn(),
    rooms: () => ['c-open'],
    fetchEvents: vi.fn(async (after?: number) => page({ last_seq: after === undefined ? 40 : 42 })),
    ...overrides,
  };
  return { conn: new RealtimeConnection(deps), deps };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('RealtimeConnection', () => {
  it('takes the cursor first, then resyncs from it and rejoins the open conversation on connect', async () => {
    const { conn, deps } = connection();
    await conn.start();
    expect(deps.fetchEvents).toHaveBeenCalledWith();
    expect(socket.connect).toHaveBeenCalledOnce();

    socket.connected = true;
    socket.fire('connect');
    expect(socket.emit).toHaveBeenCalledWith('join-conversation', { conversation_id: 'c-open' });
    await vi.waitFor(() => expect(deps.fetchEvents).toHaveBeenLastCalledWith(40));
  });

  it('refreshes the token and reconnects with the new one when the server says token_expired', async () => {
    const { conn, deps } = connection();
    await conn.start();
    expect(socket.authPayload()).toEqual({ token: 'token-1' });

    socket.fire('connect_error', Object.assign(new Error('unauthorized'), { data: { code: 'token_expired' } }));
    await vi.waitFor(() => expect(socket.connect).toHaveBeenCalledTimes(2));
    expect(deps.refresh).toHaveBeenCalledOnce();
    expect(socket.authPayload()).toEqual({ token: 'token-2' });
  });

  it('does not loop when a fresh token is refused too', async () => {
    const { conn, deps } = connection();
    await conn.start();
    const refused = () =>
      socket.fire('connect_error', Object.assign(new Error('unauthorized'), { data: { code: 'invalid_token' } }));
    for (let attempt = 0; attempt < 5; attempt++) {
      refused();
      await vi.waitFor(() => expect(deps.refresh).toHaveBeenCalledTimes(Math.min(attempt + 1, 2)));
    }
    expect(deps.refresh).toHaveBeenCalledTimes(2);
  });

  it('signs out a deactivated account instead of retrying', async () => {
    const { conn, deps } = connection();
    await conn.start();
    socket.fire('connect_error', Object.assign(new Error('unauthorized'), { data: { code: 'inactive_account' } }));
    expect(deps.signOut).toHaveBeenCalledOnce();
    expect(socket.connect).toHaveBeenCalledOnce();
  });

  it('reconnects after a server-side disconnect (role or departments changed)', async () => {
    const { conn } = connection();
    await conn.start();
    socket.fire('disconnect', 'io server disconnect');
    expect(socket.connect).toHaveBeenCalledTimes(2);
  });

  it("clears the customer's typing when their message arrives", async () => {
    const { conn } = connection();
    await conn.start();
    socket.fire('typing', { conversation_id: 'c-open', sender: 'customer', user_id: null, name: null, is_typing: true });
    expect(useTyping.getState().byConversation['c-open']).toMatchObject({ sender: 'customer' });
    socket.fire('message-received', {
      seq: 1,
      conversation: { id: 'c-open', status: 'assigned', unread_count: 1, last_message_at: null },
      message: { id: 'm1', conversation_id: 'c-open', status: 'received' },
    });
    expect(useTyping.getState().byConversation['c-open']).toBeUndefined();
  });

  it('joins the open conversation again after a transition, which may have emptied its room', async () => {
    const { conn } = connection();
    await conn.start();
    socket.connected = true;
    const joins = () => socket.emit.mock.calls.filter(([name]) => name === 'join-conversation');
    const transferred = (seq: number, id: string) =>
      socket.fire('conversation-transferred', {
        seq,
        conversation: { id, status: 'assigned', unread_count: 0, last_message_at: null },
        from_department_id: null,
        from_assignee_id: null,
        actor_id: 'someone',
        reason: null,
      });
    transferred(1, 'c-other');
    socket.fire('message-received', {
      seq: 2,
      conversation: { id: 'c-open', status: 'assigned', unread_count: 1, last_message_at: null },
      message: { id: 'm1', conversation_id: 'c-open', status: 'received' },
    });
    expect(joins()).toHaveLength(0);
    transferred(3, 'c-open');
    expect(joins()).toEqual([['join-conversation', { conversation_id: 'c-open' }]]);
  });

  it('coalesces the list refreshes of a burst of events into one invalidation', async () => {
    const queryClient = new QueryClient();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    const { conn } = connection({ queryClient });
    await conn.start();
    for (let seq = 1; seq <= 20; seq++) {
      socket.fire('conversation-created', {
        seq,
        conversation: { id: `c${seq}`, status: 'bot', unread_count: 0, last_message_at: null },
      });
    }
    socket.fire('conversation-created', { seq: 20, conversation: { id: 'c20', status: 'bot' } }); // a repeat
    const listCalls = () =>
      invalidate.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === '["conversations","list"]');
    expect(listCalls()).toHaveLength(0);
    vi.advanceTimersByTime(600);
    expect(listCalls()).toHaveLength(1);
  });
});
