/** Who is typing in which conversation, from the relayed `typing` events. */
import { create } from 'zustand';
import type { TypingEvent } from './events';

/** A "started typing" with no "stopped" (a closed tab) fades after this long. */
export const TYPING_TTL_MS = 6_000;

type Typist = { name: string | null; sender: TypingEvent['sender']; until: number };

type TypingState = {
  byConversation: Record<string, Typist | undefined>;
  receive: (event: TypingEvent, now?: number) => void;
  expire: (now?: number) => void;
};

export const useTyping = create<TypingState>((set) => ({
  byConversation: {},
  receive: (event, now = Date.now()) =>
    set((state) => ({
      byConversation: {
        ...state.byConversation,
        [event.conversation_id]: event.is_typing
          ? { name: event.name, sender: event.sender, until: now + TYPING_TTL_MS }
          : undefined,
      },
    })),
  expire: (now = Date.now()) =>
    set((state) => {
      const live = Object.entries(state.byConversation).filter(([, typist]) => typist && typist.until > now);
      return live.length === Object.keys(state.byConversation).length
        ? state
        : { byConversation: Object.fromEntries(live) };
    }),
}));

export function useTypist(conversationId: string): Typist | undefined {
  return useTyping((state) => state.byConversation[conversationId]);
}
