/** Who is typing in which conversation, from the relayed `typing` events. */
import { create } from 'zustand';
import type { TypingEvent } from './events';

/**
 * A "started typing" with no "stopped" fades after this long. Agents' composers say "started"
 * once per burst of keystrokes and "stopped" after a pause, so only a closed tab needs the
 * timeout; the customer's phone repeats "typing" while the customer types (the sandbox phone
 * every 4 s), and a lost "paused" must not leave "typing…" on screen.
 */
export const TYPING_TTL_MS: Record<TypingEvent['sender'], number> = { agent: 30_000, customer: 10_000 };

type Typist = { name: string | null; sender: TypingEvent['sender']; until: number };

type TypingState = {
  byConversation: Record<string, Typist | undefined>;
  receive: (event: TypingEvent, now?: number) => void;
  /** `sender` stopped in this conversation without saying so (the customer's message came). */
  stop: (conversationId: string, sender: TypingEvent['sender']) => void;
  expire: (now?: number) => void;
};

let expiry: ReturnType<typeof setTimeout> | undefined;

/** Run `expire` when the earliest typist is due. */
function scheduleExpiry(state: TypingState): void {
  clearTimeout(expiry);
  const next = Math.min(...Object.values(state.byConversation).map((typist) => typist?.until ?? Infinity));
  if (next !== Infinity) expiry = setTimeout(() => useTyping.getState().expire(), Math.max(0, next - Date.now()));
}

export const useTyping = create<TypingState>((set, get) => ({
  byConversation: {},
  receive: (event, now = Date.now()) => {
    set((state) => ({
      byConversation: {
        ...state.byConversation,
        [event.conversation_id]: event.is_typing
          ? { name: event.name, sender: event.sender, until: now + TYPING_TTL_MS[event.sender] }
          : undefined,
      },
    }));
    scheduleExpiry(get());
  },
  stop: (conversationId, sender) => {
    if (get().byConversation[conversationId]?.sender !== sender) return;
    set((state) => ({ byConversation: { ...state.byConversation, [conversationId]: undefined } }));
    scheduleExpiry(get());
  },
  expire: (now = Date.now()) => {
    set((state) => {
      const live = Object.entries(state.byConversation).filter(([, typist]) => typist && typist.until > now);
      return live.length === Object.keys(state.byConversation).length
        ? state
        : { byConversation: Object.fromEntries(live) };
    });
    scheduleExpiry(get());
  },
}));

export function useTypist(conversationId: string): Typist | undefined {
  return useTyping((state) => state.byConversation[conversationId]);
}
