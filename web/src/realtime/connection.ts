/**
 * The tab's one Socket.IO connection (docs/realtime.md): authenticated with the current
 * access token on every (re)connect, events applied to the query caches, missed events read
 * back from GET /api/events after each reconnect.
 */
import type { QueryClient } from '@tanstack/react-query';
import { io, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import { realtimeEventsAfter } from '@/client';
import { conversationKeys } from '@/api/conversations';
import type { RefreshResult } from '@/auth/session';
import { alertFor, raise, type AlertContext } from './alerts';
import { applyEvent } from './apply';
import { EVENT_NAMES, type EventName, type RealtimeEvent, type TypingEvent } from './events';
import { resync, SeqTracker, type FetchEvents } from './resync';
import { useTyping } from './typing';

/** Transitions that may take a conversation away from somebody (and so empty its room). */
const REJOIN_AFTER = new Set<EventName>([
  'conversation-assigned',
  'conversation-queued',
  'conversation-transferred',
  'conversation-resolved',
]);

export type RealtimeStatus = 'connecting' | 'connected' | 'disconnected';

export const useRealtimeStatus = create<{ status: RealtimeStatus }>(() => ({ status: 'connecting' }));

export type RealtimeDeps = {
  queryClient: QueryClient;
  getToken: () => string | null;
  refresh: () => Promise<RefreshResult>;
  /** The account was deactivated: end the session. */
  signOut: () => void;
  alertContext: () => AlertContext;
  openConversation: (conversationId: string) => void;
  /** My own presence changed elsewhere (another tab, the server's heartbeat timeout). */
  onMyPresence: (status: Extract<RealtimeEvent, { name: 'agent-status' }>['data']['status']) => void;
  /** The conversations this tab follows: joined again after every reconnect. */
  rooms: () => Iterable<string>;
  fetchEvents?: FetchEvents;
};

/** Coalesce list refreshes: a burst of events causes one refetch of the visible list. */
const LIST_REFRESH_MS = 500;
const RETRY_UNAVAILABLE_MS = 3_000;

const defaultFetchEvents: FetchEvents = async (after) =>
  (await realtimeEventsAfter({ query: { after, limit: 500 } })).data;

type ConnectError = Error & { data?: { code?: string } };

export class RealtimeConnection {
  readonly socket: Socket;
  private readonly tracker = new SeqTracker();
  private readonly fetchEvents: FetchEvents;
  private droppedAt = Date.now();
  private refreshTimer: number | undefined;
  private retryTimer: number | undefined;
  private stopped = false;
  /** Refreshes tried since the last successful connect: a token refused again right after a
   *  refresh will not be fixed by another one. */
  private authRetries = 0;

  constructor(private readonly deps: RealtimeDeps) {
    this.fetchEvents = deps.fetchEvents ?? defaultFetchEvents;
    this.socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      autoConnect: false,
      // A function: every reconnect sends the token current at that moment.
      auth: (callback) => callback({ token: deps.getToken() }),
    });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', (reason) => {
      this.droppedAt = Date.now();
      useRealtimeStatus.setState({ status: 'disconnected' });
      // The server closed it (role or departments changed): reconnect to get the new rooms.
      if (reason === 'io server disconnect' && !this.stopped) this.socket.connect();
    });
    this.socket.on('connect_error', (error: ConnectError) => void this.onConnectError(error));
    for (const name of EVENT_NAMES) {
      this.socket.on(name, (data: RealtimeEvent['data'] & { seq: number }) =>
        this.receive({ name, seq: data.seq, data } as RealtimeEvent),
      );
    }
    this.socket.on('typing', (event: TypingEvent) => useTyping.getState().receive(event));
  }

  /** Protocol step 1: take the cursor before the lists load, then connect. */
  async start(): Promise<void> {
    useRealtimeStatus.setState({ status: 'connecting' });
    try {
      this.tracker.answer((await this.fetchEvents()).last_seq);
    } catch {
      // Without a cursor the first resync reads from 0: the server answers `reload`.
    }
    if (!this.stopped) this.socket.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.refreshTimer);
    window.clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  private onConnect(): void {
    this.authRetries = 0;
    useRealtimeStatus.setState({ status: 'connected' });
    for (const id of this.deps.rooms()) this.socket.emit('join-conversation', { conversation_id: id });
    void resync(
      this.tracker,
      this.droppedAt,
      this.fetchEvents,
      (event) => this.handle(event, false),
      // Events were lost for good: everything cached about conversations may be stale.
      () => void this.deps.queryClient.invalidateQueries({ queryKey: conversationKeys.all }),
    ).catch(() => {
      // The REST call failed (offline again): the next reconnect resyncs from the same point.
    });
  }

  private async onConnectError(error: ConnectError): Promise<void> {
    useRealtimeStatus.setState({ status: 'disconnected' });
    const code = error.data?.code;
    if (code === 'token_expired' || code === 'invalid_token' || code === 'unauthorized') {
      // Refused by the auth middleware: socket.io-client does not retry by itself.
      if (this.authRetries >= 2) return;
      this.authRetries += 1;
      if ((await this.deps.refresh()) === 'ok' && !this.stopped) this.socket.connect();
    } else if (code === 'inactive_account') {
      this.deps.signOut();
    } else if (error.message === 'unavailable') {
      this.retryTimer = window.setTimeout(() => {
        if (!this.stopped) this.socket.connect();
      }, RETRY_UNAVAILABLE_MS);
    }
  }

  private receive(event: RealtimeEvent): void {
    if (this.tracker.accept(event.seq)) this.handle(event, true);
  }

  /** Live events may alert; replayed ones (resync) only update the caches. */
  private handle(event: RealtimeEvent, live: boolean): void {
    const { refreshLists } = applyEvent(this.deps.queryClient, event);
    if (refreshLists) this.refreshLists();
    // A transition that takes a conversation away from somebody empties its room on the
    // server; a tab that still has it open joins again (the server checks who may).
    if (REJOIN_AFTER.has(event.name) && 'conversation' in event.data && this.isOpen(event.data.conversation.id)) {
      this.join(event.data.conversation.id);
    }
    // The customer's message is what they were typing.
    if (event.name === 'message-received') useTyping.getState().stop(event.data.message.conversation_id, 'customer');
    const context = this.deps.alertContext();
    if (event.name === 'agent-status' && event.data.user_id === context.userId) {
      this.deps.onMyPresence(event.data.status);
    }
    if (!live) return;
    const alert = alertFor(event, context);
    if (alert) raise(alert, this.deps.openConversation);
  }

  private refreshLists(): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = undefined;
      const client = this.deps.queryClient;
      void client.invalidateQueries({ queryKey: conversationKeys.lists });
      void client.invalidateQueries({ queryKey: conversationKeys.counts });
    }, LIST_REFRESH_MS);
  }

  private isOpen(conversationId: string): boolean {
    for (const id of this.deps.rooms()) if (id === conversationId) return true;
    return false;
  }

  join(conversationId: string): void {
    if (this.socket.connected) this.socket.emit('join-conversation', { conversation_id: conversationId });
  }

  leave(conversationId: string): void {
    if (this.socket.connected) this.socket.emit('leave-conversation', { conversation_id: conversationId });
  }

  typing(conversationId: string, isTyping: boolean): void {
    if (this.socket.connected) this.socket.emit('typing', { conversation_id: conversationId, is_typing: isTyping });
  }

  heartbeat(): void {
    if (this.socket.connected) this.socket.emit('heartbeat');
  }

  markRead(conversationId: string): void {
    if (this.socket.connected) this.socket.emit('mark-read', { conversation_id: conversationId });
  }
}
